//! A release as the history keeps it: made by the release mechanism, read by deploys, Plan and the checks.

use serde::Serialize;
use ts_rs::TS;

/// A release as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseRecord {
    pub app: String,
    pub version: String,
    pub sha: String,
    pub image_id: String,
    #[ts(type = "number")]
    pub image_bytes: u64,
    pub archive: String,
    pub notes: String,
    pub created_at: i64,
    /// The deploy history says this version is the one live now.
    #[serde(default)]
    pub live: bool,
}
