//! One backlog item in full: its description as sanitised HTML, the commits that name it, the
//! runs of those commits, the first release that carried each of them, and those releases'
//! deploys. Blocking: git2 and SQLite.

use crate::record::deploy::DeployStatus;
use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::markdown;
use crate::store::plan::Item;
use crate::store::runs::RunSummary;
use crate::store::Store;
use crate::Result;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ItemDetail {
    pub item: Item,
    /// The description rendered by the lesson renderer: no script, no remote image, and
    /// external links only marked (the app never follows them).
    pub description_html: String,
    pub commits: Vec<LinkedCommit>,
    /// Runs of those commits, newest first.
    pub runs: Vec<RunSummary>,
    /// The first release of the app that carried each commit, oldest first.
    pub releases: Vec<ShippedIn>,
    /// Every deploy of those releases, newest first.
    pub deploys: Vec<DeployOf>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkedCommit {
    pub sha: String,
    /// Its first line; empty when the workspace no longer has it.
    pub summary: String,
    /// It says `fix #N` (or another closing word), so its deploy finishes the item.
    pub closes: bool,
    pub committed_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShippedIn {
    pub version: String,
    pub released_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeployOf {
    #[ts(type = "number")]
    pub id: u64,
    pub version: String,
    pub status: DeployStatus,
    pub at: i64,
}

/// Item `id` of the backlog, with what `app` in the workspace at `repo` did about it.
pub fn detail(store: &Store, repo: &Path, app: &str, id: u64) -> Result<ItemDetail> {
    let item = store.item(id)?;
    // Commits made since the board last looked are linked first.
    let _ = crate::backlog::links::scan(repo, store, 1000);
    let git = git2::Repository::open(repo).ok();
    let linked = store.item_commits(id)?;
    let commits: Vec<LinkedCommit> = linked
        .iter()
        .map(|c| LinkedCommit {
            sha: c.sha.clone(),
            summary: git
                .as_ref()
                .and_then(|g| g.find_commit(git2::Oid::from_str(&c.sha).ok()?).ok())
                .and_then(|c| c.summary().ok().flatten().map(str::to_owned))
                .unwrap_or_default(),
            closes: c.closes,
            committed_at: c.committed_at,
        })
        .collect();
    let shas: HashSet<&str> = linked.iter().map(|c| c.sha.as_str()).collect();
    let mut runs: Vec<RunSummary> = store
        .runs(1000)?
        .into_iter()
        .filter(|r| shas.contains(r.sha.as_str()))
        .collect();
    runs.sort_by_key(|r| std::cmp::Reverse(r.number));

    let releases = git
        .as_ref()
        .map(|g| first_releases(store, g, app, &linked))
        .transpose()?
        .unwrap_or_default();
    let versions: HashSet<&str> = releases.iter().map(|r| r.version.as_str()).collect();
    let mut deploys: Vec<DeployOf> = store
        .deploys(1000)?
        .into_iter()
        .filter(|d| d.app == app && versions.contains(d.version.as_str()))
        .map(|d| DeployOf {
            id: d.id,
            version: d.version,
            status: d.status,
            at: d.finished_at.unwrap_or(d.started_at),
        })
        .collect();
    deploys.sort_by_key(|d| std::cmp::Reverse((d.at, d.id)));
    Ok(ItemDetail {
        description_html: markdown::render(&item.description, &|_| None).html,
        item,
        commits,
        runs,
        releases,
        deploys,
    })
}

/// For each linked commit, the oldest of `app`'s versions whose commit is it or comes after
/// it. A version is known from its release record, or from a deploy and its `v<version>` tag
/// (released by hand).
fn first_releases(
    store: &Store,
    git: &git2::Repository,
    app: &str,
    linked: &[crate::store::plan::ItemCommit],
) -> Result<Vec<ShippedIn>> {
    let mut known: Vec<(String, Option<String>, i64)> = store
        .releases()?
        .into_iter()
        .filter(|r| r.app == app)
        .map(|r| (r.version, Some(r.sha), r.created_at))
        .collect();
    for d in store.deploys(1000)?.into_iter().filter(|d| d.app == app) {
        match known.iter_mut().find(|(v, _, _)| *v == d.version) {
            Some((_, None, at)) => *at = (*at).min(d.started_at),
            Some(_) => {}
            None => known.push((d.version, None, d.started_at)),
        }
    }
    let mut versions: Vec<(String, git2::Oid, i64)> = known
        .into_iter()
        .filter_map(|(v, sha, at)| {
            let oid = crate::backlog::links::release_commit(git, sha.as_deref(), &v)?;
            Some((v, oid, at))
        })
        .collect();
    versions.sort_by_key(|(_, _, at)| *at);
    // Each version's history is walked past what earlier versions shipped, so every commit is
    // visited once however many versions there are: the first version to reach a linked commit
    // is the first that carried it. (Asking git whether each version descends from each commit
    // took seconds on a year of history.)
    let mut wanted: HashSet<git2::Oid> = linked
        .iter()
        .filter_map(|c| git2::Oid::from_str(&c.sha).ok())
        .collect();
    let mut seen: HashSet<git2::Oid> = HashSet::new();
    let mut shipped: Vec<ShippedIn> = Vec::new();
    for (v, oid, at) in &versions {
        if wanted.is_empty() {
            break;
        }
        let mut carried = false;
        let mut stack = vec![*oid];
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            carried |= wanted.remove(&id);
            if let Ok(c) = git.find_commit(id) {
                stack.extend(c.parent_ids());
            }
        }
        if carried {
            shipped.push(ShippedIn {
                version: v.clone(),
                released_at: *at,
            });
        }
    }
    shipped.sort_by_key(|s| s.released_at);
    Ok(shipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::deploy::Strategy;
    use crate::release::ReleaseRecord;
    use crate::store::plan::{Kind, NewItem};
    use crate::store::runs::NewRun;

    #[test]
    fn an_item_shows_its_commits_their_runs_the_release_that_shipped_them_and_its_deploys() {
        let dir = tempfile::tempdir().unwrap();
        let git = git2::Repository::init(dir.path()).unwrap();
        let commit = |message: &str, at: i64| crate::test_repo::commit_at(&git, message, at);
        let store = Store::in_memory().unwrap();
        let id = store
            .add_item(
                &NewItem {
                    kind: Kind::Bug,
                    title: "Health check flaps".into(),
                    description: "Seen **twice**.\n\n<script>alert(1)</script>\n\n\
                                  ![x](https://example.com/x.png) [docs](https://example.com/a)"
                        .into(),
                    estimate: None,
                    infra: false,
                    source: String::new(),
                },
                0,
            )
            .unwrap();
        let base = commit("feat: service", 1_000);
        let start = commit("wip on #1", 2_000);
        let fix = commit("fix #1: probe the replica", 3_000);
        let later = commit("feat: more", 4_000);
        let release =
            |version: &str, sha: &str, at: i64| crate::test_repo::release("svc", version, sha, at);
        store
            .record_release(&release("0.1.0", &base, 1_100))
            .unwrap();
        store
            .record_release(&release("0.1.1", &fix, 3_100))
            .unwrap();
        store
            .record_release(&release("0.2.0", &later, 4_100))
            .unwrap();
        store
            .record_release(&ReleaseRecord {
                app: "other".into(),
                ..release("9.0.0", &fix, 3_050)
            })
            .unwrap();
        for (version, status, at) in [
            ("0.1.0", DeployStatus::Live, 1_200),
            ("0.1.1", DeployStatus::RolledBack, 3_200),
            ("0.1.1", DeployStatus::Live, 3_300),
            ("0.2.0", DeployStatus::Live, 4_200),
        ] {
            let d = store
                .start_deploy("svc", version, Strategy::Rolling, 1, at)
                .unwrap();
            store.finish_deploy(d, status, "", "", at).unwrap();
        }
        let inputs = Default::default();
        let mut runs = Vec::new();
        for (sha, at) in [(&base, 1_050), (&fix, 3_050)] {
            let run = NewRun {
                workflow: "ci.yml",
                trigger: "push",
                sha,
                branch: "main",
                git_ref: "refs/heads/main",
                inputs: &inputs,
                rerun_of: None,
                workflow_text: "",
            };
            runs.push(store.start_run(&run, at).unwrap());
        }
        let fix_run = runs[1];

        let d = detail(&store, dir.path(), "svc", id).unwrap();
        assert_eq!(
            d.commits
                .iter()
                .map(|c| (c.sha.as_str(), c.summary.as_str(), c.closes))
                .collect::<Vec<_>>(),
            [
                (start.as_str(), "wip on #1", false),
                (fix.as_str(), "fix #1: probe the replica", true)
            ]
        );
        assert_eq!(
            d.runs.iter().map(|r| r.number).collect::<Vec<_>>(),
            [fix_run]
        );
        // Both commits first shipped in 0.1.1; 0.2.0 carried them too, but later, and the
        // other app's release is not this app's.
        assert_eq!(
            d.releases,
            [ShippedIn {
                version: "0.1.1".into(),
                released_at: 3_100
            }]
        );
        assert_eq!(
            d.deploys
                .iter()
                .map(|d| (d.version.as_str(), d.status.as_str()))
                .collect::<Vec<_>>(),
            [("0.1.1", "live"), ("0.1.1", "rolled-back")]
        );
        // The description is markdown, and hostile parts are gone.
        assert!(d.description_html.contains("<strong>twice</strong>"));
        assert!(!d.description_html.contains("<script"));
        assert!(!d.description_html.contains("example.com/x.png\""));
        assert!(!d.description_html.contains("href=\"https://"));
        assert!(d
            .description_html
            .contains("data-external=\"https://example.com/a\""));
    }

    #[test]
    fn an_item_nothing_has_touched_yet_is_only_itself_and_a_missing_one_is_named() {
        let store = Store::in_memory().unwrap();
        let id = store
            .add_item(
                &NewItem {
                    kind: Kind::Feature,
                    title: "Dark mode".into(),
                    description: String::new(),
                    estimate: Some(2),
                    infra: false,
                    source: String::new(),
                },
                0,
            )
            .unwrap();
        let d = detail(&store, Path::new("/nowhere"), "svc", id).unwrap();
        assert!(d.commits.is_empty() && d.runs.is_empty() && d.releases.is_empty());
        assert!(d.deploys.is_empty());
        assert_eq!(d.description_html, "");
        let missing = detail(&store, Path::new("/nowhere"), "svc", 7).unwrap_err();
        assert!(missing.message.contains("#7"), "{}", missing.message);
    }
}
