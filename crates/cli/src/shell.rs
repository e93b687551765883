//! `devloop shell N`: a shell where a failed step of run #N ran, with the environment it had,
//! to try the failing command again by hand.

use std::process::{Command, ExitCode};

use devloop_engine::context::Context;
use devloop_engine::pipeline::reenter;

pub fn enter(devloop: &Context, number: u64, job: Option<&str>, command: &[String]) -> ExitCode {
    let entry = match reenter::find(devloop.paths(), number, job) {
        Ok(entry) => entry,
        Err(e) => return crate::plan::refused(e),
    };
    eprintln!(
        "run #{number} · {} · step {} ({}) failed here: {}",
        entry.job,
        entry.step,
        entry.title,
        entry.dir.display()
    );
    if let Some(image) = &entry.image {
        // The job's container was removed with the job: this shell is on this machine.
        eprintln!(
            "the step ran in a container of {image}; to be in one again: docker run --rm -it -v '{0}:{0}' -w '{0}' --entrypoint sh {image}",
            entry.dir.display()
        );
    }
    if !entry.left_out.is_empty() {
        eprintln!(
            "left out, because they held a secret: {} (set them yourself if the command needs them)",
            entry.left_out.join(", ")
        );
    }
    let mut child = match command.split_first() {
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args);
            c
        }
        None => {
            eprintln!("the step's environment is set; `exit` leaves");
            let mut c = Command::new("bash");
            // No profile: the step ran without one, and a profile could change PATH back.
            c.args(["--noprofile", "--norc", "-i"]);
            c
        }
    };
    child
        .current_dir(&entry.dir)
        .env_clear()
        .envs(entry.env.iter().cloned());
    if command.is_empty() {
        child.env("PS1", format!("[run #{number} {}] \\w $ ", entry.job));
    }
    match child.status() {
        Ok(status) => ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8),
        Err(e) => {
            eprintln!(
                "devloop: cannot start {}: {e}",
                command.first().map_or("bash", String::as_str)
            );
            ExitCode::from(127)
        }
    }
}
