//! Operate: keeping the running service healthy under load. `load.rs` is the load generator;
//! scaling, the autoscaler and self-healing build on it.

pub mod load;
