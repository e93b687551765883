//! One `run:` step as a child process: its own process group, live masked lines, a time limit,
//! and cancellation that takes the whole process tree down.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

use tokio::io::AsyncReadExt;

use super::mask::LineMasker;

/// How a step process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    TimedOut,
    Cancelled,
    /// Killed by a signal it did not choose.
    Signal,
}

/// A line a step printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub stderr: bool,
    /// Milliseconds since the step started.
    pub at_ms: u64,
}

/// What to start.
#[derive(Debug, Clone, Copy)]
pub struct Spawn<'a> {
    /// `bash` or `sh`.
    /// `None` when the workflow names no shell (see [`run`]).
    pub shell: Option<&'a str>,
    pub script_file: &'a Path,
    pub dir: &'a Path,
    /// The whole environment: nothing else of DevLoop's leaks into a step.
    pub env: &'a [(String, String)],
    pub secrets: &'a [String],
    pub timeout: Option<Duration>,
}

/// Runs the step. Lines go to `on_line` as they come.
pub async fn run(
    spawn: Spawn<'_>,
    cancel: CancellationToken,
    on_line: Arc<dyn Fn(Line) + Send + Sync>,
) -> Result<Exit, String> {
    let Spawn {
        shell,
        script_file,
        dir,
        env,
        secrets,
        timeout,
    } = spawn;
    // GitHub's commands for each shell on Linux runners ("jobs.<job_id>.steps[*].shell"):
    // with none named, `bash -e {0}`, which stops at a failing command but not at a failing
    // pipeline's first stage; `shell: bash` adds `--noprofile --norc -eo pipefail`;
    // `shell: sh` is `sh -e {0}`.
    let file = script_file.display().to_string();
    let (program, args): (&str, Vec<String>) = match shell {
        None => ("bash", vec!["-e".into(), file]),
        Some("bash") => (
            "bash",
            vec![
                "--noprofile".into(),
                "--norc".into(),
                "-eo".into(),
                "pipefail".into(),
                file,
            ],
        ),
        Some(_) => ("sh", vec!["-e".into(), file]),
    };
    let (wrapped, args) = crate::process::dying_with_devloop(program, args);
    let mut cmd = tokio::process::Command::new(wrapped);
    cmd.args(&args)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    // Standard output and error share one pipe, in the order the step wrote them, as on
    // GitHub's log: a secret written half to each is still seen whole, and masked.
    let (out, writer) = std::io::pipe().map_err(|e| format!("cannot make a pipe: {e}"))?;
    let second = writer
        .try_clone()
        .map_err(|e| format!("cannot make a pipe: {e}"))?;
    crate::process::in_own_group(&mut cmd)
        .stdout(writer)
        .stderr(second);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {program} in {}: {e}", dir.display()))?;
    // The parent's copies of the writing end go, so the pipe ends when the step's do.
    drop(cmd);
    let out = tokio::net::unix::pipe::Receiver::from_owned_fd(std::os::fd::OwnedFd::from(out))
        .map_err(|e| format!("cannot read the step's output: {e}"))?;
    let pgid = child.id();
    let started = Instant::now();
    let pump = |mut reader: Box<dyn tokio::io::AsyncRead + Unpin + Send>, stderr: bool| {
        let on_line = Arc::clone(&on_line);
        let mut masker = LineMasker::new(secrets.to_vec());
        async move {
            let mut buf = vec![0u8; 64 * 1024];
            let emit = |text: String| {
                on_line(Line {
                    text,
                    stderr,
                    at_ms: started.elapsed().as_millis() as u64,
                })
            };
            while let Ok(n) = reader.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                masker.push(&buf[..n]).into_iter().for_each(emit);
            }
            if let Some(rest) = masker.finish() {
                emit(rest);
            }
        }
    };
    let outputs = pump(Box::new(out), false);
    let wait = async {
        let (_, status) = tokio::join!(outputs, child.wait());
        status
    };
    let deadline = async {
        match timeout {
            Some(t) => tokio::time::sleep(t).await,
            None => std::future::pending().await,
        }
    };
    let cancelled = cancel.cancelled();
    let exit = tokio::select! {
        status = wait => match status {
            Ok(s) => s.code().map_or(Exit::Signal, Exit::Code),
            Err(e) => return Err(format!("the step could not finish: {e}")),
        },
        () = deadline => Exit::TimedOut,
        () = cancelled => Exit::Cancelled,
    };
    if matches!(exit, Exit::TimedOut | Exit::Cancelled) {
        if let Some(pgid) = pgid {
            crate::process::kill_group(pgid).await;
        }
    }
    Ok(exit)
}
