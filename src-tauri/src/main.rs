//! The `devloop-app` binary: starts the DevLoop window.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    devloop_app::run();
}
