//! What the engine's Docker tests share: DevLoop's folders under one temporary home, and a
//! guard that removes what a test made (by the unique name it gave it), pass or fail.

// Each test file uses some of this, never all of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use devloop_engine::release::LABEL_APP;
use devloop_engine::settings::Paths;

/// DevLoop's folders under `home`: settings, data (history, releases, cache) and a workspace.
pub fn paths(home: &Path) -> Paths {
    Paths {
        config_dir: home.join("config"),
        workspace_override: None,
        default_workspace: home.join("ws"),
        data_dir: home.join("data"),
    }
}

/// Removes, when dropped, the containers of app `name` (by DevLoop's app label) and then the
/// images called `name`.
pub struct Leftovers(pub String);

impl Drop for Leftovers {
    fn drop(&mut self) {
        let filters = [
            ("ps", format!("label={LABEL_APP}={}", self.0), "rm"),
            ("images", format!("reference={}", self.0), "rmi"),
        ];
        for (list, filter, remove) in filters {
            let Ok(found) = Command::new("docker")
                .args([list, "-aq", "--filter", &filter])
                .output()
            else {
                continue;
            };
            for id in String::from_utf8_lossy(&found.stdout).split_whitespace() {
                let _ = Command::new("docker").args([remove, "-f", id]).output();
            }
        }
    }
}

/// The workspace a release closes plan items from, as a learner makes it: an empty commit for
/// each tag in `before`, then "fix #1" tagged `fixed` (by hand, as the Release lesson does),
/// then "fix #2", not released. Both items are in the plan; their numbers come back.
pub fn two_fixes(paths: &Paths, before: &[&str], fixed: &str) -> (u64, u64) {
    use devloop_engine::store::plan::{Kind, NewItem};
    let ws = paths.current_workspace();
    std::fs::create_dir_all(&ws).unwrap();
    let git = |args: &[&str]| {
        assert!(Command::new("git")
            .args(["-c", "user.name=L", "-c", "user.email=l@x"])
            .args(args)
            .current_dir(&ws)
            .status()
            .unwrap()
            .success());
    };
    git(&["init", "-q"]);
    for tag in before {
        git(&["commit", "-q", "--allow-empty", "-m", "start"]);
        git(&["tag", tag]);
    }
    git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "fix #1: wait for the database",
    ]);
    git(&["tag", fixed]);
    git(&["commit", "-q", "--allow-empty", "-m", "fix #2: later"]);
    let store = devloop_engine::store::Store::open(&paths.database_file()).unwrap();
    let bug = |title: &str| NewItem {
        kind: Kind::Bug,
        title: title.into(),
        description: String::new(),
        estimate: None,
        infra: false,
        source: String::new(),
    };
    (
        store.add_item(&bug("flapping"), 0).unwrap(),
        store.add_item(&bug("later"), 0).unwrap(),
    )
}
