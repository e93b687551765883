//! `devloop doctor`: the app's System check, printed for a terminal or as JSON.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::process::ExitCode;

use devloop_engine::context::Context;
use devloop_engine::doctor::{self, Report, Status};
use devloop_engine::Error;

pub async fn run(devloop: &Context, json: bool) -> ExitCode {
    let report = doctor::run(devloop.paths()).await;
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("devloop: cannot print the report as JSON: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", render(&report, std::io::stdout().is_terminal()));
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The report as terminal lines: one per check, then the problem and its fix indented below.
fn render(report: &Report, colour: bool) -> String {
    let mut out = String::new();
    let docker = match &report.docker.version {
        Some(v) => format!(
            "Docker {} (API {}) at {}",
            v.version, v.api_version, report.docker.endpoint
        ),
        None => format!("Docker engine at {}", report.docker.endpoint),
    };
    line(
        &mut out,
        colour,
        report.docker.status,
        "docker",
        &docker,
        report.docker.problem.as_ref(),
    );

    let git = match &report.git.cli_version {
        Some(cli) => format!(
            "git {cli}, libgit2 {}{}",
            report.git.libgit2_version,
            report
                .git
                .identity
                .as_ref()
                .map(|i| format!(", committing as {i}"))
                .unwrap_or_default()
        ),
        None => format!("libgit2 {}", report.git.libgit2_version),
    };
    line(
        &mut out,
        colour,
        report.git.status,
        "git",
        &git,
        report.git.problem.as_ref(),
    );

    let rust = match &report.rust.cargo_version {
        Some(v) => format!(
            "cargo {v}; the static target {} is {}",
            report.rust.static_target,
            if report.rust.static_target_installed {
                "installed"
            } else {
                "missing"
            }
        ),
        None => "cargo is not installed".to_owned(),
    };
    line(
        &mut out,
        colour,
        report.rust.status,
        "rust",
        &rust,
        report.rust.problem.as_ref(),
    );

    let disk = format!(
        "{:.1} GiB free of {:.1} GiB on {}",
        gib(report.disk.free_bytes),
        gib(report.disk.total_bytes),
        report.disk.mount_point
    );
    line(
        &mut out,
        colour,
        report.disk.status,
        "disk",
        &disk,
        report.disk.problem.as_ref(),
    );

    let workspace = format!(
        "{}{}",
        report.workspace.path,
        if report.workspace.exists {
            ""
        } else {
            " (created at first start)"
        }
    );
    line(
        &mut out,
        colour,
        report.workspace.status,
        "workspace",
        &workspace,
        report.workspace.problem.as_ref(),
    );
    line(
        &mut out,
        colour,
        report.data.status,
        "data",
        &format!("progress, history and settings in {}", report.data.path),
        report.data.problem.as_ref(),
    );

    let verdict = if report.status() == Status::Pass {
        "Ready: every check passed."
    } else if report.passed() {
        "Ready, with warnings: read the checks marked !, each says how to fix it."
    } else {
        "Not ready: fix the checks marked ✗, then run `devloop doctor` again."
    };
    let _ = writeln!(out, "\n{verdict}");
    out
}

fn line(
    out: &mut String,
    colour: bool,
    status: Status,
    name: &str,
    detail: &str,
    problem: Option<&Error>,
) {
    let (mark, ansi) = match status {
        Status::Pass => ("✓", "32"),
        Status::Warn => ("!", "33"),
        Status::Fail => ("✗", "31"),
    };
    let mark = if colour {
        format!("\x1b[{ansi}m{mark}\x1b[0m")
    } else {
        mark.to_owned()
    };
    let _ = writeln!(out, "{mark} {name:<10} {detail}");
    if let Some(problem) = problem {
        let _ = writeln!(out, "  {:<10} {}", "", problem.message);
        if let Some(fix) = &problem.fix {
            let _ = writeln!(out, "  {:<10} fix: {fix}", "");
        }
    }
}

fn gib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0 * 1024.0)
}
