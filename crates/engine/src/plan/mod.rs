//! Plan and Refine: closing the loop. `dora.rs` computes the four DORA metrics from the local
//! history; `mention.rs` finds the backlog items (`#N`) a commit message names.

pub mod dora;
pub mod mention;
