//! Runs a planned workflow on this machine: stages in order, the jobs of a stage side by side,
//! each step a child process; everything that happens goes to a sink as a [`RunEvent`].
//!
//! Results are data, as on GitHub: each step has an outcome (what happened) and a conclusion
//! (what counts, after `continue-on-error`); each job and the run have a result.

pub mod actions;
mod call;
pub mod commands;
mod containers;
pub mod files;
mod local;
pub mod mask;
pub mod step;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use serde_json::{json, Map, Value};

use super::expr::{self, JobStatus, Scope};
use super::plan::Plan;
use super::workflow::{Job, RunDefaults, Step, Strategy, Workflow};
pub use crate::record::run::{Result, RunEvent};

/// What to run and with what.
#[derive(Debug, Clone)]
pub struct Request {
    pub workflow: Workflow,
    pub plan: Plan,
    /// The repository the run checks out.
    pub repo: PathBuf,
    /// Scratch space for this run (job workspaces, step files).
    pub run_dir: PathBuf,
    pub event: String,
    /// The commit the run is about (checked out by `actions/checkout`); empty means HEAD.
    pub sha: String,
    /// `refs/heads/main` or `refs/tags/v1`; empty means HEAD's.
    pub git_ref: String,
    /// Shared between runs: where `actions/cache` keeps its entries.
    pub cache_dir: PathBuf,
    /// DevLoop's folders, for actions that keep things beyond the run (`devloop/release`).
    pub paths: Option<crate::settings::Paths>,
    /// The deploy service `devloop/deploy` uses.
    pub service: Option<crate::service::host::Slot>,
    /// Continuous Deployment was on when the run started.
    pub continuous_deployment: bool,
    pub inputs: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
    pub vars: BTreeMap<String, String>,
    pub run_id: u64,
    pub run_number: u64,
    /// Run only this job and the jobs it needs (not the ones that need it).
    pub only_job: Option<String>,
    /// The jobs that called this workflow, outermost first: empty for a run of its own.
    pub called_from: Vec<String>,
    /// Jobs not to run again, with the outputs they had: "Re-run failed jobs" keeps the jobs
    /// of run `kept_from` that succeeded.
    pub kept: BTreeMap<String, BTreeMap<String, String>>,
    pub kept_from: Option<u64>,
}

/// Where a run's events go.
pub type Sink = Arc<dyn Fn(RunEvent) + Send + Sync>;

/// Variables a step inherits from DevLoop's own environment; everything else starts clean, as
/// on a fresh runner.
const PASSED_THROUGH: &[&str] = &[
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TZ",
    "TMPDIR",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "DOCKER_HOST",
    "SSH_AUTH_SOCK",
];

/// The commit a run is about.
#[derive(Debug, Clone, Default)]
struct Commit {
    sha: String,
    git_ref: String,
    ref_name: String,
}

/// The commit the request names, or the repository's HEAD when it names none.
fn commit_of(req: &Request) -> Commit {
    let mut commit = Commit::default();
    if let Ok(head) = git2::Repository::open(&req.repo).and_then(|r| {
        let h = r.head()?;
        Ok((
            h.target().map(|o| o.to_string()).unwrap_or_default(),
            h.name().unwrap_or("").to_owned(),
        ))
    }) {
        (commit.sha, commit.git_ref) = head;
    }
    if !req.sha.is_empty() {
        commit.sha = req.sha.clone();
    }
    if !req.git_ref.is_empty() {
        commit.git_ref = req.git_ref.clone();
    }
    commit.ref_name = commit
        .git_ref
        .trim_start_matches("refs/heads/")
        .trim_start_matches("refs/tags/")
        .to_owned();
    commit
}

/// Runs the workflow. Cancel by sending `true` on the watch channel.
pub async fn run(req: Request, sink: Sink, cancel: CancellationToken) -> Result {
    let started = std::time::Instant::now();
    let req = Arc::new(req);
    // Everything said about the run is masked before anyone sees or keeps it: logs, step and
    // job names, artifact names, and values a step masks with `::add-mask::`.
    let masks = Arc::new(mask::Masks::new(req.secrets.values().cloned()));
    let sink: Sink = {
        let masks = Arc::clone(&masks);
        Arc::new(move |e| sink(masks.event(e)))
    };
    let (overall, _) = run_jobs(req, Arc::clone(&sink), cancel).await;
    sink(RunEvent::RunFinished {
        result: overall,
        millis: started.elapsed().as_millis() as u64,
        problem: None,
    });
    overall
}

/// What each job of a run ended with: its result and outputs, by id.
type JobResults = BTreeMap<String, (Result, BTreeMap<String, String>)>;

/// Every job of the request, stage by stage, and the run's result. Boxed: a job that calls a
/// reusable workflow runs that workflow's jobs through here again.
fn run_jobs(
    req: Arc<Request>,
    sink: Sink,
    cancel: CancellationToken,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = (Result, JobResults)> + Send>> {
    Box::pin(async move {
        // git2 blocks: it reads HEAD on the blocking pool, not on this async thread.
        let commit = {
            let req = Arc::clone(&req);
            Arc::new(
                tokio::task::spawn_blocking(move || commit_of(&req))
                    .await
                    .unwrap_or_default(),
            )
        };
        let mut job_results: JobResults = BTreeMap::new();
        let mut overall = Result::Success;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let slots = Arc::new(tokio::sync::Semaphore::new(cores));

        let selected = req
            .only_job
            .as_ref()
            .map(|only| req.workflow.with_needs(only));
        for stage in &req.plan.stages {
            let mut handles = Vec::new();
            // The jobs of this stage that ended, to say so once each has all its instances.
            let mut settled: Vec<String> = Vec::new();
            // Each handle's job and instance name, to say which one a crash took.
            let mut names: Vec<(String, String)> = Vec::new();
            for id in stage {
                if selected.as_ref().is_some_and(|s| !s.contains(id)) {
                    continue;
                }
                let Some(job) = req.workflow.jobs.iter().find(|j| &j.id == id).cloned() else {
                    continue;
                };
                if let Some(outputs) = req.kept.get(id) {
                    sink(RunEvent::JobStarted { job: id.clone() });
                    log(
                        &sink,
                        id,
                        0,
                        format!(
                            "kept from run #{}, where it succeeded: not run again, its outputs as they were",
                            req.kept_from.unwrap_or_default()
                        ),
                        false,
                    );
                    sink(RunEvent::JobFinished {
                        job: id.clone(),
                        result: Result::Success,
                        millis: 0,
                    });
                    job_results.insert(id.clone(), (Result::Success, outputs.clone()));
                    settled.push(id.clone());
                    continue;
                }
                let needs: Map<String, Value> = job
                    .needs
                    .iter()
                    .map(|(n, _)| {
                        let (result, outputs) = job_results
                            .get(n)
                            .cloned()
                            .unwrap_or((Result::Skipped, BTreeMap::new()));
                        (
                            n.clone(),
                            json!({"result": result.as_str(), "outputs": outputs}),
                        )
                    })
                    .collect();
                let needs_ok = job.needs.iter().all(|(n, _)| {
                    job_results
                        .get(n)
                        .is_some_and(|(r, _)| *r == Result::Success)
                });
                if job.call.is_some() {
                    let (req, commit, sink, cancel) = (
                        Arc::clone(&req),
                        Arc::clone(&commit),
                        Arc::clone(&sink),
                        cancel.clone(),
                    );
                    names.push((job.id.clone(), job.id.clone()));
                    handles.push(tokio::spawn(async move {
                        let done =
                            call::run(&req, &commit, &job, needs, needs_ok, &sink, cancel).await;
                        (job.id.clone(), done)
                    }));
                    continue;
                }
                // A matrix given as an expression is read now, with what the jobs it needs made.
                let mut scope = scope_free(&req);
                scope
                    .contexts
                    .insert("needs".into(), Value::Object(needs.clone()));
                let from_outputs = job
                    .strategy
                    .as_ref()
                    .is_some_and(|s| s.matrix_expr.is_some() || !s.exprs.is_empty());
                let instances = match matrix_of(&job, &scope) {
                    // A job it needs did not succeed, so it has no matrix to give: the job is
                    // skipped as one (its `if` decides), not failed for an empty expression.
                    _ if from_outputs && !needs_ok => expand(&job, None),
                    Ok(strategy) => expand(&job, strategy.as_ref()),
                    Err(why) => {
                        sink(RunEvent::JobStarted {
                            job: job.id.clone(),
                        });
                        log(&sink, &job.id, 0, why, true);
                        sink(RunEvent::JobFinished {
                            job: job.id.clone(),
                            result: Result::Failure,
                            millis: 0,
                        });
                        job_results.insert(job.id.clone(), (Result::Failure, BTreeMap::new()));
                        // The run fails with it: a matrix that cannot be read is no success.
                        overall = Result::Failure;
                        settled.push(job.id.clone());
                        continue;
                    }
                };
                let matrix = Matrix::of(&job, &scope_free(&req), &cancel);
                for (name, values) in instances {
                    names.push((job.id.clone(), name.clone()));
                    let (req, commit, sink, slots, job, needs, matrix) = (
                        Arc::clone(&req),
                        Arc::clone(&commit),
                        Arc::clone(&sink),
                        Arc::clone(&slots),
                        job.clone(),
                        needs.clone(),
                        matrix.clone(),
                    );
                    handles.push(tokio::spawn(async move {
                        // The whole of it, so the cancel forwarding lives as long as the instance.
                        let matrix = matrix;
                        let _slot = slots.acquire().await;
                        let _own = match &matrix.limit {
                            Some(limit) => Some(limit.acquire().await),
                            None => None,
                        };
                        let cancel = matrix.cancel.clone();
                        let outcome = if cancel.is_cancelled() && !matrix.run_cancel.is_cancelled()
                        {
                            // fail-fast: a sibling failed before this instance started.
                            sink(RunEvent::JobFinished {
                                job: name.clone(),
                                result: Result::Cancelled,
                                millis: 0,
                            });
                            (Result::Cancelled, BTreeMap::new())
                        } else {
                            run_job(
                                &req, &commit, &job, &name, values, needs, needs_ok, &sink, cancel,
                            )
                            .await
                        };
                        if outcome.0 == Result::Failure && matrix.fail_fast {
                            matrix.cancel.cancel();
                        }
                        (job.id.clone(), outcome)
                    }));
                }
            }
            for (handle, (id, name)) in handles.into_iter().zip(names) {
                let (id, (result, outputs)) = settle(handle.await, id, &name, &sink);
                if !settled.contains(&id) {
                    settled.push(id.clone());
                }
                // A matrix job's result is the worst of its instances.
                let merged = match job_results.get(&id) {
                    Some((prev, _)) if worse(*prev, result) => *prev,
                    _ => result,
                };
                if worse(merged, overall) {
                    overall = merged;
                }
                job_results.insert(id, (merged, outputs));
            }
            for id in settled {
                if let Some((result, outputs)) = job_results.get(&id) {
                    sink(RunEvent::JobSettled {
                        job: id,
                        result: *result,
                        outputs: outputs.clone(),
                    });
                }
            }
        }
        if cancel.is_cancelled() {
            overall = Result::Cancelled;
        } else if overall == Result::Skipped {
            overall = Result::Success;
        }
        (overall, job_results)
    })
}

/// Runs a native action on the blocking pool, bounded by the job's deadline as a `run` step
/// is: `None` when the job ran out of time first.
async fn run_action(
    action: &'static dyn actions::Action,
    cx: actions::Context,
    deadline: Option<std::time::Instant>,
) -> std::result::Result<Option<actions::Done>, String> {
    let task = tokio::task::spawn_blocking(move || action.run(&cx));
    let joined = match deadline {
        Some(d) => {
            let left = d.saturating_duration_since(std::time::Instant::now());
            match tokio::time::timeout(left, task).await {
                Ok(joined) => joined,
                Err(_) => return Ok(None),
            }
        }
        None => task.await,
    };
    joined
        .map_err(|e| format!("the action crashed: {e}"))?
        .map(Some)
}

/// Decides by the job's `if` whether it runs, and says so: `Ok` once it has started, else
/// the result it ended with (skipped, or failed for an `if` that cannot be evaluated).
fn job_starts(
    job: &Job,
    name: &str,
    scope: &Scope,
    sink: &Sink,
) -> std::result::Result<(), Result> {
    let started = |sink: &Sink| {
        sink(RunEvent::JobStarted {
            job: name.to_owned(),
        })
    };
    let ended = |result: Result| {
        sink(RunEvent::JobFinished {
            job: name.to_owned(),
            result,
            millis: 0,
        });
        Err(result)
    };
    match expr::condition(job.condition.as_deref(), scope) {
        Ok(true) => {
            started(sink);
            Ok(())
        }
        Ok(false) => ended(Result::Skipped),
        Err(e) => {
            started(sink);
            let why = format!("the job's `if` could not be evaluated: {}", e.message);
            log(sink, name, 0, why, true);
            ended(Result::Failure)
        }
    }
}

/// A job's id, with its instance's result and outputs.
type JobDone = (String, (Result, BTreeMap<String, String>));

/// A job instance's result; one whose task crashed (a DevLoop bug) failed, and says so in its
/// log, rather than vanishing from a run that would then end green.
fn settle(
    joined: std::result::Result<JobDone, tokio::task::JoinError>,
    id: String,
    name: &str,
    sink: &Sink,
) -> JobDone {
    match joined {
        Ok(done) => done,
        Err(e) => {
            log(
                sink,
                name,
                0,
                format!(
                    "DevLoop itself failed while running this job (a bug; please report it): {e}"
                ),
                true,
            );
            sink(RunEvent::JobFinished {
                job: name.to_owned(),
                result: Result::Failure,
                millis: 0,
            });
            (id, (Result::Failure, BTreeMap::new()))
        }
    }
}

/// How the instances of one (matrix) job share their limits.
#[derive(Clone)]
struct Matrix {
    /// `max-parallel`: at most this many instances at once.
    limit: Option<Arc<tokio::sync::Semaphore>>,
    /// `fail-fast` (GitHub's default): one failed instance cancels the rest.
    fail_fast: bool,
    /// The instances' cancel: a child of the run's, so the run's cancel reaches it, and a
    /// sibling's failure cancels it alone.
    cancel: CancellationToken,
    /// The run's own cancel, to tell the two apart.
    run_cancel: CancellationToken,
}

impl Matrix {
    fn of(job: &Job, scope: &Scope, run_cancel: &CancellationToken) -> Matrix {
        let strategy = job.strategy.as_ref();
        let value = |text: Option<&String>| {
            text.and_then(|t| expr::interpolate(t, scope).ok())
                .map(|v| v.trim().to_owned())
        };
        let limit = value(strategy.and_then(|s| s.max_parallel.as_ref()))
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .map(|n| Arc::new(tokio::sync::Semaphore::new(n)));
        let fail_fast =
            value(strategy.and_then(|s| s.fail_fast.as_ref())).as_deref() != Some("false");
        Matrix {
            limit,
            fail_fast,
            cancel: run_cancel.child_token(),
            run_cancel: run_cancel.clone(),
        }
    }
}

/// A scope for values read before any job runs (`max-parallel: ${{ inputs.n }}`).
fn scope_free(req: &Request) -> Scope {
    let mut scope = Scope::default();
    scope.contexts.insert("inputs".into(), typed_inputs(req));
    scope.contexts.insert("vars".into(), json!(req.vars));
    scope
}

/// `job` and every job it needs, directly or not.
/// Failure outranks cancelled, which outranks success; skipped counts least.
fn worse(a: Result, b: Result) -> bool {
    let rank = |r| match r {
        Result::Failure => 3,
        Result::Cancelled => 2,
        Result::Success => 1,
        Result::Skipped => 0,
    };
    rank(a) > rank(b)
}

/// The job's strategy with its matrix read: from the file, or from `matrix: ${{ … }}`
/// evaluated in `scope` (an object of axes, with `include` and `exclude`, as on GitHub).
fn matrix_of(job: &Job, scope: &Scope) -> std::result::Result<Option<Strategy>, String> {
    let Some(strategy) = &job.strategy else {
        return Ok(None);
    };
    // One expression, read to a value: `${{ … }}` is the whole text, as GitHub requires here.
    let read_one = |what: &str, text: &str| -> std::result::Result<Value, String> {
        let body = text
            .trim()
            .strip_prefix("${{")
            .and_then(|t| t.strip_suffix("}}"))
            .ok_or_else(|| format!("`{what}` must be one expression, `${{{{ fromJSON(…) }}}}`"))?;
        expr::parse(body)
            .and_then(|e| expr::eval(&e, scope))
            .map_err(|e| format!("`{what}` could not be evaluated: {}", e.message))
    };
    let entries = match &strategy.matrix_expr {
        Some(text) => match read_one("matrix", text)? {
            Value::Object(entries) => entries,
            value => {
                return Err(format!(
                    "`matrix` must be an object of axes, not `{}`",
                    expr::to_text(&value)
                ))
            }
        },
        None if strategy.exprs.is_empty() => return Ok(Some(strategy.clone())),
        None => {
            let mut entries = Map::new();
            for (key, text) in &strategy.exprs {
                entries.insert(key.clone(), read_one(&format!("matrix.{key}"), text)?);
            }
            entries
        }
    };
    let rows = |v: &Value| -> Vec<BTreeMap<String, Value>> {
        v.as_array()
            .map(|rows| {
                rows.iter()
                    .filter_map(|r| r.as_object())
                    .map(|r| r.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut read = Strategy {
        matrix_expr: None,
        exprs: Vec::new(),
        ..strategy.clone()
    };
    for (key, v) in &entries {
        match key.as_str() {
            "include" => read.include = rows(v),
            "exclude" => read.exclude = rows(v),
            _ => match v.as_array() {
                Some(values) if !values.is_empty() => read.axes.push((key.clone(), values.clone())),
                _ => return Err(format!("matrix axis `{key}` must be a non-empty list")),
            },
        }
    }
    let jobs = read
        .axes
        .iter()
        .try_fold(1usize, |n, (_, values)| n.checked_mul(values.len()))
        .and_then(|n| n.checked_add(read.include.len()));
    if jobs.is_none_or(|n| n > super::workflow::MAX_MATRIX_JOBS) {
        return Err(format!(
            "this matrix makes more than {} jobs, the most GitHub runs from one matrix",
            super::workflow::MAX_MATRIX_JOBS
        ));
    }
    Ok(Some(read))
}

/// The instances of a job: one per matrix combination (after exclude and include).
fn expand(job: &Job, strategy: Option<&Strategy>) -> Vec<(String, Map<String, Value>)> {
    let Some(strategy) = strategy else {
        return vec![(job.id.clone(), Map::new())];
    };
    let mut combos: Vec<Map<String, Value>> = vec![Map::new()];
    for (axis, values) in &strategy.axes {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.insert(axis.clone(), v.clone());
                    c
                })
            })
            .collect();
    }
    combos.retain(|c| {
        !strategy
            .exclude
            .iter()
            .any(|ex| ex.iter().all(|(k, v)| c.get(k) == Some(v)))
    });
    for inc in &strategy.include {
        let fits = combos
            .iter_mut()
            .filter(|c| inc.iter().all(|(k, v)| c.get(k).is_none_or(|x| x == v)))
            .count();
        if fits == 0 || strategy.axes.is_empty() {
            combos.push(inc.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        } else {
            for c in combos
                .iter_mut()
                .filter(|c| inc.iter().all(|(k, v)| c.get(k).is_none_or(|x| x == v)))
            {
                for (k, v) in inc {
                    c.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
    }
    combos
        .into_iter()
        .map(|c| {
            let label: Vec<String> = c.values().map(expr::to_text).collect();
            let name = if label.is_empty() {
                job.id.clone()
            } else {
                format!("{} ({})", job.id, label.join(", "))
            };
            (name, c)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn run_job(
    req: &Request,
    commit: &Commit,
    job: &Job,
    name: &str,
    matrix: Map<String, Value>,
    needs: Map<String, Value>,
    needs_ok: bool,
    sink: &Sink,
    cancel: CancellationToken,
) -> (Result, BTreeMap<String, String>) {
    let started = std::time::Instant::now();
    let (workspace, temp) = job_folders(req, name);
    let _ = std::fs::create_dir_all(&workspace);
    let _ = std::fs::create_dir_all(&temp);

    let mut scope = job_scope(req, commit, &job.id, &workspace, &temp);
    scope
        .contexts
        .insert("matrix".into(), Value::Object(matrix));
    scope.contexts.insert("needs".into(), Value::Object(needs));
    scope.status = JobStatus {
        failed: !needs_ok,
        cancelled: cancel.is_cancelled(),
    };
    run_job_in(
        req, job, name, scope, &workspace, &temp, sink, cancel, started,
    )
    .await
}

/// The job's workspace and scratch folder in the run's folder, under the jobs that called
/// this workflow: two callers' `build` jobs get folders of their own.
fn job_folders(req: &Request, name: &str) -> (PathBuf, PathBuf) {
    let qualified: Vec<&str> = req
        .called_from
        .iter()
        .map(String::as_str)
        .chain([name])
        .collect();
    let slug = super::history::slug(&qualified.join(" / "));
    (
        req.run_dir.join("work").join(&slug),
        req.run_dir.join("tmp").join(&slug),
    )
}

/// The contexts every job starts with: `github`, `inputs`, `secrets`, `vars`, `runner`.
fn job_scope(req: &Request, commit: &Commit, job: &str, workspace: &Path, temp: &Path) -> Scope {
    let mut scope = Scope {
        workspace: Some(workspace.to_path_buf()),
        ..Scope::default()
    };
    let (owner, repository) = repository_of(&req.repo);
    // `github.event.inputs` holds a manual run's inputs as strings; the `inputs` context keeps
    // booleans and numbers typed ("Contexts: inputs context").
    let event = if req.event == "workflow_dispatch" {
        json!({ "inputs": req.inputs })
    } else {
        json!({})
    };
    let github = json!({
        "sha": commit.sha, "ref": commit.git_ref, "ref_name": commit.ref_name, "event_name": req.event,
        "workspace": workspace.display().to_string(), "run_id": req.run_id.to_string(),
        "run_number": req.run_number.to_string(), "job": job,
        "repository": format!("{owner}/{repository}"), "repository_owner": owner,
        "server_url": "https://github.com", "api_url": "https://api.github.com",
        "actor": "learner", "event": event,
    });
    scope.contexts.insert("github".into(), github);
    scope.contexts.insert("inputs".into(), typed_inputs(req));
    scope.contexts.insert("secrets".into(), json!(req.secrets));
    scope.contexts.insert("vars".into(), json!(req.vars));
    scope.contexts.insert(
        "runner".into(),
        json!({"os": "Linux", "arch": "X64", "temp": temp.display().to_string()}),
    );
    scope.contexts.insert("steps".into(), json!({}));
    scope
}

/// The rest of a job, once its contexts are made: its `if`, then its steps.
#[allow(clippy::too_many_arguments)]
async fn run_job_in(
    req: &Request,
    job: &Job,
    name: &str,
    mut scope: Scope,
    workspace: &Path,
    temp: &Path,
    sink: &Sink,
    cancel: CancellationToken,
    started: std::time::Instant,
) -> (Result, BTreeMap<String, String>) {
    let (workspace, temp) = (workspace.to_path_buf(), temp.to_path_buf());
    if let Err(result) = job_starts(job, name, &scope, sink) {
        return (result, BTreeMap::new());
    }
    scope.status = JobStatus::default();
    // Only Linux runs here. GitHub would give the job the runner it names; here it gets this
    // machine, and says so rather than pretend.
    if let Some(other) = job
        .runs_on
        .iter()
        .find(|l| l.starts_with("windows") || l.starts_with("macos"))
    {
        log(
            sink,
            name,
            0,
            format!("notice: this job asks for `{other}`; DevLoop runs it on this Linux machine, so commands only {other} has will fail here"),
            false,
        );
    }
    // Workflow- and job-level `env` may hold expressions (`github`, `inputs`, `vars`,
    // `secrets`; a job's also `matrix` and `needs`), evaluated when the job starts, as on
    // GitHub; a job's value wins over the workflow's.
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    for (key, value) in req.workflow.env.iter().chain(job.env.iter()) {
        match expr::interpolate(value, &scope) {
            Ok(text) => {
                env.insert(key.clone(), text);
            }
            Err(e) => {
                log(
                    sink,
                    name,
                    0,
                    format!("`env.{key}` could not be evaluated: {}", e.message),
                    true,
                );
                sink(RunEvent::JobFinished {
                    job: name.to_owned(),
                    result: Result::Failure,
                    millis: started.elapsed().as_millis() as u64,
                });
                return (Result::Failure, BTreeMap::new());
            }
        }
    }
    // `timeout-minutes` of the job: GitHub cancels a job that runs longer (default 360).
    let job_minutes = job
        .timeout_minutes
        .as_deref()
        .and_then(|t| expr::interpolate(t, &scope).ok()?.parse::<f64>().ok());
    let job_deadline = job_minutes
        .and_then(|m| Duration::try_from_secs_f64(m * 60.0).ok())
        .map(|d| std::time::Instant::now() + d);
    // `defaults.run` of the job, else of the workflow; a step's own `shell` and
    // `working-directory` win over both.
    let defaults = RunDefaults {
        shell: job
            .defaults
            .shell
            .clone()
            .or_else(|| req.workflow.defaults.shell.clone()),
        working_directory: job
            .defaults
            .working_directory
            .clone()
            .or_else(|| req.workflow.defaults.working_directory.clone()),
    };

    // `services:` and `container:` start before the first step, from images on this machine.
    let data_dir = req
        .paths
        .as_ref()
        .map_or_else(|| req.run_dir.clone(), |p| p.data_dir.clone());
    let say = |text: String| log(sink, name, 0, text, false);
    let containers = match containers::start(
        job,
        name,
        req.run_number,
        &data_dir,
        &workspace,
        &temp,
        &req.workflow.file,
        &say,
    )
    .await
    {
        Ok(made) => made,
        Err(why) => {
            log(sink, name, 0, why, true);
            sink(RunEvent::JobFinished {
                job: name.to_owned(),
                result: Result::Failure,
                millis: started.elapsed().as_millis() as u64,
            });
            return (Result::Failure, BTreeMap::new());
        }
    };
    if let Some(made) = &containers {
        scope.contexts.insert("job".into(), made.context.clone());
    }

    let secrets: Vec<String> = req.secrets.values().cloned().collect();
    // What DevLoop itself says (errors, action logs) can quote a secret too.
    let masker = mask::LineMasker::new(secrets.clone());
    let mut path_prefix: Vec<String> = Vec::new();
    let mut steps_ctx = Map::new();
    let mut posts: Vec<(u32, actions::Post)> = Vec::new();
    let mut job_failed = false;
    let mut job_cancelled = false;

    // Steps skipped because their action needs GitHub, by id.
    let mut not_run_here: Vec<String> = Vec::new();
    for (index, step) in job.steps.iter().enumerate() {
        let index = index as u32 + 1;
        scope.contexts.insert("env".into(), json!(env));
        scope
            .contexts
            .insert("steps".into(), Value::Object(steps_ctx.clone()));
        scope.status = JobStatus {
            failed: job_failed,
            cancelled: job_cancelled || cancel.is_cancelled(),
        };
        let title = step_title(step);
        let should_run = match expr::condition(step.condition.as_deref(), &scope) {
            Ok(v) => v,
            Err(e) => {
                log(
                    sink,
                    name,
                    index,
                    format!("this step's `if` could not be evaluated: {}", e.message),
                    true,
                );
                false
            }
        };
        sink(RunEvent::StepStarted {
            job: name.to_owned(),
            step: index,
            name: title.clone(),
        });
        // What a step skipped for needing GitHub would have set is empty: say so where read.
        for id in &not_run_here {
            let reads = step
                .run
                .iter()
                .chain(step.condition.iter())
                .chain(step.with.values())
                .chain(step.env.values())
                .any(|text| text.contains(&format!("steps.{id}.")));
            if reads {
                log(
                    sink,
                    name,
                    index,
                    format!("notice: this step reads what step `{id}` set, but that step needs GitHub and was skipped here, so its outputs are empty"),
                    false,
                );
            }
        }
        if step
            .uses
            .as_ref()
            .is_some_and(|(uses, _)| super::compat::needs_github(uses))
        {
            not_run_here.extend(step.id.clone());
        }
        let step_started = std::time::Instant::now();
        let outcome = if !should_run {
            Result::Skipped
        } else {
            let cx = JobCx {
                req,
                job_name: name,
                workspace: &workspace,
                temp: &temp,
                defaults: &defaults,
                job_deadline,
                secrets: &secrets,
                sink,
                depth: 0,
                containers: containers.as_ref(),
            };
            execute_step(
                &cx,
                step,
                index,
                &mut env,
                &mut path_prefix,
                &scope,
                cancel.clone(),
            )
            .await
            .map(|(outcome, outputs, post)| {
                if let Some(post) = post {
                    posts.push((index, post));
                }
                if let Some(id) = &step.id {
                    steps_ctx.insert(
                        id.clone(),
                        json!({"outputs": outputs, "outcome": outcome.as_str()}),
                    );
                }
                outcome
            })
            .unwrap_or_else(|why| {
                log(sink, name, index, masker.mask_text(&why), true);
                Result::Failure
            })
        };
        let continue_on_error = step
            .continue_on_error
            .as_deref()
            .map(|c| {
                expr::interpolate(c, &scope)
                    .map(|v| v == "true")
                    .unwrap_or(false)
            })
            .unwrap_or(false);
        let conclusion = if outcome == Result::Failure && continue_on_error {
            Result::Success
        } else {
            outcome
        };
        if let Some(id) = &step.id {
            let entry = steps_ctx
                .entry(id.clone())
                .or_insert_with(|| json!({"outputs": {}}));
            entry["outcome"] = json!(outcome.as_str());
            entry["conclusion"] = json!(conclusion.as_str());
        }
        match conclusion {
            Result::Failure => job_failed = true,
            Result::Cancelled => job_cancelled = true,
            _ => {}
        }
        sink(RunEvent::StepFinished {
            job: name.to_owned(),
            step: index,
            outcome,
            conclusion,
            millis: step_started.elapsed().as_millis() as u64,
        });
    }

    // Post steps run last, in reverse order, as on GitHub (the cache saves here).
    let succeeded = !job_failed && !job_cancelled && !cancel.is_cancelled();
    for (index, post) in posts.into_iter().rev() {
        if tokio::task::spawn_blocking(move || post(succeeded))
            .await
            .is_err()
        {
            log(sink, name, index, "a post step crashed".into(), true);
        }
    }
    if let Some(made) = containers {
        made.remove().await;
    }
    scope
        .contexts
        .insert("steps".into(), Value::Object(steps_ctx));
    let outputs: BTreeMap<String, String> = job
        .outputs
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), expr::interpolate(v, &scope).ok()?)))
        .collect();
    let job_continue = job.continue_on_error.as_deref() == Some("true");
    let result = if job_cancelled || cancel.is_cancelled() {
        Result::Cancelled
    } else if job_failed && !job_continue {
        Result::Failure
    } else {
        Result::Success
    };
    sink(RunEvent::JobFinished {
        job: name.to_owned(),
        result,
        millis: started.elapsed().as_millis() as u64,
    });
    (result, outputs)
}

/// The repository as GitHub names it (`owner`, `name`): from a GitHub `origin` when the
/// repository has one; else `local` and the folder's name, as it has no name on GitHub.
fn repository_of(repo: &Path) -> (String, String) {
    let from_origin = git2::Repository::open(repo).ok().and_then(|r| {
        let url = r.find_remote("origin").ok()?.url().ok()?.to_owned();
        let path = url
            .split_once("github.com")?
            .1
            .trim_start_matches([':', '/'])
            .trim_end_matches('/')
            .trim_end_matches(".git")
            .to_owned();
        let (owner, name) = path.split_once('/')?;
        (!owner.is_empty() && !name.is_empty() && !name.contains('/'))
            .then(|| (owner.to_owned(), name.to_owned()))
    });
    from_origin.unwrap_or_else(|| {
        let folder = repo
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| "workspace".into());
        ("local".into(), folder)
    })
}

/// A manual run's inputs as the `inputs` context has them: `boolean` inputs as booleans and
/// `number` inputs as numbers, so `inputs.flag == true` holds as on GitHub.
fn typed_inputs(req: &Request) -> Value {
    let (workflow, inputs) = (&req.workflow, &req.inputs);
    // A called workflow types its inputs in `on.workflow_call`, a manual run's in
    // `on.workflow_dispatch`.
    let declared = match (&workflow.on.workflow_call, req.called_from.is_empty()) {
        (Some(call), false) => call.inputs.as_slice(),
        _ => workflow.on.workflow_dispatch.as_deref().unwrap_or_default(),
    };
    let typed = inputs
        .iter()
        .map(|(name, text)| {
            let kind = declared
                .iter()
                .find(|i| &i.name == name)
                .map(|i| i.kind.as_str());
            let value = match kind {
                Some("boolean") => json!(text == "true"),
                Some("number") => match (text.parse::<i64>(), text.parse::<f64>()) {
                    (Ok(n), _) => json!(n),
                    (_, Ok(x)) if x.is_finite() => json!(x),
                    _ => json!(text),
                },
                _ => json!(text),
            };
            (name.clone(), value)
        })
        .collect();
    Value::Object(typed)
}

fn step_title(step: &Step) -> String {
    step.name
        .clone()
        .or_else(|| {
            step.run
                .as_ref()
                .map(|r| format!("Run {}", r.lines().next().unwrap_or("")))
        })
        .or_else(|| step.uses.as_ref().map(|(u, _)| format!("Run {u}")))
        .unwrap_or_else(|| "step".into())
}

fn log(sink: &Sink, job: &str, step: u32, text: String, stderr: bool) {
    sink(RunEvent::Log {
        job: job.to_owned(),
        step,
        text,
        stderr,
        at_ms: 0,
    });
}

/// What every step of one job shares.
struct JobCx<'a> {
    req: &'a Request,
    job_name: &'a str,
    workspace: &'a Path,
    temp: &'a Path,
    defaults: &'a RunDefaults,
    job_deadline: Option<std::time::Instant>,
    secrets: &'a [String],
    sink: &'a Sink,
    /// How deep in composite actions this step is: 0 for the job's own steps.
    depth: u32,
    /// The job's services and container, when it asks for them.
    containers: Option<&'a containers::JobContainers>,
}

/// What a step did: its outcome, its outputs, and a post step to run when the job ends.
type StepDone =
    std::result::Result<(Result, BTreeMap<String, String>, Option<actions::Post>), String>;

async fn execute_step(
    cx: &JobCx<'_>,
    step: &Step,
    index: u32,
    env: &mut BTreeMap<String, String>,
    path_prefix: &mut Vec<String>,
    scope: &Scope,
    cancel: CancellationToken,
) -> StepDone {
    let JobCx {
        req,
        job_name,
        workspace,
        temp,
        defaults,
        job_deadline,
        secrets,
        sink,
        ..
    } = *cx;
    let interp = |text: &str| {
        expr::interpolate(text, scope)
            .map_err(|e| format!("an expression could not be evaluated: {}", e.message))
    };
    if let Some((uses, _)) = &step.uses {
        if super::compat::needs_github(uses) {
            log(
                sink,
                job_name,
                index,
                format!("notice: `{uses}` needs GitHub (it is fetched from the network there); DevLoop skips this step and goes on"),
                false,
            );
            return Ok((Result::Skipped, BTreeMap::new(), None));
        }
        if uses.starts_with("./") {
            let mut with = BTreeMap::new();
            for (k, v) in &step.with {
                with.insert(k.clone(), interp(v)?);
            }
            return local::run(cx, uses, with, index, env, path_prefix, scope, cancel).await;
        }
        let action = actions::find(uses)
            .ok_or_else(|| format!("the action `{uses}` does not run here; use `run:` steps"))?;
        let mut with = BTreeMap::new();
        for (k, v) in &step.with {
            with.insert(k.clone(), interp(v)?);
        }
        let search_path = path_prefix
            .iter()
            .rev()
            .cloned()
            .chain(std::env::var("PATH").ok())
            .collect::<Vec<_>>()
            .join(":");
        let cx = actions::Context {
            uses: uses.clone(),
            search_path,
            env: env.clone(),
            repo: req.repo.clone(),
            sha: scope
                .contexts
                .get("github")
                .map(|g| expr::to_text(&g["sha"]))
                .unwrap_or_default(),
            workspace: workspace.to_path_buf(),
            run_dir: req.run_dir.clone(),
            cache_dir: req.cache_dir.clone(),
            with,
            job: job_name.to_owned(),
            step: index,
            sink: Arc::clone(sink),
            secrets: Arc::new(secrets.to_vec()),
            paths: req.paths.clone(),
            service: req.service.clone(),
            event: req.event.clone(),
            run_number: req.run_number,
            continuous_deployment: req.continuous_deployment,
        };
        let Some(done) = run_action(action, cx, job_deadline).await? else {
            log(
                sink,
                job_name,
                index,
                format!("the job ran out of time (its `timeout-minutes`) during `{uses}` and was cancelled; the action's own work may still finish in the background"),
                true,
            );
            return Ok((Result::Cancelled, BTreeMap::new(), None));
        };
        path_prefix.extend(done.path.iter().map(|p| p.display().to_string()));
        env.extend(done.env);
        return Ok((done.outcome, done.outputs, done.post));
    }
    let script = interp(step.run.as_deref().unwrap_or(""))?;
    let dir = match step
        .working_directory
        .as_ref()
        .or(defaults.working_directory.as_ref())
    {
        Some(w) => workspace.join(interp(w)?),
        None => workspace.to_path_buf(),
    };
    let files = ["output", "env", "path", "summary"].map(|f| temp.join(format!("step{index}.{f}")));
    let script_file = temp.join(format!("step{index}.sh"));
    // The script and what the step writes for DevLoop may hold secrets in clear: readable by
    // this user alone, and gone when the step is (however it ends).
    let _scratch = files::Scratch(files.iter().chain([&script_file]).cloned().collect());
    for f in &files {
        files::private(f, "").map_err(|e| format!("cannot prepare {}: {e}", f.display()))?;
    }
    files::private(&script_file, &script)
        .map_err(|e| format!("cannot write the step script: {e}"))?;

    let mut step_env: BTreeMap<String, String> = env.clone();
    for (k, v) in &step.env {
        step_env.insert(k.clone(), interp(v)?);
    }
    let system_path = std::env::var("PATH").unwrap_or_default();
    let mut full: Vec<(String, String)> = vec![
        (
            "PATH".into(),
            path_prefix
                .iter()
                .rev()
                .cloned()
                .chain([system_path])
                .collect::<Vec<_>>()
                .join(":"),
        ),
        ("LANG".into(), "C.UTF-8".into()),
        ("CI".into(), "true".into()),
        ("GITHUB_ACTIONS".into(), "true".into()),
        ("GITHUB_WORKSPACE".into(), workspace.display().to_string()),
        ("GITHUB_JOB".into(), job_name.to_owned()),
        ("GITHUB_EVENT_NAME".into(), req.event.clone()),
        ("GITHUB_RUN_ID".into(), req.run_id.to_string()),
        ("GITHUB_RUN_NUMBER".into(), req.run_number.to_string()),
        ("GITHUB_OUTPUT".into(), files[0].display().to_string()),
        ("GITHUB_ENV".into(), files[1].display().to_string()),
        ("GITHUB_PATH".into(), files[2].display().to_string()),
        ("GITHUB_STEP_SUMMARY".into(), files[3].display().to_string()),
        ("RUNNER_OS".into(), "Linux".into()),
        ("RUNNER_TEMP".into(), temp.display().to_string()),
    ];
    // A clean environment, except what tools need to find themselves (cargo, rustup, docker).
    for var in PASSED_THROUGH {
        if let Ok(value) = std::env::var(var) {
            full.push(((*var).to_owned(), value));
        }
    }
    if let Some(github) = scope.contexts.get("github") {
        for (var, key) in [
            ("GITHUB_SHA", "sha"),
            ("GITHUB_REF", "ref"),
            ("GITHUB_REF_NAME", "ref_name"),
            ("GITHUB_REPOSITORY", "repository"),
            ("GITHUB_REPOSITORY_OWNER", "repository_owner"),
            ("GITHUB_ACTOR", "actor"),
            ("GITHUB_SERVER_URL", "server_url"),
            ("GITHUB_API_URL", "api_url"),
        ] {
            full.push((var.into(), expr::to_text(&github[key])));
        }
    }
    // Cargo's build cache belongs to the learner's shell, not to a run that must start clean.
    full.extend(
        step_env
            .into_iter()
            .filter(|(k, _)| k != "CARGO_TARGET_DIR"),
    );
    // None: no shell was named, which GitHub runs differently from `shell: bash`.
    let shell = step.shell.clone().or_else(|| defaults.shell.clone());
    let step_timeout = step
        .timeout_minutes
        .as_deref()
        .and_then(|t| interp(t).ok()?.parse::<f64>().ok())
        .and_then(|m| Duration::try_from_secs_f64(m * 60.0).ok());
    // The job's time left bounds every step's.
    let job_left = job_deadline.map(|d| d.saturating_duration_since(std::time::Instant::now()));
    let job_binds = job_left.is_some_and(|left| step_timeout.is_none_or(|s| left < s));
    let timeout = if job_binds { job_left } else { step_timeout };

    // Step debug logging is on when the secret or variable ACTIONS_STEP_DEBUG is `true`.
    let debug = [&req.secrets, &req.vars]
        .iter()
        .any(|m| m.get("ACTIONS_STEP_DEBUG").is_some_and(|v| v == "true"));
    let commands = Arc::new(parking_lot::Mutex::new(commands::Commands::new(debug)));
    let sink2 = Arc::clone(sink);
    let job = job_name.to_owned();
    let read_commands = Arc::clone(&commands);
    let on_line = Arc::new(move |line: step::Line| {
        let shown = read_commands.lock().line(&line.text);
        if let Some((text, error)) = shown {
            sink2(RunEvent::Log {
                job: job.clone(),
                step: index,
                text,
                stderr: line.stderr || error,
                at_ms: line.at_ms,
            });
        }
    });
    let spawn = step::Spawn {
        shell: shell.as_deref(),
        script_file: &script_file,
        dir: &dir,
        env: &full,
        secrets,
        timeout,
    };
    let exit = match cx.containers.filter(|c| c.job.is_some()) {
        // In the job's container: its own PATH and home, not this machine's.
        Some(made) => {
            let inside: Vec<(String, String)> = full
                .iter()
                .filter(|(k, _)| k != "PATH" && !PASSED_THROUGH.contains(&k.as_str()))
                .cloned()
                .collect();
            made.exec(
                shell.as_deref(),
                &script_file,
                &dir,
                &inside,
                timeout,
                cancel,
                on_line,
            )
            .await?
        }
        None => step::run(spawn, cancel, on_line).await?,
    };
    let outcome = match exit {
        step::Exit::Code(0) => Result::Success,
        step::Exit::Cancelled => Result::Cancelled,
        step::Exit::TimedOut if job_binds => {
            log(
                sink,
                job_name,
                index,
                "the job ran out of time (its `timeout-minutes`) and was cancelled".into(),
                true,
            );
            Result::Cancelled
        }
        step::Exit::TimedOut => {
            log(
                sink,
                job_name,
                index,
                format!(
                    "the step ran out of time ({} min) and was stopped",
                    step.timeout_minutes.as_deref().unwrap_or("?")
                ),
                true,
            );
            Result::Failure
        }
        step::Exit::Code(code) => {
            log(
                sink,
                job_name,
                index,
                format!("the step exited with code {code}"),
                true,
            );
            Result::Failure
        }
        step::Exit::Signal => Result::Failure,
    };
    if outcome == Result::Failure {
        // Where it ran and what it had, for `devloop shell` to re-enter afterwards.
        super::reenter::keep(
            &req.run_dir,
            super::reenter::Reentry {
                job: job_name.to_owned(),
                step: index,
                title: step_title(step),
                dir: dir.clone(),
                env: full.clone(),
                left_out: Vec::new(),
                image: cx.containers.and_then(|c| c.job_image.clone()),
            },
            secrets,
        );
    }
    let read = |f: &Path| std::fs::read_to_string(f).unwrap_or_default();
    // Outputs set the deprecated way first; `$GITHUB_OUTPUT` wins where both set one.
    let mut outputs: BTreeMap<String, String> = std::mem::take(&mut commands.lock().outputs)
        .into_iter()
        .collect();
    outputs
        .extend(files::key_values(&read(&files[0])).map_err(|e| format!("$GITHUB_OUTPUT: {e}"))?);
    env.extend(files::key_values(&read(&files[1])).map_err(|e| format!("$GITHUB_ENV: {e}"))?);
    path_prefix.extend(files::paths(&read(&files[2])));
    // The summary is shown in the app: a secret printed into it is masked like the log.
    let summary = mask::LineMasker::new(secrets.iter().cloned()).mask_text(&read(&files[3]));
    if !summary.trim().is_empty() {
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(req.run_dir.join("summary.md"))
            .and_then(|mut f| std::io::Write::write_all(&mut f, summary.as_bytes()));
    }
    Ok((outcome, outputs, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An action that takes longer than any job here allows.
    struct Slow;

    impl actions::Action for Slow {
        fn name(&self) -> &'static str {
            "test/slow"
        }
        fn run(&self, _: &actions::Context) -> std::result::Result<actions::Done, String> {
            std::thread::sleep(Duration::from_secs(3));
            Ok(actions::Done::success())
        }
    }

    #[tokio::test]
    async fn a_native_action_is_bounded_by_the_jobs_timeout() {
        let sink: Sink = Arc::new(|_| {});
        let cx = actions::Context {
            repo: PathBuf::new(),
            sha: String::new(),
            workspace: PathBuf::new(),
            run_dir: PathBuf::new(),
            cache_dir: PathBuf::new(),
            with: BTreeMap::new(),
            uses: "test/slow".into(),
            search_path: String::new(),
            env: BTreeMap::new(),
            job: "j".into(),
            step: 1,
            sink,
            secrets: Arc::new(Vec::new()),
            paths: None,
            service: None,
            event: "push".into(),
            run_number: 1,
            continuous_deployment: false,
        };
        let started = std::time::Instant::now();
        let deadline = started + Duration::from_millis(200);
        let done = run_action(&Slow, cx.clone(), Some(deadline)).await.unwrap();
        assert!(done.is_none(), "the job's time ran out first");
        assert!(started.elapsed() < Duration::from_secs(2));
        // With no deadline it runs to its end.
        assert!(run_action(&Slow, cx, None).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_job_whose_task_crashed_fails_and_says_so() {
        let events = Arc::new(parking_lot::Mutex::new(Vec::new()));
        let seen = Arc::clone(&events);
        let sink: Sink = Arc::new(move |e| seen.lock().push(e));
        let crashed = tokio::spawn(async {
            if true {
                panic!("a bug");
            }
            ("build".to_owned(), (Result::Success, BTreeMap::new()))
        })
        .await;
        let (id, (result, _)) = settle(crashed, "build".into(), "build (linux)", &sink);
        assert_eq!((id.as_str(), result), ("build", Result::Failure));
        let events = events.lock();
        assert!(events.iter().any(|e| matches!(e,
            RunEvent::Log { job, text, .. } if job == "build (linux)" && text.contains("a bug; please report it"))));
        assert!(events.iter().any(|e| matches!(e,
            RunEvent::JobFinished { job, result: Result::Failure, .. } if job == "build (linux)")));
    }
}
