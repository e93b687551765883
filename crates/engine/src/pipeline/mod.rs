//! Pipelines: GitHub Actions workflow files, read with positions, checked, and planned.
//!
//! `yaml.rs` turns text into a positioned tree with limits for hostile files; `workflow.rs`
//! reads that tree into a typed workflow, reporting every problem as file:line:col; `plan.rs`
//! orders jobs by `needs`; `compat.rs` lists what the local runner does not do, before a run.

pub mod yaml;
