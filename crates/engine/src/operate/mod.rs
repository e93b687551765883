//! Operate: keeping the running service healthy under load. `load.rs` is the load generator,
//! `scale.rs` sets the replica count, `heal.rs` replaces replicas that stop (and kills one on
//! purpose, for chaos), `autoscale.rs` decides the replica count from the traffic.

pub mod autoscale;
pub mod heal;
pub mod load;
pub mod scale;

use serde::Serialize;
use ts_rs::TS;

/// Everything the Operate page shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OperateStatus {
    pub service: crate::deploy::service::ServiceStatus,
    pub autoscaler: bool,
    pub policy: autoscale::Policy,
    /// Newest first.
    pub decisions: Vec<autoscale::DecisionAt>,
    /// The operations log, newest first.
    pub ops: Vec<crate::store::ops::OpsEvent>,
}
