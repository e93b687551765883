//! Child processes that run learner code (checks, lesson commands, workflow steps): each in a
//! process group of its own, so stopping it stops everything it started.

use std::process::Stdio;

/// Prepares `cmd` to run learner code: no stdin, piped output, a process group of its own,
/// and killed if DevLoop drops it.
pub fn in_own_group(cmd: &mut tokio::process::Command) -> &mut tokio::process::Command {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
}

/// Kills every process in group `pgid`: the shell and its children, background jobs included.
pub async fn kill_group(pgid: u32) {
    // `kill -- -PGID` addresses the group; the crate forbids the unsafe a direct killpg needs.
    let _ = tokio::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .status()
        .await;
}
