//! The signals that end a terminal command as Ctrl+C does: SIGTERM, SIGHUP and Ctrl+C.
//!
//! So a run cancels its steps and a server stops cleanly however it is asked to: `kill`, a
//! closed terminal, or Ctrl+C.

use tokio::signal::unix::{signal, SignalKind};

/// Completes when the process is asked to stop; which signal, for the message.
pub async fn stop_asked() -> &'static str {
    let (Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        // Without handlers, Ctrl+C alone.
        let _ = tokio::signal::ctrl_c().await;
        return "Ctrl+C";
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "Ctrl+C",
        _ = term.recv() => "SIGTERM",
        _ = hup.recv() => "SIGHUP",
    }
}
