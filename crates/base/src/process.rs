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

/// `program` and `args` wrapped so that they die with DevLoop, even when DevLoop itself is
/// killed (SIGKILL, a crash), which no handler of its own can catch: `setpriv` asks the kernel
/// to send the wrapper SIGTERM when DevLoop's thread goes, and the wrapper then kills its whole
/// process group, the step's background jobs included. Without `setpriv` (util-linux), as
/// they are.
pub fn dying_with_devloop(program: &str, args: Vec<String>) -> (String, Vec<String>) {
    static SETPRIV: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    let setpriv = SETPRIV.get_or_init(|| {
        std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .chain(["/usr/bin".into(), "/bin".into()])
            .map(|dir| dir.join("setpriv"))
            .find(|p| p.is_file())
    });
    let Some(setpriv) = setpriv else {
        return (program.to_owned(), args);
    };
    // The wrapper waits for the step; a SIGTERM interrupts the wait and runs the trap.
    let wrapper = r#"trap 'kill -KILL 0' TERM; "$@" & wait $!"#;
    let mut wrapped = vec![
        "--pdeathsig".to_owned(),
        "TERM".to_owned(),
        "--".to_owned(),
        "/bin/sh".to_owned(),
        "-c".to_owned(),
        wrapper.to_owned(),
        "devloop-step".to_owned(),
        program.to_owned(),
    ];
    wrapped.extend(args);
    (setpriv.display().to_string(), wrapped)
}

/// Kills every process in group `pgid`: the shell and its children, background jobs included.
pub async fn kill_group(pgid: u32) {
    // `kill -- -PGID` addresses the group; the crate forbids the unsafe a direct killpg needs.
    let _ = tokio::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .status()
        .await;
}
