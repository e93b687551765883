//! Child processes that run learner code (checks, lesson commands, workflow steps): each in a
//! process group of its own, so stopping it stops everything it started.

/// Kills every process in group `pgid`: the shell and its children, background jobs included.
pub async fn kill_group(pgid: u32) {
    // `kill -- -PGID` addresses the group; the crate forbids the unsafe a direct killpg needs.
    let _ = tokio::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .status()
        .await;
}
