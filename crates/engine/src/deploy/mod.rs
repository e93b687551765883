//! Deploy: the service running on the local Docker engine behind a stable address.
//!
//! `proxy.rs` is the stable address (127.0.0.1:8080) and its traffic switch; `replica.rs`
//! starts and removes the labelled containers; `health.rs` decides when a new one may take
//! traffic; `rollout.rs` has the three strategies and the automatic rollback; `service.rs`
//! holds it all together while DevLoop runs, and reconciles with the daemon at start;
//! `host.rs` gives it to one process; `control.rs` is how other processes reach it.

pub mod control;
pub mod health;
pub mod host;
pub mod proxy;
pub mod replica;
pub mod rollout;
pub mod service;
