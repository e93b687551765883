//! A clean copy of exactly the released commit, and the recipe's build run inside it: what a
//! release ships comes from its commit, never from whatever the learner's folder holds (an
//! old binary under `target/`, an uncommitted edit, an untracked file).

use std::collections::VecDeque;
use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

use super::recipe::Recipe;
use crate::finding::Finding;
use crate::{tools, Code, Error};

/// A build that takes longer than this is stopped: far above a cold release build of the
/// workshop's service, low enough that a hung build does not hold the release lock forever.
const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// How many of the build's last lines a failure carries.
const TAIL_LINES: usize = 20;

/// Removes checkouts under `under` made more than twice the longest a build may run ago (time
/// for the image build after it): they belong to a release whose process was killed, since a
/// live one removes its own. Blocking.
pub fn remove_abandoned(under: &Path, now: std::time::SystemTime) {
    let Ok(entries) = std::fs::read_dir(under) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > 2 * BUILD_TIMEOUT);
        if old {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Writes the tree of commit `sha` of the repository at `repo_dir` into a new folder under
/// `under`, which is removed when the returned handle drops. The repository itself (its HEAD,
/// index and files) is not touched. Blocking (git2).
pub fn export(repo_dir: &Path, sha: &str, under: &Path) -> Result<tempfile::TempDir, Error> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Error::said(
            Code::WorkspaceUnusable,
            Finding::new("checkoutFailed")
                .with("sha", format!("{sha:.7}"))
                .with("cause", format!("{what}: {e}")),
            format!("cannot make a clean checkout of {sha:.7} to build: {what}: {e}"),
        )
    };
    std::fs::create_dir_all(under).map_err(|e| fail(&under.display().to_string(), &e))?;
    let dir = tempfile::Builder::new()
        .prefix(&format!("{sha:.7}-"))
        .tempdir_in(under)
        .map_err(|e| fail(&under.display().to_string(), &e))?;
    let repo = git2::Repository::open(repo_dir).map_err(|e| fail("open", &e.message()))?;
    let commit = git2::Oid::from_str(sha)
        .and_then(|oid| repo.find_commit(oid))
        .map_err(|e| fail("find the commit", &e.message()))?;
    let mut how = git2::build::CheckoutBuilder::new();
    how.target_dir(dir.path())
        .force()
        .recreate_missing(true)
        // The learner's index stays as it is: this copy is DevLoop's, not a checkout of theirs.
        .update_index(false);
    repo.checkout_tree(commit.as_object(), Some(&mut how))
        .map_err(|e| fail("write its files", &e.message()))?;
    Ok(dir)
}

/// Runs the recipe's build in `dir` with the user's environment and the recipe's additions.
/// Each line it prints goes to `on_line`; a failure carries its last lines and, when a tool
/// is missing, the tool and how to install it.
pub async fn build(
    dir: &Path,
    recipe: &Recipe,
    on_line: &(dyn Fn(String) + Send + Sync),
) -> Result<(), Error> {
    let Some(script) = recipe.build.as_deref() else {
        return Ok(());
    };
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-ec")
        .arg(script)
        .current_dir(dir)
        // The build's outputs belong in the checkout, where the Dockerfile copies them from: a
        // cargo target folder set for the whole machine would put them elsewhere.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .envs(recipe.env.iter());
    let mut child = crate::process::in_own_group(&mut cmd)
        .spawn()
        .map_err(|e| Error::internal(format!("cannot start the release build: {e}")))?;
    let pgid = child.id();
    let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(Error::internal(
            "the release build's output could not be captured",
        ));
    };
    let tail = parking_lot::Mutex::new(VecDeque::with_capacity(TAIL_LINES));
    let keep = |line: String| {
        let mut t = tail.lock();
        if t.len() == TAIL_LINES {
            t.pop_front();
        }
        t.push_back(line.clone());
        drop(t);
        on_line(line);
    };
    let finish = async {
        let (_, _, status) = tokio::join!(lines(out, &keep), lines(err, &keep), child.wait());
        status
    };
    let status = match tokio::time::timeout(BUILD_TIMEOUT, finish).await {
        Ok(status) => {
            status.map_err(|e| Error::internal(format!("the release build was lost: {e}")))?
        }
        Err(_) => {
            if let Some(pgid) = pgid {
                crate::process::kill_group(pgid).await;
            }
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("releaseBuildTimedOut")
                    .with("script", script)
                    .with("minutes", BUILD_TIMEOUT.as_secs() / 60),
                format!(
                    "the release build `{script}` did not finish within {} minutes and was stopped",
                    BUILD_TIMEOUT.as_secs() / 60
                ),
            ));
        }
    };
    if status.success() {
        return Ok(());
    }
    let tail: Vec<String> = tail.into_inner().into();
    Err(failed(script, status.code(), &tail))
}

/// The error for a build that exited `code`, from the lines it printed last.
fn failed(script: &str, code: Option<i32>, tail: &[String]) -> Error {
    let last = tail.join("\n");
    if let Some(tool) = tools::missing_in(&last) {
        return tools::missing(tool, &format!("the release build `{script}`"));
    }
    let exit = code.map_or_else(|| "a signal".to_owned(), |c| format!("exit code {c}"));
    let mut e = Error::said(Code::InvalidInput, Finding::new("releaseBuildFailed")
            .with("script", script)
            .with("exit", code.map_or_else(|| "-".to_owned(), |c| c.to_string()))
            .with("output", &last), format!(
            "the release build `{script}` failed ({exit}) in a clean checkout of the commit:\n{last}"
        ));
    // The one failure the workshop's own steps can cause: a version bumped in Cargo.toml and
    // committed without Cargo.lock. The pipeline's `--locked` builds fail the same way.
    if last.contains("--locked") && last.contains("Cargo.lock") {
        e.message.push_str(
            "\nCargo.lock in the commit does not match Cargo.toml: update it and commit both.",
        );
        e.detail = Some(Box::new(Finding::new("lockStale")));
        e = e.with_fix(
            "cargo update --workspace --offline && git commit -am 'build: update Cargo.lock'",
        );
    } else {
        e = e.with_fix(script.to_owned());
    }
    e
}

/// Hands each line of `reader` to `each`, lossily decoded and cut at 16 KiB.
async fn lines(reader: impl AsyncRead + Unpin, each: &(dyn Fn(String) + Sync)) {
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                buf.truncate(16 * 1024);
                let text = String::from_utf8_lossy(&buf);
                each(text.trim_end_matches(['\n', '\r']).to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_checkouts_older_than_a_build_can_run_are_removed() {
        let under = tempfile::tempdir().unwrap();
        std::fs::create_dir(under.path().join("abc1234-live")).unwrap();
        std::fs::create_dir(under.path().join("abc1234-killed")).unwrap();
        let now = std::time::SystemTime::now();
        remove_abandoned(under.path(), now);
        assert_eq!(
            std::fs::read_dir(under.path()).unwrap().count(),
            2,
            "both are young"
        );
        remove_abandoned(under.path(), now + BUILD_TIMEOUT + Duration::from_secs(60));
        assert_eq!(
            std::fs::read_dir(under.path()).unwrap().count(),
            2,
            "an image may still build"
        );
        remove_abandoned(
            under.path(),
            now + 2 * BUILD_TIMEOUT + Duration::from_secs(60),
        );
        assert_eq!(std::fs::read_dir(under.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_stale_lock_file_is_said_with_the_command_that_updates_it() {
        let tail = ["error: the lock file /x/Cargo.lock needs to be updated but --locked was passed to prevent this".to_owned()];
        let e = failed("cargo build --locked", Some(101), &tail);
        assert!(
            e.message.contains("does not match Cargo.toml"),
            "{}",
            e.message
        );
        assert_eq!(
            e.fix.as_deref(),
            Some("cargo update --workspace --offline && git commit -am 'build: update Cargo.lock'")
        );
    }

    #[test]
    fn another_failure_carries_its_last_lines_and_the_build_to_try() {
        let e = failed("make", Some(2), &["boom".to_owned()]);
        assert!(e.message.contains("(exit code 2)") && e.message.ends_with("boom"));
        assert_eq!(e.fix.as_deref(), Some("make"));
    }
}
