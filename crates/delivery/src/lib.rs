//! DevLoop's path from a commit to a running service: the release made, the deploy strategies, the running service that scales, heals and autoscales, and the backlog items a deploy closes.
//!
//! # Layout
//!
//! - Mechanisms: [`release`] (versions from commits, images, archives, tags), [`deploy`]
//!   (the proxy, replicas, health checks and the three strategies), [`operate`] (the
//!   autoscaler's pure decision and the load generator), [`backlog`] (commits linked to
//!   backlog items).
//! - [`service`]: the running service that holds them together: the slot a process hosts it
//!   in, the control socket, scaling, healing, autoscaling and the loop that keeps it.

pub mod backlog;
pub mod deploy;
pub mod operate;
pub mod release;
pub mod service;
pub mod swarm;

// The lower crates' modules, at the paths every module of the engine names them by.
use devloop_base::{
    blocking, diagnostic, finding, http, instance, process, record, settings, stats, tools, Code,
    Error, Result,
};
use devloop_docker as docker;
use devloop_store as store;
