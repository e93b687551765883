//! WebKit settings that keep DevLoop light: its pages are static SVG and text, not video or 3D.

use tauri::{App, Manager};

/// Turns off accelerated compositing and picks the smallest cache model for the main window.
///
/// Measured with `make bench-footprint` under Xvfb: compositing alone costs the web process
/// about 90 MiB of PSS (software GL backing stores for every layer), and DevLoop draws
/// nothing that benefits from it. The document-viewer cache model drops the page and
/// resource caches a browser keeps for back/forward navigation, which a one-page app never uses.
pub fn tune(app: &App) {
    #[cfg(target_os = "linux")]
    if let Some(window) = app.get_webview_window("main") {
        let result = window.with_webview(|platform| {
            use webkit2gtk::{
                CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
            };
            let view = platform.inner();
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
        if let Err(e) = result {
            eprintln!("devloop: could not tune WebKit, running with its defaults: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}
