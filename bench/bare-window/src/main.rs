//! A bare Tauri window (same Tauri build, same window size, an empty page) for `make bench-footprint`.

use std::time::Instant;

/// Printed in the same form as DevLoop's, so the harness reads both the same way.
#[tauri::command]
fn first_paint(started: tauri::State<'_, Instant>) {
    println!(
        "devloop-first-paint-ms {}",
        started.elapsed().as_secs_f64() * 1000.0
    );
}

fn main() {
    tauri::Builder::default()
        .manage(Instant::now())
        .invoke_handler(tauri::generate_handler![first_paint])
        .run(tauri::generate_context!())
        .expect("bare window failed to start");
}
