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
    /// What happened, as a code and its facts, which the UI's catalogs word; none in entries
    /// older than that.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<Finding>,
    /// What happened in English, as the CLI prints it.
    pub message: String,
    /// Older entries' Korean, written before `what`; new entries leave it empty.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_ko: Option<String>,
    /// How long it took: a heal's recovery, a load run's duration.
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub millis: Option<i64>,
    /// How the replica count changed (scale, autoscale): +1 is one more.
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<i64>,
    /// Older entries' reason, said after `message_ko`; new entries carry it in `what`.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Finding>,
}

impl Store {
    pub fn record_op(&self, e: &OpsEvent) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO ops_event (at, app, kind, message, message_ko, millis, change, reason, what) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                (
                    e.at_ms,
                    &e.app,
                    e.kind.as_str(),
                    &e.message,
                    e.message_ko.as_deref().unwrap_or_default(),
                    e.millis,
                    e.change,
                    e.reason.as_ref().and_then(|r| serde_json::to_string(r).ok()),
                    e.what.as_ref().and_then(|w| serde_json::to_string(w).ok()),
                ),
            )
            .map(drop)
            .map_err(sql)
    }

    pub fn ops(&self, limit: u32) -> Result<Vec<OpsEvent>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT at, app, kind, message, message_ko, millis, change, reason, what FROM ops_event ORDER BY id DESC LIMIT ?1",
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
                    message_ko: Some(r.get::<_, String>(4)?).filter(|k| !k.is_empty()),
                    millis: r.get(5)?,
                    change: r.get(6)?,
                    // A reason this DevLoop cannot read (a newer one wrote it) is left out:
                    // the English message still says it.
                    reason: r
                        .get::<_, Option<String>>(7)?
                        .and_then(|j| serde_json::from_str(&j).ok()),
                    // The same for what happened: the English message says it.
                    what: r
                        .get::<_, Option<String>>(8)?
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_an_operation_did_is_kept_as_its_code_and_facts_in_no_language() {
        let s = Store::in_memory().unwrap();
        let what = Finding::new("opScaled")
            .with("app", "svc")
            .with("from", 1)
            .with("to", 3)
            .because(Some(Finding::new("scaledFromTerminal")));
        s.record_op(&OpsEvent {
            at_ms: 1,
            app: "svc".into(),
            kind: OpKind::Scale,
            what: Some(what.clone()),
            message: "svc: 1 → 3 replicas (by hand, from a terminal)".into(),
            message_ko: None,
            millis: None,
            change: Some(2),
            reason: None,
        })
        .unwrap();
        let back = s.ops(10).unwrap();
        assert_eq!(back[0].what.as_ref(), Some(&what));
        // On the wire: the code and facts, and no Korean sentence.
        let wire = serde_json::to_value(&back[0]).unwrap();
        assert_eq!(wire["what"]["code"], "opScaled");
        assert!(wire.get("messageKo").is_none(), "{wire}");
    }

    #[test]
    fn an_entry_written_before_what_still_reads_with_its_two_sentences() {
        let s = Store::in_memory().unwrap();
        s.conn
            .execute(
                "INSERT INTO ops_event (at, app, kind, message, message_ko) VALUES (1, 'svc', 'heal', 'healed', '치유됨')",
                [],
            )
            .unwrap();
        let back = s.ops(10).unwrap();
        assert_eq!(
            (back[0].what.as_ref(), back[0].message_ko.as_deref()),
            (None, Some("치유됨"))
        );
    }
}
