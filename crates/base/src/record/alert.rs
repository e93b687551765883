//! What an alert did and how bad it is, and a minute of a series: Monitor makes them, the history keeps them, Plan and the checks read them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

/// An alert that changed state, for the history, the notification and the page.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlertEvent {
    pub rule: String,
    /// The series it is about, e.g. `endpoint.errorRate{service=app}`.
    pub series: String,
    pub severity: Severity,
    pub state: AlertChange,
    #[ts(type = "number")]
    pub at: i64,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// When it began firing (for `resolved`, how long it fired is `at - fired_at`).
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fired_at: Option<i64>,
    pub description: String,
}

/// One minute of a series, summarised; `at` is the minute's first second (unix).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Minute {
    #[ts(type = "number")]
    pub at: i64,
    pub min: f64,
    pub max: f64,
    pub avg: f64,
}

/// What an alert did, as one event of its history records it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase")]
pub enum AlertChange {
    /// Over its threshold, not yet for long enough.
    Pending,
    Firing,
    Resolved,
    /// Ended without anyone seeing it end: Monitor stopped while it fired.
    Unwatched,
}

impl AlertChange {
    /// The word the database, the UI and lesson checks use.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(word: &str) -> Option<AlertChange> {
        word.parse().ok()
    }
}
