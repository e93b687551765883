//! Desktop notifications: every deploy, rollback, scale and heal of the running service is
//! announced, so a learner on another page (or another window) sees production change. Sent
//! from Rust through the notification plugin; the window itself is granted nothing for it.

use std::sync::Arc;

use devloop_engine::deploy::service::Service;
use devloop_engine::store::ops::OpsEvent;
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

/// The notification's title for an operation, or `None` for ones not worth interrupting for.
pub fn title(e: &OpsEvent) -> Option<&'static str> {
    match e.kind.as_str() {
        "deploy" => Some("DevLoop: deployed"),
        "rollback" => Some("DevLoop: rolled back"),
        "scale" => Some("DevLoop: scaled"),
        "heal" => Some("DevLoop: healed"),
        // The learner pressed the button: the heal that follows is the news.
        _ => None,
    }
}

/// Announces `service`'s operations from now on.
pub fn attach<R: Runtime>(app: &AppHandle<R>, service: &Service) {
    let app = app.clone();
    service.listen(Arc::new(move |e: &OpsEvent| {
        if let Some(title) = title(e) {
            // No notification daemon (a bare Xvfb, CI) is not an error worth more than this.
            let _ = app
                .notification()
                .builder()
                .title(title)
                .body(&e.message)
                .show();
        }
    }));
}
