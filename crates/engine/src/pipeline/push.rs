//! Pushes in the workspace repository: a commit on a branch (or a new tag) is what starts
//! `on.push` workflows, as on GitHub. Merging into main is a push to main.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use super::trigger::Push;
use crate::finding::Finding;
use crate::{Code, Error, Result};

/// Branch and tag tips: `refs/heads/main` → commit id.
pub type Tips = BTreeMap<String, String>;

/// The repository's branch and tag tips now.
pub fn tips(repo: &Path) -> Tips {
    let Ok(r) = git2::Repository::open(repo) else {
        return Tips::new();
    };
    let Ok(refs) = r.references() else {
        return Tips::new();
    };
    refs.flatten()
        .filter_map(|rf| {
            let name = rf.name().ok()?.to_owned();
            if !(name.starts_with("refs/heads/") || name.starts_with("refs/tags/")) {
                return None;
            }
            let commit = rf.peel_to_commit().ok()?;
            Some((name, commit.id().to_string()))
        })
        .collect()
}

/// The pushes between two snapshots: every ref that is new or moved, with the files changed.
pub fn pushes(repo: &Path, before: &Tips, after: &Tips) -> Vec<Push> {
    let Ok(r) = git2::Repository::open(repo) else {
        return Vec::new();
    };
    after
        .iter()
        .filter(|(name, oid)| before.get(*name) != Some(*oid))
        .map(|(name, oid)| Push {
            git_ref: name.clone(),
            sha: oid.clone(),
            changed: changed_files(&r, before.get(name).map(String::as_str), oid),
        })
        .collect()
}

/// Files that differ between `old` (or, for a new ref, the new commit's parent) and `new`.
fn changed_files(r: &git2::Repository, old: Option<&str>, new: &str) -> Vec<String> {
    let tree = |id: &str| {
        r.revparse_single(id)
            .ok()?
            .peel_to_commit()
            .ok()?
            .tree()
            .ok()
    };
    let Some(new_tree) = tree(new) else {
        return Vec::new();
    };
    let old_tree = match old {
        Some(id) => tree(id),
        // A new ref: compare with the commit's parent.
        None => r
            .revparse_single(new)
            .ok()
            .and_then(|o| o.peel_to_commit().ok())
            .and_then(|c| c.parent(0).ok())
            .and_then(|p| p.tree().ok()),
    };
    let Ok(diff) = r.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), None) else {
        return Vec::new();
    };
    diff.deltas()
        .filter_map(|d| {
            d.new_file()
                .path()
                .or_else(|| d.old_file().path())
                .map(|p| p.to_string_lossy().into_owned())
        })
        .collect()
}

/// Keeps a push watch alive; drop it to stop.
#[derive(Debug)]
pub struct PushWatch {
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for PushWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Calls `on_push` for every push in the repository at `repo` from now on.
pub fn watch(repo: PathBuf, on_push: impl Fn(Push) + Send + 'static) -> Result<PushWatch> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let git_dir = repo.join(".git");
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok() {
            let _ = tx.send(());
        }
    })
    .map_err(|e| Error::internal(format!("cannot watch the repository: {e}")))?;
    watcher
        .watch(&git_dir, RecursiveMode::Recursive)
        .map_err(|e| {
            Error::said(
                Code::WorkspaceUnusable,
                Finding::new("cannotWatch")
                    .with("path", git_dir.display())
                    .with("cause", &e),
                format!("cannot watch {}: {e}", git_dir.display()),
            )
        })?;
    let mut last = tips(&repo);
    let task = tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // A commit writes many files under .git; wait for quiet before comparing tips.
            while let Ok(Some(())) =
                tokio::time::timeout(Duration::from_millis(300), rx.recv()).await
            {}
            let now = tips(&repo);
            for push in pushes(&repo, &last, &now) {
                on_push(push);
            }
            last = now;
        }
    });
    Ok(PushWatch {
        _watcher: watcher,
        task,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    use crate::test_repo::{git, with_commit as repo};

    #[test]
    fn a_commit_is_a_push_with_its_changed_files_and_a_tag_is_one_too() {
        let d = repo();
        let before = tips(d.path());
        std::fs::create_dir_all(d.path().join("src")).unwrap();
        std::fs::write(d.path().join("src/main.rs"), "fn main() {}").unwrap();
        git(d.path(), &["add", "."]);
        git(d.path(), &["commit", "-qm", "feat: main"]);
        git(d.path(), &["tag", "v1.0.0"]);
        let after = tips(d.path());
        let p = pushes(d.path(), &before, &after);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].git_ref, "refs/heads/main");
        assert_eq!(p[0].changed, vec!["src/main.rs"]);
        assert_eq!(p[1].git_ref, "refs/tags/v1.0.0");
        assert!(
            pushes(d.path(), &after, &after).is_empty(),
            "nothing moved, nothing pushed"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_watch_reports_a_real_commit() {
        let d = repo();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let _w = watch(d.path().to_path_buf(), move |p| {
            sink.lock().unwrap().push(p)
        })
        .unwrap();
        std::fs::write(d.path().join("README.md"), "b").unwrap();
        git(d.path(), &["commit", "-qam", "docs: b"]);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while seen.lock().unwrap().is_empty() {
            assert!(std::time::Instant::now() < deadline, "no push seen");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let p = seen.lock().unwrap()[0].clone();
        assert_eq!(p.git_ref, "refs/heads/main");
        assert_eq!(p.changed, vec!["README.md"]);
    }
}
