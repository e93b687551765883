//! Commits that name backlog items, read from the workspace repository with git2, and items
//! that are done because a commit closing them reached production. Blocking: call it from the
//! blocking pool.

use std::path::Path;

use super::mention::mentions;
use crate::finding::Finding;
use crate::store::plan::{Column, ItemCommit};
use crate::store::Store;
use crate::{Code, Error, Result};

fn git(e: git2::Error) -> Error {
    Error::said(
        Code::GitUnavailable,
        Finding::new("repositoryFailed").with("cause", e.message()),
        format!("the workspace repository: {e}"),
    )
}

/// Links every commit reachable from HEAD (the newest `limit`) that names an existing item.
/// Returns how many links it recorded; a repository with no commit yet has none.
pub fn scan(repo: &Path, store: &Store, limit: usize) -> Result<usize> {
    let repo = git2::Repository::open(repo).map_err(git)?;
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
        return Ok(0);
    };
    let mut walk = repo.revwalk().map_err(git)?;
    walk.push(head.id()).map_err(git)?;
    let mut linked = 0;
    for oid in walk.take(limit) {
        let commit = repo.find_commit(oid.map_err(git)?).map_err(git)?;
        for m in mentions(commit.message().unwrap_or("")) {
            let c = ItemCommit {
                item: m.item,
                sha: commit.id().to_string(),
                closes: m.closes,
                committed_at: commit.time().seconds(),
            };
            if store.link_commit(&c)? {
                linked += 1;
            }
        }
    }
    Ok(linked)
}

/// The commit version `version` of `app` was released from: its release record's, else the
/// repository's `v<version>` tag (a release made by hand).
pub fn release_commit(
    git: &git2::Repository,
    recorded: Option<&str>,
    version: &str,
) -> Option<git2::Oid> {
    recorded
        .and_then(|s| git2::Oid::from_str(s).ok())
        .or_else(|| {
            git.revparse_single(&format!("refs/tags/v{version}"))
                .and_then(|o| o.peel_to_commit())
                .map(|c| c.id())
                .ok()
        })
        .filter(|o| git.find_commit(*o).is_ok())
}

/// After `version` of `app` went live: the workspace's commits are linked, and the items a
/// commit in that release closes move to Done. Their numbers come back.
pub fn deployed(
    repo: &Path,
    store: &Store,
    app: &str,
    version: &str,
    now: i64,
) -> Result<Vec<u64>> {
    let Ok(git) = git2::Repository::open(repo) else {
        return Ok(Vec::new());
    };
    let recorded = store
        .releases()?
        .into_iter()
        .find(|r| r.app == app && r.version == version)
        .map(|r| r.sha);
    let Some(commit) = release_commit(&git, recorded.as_deref(), version) else {
        return Ok(Vec::new());
    };
    scan(repo, store, 1000)?;
    done_by_deploy(repo, store, &commit.to_string(), now)
}

/// Moves to Done every item a commit contained in `deployed` (a commit id) closes. Returns
/// their numbers.
pub fn done_by_deploy(repo: &Path, store: &Store, deployed: &str, now: i64) -> Result<Vec<u64>> {
    let repo = git2::Repository::open(repo).map_err(git)?;
    let deployed = git2::Oid::from_str(deployed).map_err(git)?;
    let mut done = Vec::new();
    let bottom = store
        .items()?
        .iter()
        .filter(|i| i.column == Column::Done)
        .map(|i| i.position)
        .fold(0.0, f64::max);
    for item in store
        .items()?
        .into_iter()
        .filter(|i| i.column != Column::Done)
    {
        let shipped = store.item_commits(item.id)?.iter().any(|c| {
            c.closes
                && git2::Oid::from_str(&c.sha).is_ok_and(|sha| {
                    sha == deployed || repo.graph_descendant_of(deployed, sha).unwrap_or(false)
                })
        });
        if shipped {
            store.move_item(item.id, Column::Done, bottom + 1.0 + done.len() as f64, now)?;
            done.push(item.id);
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::plan::{Kind, NewItem};

    fn commit(repo: &git2::Repository, message: &str) -> git2::Oid {
        let sig = git2::Signature::now("L", "l@x").unwrap();
        let tree = {
            let mut index = repo.index().unwrap();
            let oid = index.write_tree().unwrap();
            repo.find_tree(oid).unwrap()
        };
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .unwrap()
    }

    #[test]
    fn a_commit_that_fixes_an_item_makes_it_done_once_a_deploy_contains_it() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let store = Store::in_memory().unwrap();
        let item = |title: &str| NewItem {
            kind: Kind::Bug,
            title: title.into(),
            description: String::new(),
            estimate: None,
            infra: false,
            source: String::new(),
        };
        let one = store.add_item(&item("flapping health check"), 0).unwrap();
        let two = store.add_item(&item("slow search"), 0).unwrap();
        let first = commit(&repo, "chore: start");
        let fix = commit(&repo, "fix #1: wait for the database");
        let _later = commit(&repo, "feat: search (#2, #99)");
        assert_eq!(
            scan(dir.path(), &store, 100).unwrap(),
            2,
            "#99 does not exist"
        );

        // The release before the fix ships nothing; the one at the fix closes #1 only (#2 was
        // only mentioned).
        assert!(done_by_deploy(dir.path(), &store, &first.to_string(), 10)
            .unwrap()
            .is_empty());
        assert_eq!(
            done_by_deploy(dir.path(), &store, &fix.to_string(), 20).unwrap(),
            [one]
        );
        let items = store.items().unwrap();
        let done = items.iter().find(|i| i.id == one).unwrap();
        assert_eq!((done.column, done.done_at), (Column::Done, Some(20)));
        assert_ne!(
            items.iter().find(|i| i.id == two).unwrap().column,
            Column::Done
        );
    }

    #[test]
    fn a_repository_with_no_commit_links_nothing() {
        let dir = tempfile::tempdir().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        let store = Store::in_memory().unwrap();
        assert_eq!(scan(dir.path(), &store, 100).unwrap(), 0);
    }
}
