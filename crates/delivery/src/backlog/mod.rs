//! The backlog's bond to git, below the running service that calls it when a release goes live.
//!
//! - `mention.rs` finds the backlog items (`#N`) a commit message names;
//! - `links.rs` links the workspace's commits to items, and moves an item to Done once a commit
//!   closing it is deployed.

pub mod links;
pub mod mention;
