//! Release commands: what the next release would be, making it (its progress streamed over a
//! Channel), and the releases made. Thin wrappers over `devloop_engine::release`; the CLI's
//! `devloop release` does the same.

use devloop_engine::docker::Engine;
use devloop_engine::release::{self, ReleaseEvent, ReleasePlan, ReleaseRecord};
use devloop_engine::Error;
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::blocking;
use crate::AppState;

fn workspace(state: &AppState) -> std::path::PathBuf {
    state.devloop.workspace()
}

#[tauri::command]
pub async fn release_plan(state: State<'_, AppState>) -> Result<ReleasePlan, Error> {
    let ws = workspace(&state);
    blocking(move || release::plan(&ws)).await
}

/// Releases the workspace's HEAD as `version` (or the proposed one); progress goes over
/// `on_event`, the finished release is the answer.
#[tauri::command]
pub async fn release_create(
    state: State<'_, AppState>,
    version: Option<String>,
    on_event: Channel<ReleaseEvent>,
) -> Result<ReleaseRecord, Error> {
    let engine = Engine::connect_here().await?;
    let opts = release::Options {
        version,
        ..Default::default()
    };
    release::create(
        &engine,
        state.devloop.paths(),
        &workspace(&state),
        &opts,
        &|e| {
            let _ = on_event.send(e);
        },
    )
    .await
}

#[tauri::command]
pub async fn releases_list(state: State<'_, AppState>) -> Result<Vec<ReleaseRecord>, Error> {
    state.devloop.store(move |s| s.releases()).await
}
