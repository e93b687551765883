//! Deploy: the service running on the local Docker engine behind a stable address.
//!
//! `proxy.rs` is the stable address (127.0.0.1:8080) and its traffic switch; replicas,
//! health checks and the deploy strategies build on it.

pub mod proxy;
