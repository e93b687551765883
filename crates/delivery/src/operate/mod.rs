//! Operate's decisions and tools, with no running service in them: `autoscale.rs` decides the
//! replica count from the traffic or the CPU, as a pure function of its samples and the time,
//! and `load.rs` is the load generator. The service applies them (`service::autoscale`).

pub mod autoscale;
pub mod load;
