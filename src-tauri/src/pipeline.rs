//! Pipeline commands: the workspace's workflows, runs streamed over a Channel in batches,
//! re-runs, cancel, and the history with each run's details and logs. Thin wrappers over
//! `devloop_engine::pipeline`; the CLI's `devloop run` starts runs the same way.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use devloop_engine::finding::Finding;
use devloop_engine::pipeline::batch::Batched;
use devloop_engine::pipeline::in_flight::InFlight;
use devloop_engine::pipeline::launch::{self, Prepared, Refusal};
use devloop_engine::pipeline::run::RunEvent;
use devloop_engine::pipeline::view::{self, RunDetail, RunUpdate, StepLog, WorkflowView};
use devloop_engine::store::runs::RunSummary;
use devloop_engine::{Code, Error};
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::blocking;
use crate::AppState;

/// How often a running pipeline's events cross to the page: often enough to look live, rarely
/// enough that a million log lines are a few hundred messages.
const BATCH_EVERY: Duration = Duration::from_millis(50);

/// The channel push-started runs report to, if the pipeline page subscribed.
#[derive(Clone, Default)]
pub struct Listener(Arc<Mutex<Option<Channel<RunUpdate>>>>);

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Listener")
    }
}

impl Listener {
    fn set(&self, channel: Channel<RunUpdate>) {
        *self.0.lock() = Some(channel);
    }

    fn send(&self, update: RunUpdate) {
        if let Some(channel) = self.0.lock().as_ref() {
            let _ = channel.send(update);
        }
    }
}

/// Executes a prepared run in the background, cancellable by its number while it lasts; its
/// events reach `deliver` in batches.
fn start(
    runs: &InFlight,
    prepared: Prepared,
    deliver: impl Fn(Vec<RunEvent>) + Send + Sync + 'static,
) {
    let runs = runs.clone();
    tauri::async_runtime::spawn(async move {
        let batched = Batched::new(BATCH_EVERY, deliver);
        runs.execute(prepared, move |e| batched.push(e.clone()))
            .await;
    });
}

/// Reads a run's events as they pass and calls `on_failed` once if the run fails, with the
/// first job that failed.
pub(crate) fn failure_watch(
    file: String,
    number: u64,
    on_failed: Option<crate::notify::RunFailedListener>,
) -> impl Fn(&[RunEvent]) + Send + Sync + 'static {
    use devloop_engine::pipeline::run::Result as Outcome;
    let first_failed: Mutex<Option<String>> = Mutex::new(None);
    move |events: &[RunEvent]| {
        let Some(on_failed) = &on_failed else { return };
        for e in events {
            match e {
                RunEvent::JobFinished {
                    job,
                    result: Outcome::Failure,
                    ..
                } => {
                    first_failed.lock().get_or_insert_with(|| job.clone());
                }
                RunEvent::RunFinished {
                    result: Outcome::Failure,
                    ..
                } => (on_failed.0)(&crate::notify::FailedRun {
                    file: file.clone(),
                    number,
                    job: first_failed.lock().clone(),
                }),
                _ => {}
            }
        }
    }
}

/// Watches the workspace for pushes, links the commits that name backlog items, and runs the
/// workflows they start, as GitHub would. Events go to the subscribed pipeline page, and every
/// run is in the history either way.
pub fn watch_pushes(state: &AppState) {
    let devloop = state.devloop.clone();
    let paths = devloop.paths().clone();
    let repo = workspace(state);
    let listener = state.listener.clone();
    let runs = devloop.runs().clone();
    let service = state.devloop.service().clone();
    let on_failed = state.on_push_failed.get().cloned();
    let watch = devloop_engine::pipeline::push::watch(repo.clone(), move |push| {
        // Commits that name backlog items are linked as they arrive, so an item shows its
        // commits before any of them is deployed.
        let (linked_repo, devloop) = (repo.clone(), devloop.clone());
        tokio::task::spawn_blocking(move || {
            let _ =
                devloop.store_now(|s| devloop_engine::backlog::links::scan(&linked_repo, s, 1000));
        });
        for prepared in launch::for_push(&paths, &repo, &push, Some(service.clone())) {
            let (number, file) = (prepared.number, prepared.shown.display().to_string());
            let listener = listener.clone();
            let failed = failure_watch(file.clone(), number, on_failed.clone());
            start(&runs, prepared, move |events| {
                failed(&events);
                listener.send(RunUpdate {
                    file: file.clone(),
                    number,
                    events,
                })
            });
        }
    });
    if let Ok(watch) = watch {
        *state.push_watch.lock() = Some(watch);
    }
}

/// The pipeline page listens here for runs it did not start (a push started them).
#[tauri::command]
pub fn pipeline_subscribe(state: State<'_, AppState>, on_update: Channel<RunUpdate>) {
    state.listener.set(on_update);
}

fn workspace(state: &AppState) -> std::path::PathBuf {
    state.devloop.workspace()
}

#[tauri::command]
pub async fn pipeline_workflows(state: State<'_, AppState>) -> Result<Vec<WorkflowView>, Error> {
    let ws = workspace(&state);
    blocking(move || Ok(view::views(&ws))).await
}

/// A refusal as the one error shape the UI knows, with the command that shows it in full.
fn refused(refusal: Refusal, file: &str) -> Error {
    match refusal {
        Refusal::Workflow(checked) => {
            let all: Vec<_> = checked.errors.iter().chain(&checked.unsupported).collect();
            let list: Vec<String> = all.iter().map(ToString::to_string).collect();
            Error::said(
                Code::InvalidInput,
                Finding::refusal("workflowRefused", &all),
                format!("the workflow was not started:\n{}", list.join("\n")),
            )
            .with_fix(format!("devloop workflow check {file}"))
        }
        Refusal::Other(e) => e,
    }
}

/// Starts a run of `file` (one of the workspace's workflows) with `inputs` and returns its
/// number at once; its events stream over `on_event` until it finishes.
#[tauri::command]
pub async fn pipeline_run(
    state: State<'_, AppState>,
    file: String,
    inputs: BTreeMap<String, String>,
    on_event: Channel<Vec<RunEvent>>,
) -> Result<u64, Error> {
    let ws = workspace(&state);
    // Only a workflow the workspace really has: the UI names it, never a path of its choice.
    let path = launch::workflows(&ws)
        .into_iter()
        .find(|p| {
            p.strip_prefix(&ws)
                .is_ok_and(|rel| rel.display().to_string() == file)
        })
        .ok_or_else(|| {
            Error::said(
                Code::InvalidInput,
                Finding::new("notAWorkflow").with("file", &file),
                format!("`{file}` is not a workflow of the workspace"),
            )
        })?;
    let paths = state.devloop.paths().clone();
    let opts = launch::Options {
        inputs: inputs.into_iter().collect(),
        service: Some(state.devloop.service().clone()),
        ..Default::default()
    };
    let prepared =
        blocking(move || launch::prepare(&paths, &ws, &path, &opts).map_err(|r| refused(r, &file)))
            .await?;
    let number = prepared.number;
    start(state.devloop.runs(), prepared, move |events| {
        let _ = on_event.send(events);
    });
    Ok(number)
}

/// Runs run `number` again (its workflow and inputs at its commit), or with `failed_only`
/// only its failed jobs, keeping the others' outputs; returns the new number.
#[tauri::command]
pub async fn pipeline_rerun(
    state: State<'_, AppState>,
    number: u64,
    failed_only: Option<bool>,
    on_event: Channel<Vec<RunEvent>>,
) -> Result<u64, Error> {
    let (paths, ws) = (state.devloop.paths().clone(), workspace(&state));
    let opts = launch::Options {
        service: Some(state.devloop.service().clone()),
        ..Default::default()
    };
    let prepared = blocking(move || {
        let prepared = if failed_only == Some(true) {
            launch::rerun_failed(&paths, &ws, number, &opts)
        } else {
            launch::rerun(&paths, &ws, number, &opts)
        };
        prepared.map_err(|r| refused(r, &format!("run #{number}")))
    })
    .await?;
    let new = prepared.number;
    start(state.devloop.runs(), prepared, move |events| {
        let _ = on_event.send(events);
    });
    Ok(new)
}

/// Opens a terminal with a shell where the failed step of `job` in run `number` ran, with the
/// environment it had: the terminal runs `devloop shell`, the same as its CLI twin.
#[tauri::command]
pub async fn pipeline_shell(
    state: State<'_, AppState>,
    number: u64,
    job: String,
) -> Result<(), Error> {
    let paths = state.devloop.paths().clone();
    blocking(move || {
        // Said here, in the app, rather than in a terminal that closes at once.
        devloop_engine::pipeline::reenter::find(&paths, number, Some(&job))?;
        crate::terminal::open(&["devloop", "shell", &number.to_string(), "--job", &job])
    })
    .await
}

/// Cancels a running run; its steps' process trees are killed.
#[tauri::command]
pub fn pipeline_cancel(state: State<'_, AppState>, number: u64) -> Result<(), Error> {
    match state.devloop.runs().cancel(number) {
        true => Ok(()),
        false => Err(Error::said(
            Code::InvalidInput,
            Finding::new("runNotRunning").with("number", number),
            format!("run #{number} is not running"),
        )),
    }
}

#[tauri::command]
pub async fn pipeline_runs(state: State<'_, AppState>) -> Result<Vec<RunSummary>, Error> {
    state
        .devloop
        .store(move |store| {
            // Runs whose process died (a crash, a kill) show as interrupted from the first look.
            let _ = store.mark_interrupted(devloop_engine::store::now());
            store.runs(200)
        })
        .await
}

/// One run of the history: jobs, steps, artifacts, inputs and the rendered step summary.
#[tauri::command]
pub async fn pipeline_detail(state: State<'_, AppState>, number: u64) -> Result<RunDetail, Error> {
    let paths = state.devloop.paths().clone();
    blocking(move || view::detail(&paths, number)).await
}

/// One job's logs of a run, as kept on disk.
#[tauri::command]
pub async fn pipeline_log(
    state: State<'_, AppState>,
    number: u64,
    job: String,
) -> Result<Vec<StepLog>, Error> {
    let paths = state.devloop.paths().clone();
    blocking(move || view::job_log(&paths, number, &job)).await
}
