//! What each stage of the loop shows on the home screen, read from the real state: items in
//! the sprint, the last commit, the latest release, what is live, alerts firing. The build and
//! test stages show the newest run, which the page already has.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::store::plan::Column;
use crate::store::Store;

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LoopState {
    /// Items in the sprint or being worked on.
    pub in_sprint: u32,
    /// The workspace's last commit: its short id and subject.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_commit: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_release: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_version: Option<String>,
    pub replicas: u32,
    pub alerts_firing: u32,
}

/// The parts that come from the history and the workspace (blocking: SQLite and git2).
pub fn gather(store: &Store, repo: &Path) -> LoopState {
    let in_sprint = store
        .items()
        .map(|items| {
            items
                .iter()
                .filter(|i| matches!(i.column, Column::Sprint | Column::Doing))
                .count() as u32
        })
        .unwrap_or(0);
    let last_commit = git2::Repository::open(repo).ok().and_then(|r| {
        let c = r.head().ok()?.peel_to_commit().ok()?;
        let id = c.id().to_string();
        Some(format!(
            "{} {}",
            &id[..7],
            c.message()
                .unwrap_or("")
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(48)
                .collect::<String>()
        ))
    });
    let latest_release = store
        .releases()
        .ok()
        .and_then(|r| r.into_iter().next())
        .map(|r| r.version);
    LoopState {
        in_sprint,
        last_commit,
        latest_release,
        ..LoopState::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_workspace_shows_nothing_made_up_and_a_commit_shows_itself() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_memory().unwrap();
        assert_eq!(gather(&store, dir.path()), LoopState::default());
        let repo = git2::Repository::init(dir.path()).unwrap();
        let sig = git2::Signature::now("L", "l@x").unwrap();
        let tree = repo
            .find_tree(repo.index().unwrap().write_tree().unwrap())
            .unwrap();
        let id = repo
            .commit(Some("HEAD"), &sig, &sig, "feat: bold version", &tree, &[])
            .unwrap();
        let s = gather(&store, dir.path());
        assert_eq!(
            s.last_commit,
            Some(format!("{} feat: bold version", &id.to_string()[..7]))
        );
    }
}
