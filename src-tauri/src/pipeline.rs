//! Pipeline commands: the workspace's workflows, a run streamed over a Channel, cancel, history.
//! Thin wrappers over `devloop_engine::pipeline`; the CLI's `devloop run` starts runs the same way.

use devloop_engine::pipeline::launch::{self, Refusal};
use devloop_engine::pipeline::run::RunEvent;
use devloop_engine::pipeline::view::{self, RunUpdate, WorkflowView};
use devloop_engine::store::runs::RunSummary;
use devloop_engine::store::Store;
use devloop_engine::{Code, Error};
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::blocking;
use crate::AppState;

/// The channel push-started runs report to, if the pipeline page subscribed.
#[derive(Clone, Default)]
pub struct Listener(std::sync::Arc<std::sync::Mutex<Option<Channel<RunUpdate>>>>);

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Listener")
    }
}

impl Listener {
    fn set(&self, channel: Channel<RunUpdate>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(channel);
    }

    fn send(&self, update: RunUpdate) {
        if let Some(channel) = self.0.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = channel.send(update);
        }
    }
}

/// Watches the workspace for pushes and runs the workflows they start, as GitHub would.
/// Events go to the subscribed pipeline page, and every run is in the history either way.
pub fn watch_pushes(state: &AppState) {
    let paths = state.paths.clone();
    let repo = workspace(state);
    let listener = state.listener.clone();
    let runs = std::sync::Arc::clone(&state.runs);
    let watch = devloop_engine::pipeline::push::watch(repo.clone(), move |push| {
        for prepared in launch::for_push(&paths, &repo, &push) {
            let (number, file) = (prepared.number, prepared.shown.display().to_string());
            let (tx, rx) = tokio::sync::watch::channel(false);
            runs.lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(number, tx);
            let (listener, runs) = (listener.clone(), std::sync::Arc::clone(&runs));
            tauri::async_runtime::spawn(async move {
                prepared
                    .execute(
                        move |e| {
                            listener.send(RunUpdate {
                                file: file.clone(),
                                number,
                                event: e.clone(),
                            })
                        },
                        rx,
                    )
                    .await;
                runs.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&number);
            });
        }
    });
    if let Ok(watch) = watch {
        *state.push_watch.lock().unwrap_or_else(|p| p.into_inner()) = Some(watch);
    }
}

/// The pipeline page listens here for runs it did not start (a push started them).
#[tauri::command]
pub fn pipeline_subscribe(state: State<'_, AppState>, on_update: Channel<RunUpdate>) {
    state.listener.set(on_update);
}

fn workspace(state: &AppState) -> std::path::PathBuf {
    state
        .paths
        .workspace(&state.paths.load().unwrap_or_default())
}

#[tauri::command]
pub async fn pipeline_workflows(state: State<'_, AppState>) -> Result<Vec<WorkflowView>, Error> {
    let ws = workspace(&state);
    blocking(move || Ok(view::views(&ws))).await
}

/// Starts a run of `file` (one of the workspace's workflows) and returns its number at once;
/// its events stream over `on_event` until it finishes.
#[tauri::command]
pub async fn pipeline_run(
    state: State<'_, AppState>,
    file: String,
    on_event: Channel<RunEvent>,
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
            Error::new(
                Code::InvalidInput,
                format!("`{file}` is not a workflow of the workspace"),
            )
        })?;
    let paths = state.paths.clone();
    let prepared = blocking(move || {
        launch::prepare(&paths, &ws, &path, &launch::Options::default()).map_err(|refusal| {
            match refusal {
                Refusal::Workflow(checked) => {
                    let list: Vec<String> = checked
                        .errors
                        .iter()
                        .chain(&checked.unsupported)
                        .map(ToString::to_string)
                        .collect();
                    Error::new(
                        Code::InvalidInput,
                        format!("the workflow was not started:\n{}", list.join("\n")),
                    )
                    .with_fix(format!("devloop workflow check {file}"))
                }
                Refusal::Other(e) => e,
            }
        })
    })
    .await?;
    let number = prepared.number;
    let (tx, rx) = tokio::sync::watch::channel(false);
    state
        .runs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(number, tx);
    let runs = std::sync::Arc::clone(&state.runs);
    tauri::async_runtime::spawn(async move {
        prepared
            .execute(
                move |e| {
                    let _ = on_event.send(e.clone());
                },
                rx,
            )
            .await;
        runs.lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&number);
    });
    Ok(number)
}

/// Cancels a running run; its steps' process trees are killed.
#[tauri::command]
pub fn pipeline_cancel(state: State<'_, AppState>, number: u64) -> Result<(), Error> {
    match state
        .runs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&number)
    {
        Some(tx) => {
            let _ = tx.send(true);
            Ok(())
        }
        None => Err(Error::new(
            Code::InvalidInput,
            format!("run #{number} is not running"),
        )),
    }
}

#[tauri::command]
pub async fn pipeline_runs(state: State<'_, AppState>) -> Result<Vec<RunSummary>, Error> {
    let file = state.paths.database_file();
    blocking(move || Store::open(&file)?.runs(50)).await
}
