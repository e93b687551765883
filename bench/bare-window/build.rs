//! Declares the one command so the capability can grant it, as DevLoop does.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["first_paint"])),
    )
    .expect("tauri-build failed");
}
