//! Plan and Refine: closing the loop.
//!
//! - `detail.rs` is one item in full: its commits, runs, releases and deploys;
//! - `drafts.rs` turns what went wrong (a failed run, a rolled-back deploy, a heal) into bug items;
//! - `dora.rs` computes the four DORA metrics as a pure function of the history;
//! - `history.rs` reads their inputs from the deploy, release, alert and operations history and git;
//! - `refine.rs` places the figures in the report's bands and charts them by week;
//! - `retro.rs` is a sprint's retrospective beside its figures, and what the next sprint
//!   starts from;
//! - `state.rs` is what each stage of the home loop shows.
//!
//! The backlog itself is in `store::plan`, and its links to commits in `backlog`.

pub mod detail;
pub mod dora;
pub mod drafts;
pub mod history;
pub mod refine;
pub mod retro;
pub mod state;
