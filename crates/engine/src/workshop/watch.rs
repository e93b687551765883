//! Re-checks a lesson's steps when the workspace changes, and polls those not passed yet.
//!
//! A file watcher (notify) feeds a debounce loop: a burst of changes (a `git commit` writes
//! dozens of files) becomes one round of checks. Build output under `target/` is ignored.
//! Dropping the [`WatchHandle`] stops both the watcher and the loop.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use super::learner::{CheckResult, Learner};
use crate::finding::Finding;
use crate::{Code, Error, Result};

/// Quiet time after the last change before checks run.
const DEBOUNCE: Duration = Duration::from_millis(300);
/// The least time between two rounds of checks: however busy the workspace, a lesson's checks
/// (which may run commands) never run more often than this.
pub const MIN_GAP: Duration = Duration::from_secs(2);
/// Steps not passed yet are also looked at this often: what they check may live outside the
/// workspace (Docker, a run's result, an address answering).
pub const POLL: Duration = Duration::from_secs(3);
/// A `command.*` check runs a command: without a change, at most this often.
pub const COMMAND_POLL: Duration = Duration::from_secs(15);

/// Keeps a watch alive; drop it to stop watching.
#[derive(Debug)]
pub struct WatchHandle {
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Watches the learner's workspace and sends a fresh [`CheckResult`] for each hands-on step
/// of `lesson` after every change. `sink` is a Tauri channel in the app, a Vec in tests.
pub fn watch(
    learner: Arc<Learner>,
    lesson: String,
    now: impl Fn() -> i64 + Send + 'static,
    sink: impl Fn(CheckResult) + Send + 'static,
) -> Result<WatchHandle> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let workspace = learner.workspace().to_path_buf();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            // A file opened or read (a check reading it) changes nothing; only what was made,
            // written, renamed or removed can.
            let changed = matches!(
                event.kind,
                notify::EventKind::Create(_)
                    | notify::EventKind::Modify(_)
                    | notify::EventKind::Remove(_)
            );
            if changed && event.paths.iter().any(|p| relevant(&workspace, p)) {
                let _ = tx.send(());
            }
        }
    })
    .map_err(|e| Error::internal(format!("cannot watch the workspace: {e}")))?;
    watcher
        .watch(learner.workspace(), RecursiveMode::Recursive)
        .map_err(|e| {
            Error::said(
                Code::WorkspaceUnusable,
                Finding::new("cannotWatch")
                    .with("path", learner.workspace().display())
                    .with("cause", &e),
                format!("cannot watch {}: {e}", learner.workspace().display()),
            )
        })?;

    // Each hands-on step, and whether its check runs a command.
    let steps: Vec<(String, bool)> = learner
        .pack()
        .lessons
        .iter()
        .find(|l| l.id == lesson)
        .map(|l| {
            l.steps
                .iter()
                .filter(|s| !s.check.is_quiz())
                .map(|s| {
                    let command = matches!(s.check, crate::check::Spec::CommandSucceeds { .. });
                    (s.id.clone(), command)
                })
                .collect()
        })
        .unwrap_or_default();
    let task = tokio::spawn(async move {
        let mut passed = std::collections::HashSet::new();
        let mut commands_ran: Option<tokio::time::Instant> = None;
        let mut poll = tokio::time::interval(POLL);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        poll.tick().await;
        loop {
            let changed = tokio::select! {
                got = rx.recv() => match got {
                    Some(()) => true,
                    None => return,
                },
                _ = poll.tick() => false,
            };
            // Debounce: wait until the workspace has been quiet for a moment.
            if changed {
                while let Ok(Some(())) = tokio::time::timeout(DEBOUNCE, rx.recv()).await {}
            }
            let round = tokio::time::Instant::now();
            // A change re-checks every step; a poll only those not passed, and the commands
            // only when they are due.
            let commands_due =
                changed || commands_ran.is_none_or(|t| round.duration_since(t) >= COMMAND_POLL);
            for (step, command) in &steps {
                if !changed && (passed.contains(step) || (*command && !commands_due)) {
                    continue;
                }
                if let Ok(result) = learner.check(&lesson, step, now()).await {
                    if result.outcome == crate::check::Outcome::Pass {
                        passed.insert(step.clone());
                    }
                    sink(result);
                }
            }
            if commands_due {
                commands_ran = Some(round);
            }
            // What changed while the checks ran is the checks' own doing (a command they ran,
            // git refreshing its index): it must not start the next round, or checks feed
            // themselves. Then a pause, so the rate stays bounded whatever happens; a change
            // the learner makes meanwhile waits for it, and is checked after.
            while rx.try_recv().is_ok() {}
            tokio::time::sleep_until(round + MIN_GAP).await;
        }
    });
    Ok(WatchHandle {
        _watcher: watcher,
        task,
    })
}

/// Changes that can change a check: anything but build output and git's own lock files.
fn relevant(workspace: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(workspace).unwrap_or(path);
    !rel.starts_with("target") && !rel.to_string_lossy().ends_with(".lock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_output_and_lock_files_do_not_trigger_checks() {
        let ws = Path::new("/w");
        assert!(!relevant(ws, Path::new("/w/target/debug/x")));
        assert!(!relevant(ws, Path::new("/w/.git/index.lock")));
        assert!(relevant(ws, Path::new("/w/.git/refs/heads/main")));
        assert!(relevant(ws, Path::new("/w/src/main.rs")));
    }
}
