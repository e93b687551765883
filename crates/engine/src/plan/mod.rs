//! Plan and Refine: closing the loop. `dora.rs` computes the four DORA metrics from the local
//! history; `mention.rs` finds the backlog items (`#N`) a commit message names; `links.rs` links
//! the workspace's commits to items and moves an item to Done once a commit closing it is deployed;
//! `history.rs` reads the DORA inputs from the deploy, release, alert and operations history and
//! git; `refine.rs` places the figures in the report's bands and charts them by week; the
//! backlog itself is in `store::plan`.

pub mod dora;
pub mod history;
pub mod links;
pub mod mention;
pub mod refine;
