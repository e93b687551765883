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
