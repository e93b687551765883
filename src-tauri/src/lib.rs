//! DevLoop's Tauri shell: wires the engine's operations to commands for the main window.
//!
//! Nothing here decides anything; every command is a thin wrapper over `devloop_engine`,
//! which the `devloop` CLI calls the same way. [`run`] starts the app; [`builder`] is
//! separate so tests can drive the same wiring with Tauri's mock runtime.

mod commands;
mod webview;

use devloop_engine::settings::Paths;
use tauri::{Builder, Runtime};

/// What every command shares: where the settings and the workspace live.
#[derive(Debug)]
pub struct AppState {
    pub paths: Paths,
    /// When the process started, for the launch-to-first-paint benchmark.
    pub started: std::time::Instant,
}

/// The app's wiring, for any runtime (the real window or `tauri::test`'s mock).
pub fn builder<R: Runtime>(builder: Builder<R>, paths: Paths) -> Builder<R> {
    builder
        .manage(AppState {
            paths,
            started: std::time::Instant::now(),
        })
        .invoke_handler(tauri::generate_handler![
            commands::loop_model,
            commands::settings_get,
            commands::settings_set_locale,
            commands::doctor_report,
            commands::first_paint,
        ])
}

/// Starts DevLoop.
pub fn run() {
    builder(tauri::Builder::default(), Paths::from_env())
        .setup(|app| {
            webview::tune(app);
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("DevLoop could not start its window");
}

#[cfg(test)]
mod tests;
