//! Monitor: what the host, the containers and the service's endpoints do over time, kept,
//! drawn and watched by alerts. Collecting, keeping and drawing stay apart:
//!
//! - `metric.rs`: a series' key (`name{label=value}`) and the catalogue of metrics;
//! - `series.rs`: one metric over time: an hour at one-second resolution, a day of minutes;
//! - `chart.rs`: plotters charts, SVG for the live views and PNG for export;
//! - `host.rs`: the machine and DevLoop itself (sysinfo, on a thread of its own);
//! - `alert.rs`: alert rules and the pending/firing/resolved state machine.

pub mod alert;
pub mod chart;
pub mod host;
pub mod metric;
pub mod series;
