//! `devloop run` and `devloop runs`: a workflow of the repository, run here with live coloured
//! output, and the run history.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use devloop_engine::context::Context;
use devloop_engine::pipeline::launch::{self, Refusal};
use devloop_engine::pipeline::run::{Result as RunResult, RunEvent};
use devloop_engine::store::now;

use crate::exit::REFUSED;

/// The options of `devloop run`.
#[derive(Debug)]
pub struct Options {
    pub repo: Option<PathBuf>,
    pub workflow: Option<PathBuf>,
    /// Repeat this run of the history.
    pub rerun: Option<u64>,
    /// Of that run, only the jobs that failed.
    pub failed: bool,
    pub launch: launch::Options,
}

/// Parses `key=value` for clap.
pub fn key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("`{s}` is not NAME=VALUE"))
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("devloop: {message}");
    ExitCode::from(REFUSED)
}

pub async fn run(devloop: &Context, opts: Options) -> ExitCode {
    let start = opts.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let repo = match git2::Repository::discover(&start) {
        Ok(r) => match r.workdir() {
            Some(w) => w.to_path_buf(),
            None => return fail("the repository has no working tree"),
        },
        Err(_) => {
            return fail(format!(
                "{} is not inside a git repository; run it in your workspace or pass --repo DIR",
                start.display()
            ))
        }
    };
    let paths = devloop.paths().clone();
    let file = match opts.rerun {
        Some(_) => None,
        None => match pick_workflow(&repo, opts.workflow.as_deref()) {
            Ok(file) => Some(file),
            Err(e) => return fail(e),
        },
    };
    // Preparing reads git and SQLite: blocking work, done on the blocking pool.
    let (launch_opts, rerun, repo_dir) = (opts.launch.clone(), opts.rerun, repo.clone());
    let failed = opts.failed;
    let prepared = match tokio::task::spawn_blocking(move || match (rerun, file) {
        (Some(number), _) if failed => {
            launch::rerun_failed(&paths, &repo_dir, number, &launch_opts)
        }
        (Some(number), _) => launch::rerun(&paths, &repo_dir, number, &launch_opts),
        (None, file) => launch::prepare(&paths, &repo_dir, &file.unwrap_or_default(), &launch_opts),
    })
    .await
    {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let prepared = match prepared {
        Ok(p) => p,
        Err(Refusal::Workflow(checked)) => {
            for d in &checked.errors {
                eprintln!("error: {d}");
            }
            for d in &checked.unsupported {
                eprintln!("not run here: {d}");
            }
            return fail("the workflow was not started");
        }
        Err(Refusal::Other(e)) => return fail(e),
    };
    let colour = std::io::stdout().is_terminal();
    println!(
        "▶ run #{}: {} ({}){}",
        prepared.number,
        prepared.name,
        prepared.shown.display(),
        opts.rerun
            .map(|n| format!(", a re-run of #{n}"))
            .unwrap_or_default()
    );
    // As the Pipeline page says them beside the Run button.
    for (kind, d) in &prepared.notes {
        let kind = if *kind == "skipped" {
            "skipped here"
        } else {
            kind
        };
        eprintln!("{}", crate::terminal::safe(&format!("{kind}: {d}")));
    }
    let summary = prepared.run_dir().join("summary.md");
    let runs = devloop.runs().clone();
    tokio::spawn(async move {
        let why = crate::signals::stop_asked().await;
        eprintln!("\n{why}: cancelling…");
        runs.cancel_all();
    });
    let result = devloop
        .runs()
        .execute(prepared, move |e| print_event(e, colour))
        .await;
    if summary.exists() {
        println!("step summary: {}", summary.display());
    }
    match result {
        RunResult::Success => ExitCode::SUCCESS,
        RunResult::Cancelled => ExitCode::from(130),
        _ => ExitCode::FAILURE,
    }
}

fn paint(text: &str, code: &str, colour: bool) -> String {
    if colour {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

fn mark(r: RunResult, colour: bool) -> String {
    match r {
        RunResult::Success => paint("✓", "32", colour),
        RunResult::Failure => paint("✗", "31", colour),
        RunResult::Cancelled => paint("⊘", "33", colour),
        RunResult::Skipped => paint("-", "90", colour),
    }
}

fn print_event(e: &RunEvent, colour: bool) {
    use std::fmt::Write as _;
    // Built whole, then printed made safe: a step's output is the workflow's to choose.
    let mut out = String::new();
    let secs = |ms: u64| ms as f64 / 1000.0;
    let _ = match e {
        RunEvent::JobStarted { job } => {
            writeln!(out, "{}", paint(&format!("── {job}"), "1", colour))
        }
        RunEvent::StepStarted { job, name, .. } => {
            writeln!(
                out,
                "{} {}",
                paint(&format!("[{job}]"), "36", colour),
                paint(name, "1", colour)
            )
        }
        RunEvent::Log {
            job, text, stderr, ..
        } => {
            let prefix = paint(&format!("[{job}]"), "90", colour);
            if *stderr {
                writeln!(out, "{prefix} {}", paint(text, "33", colour))
            } else {
                writeln!(out, "{prefix} {text}")
            }
        }
        RunEvent::StepFinished {
            job,
            step,
            conclusion,
            millis,
            ..
        } => writeln!(
            out,
            "{} {} step {step} ({:.1} s)",
            paint(&format!("[{job}]"), "36", colour),
            mark(*conclusion, colour),
            secs(*millis)
        ),
        RunEvent::JobFinished {
            job,
            result,
            millis,
        } => {
            writeln!(
                out,
                "{} {job}: {:?} ({:.1} s)",
                mark(*result, colour),
                result,
                secs(*millis)
            )
        }
        // The run's own summary of each job, kept for "Re-run failed jobs": nothing new to say.
        RunEvent::JobSettled { .. } => return,
        RunEvent::Artifact {
            job,
            name,
            files,
            bytes,
        } => writeln!(
            out,
            "{} artifact {} ({files} file(s), {bytes} bytes)",
            paint(&format!("[{job}]"), "36", colour),
            paint(name, "1", colour)
        ),
        RunEvent::RunFinished {
            result,
            millis,
            problem,
        } => {
            let why = problem
                .as_ref()
                .map(|p| {
                    let fix = p.fix.as_deref().map(|f| format!("\n  fix: {f}"));
                    format!("\n  {}{}", p.message, fix.unwrap_or_default())
                })
                .unwrap_or_default();
            writeln!(
                out,
                "\n{} run {:?} in {:.1} s{why}",
                mark(*result, colour),
                result,
                secs(*millis)
            )
        }
    };
    crate::terminal::line(out.trim_end_matches('\n'), false);
}

/// The workflow to run: the one named, or the only one in `.github/workflows`.
fn pick_workflow(repo: &Path, named: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(f) = named {
        let f = if f.is_absolute() {
            f.to_path_buf()
        } else {
            std::env::current_dir()
                .map(|d| d.join(f))
                .unwrap_or_else(|_| f.to_path_buf())
        };
        return if f.is_file() {
            Ok(f)
        } else {
            Err(format!("{} does not exist", f.display()))
        };
    }
    let mut found = launch::workflows(repo);
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(format!(
            "there is no workflow in {}; create one there or pass --workflow FILE",
            repo.join(".github/workflows").display()
        )),
        _ => Err(format!(
            "there are several workflows; pick one with --workflow: {}",
            found
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// `devloop runs`: the history, newest first.
pub fn list(devloop: &Context) -> ExitCode {
    let store = match devloop.lock_store() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let _ = store.mark_interrupted(now());
    match store.runs(50) {
        Ok(runs) if runs.is_empty() => {
            println!("No runs yet: `devloop run` in your workspace starts one.");
            ExitCode::SUCCESS
        }
        Ok(runs) => {
            println!(
                "{:>5}  {:<12} {:<18} {:<10} {:<9} {:>8}",
                "#", "status", "workflow", "branch", "commit", "time"
            );
            for r in runs {
                println!(
                    "{:>5}  {:<12} {:<18} {:<10} {:<9} {:>7.1}s",
                    r.number,
                    r.status,
                    r.workflow.trim_start_matches(".github/workflows/"),
                    r.branch,
                    r.sha.get(..7).unwrap_or(&r.sha),
                    r.millis.unwrap_or(0) as f64 / 1000.0
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
