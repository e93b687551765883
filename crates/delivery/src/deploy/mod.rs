//! Deploy: releases put live on the local Docker engine behind a stable address.
//!
//! `proxy.rs` is the stable address (127.0.0.1:8080) and its traffic switch; `replica.rs`
//! starts and removes the labelled containers; `health.rs` decides when a new one may take
//! traffic; `rollout.rs` has the three strategies and the automatic rollback. The running
//! service that holds them together is `service`.

/// How many replicas a release may run: at least one, and no more than a laptop carries.
pub const REPLICAS: std::ops::RangeInclusive<u32> = 1..=8;

pub mod health;
pub mod proxy;
pub mod replica;
pub mod rollout;
