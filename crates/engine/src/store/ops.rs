//! The operations log: everything that changed what runs (deploys, rollbacks, scaling,
//! healing, chaos), in the words a learner reads, newest first.

use serde::Serialize;
use ts_rs::TS;

use super::Store;
use crate::{Code, Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OpsEvent {
    #[ts(type = "number")]
    pub at_ms: i64,
    pub app: String,
    /// deploy, rollback, scale, heal or chaos.
    pub kind: String,
    pub message: String,
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub millis: Option<i64>,
}

impl Store {
    pub fn record_op(&self, e: &OpsEvent) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO ops_event (at, app, kind, message, millis) VALUES (?1, ?2, ?3, ?4, ?5)",
                (e.at_ms, &e.app, &e.kind, &e.message, e.millis),
            )
            .map(drop)
            .map_err(sql)
    }

    pub fn ops(&self, limit: u32) -> Result<Vec<OpsEvent>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT at, app, kind, message, millis FROM ops_event ORDER BY id DESC LIMIT ?1",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(OpsEvent {
                    at_ms: r.get(0)?,
                    app: r.get(1)?,
                    kind: r.get(2)?,
                    message: r.get(3)?,
                    millis: r.get(4)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }
}

fn sql(e: rusqlite::Error) -> Error {
    Error::new(Code::Store, format!("the operations log failed: {e}"))
}
