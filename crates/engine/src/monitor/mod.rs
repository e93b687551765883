//! Monitor: what the host, the containers and the service's endpoints do over time, kept,
//! drawn and watched by alerts. Collecting, keeping and drawing stay apart:
//!
//! - `metric.rs`: a series' key (`name{label=value}`) and the catalogue of metrics;
//! - `series.rs`: one metric over time: an hour at one-second resolution, a day of minutes;
//! - `chart.rs`: plotters charts, SVG for the live views and PNG for export;
//! - `host.rs`: the machine and DevLoop itself (sysinfo, on a thread of its own);
//! - `containers.rs`: the service's containers through Docker's stats streams;
//! - `scrape.rs`: the service's own `/metrics`, read from each replica and parsed;
//! - `alert.rs`: alert rules and the pending/firing/resolved state machine;
//! - `board.rs`: every series kept, by key, with the rules watching them and the markers;
//! - `rules.rs`: the rules a learner edited, in `alerts.json`;
//! - `collect.rs`: the collectors, once a second, writing to the board and the database;
//! - `view.rs`: the dashboard the page shows, and its PNG and CSV exports.

pub mod alert;
pub mod board;
pub mod chart;
pub mod collect;
pub mod containers;
pub mod host;
pub mod metric;
pub mod rules;
pub mod scrape;
pub mod series;
pub mod view;
