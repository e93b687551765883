//! The operations log: everything that changed what runs (deploys, rollbacks, scaling,
//! healing, chaos, load runs), in the words a learner reads (English and Korean), newest first.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::finding::Finding;

use super::Store;
use crate::{Error, Result};

/// What an entry of the operations log is about.
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
)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "OpsKind")]
#[strum(serialize_all = "camelCase")]
pub enum OpKind {
    Deploy,
    Rollback,
    /// A person changed the replica count.
    Scale,
    /// The autoscaler changed it.
    Autoscale,
    Heal,
    Chaos,
    Load,
    /// A deploy moved backlog items to Done.
    Plan,
}

impl OpKind {
    /// The word stored in the database and sent to the UI.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(word: &str) -> Option<OpKind> {
        word.parse().ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OpsEvent {
    #[ts(type = "number")]
    pub at_ms: i64,
    pub app: String,
    pub kind: OpKind,
    pub message: String,
    /// The same in Korean; empty in entries older than DevLoop's Korean log.
    pub message_ko: String,
    /// How long it took: a heal's recovery, a load run's duration.
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub millis: Option<i64>,
    /// How the replica count changed (scale, autoscale): +1 is one more.
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<i64>,
    /// Why, as a code the UI's catalogs say after `message_ko` (a reason with no Korean
    /// phrase in the engine).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Finding>,
}

impl Store {
    pub fn record_op(&self, e: &OpsEvent) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO ops_event (at, app, kind, message, message_ko, millis, change, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                (
                    e.at_ms,
                    &e.app,
                    e.kind.as_str(),
                    &e.message,
                    &e.message_ko,
                    e.millis,
                    e.change,
                    e.reason.as_ref().and_then(|r| serde_json::to_string(r).ok()),
                ),
            )
            .map(drop)
            .map_err(sql)
    }

    pub fn ops(&self, limit: u32) -> Result<Vec<OpsEvent>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT at, app, kind, message, message_ko, millis, change, reason FROM ops_event ORDER BY id DESC LIMIT ?1",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([limit], |r| {
                // A kind this DevLoop does not know (a newer one wrote it) leaves the entry
                // out of the views; it stays in the database.
                let Some(kind) = OpKind::parse(&r.get::<_, String>(2)?) else {
                    return Ok(None);
                };
                Ok(Some(OpsEvent {
                    at_ms: r.get(0)?,
                    app: r.get(1)?,
                    kind,
                    message: r.get(3)?,
                    message_ko: r.get(4)?,
                    millis: r.get(5)?,
                    change: r.get(6)?,
                    // A reason this DevLoop cannot read (a newer one wrote it) is left out:
                    // the English message still says it.
                    reason: r
                        .get::<_, Option<String>>(7)?
                        .and_then(|j| serde_json::from_str(&j).ok()),
                }))
            })
            .map_err(sql)?;
        rows.filter_map(|r| r.transpose())
            .collect::<std::result::Result<_, _>>()
            .map_err(sql)
    }
}

fn sql(e: rusqlite::Error) -> Error {
    super::failed("the operations log", &e)
}
