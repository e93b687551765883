//! Operate: keeping the running service healthy under load. `load.rs` is the load generator,
//! `scale.rs` sets the replica count, `heal.rs` replaces replicas that stop (and kills one on
//! purpose, for chaos), `autoscale.rs` decides the replica count from the traffic or the CPU,
//! and `keeper.rs` is the loop that heals and autoscales every second.

pub mod autoscale;
pub mod heal;
pub mod keeper;
pub mod load;
pub mod scale;

use serde::Serialize;
use ts_rs::TS;

/// Everything the Operate page shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OperateStatus {
    pub service: crate::deploy::service::ServiceStatus,
    pub autoscaler: autoscale::AutoscalerView,
    /// The operations log, newest first.
    pub ops: Vec<crate::store::ops::OpsEvent>,
}
