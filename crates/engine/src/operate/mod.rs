//! Operate: keeping the running service healthy under load. `load.rs` is the load generator,
//! `scale.rs` sets the replica count, `heal.rs` replaces replicas that stop (and kills one on
//! purpose, for chaos), `autoscale.rs` decides the replica count from the traffic.

pub mod autoscale;
pub mod heal;
pub mod load;
pub mod scale;
