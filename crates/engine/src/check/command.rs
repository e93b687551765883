//! The catch-all check: a shell script that exits 0 when the step is done.

use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::{Finding, Outcome};

/// The hint keeps the end of the output, where test runners and compilers put their verdict.
const HINT_TAIL: usize = 4 * 1024;

/// How a script run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRun {
    /// The exit code; `None` when killed (timeout or signal).
    pub code: Option<i32>,
    /// The end of stdout followed by the end of stderr, at most `tail` bytes each.
    pub output: String,
    pub timed_out: bool,
}

impl ScriptRun {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs `script` with `sh -c` in `dir`. A script that outlives `timeout_ms` is killed with
/// its whole process group, so `sleep 1000 &` leaves nothing behind. Output is bounded: only
/// the last `tail` bytes of each stream are kept, whatever the script prints.
pub async fn run(
    script: &str,
    dir: &Path,
    timeout_ms: u64,
    tail: usize,
) -> Result<ScriptRun, String> {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c").arg(script).current_dir(dir);
    let mut child = crate::process::in_own_group(&mut cmd)
        .spawn()
        .map_err(|e| format!("cannot run it in {}: {e}", dir.display()))?;
    let pgid = child.id();
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err("its output could not be captured".into());
    };
    let finish = async {
        let (out, err, status) = tokio::join!(
            keep_tail(stdout, tail),
            keep_tail(stderr, tail),
            child.wait()
        );
        (out, err, status)
    };
    match tokio::time::timeout(Duration::from_millis(timeout_ms), finish).await {
        Ok((out, err, status)) => {
            let status = status.map_err(|e| format!("it could not finish: {e}"))?;
            let output = [out.trim_end(), err.trim_end()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("\n");
            Ok(ScriptRun {
                code: status.code(),
                output,
                timed_out: false,
            })
        }
        Err(_) => {
            if let Some(pgid) = pgid {
                crate::process::kill_group(pgid).await;
            }
            Ok(ScriptRun {
                code: None,
                output: String::new(),
                timed_out: true,
            })
        }
    }
}

/// The check: `script` exits 0. Its output (the end of it) is the hint when it does not.
pub async fn succeeds(script: &str, workspace: &Path, timeout_ms: u64) -> Outcome {
    match run(script, workspace, timeout_ms, HINT_TAIL).await {
        Err(why) => Outcome::error(format!("the check {why}")),
        Ok(run) if run.timed_out => Outcome::found(
            Finding::new("checkTimedOut").with("seconds", timeout_ms / 1000),
            format!(
                "the check did not finish within {} s and was stopped",
                timeout_ms / 1000
            ),
        ),
        Ok(run) if run.success() => Outcome::Pass,
        // The step's own hint (the lesson's words) says what to do; this says only that the
        // check's command found it not done, and what it printed.
        Ok(run) if run.output.trim().is_empty() => Outcome::found(
            Finding::new("checkNotYet"),
            format!(
                "the check exited with code {}",
                run.code
                    .map_or_else(|| "none (killed)".to_owned(), |c| c.to_string())
            ),
        ),
        Ok(run) => Outcome::found(
            Finding::new("checkSaid").with("output", run.output.trim()),
            run.output.trim().to_owned(),
        ),
    }
}

/// Reads `reader` to its end, keeping only the last `limit` bytes.
async fn keep_tail(mut reader: impl AsyncRead + Unpin, limit: usize) -> String {
    let mut kept: Vec<u8> = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = reader.read(&mut buf).await {
        if n == 0 {
            break;
        }
        kept.extend_from_slice(&buf[..n]);
        if kept.len() > 2 * limit {
            kept.drain(..kept.len() - limit);
        }
    }
    if kept.len() > limit {
        kept.drain(..kept.len() - limit);
    }
    String::from_utf8_lossy(&kept).into_owned()
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
        let Outcome::Fail { hint, .. } =
            succeeds("echo 'tests: 1 failed' >&2; exit 3", dir.path(), 5_000).await
        else {
            panic!()
        };
        assert_eq!(hint, "tests: 1 failed");
    }

    #[tokio::test]
    async fn huge_output_without_newlines_keeps_memory_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let Outcome::Fail { hint, .. } = succeeds(
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
        let Outcome::Fail { hint, .. } = succeeds(&script, dir.path(), 300).await else {
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
