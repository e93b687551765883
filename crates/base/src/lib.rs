//! DevLoop's primitives and shared records, at the bottom of the engine's crates: nothing here names a stage of the loop.
//!
//! # Layout
//!
//! - Primitives: [`atomic`] (files replaced whole), [`finding`] (what a check found or why an action was refused, as a code and
//!   its facts), [`error`] (the one error that reaches the UI and the CLI), [`diagnostic`] (a
//!   problem in a file someone wrote, at file:line:col), [`words`] (the two languages),
//!   [`text`], [`glob`], [`http`] (one GET for checks, health checks and Monitor),
//!   [`markdown`] (lesson text to safe HTML), [`process`], [`instance`] (this DevLoop's
//!   identity on the daemon), [`tools`], [`stage`] (the loop and the three practices), [`stats`] (the one percentile).
//! - Settings and records: [`settings`] (paths and `settings.json`), [`workspace`] (the
//!   learner's repository), [`record`] (what the histories keep and several domains read).

pub mod atomic;
pub mod diagnostic;
pub mod error;
pub mod finding;
pub mod glob;
pub mod http;
pub mod instance;
pub mod markdown;
pub mod process;
pub mod record;
pub mod settings;
pub mod stage;
pub mod stats;
pub mod text;
pub mod tools;
pub mod words;
pub mod workspace;

pub use error::{Code, Error};

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Runs blocking work (git2, SQLite, files) on tokio's blocking pool, off the async threads;
/// a task that panicked comes back as an internal error rather than taking the caller down.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::internal(format!("a background task failed: {e}")))?
}
