//! What a workflow run did, as its events: the run history keeps them and the Pipeline page streams them.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

/// What happened to a step, a job or a run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, strum::EnumString, strum::IntoStaticStr,
)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase")]
#[ts(rename = "RunResult")]
pub enum Result {
    Success,
    Failure,
    Cancelled,
    Skipped,
}

impl Result {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Where a run is in the history: going, ended with a [`Result`], or cut short when the
/// DevLoop running it stopped.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase")]
pub enum RunStatus {
    Running,
    Success,
    Failure,
    Cancelled,
    Skipped,
    Interrupted,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The run has ended, one way or another.
    pub fn ended(self) -> bool {
        self != RunStatus::Running
    }
}

impl From<Result> for RunStatus {
    fn from(r: Result) -> RunStatus {
        match r {
            Result::Success => RunStatus::Success,
            Result::Failure => RunStatus::Failure,
            Result::Cancelled => RunStatus::Cancelled,
            Result::Skipped => RunStatus::Skipped,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_result_is_kept_and_read_back_as_one_word() {
        for r in [
            Result::Success,
            Result::Failure,
            Result::Cancelled,
            Result::Skipped,
        ] {
            assert_eq!(r.as_str().parse::<Result>(), Ok(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
            // A run that ended says the same word as its result.
            assert_eq!(RunStatus::from(r).as_str(), r.as_str());
        }
        assert_eq!(
            "interrupted".parse::<RunStatus>(),
            Ok(RunStatus::Interrupted)
        );
        assert!("green".parse::<RunStatus>().is_err());
    }
}
