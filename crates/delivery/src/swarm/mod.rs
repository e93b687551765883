//! Docker Swarm as a deploy target: the node made and left (`cluster`), a release as a Swarm service (`service`), the service's tasks and where they answer (`tasks`), and the network that keeps them off every outside address (`network`).
//!
//! Swarm itself rolls out, health-checks, rolls back and replaces tasks; DevLoop asks for it
//! through the Engine API and says what Swarm did. The stable address stays DevLoop's proxy on
//! loopback: the routing mesh needs IPVS, and host-mode publishing binds every interface, so
//! the tasks publish nothing and the proxy reaches them on an internal bridge of their own.

mod cluster;
pub mod network;
pub mod service;
pub mod tasks;

pub use cluster::*;

pub use crate::instance::LABEL_SWARM;
