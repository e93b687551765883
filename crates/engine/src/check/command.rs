//! The catch-all check: a shell script that exits 0 when the step is done.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::Outcome;

/// The hint keeps the end of the output, where test runners and compilers put their verdict.
const HINT_TAIL: usize = 4 * 1024;

/// Runs `script` with `sh -c` in `workspace`. A script that outlives `timeout_ms` is killed
/// with its whole process group, so `sleep 1000 &` leaves nothing behind.
pub async fn succeeds(script: &str, workspace: &Path, timeout_ms: u64) -> Outcome {
    let mut child = match tokio::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(workspace)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            return Outcome::error(format!(
                "cannot run the check in {}: {e}",
                workspace.display()
            ))
        }
    };
    let pgid = child.id();
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Outcome::error("the check's output could not be captured");
    };
    let run = async {
        let (out, err, status) = tokio::join!(tail(stdout), tail(stderr), child.wait());
        (out, err, status)
    };
    match tokio::time::timeout(Duration::from_millis(timeout_ms), run).await {
        Ok((out, err, Ok(status))) if status.success() => {
            let _ = (out, err);
            Outcome::Pass
        }
        Ok((out, err, Ok(status))) => {
            let output = format!(
                "{}{}",
                out.trim_end(),
                if err.trim().is_empty() {
                    String::new()
                } else {
                    format!("\n{}", err.trim_end())
                }
            );
            Outcome::fail(if output.trim().is_empty() {
                format!("the check exited with {status}")
            } else {
                output.trim().to_owned()
            })
        }
        Ok((_, _, Err(e))) => Outcome::error(format!("the check could not finish: {e}")),
        Err(_) => {
            if let Some(pgid) = pgid {
                kill_group(pgid).await;
            }
            Outcome::fail(format!(
                "the check did not finish within {} s and was stopped",
                timeout_ms / 1000
            ))
        }
    }
}

/// Reads `reader` to its end, keeping only the last [`HINT_TAIL`] bytes: memory stays bounded
/// whatever the script prints.
async fn tail(mut reader: impl AsyncRead + Unpin) -> String {
    let mut kept: Vec<u8> = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = reader.read(&mut buf).await {
        if n == 0 {
            break;
        }
        kept.extend_from_slice(&buf[..n]);
        if kept.len() > 2 * HINT_TAIL {
            kept.drain(..kept.len() - HINT_TAIL);
        }
    }
    if kept.len() > HINT_TAIL {
        kept.drain(..kept.len() - HINT_TAIL);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// Kills every process in the group: the shell and anything it started in the background.
async fn kill_group(pgid: u32) {
    let _ = tokio::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .status()
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn exit_zero_passes_and_a_failure_shows_the_output_tail() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            succeeds("test -d .", dir.path(), 5_000).await,
            Outcome::Pass
        );
        let Outcome::Fail { hint } =
            succeeds("echo 'tests: 1 failed' >&2; exit 3", dir.path(), 5_000).await
        else {
            panic!()
        };
        assert_eq!(hint, "tests: 1 failed");
    }

    #[tokio::test]
    async fn huge_output_without_newlines_keeps_memory_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let Outcome::Fail { hint } = succeeds(
            "head -c 50000000 /dev/zero | tr '\\0' x; echo END; exit 1",
            dir.path(),
            30_000,
        )
        .await
        else {
            panic!()
        };
        assert!(hint.len() <= HINT_TAIL, "{}", hint.len());
        assert!(hint.ends_with("END"), "the tail is kept");
    }

    #[tokio::test]
    async fn a_timeout_kills_the_whole_process_tree() {
        let dir = tempfile::tempdir().unwrap();
        // `sleep 1000 & sleep 1000`, with a duration unique to this test run to find leftovers by.
        let marker = format!("sleep 1000.{}", std::process::id());
        let script = format!("sh -c '{marker} & {marker}'");
        let Outcome::Fail { hint } = succeeds(&script, dir.path(), 300).await else {
            panic!()
        };
        assert!(hint.contains("did not finish"), "{hint}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let left = std::process::Command::new("pgrep")
            .args(["-f", &marker])
            .output()
            .unwrap();
        assert!(
            left.stdout.is_empty(),
            "left behind: {}",
            String::from_utf8_lossy(&left.stdout)
        );
    }
}
