//! What a workflow run did, as its events: the run history keeps them and the Pipeline page streams them.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

/// What happened to a step, a job or a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "RunResult")]
pub enum Result {
    Success,
    Failure,
    Cancelled,
    Skipped,
}

impl Result {
    pub fn as_str(self) -> &'static str {
        match self {
            Result::Success => "success",
            Result::Failure => "failure",
            Result::Cancelled => "cancelled",
            Result::Skipped => "skipped",
        }
    }
}

/// Everything a run reports, in order, as it happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RunEvent {
    #[serde(rename_all = "camelCase")]
    JobStarted { job: String },
    #[serde(rename_all = "camelCase")]
    StepStarted {
        job: String,
        step: u32,
        name: String,
    },
    #[serde(rename_all = "camelCase")]
    Log {
        job: String,
        step: u32,
        text: String,
        stderr: bool,
        at_ms: u64,
    },
    #[serde(rename_all = "camelCase")]
    StepFinished {
        job: String,
        step: u32,
        outcome: Result,
        conclusion: Result,
        millis: u64,
    },
    #[serde(rename_all = "camelCase")]
    JobFinished {
        job: String,
        result: Result,
        millis: u64,
    },
    /// A job (all its matrix instances) is done: its result and outputs, by id, kept with the
    /// run so "Re-run failed jobs" can keep the jobs that succeeded.
    #[serde(rename_all = "camelCase")]
    JobSettled {
        job: String,
        result: Result,
        outputs: BTreeMap<String, String>,
    },
    /// A job kept files with the run (`actions/upload-artifact`).
    #[serde(rename_all = "camelCase")]
    Artifact {
        job: String,
        name: String,
        #[ts(type = "number")]
        files: u64,
        #[ts(type = "number")]
        bytes: u64,
    },
    /// The run ended. `problem` says why it failed when no step does: the disk that holds its
    /// logs and history filled up, so what it did is not all kept.
    #[serde(rename_all = "camelCase")]
    RunFinished {
        result: Result,
        millis: u64,
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        problem: Option<crate::Error>,
    },
}
