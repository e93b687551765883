//! Opening a terminal window running a DevLoop command (`devloop shell 3 --job test`): the
//! learner's own terminal when `$TERMINAL` names one, else the first this machine has.

use std::process::{Command, Stdio};

use devloop_engine::finding::Finding;
use devloop_engine::{Code, Error};

/// Terminals to try, each with how it takes a command to run.
const TERMINALS: &[(&str, &str)] = &[
    ("x-terminal-emulator", "-e"),
    ("gnome-terminal", "--"),
    ("konsole", "-e"),
    ("xfce4-terminal", "-x"),
    ("xterm", "-e"),
];

/// Starts a terminal running `command`; it lives on its own, as a window the learner closes.
pub fn open(command: &[&str]) -> Result<(), Error> {
    let chosen = std::env::var("TERMINAL")
        .ok()
        .filter(|t| !t.is_empty())
        .map(|t| (t, "-e"))
        .into_iter()
        .chain(TERMINALS.iter().map(|(t, flag)| ((*t).to_owned(), *flag)))
        .find(|(t, _)| on_path(t));
    let Some((terminal, flag)) = chosen else {
        return Err(Error::said(
            Code::ToolMissing,
            Finding::new("noTerminal").with("command", command.join(" ")),
            format!(
                "no terminal program was found to open; install one, or run `{}` in yours",
                command.join(" ")
            ),
        )
        .with_fix("sudo apt-get install xterm"));
    };
    Command::new(&terminal)
        .arg(flag)
        .args(command)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| Error::internal(format!("{terminal} did not start: {e}")))
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}
