//! DevLoop's engine: the DevOps loop, the learner's settings and the system checks, with no Tauri in it.
//!
//! The desktop app (`src-tauri`) and the `devloop` CLI are both thin callers of this crate,
//! so everything a learner can do in a window can also be done, and tested, headless.
//!
//! # Layout
//!
//! The engine is five crates whose dependencies point one way: `devloop-base` (primitives,
//! settings, records), `devloop-docker` and `devloop-store` (adapters), `devloop-delivery`
//! (release, deploy, operate, backlog, the running [`service`]) and this one. This crate
//! re-exports the others at the same paths, and adds the stages that watch and run:
//!
//! - [`monitor`]: metrics of the host, the containers and the endpoints, kept, charted and
//!   watched by alert rules.
//! - [`pipeline`]: GitHub Actions workflows read, planned and run on this machine, with their
//!   history.
//! - [`plan`]: Plan and Refine: the DORA metrics from the local history, retrospectives, and
//!   bug items drafted from what went wrong.
//! - [`workshop`]: lesson packs, the learner's lessons, trust, and the workspace watcher.
//! - [`check`]: how a lesson step proves the learner did it.
//! - [`doctor`]: the system check behind the status bar and `devloop doctor`.
//! - [`context`]: one DevLoop as the CLI and the shell hold it: its paths, its one store,
//!   the running service and Monitor.
//!
//! Types that cross to the UI derive `ts_rs::TS`; `tests/bindings.rs` keeps
//! `ui/src/lib/bindings.ts` in step with them.

pub mod check;
pub mod context;
pub mod doctor;
pub mod monitor;
pub mod pipeline;
pub mod plan;
pub mod workshop;

#[cfg(test)]
mod test_repo;

// The lower crates, at the same paths as the engine's own modules: callers see one engine.
pub use devloop_base::{
    atomic, blocking, diagnostic, error, finding, glob, http, instance, markdown, process, record,
    settings, stage, stats, text, tools, words, workspace, Code, Error, Result,
};
pub use devloop_delivery::{backlog, deploy, operate, release, service, swarm};
pub use devloop_docker as docker;
pub use devloop_store as store;
