//! The commands the main window may call. Each one only forwards to `devloop_engine`.

use devloop_engine::doctor::{self, Report};
use devloop_engine::settings::{self, Locale, Settings};
use devloop_engine::stage::LoopModel;
use devloop_engine::Error;
use tauri::State;

use crate::AppState;

/// The stages of the loop and the practices over them.
#[tauri::command]
pub fn loop_model() -> LoopModel {
    LoopModel::devops()
}

/// The settings in force. File I/O runs on the blocking pool, never on the UI's thread.
#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> Result<Settings, Error> {
    let paths = state.devloop.paths().clone();
    blocking(move || Ok(paths.resolve(settings::system_locale().as_deref()))).await
}

/// Stores the learner's language and returns the settings now in force.
#[tauri::command]
pub async fn settings_set_locale(
    state: State<'_, AppState>,
    locale: Locale,
) -> Result<Settings, Error> {
    let paths = state.devloop.paths().clone();
    blocking(move || {
        paths.set_locale(locale)?;
        Ok(paths.resolve(settings::system_locale().as_deref()))
    })
    .await
}

/// Moves the learner's workspace; the workshop re-opens there on its next use.
#[tauri::command]
pub async fn settings_set_workspace(
    state: State<'_, AppState>,
    path: String,
) -> Result<Settings, Error> {
    let paths = state.devloop.paths().clone();
    let settings = blocking(move || {
        paths.set_workspace(std::path::Path::new(path.trim()))?;
        Ok(paths.resolve(settings::system_locale().as_deref()))
    })
    .await?;
    *state.learner.lock().await = None;
    *state.watch.lock() = None;
    *state.push_watch.lock() = None;
    Ok(settings)
}

/// Runs the system check.
#[tauri::command]
pub async fn doctor_report(state: State<'_, AppState>) -> Result<Report, Error> {
    Ok(doctor::run(state.devloop.paths()).await)
}

/// Called by the UI once the loop screen has painted. Prints the launch-to-paint time when
/// `DEVLOOP_FOOTPRINT` is set, which is how `make bench-footprint` reads it.
#[tauri::command]
pub fn first_paint(state: State<'_, AppState>) {
    if std::env::var_os("DEVLOOP_FOOTPRINT").is_some() {
        println!(
            "devloop-first-paint-ms {}",
            state.started.elapsed().as_secs_f64() * 1000.0
        );
    }
}

/// Blocking engine work (files, SQLite, git) runs off the async threads, the engine's way.
pub(crate) use devloop_engine::blocking;
