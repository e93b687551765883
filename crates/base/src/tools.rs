//! The tools the workshop runs (Rust, Docker, git), how to tell from a failure's output that
//! one is missing, and the command that installs each: the system check and every failure
//! caused by a missing tool say the same thing.

use crate::finding::Finding;
use crate::{Code, Error};

/// A tool a lesson or a release needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    /// The command as a shell names it (`cargo`).
    pub command: &'static str,
    /// What a person calls it.
    pub name: &'static str,
    /// The command that installs it on Debian or Ubuntu.
    pub install: &'static str,
}

/// Rust's toolchain, installed with rustup as the Rust project advises.
pub const CARGO: Tool = Tool {
    command: "cargo",
    name: "the Rust toolchain (cargo)",
    install: "curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y && . \"$HOME/.cargo/env\"",
};

/// The Docker engine and its CLI, from Debian's packages.
pub const DOCKER: Tool = Tool {
    command: "docker",
    name: "Docker",
    install: "sudo apt-get install -y docker.io",
};

/// git, from Debian's packages.
pub const GIT: Tool = Tool {
    command: "git",
    name: "git",
    install: "sudo apt-get install -y git",
};

/// The target the Build lesson's static binary is built for.
pub const STATIC_TARGET: &str = "x86_64-unknown-linux-gnu";

/// The Rust standard library for [`STATIC_TARGET`], which rustup installs per target.
pub const RUST_TARGET: Tool = Tool {
    command: "rustup",
    name: "Rust's standard library for x86_64-unknown-linux-gnu",
    install: "rustup target add x86_64-unknown-linux-gnu",
};

const ALL: [Tool; 4] = [CARGO, DOCKER, GIT, RUST_TARGET];

/// The tool whose absence `output` (a shell's or a compiler's last lines) reports, if any.
pub fn missing_in(output: &str) -> Option<Tool> {
    if output.contains("can't find crate for `std`")
        || output.contains("target may not be installed")
    {
        return Some(RUST_TARGET);
    }
    output.lines().find_map(|line| {
        // dash: `sh: 1: cargo: not found`; bash: `bash: cargo: command not found`.
        let line = line.trim_end();
        let head = line
            .strip_suffix(": not found")
            .or_else(|| line.strip_suffix(": command not found"))?;
        let command = head.rsplit(": ").next()?.trim();
        ALL.into_iter()
            .find(|t| t.command == command || (t.command == "cargo" && command == "rustc"))
    })
}

/// The error for `tool` missing when `what` needed it.
pub fn missing(tool: Tool, what: &str) -> Error {
    Error::said(
        Code::ToolMissing,
        Finding::new("toolMissing").with("tool", tool.command),
        format!("{what} needs {}, which is not installed here", tool.name),
    )
    .with_fix(tool.install)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_and_bash_reports_of_a_missing_command_name_the_tool() {
        assert_eq!(missing_in("sh: 1: cargo: not found"), Some(CARGO));
        assert_eq!(
            missing_in("x\nbash: line 3: docker: command not found\n"),
            Some(DOCKER)
        );
        assert_eq!(missing_in("sh: 1: make: not found"), None);
        assert_eq!(missing_in("all good"), None);
    }

    #[test]
    fn a_missing_standard_library_names_the_rustup_target() {
        let out = "error[E0463]: can't find crate for `std`\n  = note: the `x86_64-unknown-linux-gnu` target may not be installed";
        assert_eq!(missing_in(out), Some(RUST_TARGET));
        let e = missing(RUST_TARGET, "the build");
        assert_eq!(e.code, Code::ToolMissing);
        assert_eq!(
            e.fix.as_deref(),
            Some("rustup target add x86_64-unknown-linux-gnu")
        );
    }
}
