//! DevLoop's engine: the DevOps loop, the learner's settings and the system checks, with no Tauri in it.
//!
//! The desktop app (`src-tauri`) and the `devloop` CLI are both thin callers of this crate,
//! so everything a learner can do in a window can also be done, and tested, headless.
//!
//! # Layout
//!
//! - [`stage`]: the eight stages of the DevOps loop and the three "continuous" practices
//!   (integration, delivery, deployment) with the stages each one covers.
//! - [`settings`]: where DevLoop keeps its settings and the learner's workspace, and the UI
//!   language (the OS locale until the learner picks one).
//! - [`docker`]: the Docker Engine adapter (bollard): finding the socket, connecting with
//!   a negotiated API version.
//! - [`pipeline`]: GitHub Actions workflows read, planned and run on this machine, with their
//!   history.
//! - [`release`]: versions from conventional commits, images built through the daemon,
//!   archives, annotated tags.
//! - [`monitor`]: metrics of the host, the containers and the endpoints, kept, charted and
//!   watched by alert rules.
//! - [`plan`]: Plan and Refine: the DORA metrics from the local history, and the backlog
//!   items commit messages name.
//! - [`doctor`]: the system check behind the status bar, the "System check" panel and
//!   `devloop doctor`; one file per check.
//! - [`tools`]: the tools the workshop runs and the command that installs each.
//! - [`words`]: what the engine says outside lessons, in English and Korean.
//! - [`finding`]: what a check found, or why an action was refused, as a code and its facts
//!   for the UI's catalogs.
//! - [`error`]: the one error type that crosses to the UI and the CLI, a [`Code`] to branch on
//!   plus a message a person can act on.
//!
//! Types that cross to the UI derive `ts_rs::TS`; `tests/bindings.rs` keeps
//! `ui/src/lib/bindings.ts` in step with them.

pub mod check;
pub mod doctor;
pub mod monitor;
pub mod pipeline;
pub mod plan;
pub mod workshop;

#[cfg(test)]
mod test_repo;

// The lower crates, at the same paths as the engine's own modules: callers see one engine.
pub use devloop_base::{
    blocking, diagnostic, error, finding, glob, http, instance, markdown, process, record,
    settings, stage, text, tools, words, workspace, Code, Error, Result,
};
pub use devloop_delivery::{backlog, deploy, operate, release, service};
pub use devloop_docker as docker;
pub use devloop_store as store;
