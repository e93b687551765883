//! A year of one team's history, made for `make bench-refine`: a git repository with a commit
//! every six hours (every third fixing a backlog item), a release of every fifth commit, each
//! deployed (one in ten rolled back), alerts and heals, all in a real SQLite store.

use std::path::PathBuf;

use devloop_engine::monitor::alert::Severity;
use devloop_engine::monitor::board::AlertEvent;
use devloop_engine::record::deploy::{DeployStatus, Strategy};
use devloop_engine::release::ReleaseRecord;
use devloop_engine::store::ops::OpsEvent;
use devloop_engine::store::plan::{Kind, NewItem};
use devloop_engine::store::Store;

pub const APP: &str = "svc";
const HOUR: i64 = 3600;
/// When the year ends: 2026-11-28.
pub const NOW: i64 = 1_795_824_000;

#[derive(Debug)]
pub struct History {
    pub store: Store,
    pub repo: PathBuf,
    /// An item with many commits naming it.
    pub busy_item: u64,
    _dir: tempfile::TempDir,
}

pub fn year(commits: usize) -> History {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let repo = dir.path().join("ws");
    let git = git2::Repository::init(&repo).expect("git init");
    let store = Store::open(&dir.path().join("devloop.sqlite")).expect("the store");
    let start = NOW - 365 * 24 * HOUR;
    let items = (commits / 3).max(1);
    for n in 0..items {
        let item = NewItem {
            kind: if n % 4 == 0 { Kind::Bug } else { Kind::Feature },
            title: format!("Item {n}"),
            description: String::new(),
            estimate: Some(2),
            infra: n % 5 == 0,
            source: String::new(),
        };
        store.add_item(&item, start).expect("an item");
    }
    let mut version = 0;
    for i in 0..commits {
        let at = start + i as i64 * 6 * HOUR;
        // Item 1 is named by every tenth commit; the others by the commit that fixes them.
        let message = if i % 10 == 0 {
            "refactor: around #1".to_owned()
        } else if i % 3 == 0 {
            format!("fix #{}: a change", i / 3 + 1)
        } else {
            format!("feat: change {i}")
        };
        let sha = commit(&git, &message, at);
        if i % 5 == 4 {
            version += 1;
            let v = format!("0.{version}.0");
            store
                .record_release(&ReleaseRecord {
                    app: APP.into(),
                    version: v.clone(),
                    sha,
                    image_id: String::new(),
                    image_bytes: 0,
                    archive: String::new(),
                    notes: String::new(),
                    created_at: at + 600,
                    live: false,
                })
                .expect("a release");
            let status = if version % 10 == 0 {
                DeployStatus::RolledBack
            } else {
                DeployStatus::Live
            };
            let d = store
                .start_deploy(APP, &v, Strategy::BlueGreen, 2, at + 900)
                .expect("a deploy");
            store
                .finish_deploy(d, status, "", "", at + 960)
                .expect("its end");
            if version % 7 == 0 {
                store.record_alert(&alert(at + 1_200)).expect("an alert");
            }
            if version % 11 == 0 {
                store
                    .record_op(&OpsEvent {
                        at_ms: (at + 1_500) * 1000,
                        app: APP.into(),
                        kind: devloop_engine::store::ops::OpKind::Heal,
                        what: None,
                        message: "a replica died".into(),
                        message_ko: None,
                        millis: Some(900),
                        change: None,
                        reason: None,
                    })
                    .expect("a heal");
            }
        }
    }
    History {
        store,
        repo,
        busy_item: 1,
        _dir: dir,
    }
}

fn alert(at: i64) -> AlertEvent {
    AlertEvent {
        rule: "ServiceErrors".into(),
        series: format!("endpoint.errorRate{{service={APP}}}"),
        severity: Severity::Critical,
        state: devloop_engine::record::alert::AlertChange::Resolved,
        at: at + 300,
        value: None,
        fired_at: Some(at),
        description: String::new(),
    }
}

fn commit(git: &git2::Repository, message: &str, at: i64) -> String {
    let sig = git2::Signature::new("L", "l@x", &git2::Time::new(at, 0)).expect("a signature");
    let tree = git
        .find_tree(
            git.index()
                .and_then(|mut i| i.write_tree())
                .expect("a tree"),
        )
        .expect("the tree");
    let parent = git.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    git.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .expect("a commit")
        .to_string()
}
