//! The system check: can this machine run the DevOps loop? One file per check; all run at once.
//!
//! The status bar, the "System check" panel and `devloop doctor` all show this one
//! [`Report`], so the app and the CLI can never disagree.

mod data;
mod disk;
mod docker;
mod git;
mod rust;
mod workspace;

pub use data::DataCheck;
pub use disk::DiskCheck;
pub use docker::DockerCheck;
pub use git::GitCheck;
pub use rust::RustCheck;
pub use workspace::WorkspaceCheck;

use serde::Serialize;
use ts_rs::TS;

use crate::settings::Paths;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// Works.
    Pass,
    /// Works, but something will bite the learner soon; the problem says what.
    Warn,
    /// Does not work; the problem says why and how to fix it.
    Fail,
}

/// Every check, each with its facts and, when not passing, a problem with a fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub docker: DockerCheck,
    pub git: GitCheck,
    pub rust: RustCheck,
    pub disk: DiskCheck,
    pub workspace: WorkspaceCheck,
    pub data: DataCheck,
}

impl Report {
    /// The worst status of all checks.
    pub fn status(&self) -> Status {
        [
            self.docker.status,
            self.git.status,
            self.rust.status,
            self.disk.status,
            self.workspace.status,
            self.data.status,
        ]
        .into_iter()
        .max()
        .unwrap_or(Status::Pass)
    }

    /// True when nothing failed (warnings pass); `devloop doctor` exits 0 exactly then.
    pub fn passed(&self) -> bool {
        self.status() != Status::Fail
    }
}

/// Runs every check concurrently. Blocking work (git2, sysinfo, the file system) runs on
/// tokio's blocking pool so the async threads stay free for the UI's other requests.
pub async fn run(paths: &Paths) -> Report {
    let workspace = paths.current_workspace();
    let (docker, git, rust, disk, workspace) = tokio::join!(
        docker::check(crate::docker::Endpoint::discover()),
        git::check(),
        rust::check(),
        blocking({
            let w = workspace.clone();
            move || disk::check(&w)
        }),
        blocking(move || workspace::check(&workspace)),
    );
    let data = blocking({
        let paths = paths.clone();
        move || data::check(&paths)
    })
    .await;
    Report {
        docker,
        git,
        rust,
        disk,
        workspace,
        data,
    }
}

/// Runs `f` on the blocking pool. A panic there is a DevLoop bug; re-raise it rather than
/// report a made-up check result.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}
