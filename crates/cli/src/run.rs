//! `devloop run`: a workflow of the repository, run here, with live coloured output.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use devloop_engine::pipeline::check_file;
use devloop_engine::pipeline::history::{self, Recorder};
use devloop_engine::pipeline::run::{self, Request, Result as RunResult, RunEvent};
use devloop_engine::settings::Paths;
use devloop_engine::store::runs::NewRun;
use devloop_engine::store::Store;

use crate::workflow::REFUSED;

/// The options of `devloop run`.
#[derive(Debug)]
pub struct Options {
    pub repo: Option<PathBuf>,
    pub workflow: Option<PathBuf>,
    pub job: Option<String>,
    pub inputs: Vec<(String, String)>,
    pub secrets: Vec<(String, String)>,
    pub secrets_file: Option<PathBuf>,
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

pub async fn run(opts: Options) -> ExitCode {
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
    let file = match pick_workflow(&repo, opts.workflow.as_deref()) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let shown = file.strip_prefix(&repo).unwrap_or(&file).to_path_buf();
    let checked = check_file(&file, &shown);
    if !checked.runnable() {
        for d in &checked.errors {
            eprintln!("error: {d}");
        }
        for d in &checked.unsupported {
            eprintln!("not run here: {d}");
        }
        return fail(format!("{} was not started", shown.display()));
    }
    let (Some(workflow), Some(plan)) = (checked.workflow, checked.plan) else {
        return fail("the workflow could not be planned");
    };
    if let Some(job) = &opts.job {
        if !workflow.jobs.iter().any(|j| &j.id == job) {
            return fail(format!("there is no job `{job}` in {}", shown.display()));
        }
    }
    let paths = Paths::from_env();
    let mut secrets = match read_secrets(
        &opts
            .secrets_file
            .clone()
            .unwrap_or_else(|| paths.secrets_file()),
    ) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    secrets.extend(opts.secrets.iter().cloned());
    let mut inputs: BTreeMap<String, String> = workflow
        .on
        .workflow_dispatch
        .iter()
        .flatten()
        .filter_map(|i| Some((i.name.clone(), i.default.clone()?)))
        .collect();
    inputs.extend(opts.inputs.iter().cloned());

    let store = match Store::open(&paths.database_file()) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    // Runs still "running" belong to a DevLoop that died mid-run.
    let _ = store.mark_interrupted(now());
    let head = git2::Repository::open(&repo).ok().and_then(|r| {
        let h = r.head().ok()?;
        Some((
            h.target()?.to_string(),
            h.shorthand().unwrap_or("").to_owned(),
        ))
    });
    let (sha, branch) = head.unwrap_or_default();
    // A run started by hand is a workflow_dispatch when the workflow allows one, as on GitHub;
    // otherwise it stands in for the push that would have started it.
    let trigger = if workflow.on.workflow_dispatch.is_some() {
        "workflow_dispatch"
    } else {
        "push"
    };
    let new = NewRun {
        workflow: &shown.display().to_string(),
        trigger,
        sha: &sha,
        branch: &branch,
    };
    let number = match store.start_run(&new, now()) {
        Ok(n) => n,
        Err(e) => return fail(e),
    };
    let store = Arc::new(std::sync::Mutex::new(store));
    let runs = paths.runs_dir();
    let run_dir = runs.join(number.to_string());
    if let Err(e) = std::fs::create_dir_all(&run_dir) {
        return fail(format!("cannot create {}: {e}", run_dir.display()));
    }
    let colour = std::io::stdout().is_terminal();
    println!(
        "▶ run #{number}: {} ({})",
        workflow.name.as_deref().unwrap_or("workflow"),
        shown.display()
    );
    let req = Request {
        workflow,
        plan,
        repo,
        run_dir: run_dir.clone(),
        event: if opts.inputs.is_empty() {
            "push".into()
        } else {
            "workflow_dispatch".into()
        },
        inputs,
        secrets,
        vars: BTreeMap::new(),
        run_id: number,
        run_number: number,
        only_job: opts.job,
    };
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\ncancelling…");
            let _ = tx.send(true);
        }
    });
    let recorder = Recorder::new(Arc::clone(&store), number, &run_dir);
    let result = run::run(
        req,
        Arc::new(move |e| {
            recorder.record(&e, now());
            print_event(&e, colour);
        }),
        rx,
    )
    .await;
    // Keep the history's files within a budget; the newest runs always stay.
    history::prune(&runs, RUNS_BUDGET, 10);
    let summary = run_dir.join("summary.md");
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
    let mut out = std::io::stdout().lock();
    let _ = match e {
        RunEvent::JobStarted { job } => {
            writeln!(out, "{}", paint(&format!("── {job}"), "1", colour))
        }
        RunEvent::StepStarted { job, name, .. } => writeln!(
            out,
            "{} {}",
            paint(&format!("[{job}]"), "36", colour),
            paint(name, "1", colour)
        ),
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
        } => {
            writeln!(
                out,
                "{} {} step {step} ({:.1} s)",
                paint(&format!("[{job}]"), "36", colour),
                mark(*conclusion, colour),
                *millis as f64 / 1000.0
            )
        }
        RunEvent::JobFinished {
            job,
            result,
            millis,
        } => writeln!(
            out,
            "{} {job}: {:?} ({:.1} s)",
            mark(*result, colour),
            result,
            *millis as f64 / 1000.0
        ),
        RunEvent::RunFinished { result, millis } => writeln!(
            out,
            "\n{} run {:?} in {:.1} s",
            mark(*result, colour),
            result,
            *millis as f64 / 1000.0
        ),
    };
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
    let dir = repo.join(".github/workflows");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|_| {
            format!(
                "there is no {}; create a workflow there or pass --workflow FILE",
                dir.display()
            )
        })?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(format!("{} has no .yml files", dir.display())),
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

/// `NAME=value` lines; `#` comments and blank lines are skipped. A missing file is no secrets.
fn read_secrets(file: &Path) -> Result<BTreeMap<String, String>, String> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => {
            return Err(format!(
                "cannot read the secrets file {}: {e}",
                file.display()
            ))
        }
    };
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // The value is never echoed: an error names only the line.
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| format!("{}:{}: expected NAME=value", file.display(), i + 1))?;
        out.insert(k.trim().to_owned(), v.to_owned());
    }
    Ok(out)
}

/// Disk the runs' workspaces and logs may use before the oldest are removed.
const RUNS_BUDGET: u64 = 2 * 1024 * 1024 * 1024;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `devloop runs`: the history, newest first.
pub fn list() -> ExitCode {
    let paths = Paths::from_env();
    let store = match Store::open(&paths.database_file()) {
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
