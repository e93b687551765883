//! Deploy history: every deploy, how it ended, and why when it did not go live.

use serde::Serialize;
use ts_rs::TS;

use super::Store;
use crate::finding::Finding;
use crate::record::deploy::{DeployStatus, Strategy, Target};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeployRecord {
    #[ts(type = "number")]
    pub id: u64,
    pub app: String,
    pub version: String,
    pub strategy: Strategy,
    pub replicas: u32,
    pub status: DeployStatus,
    pub reason: String,
    /// `reason` as a code and its facts, for the UI's catalogs; none for deploys recorded
    /// before DevLoop kept it.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Finding>,
    pub logs: String,
    pub started_at: i64,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<i64>,
    /// Where it went.
    pub target: Target,
}

impl Store {
    pub fn start_deploy(
        &self,
        app: &str,
        version: &str,
        strategy: Strategy,
        replicas: u32,
        now: i64,
    ) -> Result<u64> {
        self.start_deploy_to(app, version, strategy, replicas, Target::Local, now)
    }

    /// A deploy to `target` begins.
    pub fn start_deploy_to(
        &self,
        app: &str,
        version: &str,
        strategy: Strategy,
        replicas: u32,
        target: Target,
        now: i64,
    ) -> Result<u64> {
        self.conn
            .execute(
                "INSERT INTO deploy (app, version, strategy, replicas, status, started_at, target) VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6)",
                (app, version, strategy.id(), replicas, now, target.id()),
            )
            .map_err(sql)?;
        Ok(self.conn.last_insert_rowid() as u64)
    }

    pub fn finish_deploy(
        &self,
        id: u64,
        status: DeployStatus,
        reason: &str,
        logs: &str,
        now: i64,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE deploy SET status = ?2, reason = ?3, logs = ?4, finished_at = ?5 WHERE id = ?1",
                (id as i64, status.as_str(), reason, logs, now),
            )
            .map(drop)
            .map_err(sql)
    }

    /// Records `reason` of deploy `id` as a code and its facts too.
    pub fn explain_deploy(&self, id: u64, detail: &Finding) -> Result<()> {
        self.conn
            .execute(
                "UPDATE deploy SET detail = ?2 WHERE id = ?1",
                (id as i64, json(detail)),
            )
            .map(drop)
            .map_err(sql)
    }

    /// A release a green run offers for deploy, waiting for a person's click (Continuous
    /// Delivery). It shows in the history as `waiting` until that version goes live.
    pub fn offer_candidate(
        &self,
        app: &str,
        version: &str,
        strategy: Strategy,
        replicas: u32,
        (reason, detail): (&str, &Finding),
        now: i64,
    ) -> Result<u64> {
        self.conn
            .execute(
                "INSERT INTO deploy (app, version, strategy, replicas, status, reason, detail, started_at) VALUES (?1, ?2, ?3, ?4, 'waiting', ?5, ?6, ?7)",
                (app, version, strategy.id(), replicas, reason, json(detail), now),
            )
            .map_err(sql)?;
        Ok(self.conn.last_insert_rowid() as u64)
    }

    /// The waiting candidates of `app` for `version` were deployed.
    pub fn approve_candidates(&self, app: &str, version: &str, now: i64) -> Result<()> {
        self.conn
            .execute(
                "UPDATE deploy SET status = 'approved', finished_at = ?3 WHERE app = ?1 AND version = ?2 AND status = 'waiting'",
                (app, version, now),
            )
            .map(drop)
            .map_err(sql)
    }

    /// Deploys left running by a DevLoop that died. Call once when the deploy service starts.
    pub fn mark_deploys_interrupted(&self, now: i64) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE deploy SET status = 'interrupted', reason = 'DevLoop stopped during this deploy', detail = ?2, finished_at = ?1 WHERE status = 'running'",
                (now, json(&Finding::new("deployInterrupted"))),
            )
            .map_err(sql)
    }

    /// The newest `limit` deploys, newest first.
    pub fn deploys(&self, limit: u32) -> Result<Vec<DeployRecord>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, app, version, strategy, replicas, status, reason, logs, started_at, finished_at, detail, target FROM deploy ORDER BY id DESC LIMIT ?1")
            .map_err(sql)?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(DeployRecord {
                    id: r.get::<_, i64>(0)? as u64,
                    app: r.get(1)?,
                    version: r.get(2)?,
                    strategy: super::word(r, 3, "a deploy strategy")?,
                    replicas: r.get(4)?,
                    status: super::word(r, 5, "a deploy status")?,
                    reason: r.get(6)?,
                    logs: r.get(7)?,
                    started_at: r.get(8)?,
                    finished_at: r.get(9)?,
                    detail: r
                        .get::<_, Option<String>>(10)?
                        .and_then(|t| serde_json::from_str(&t).ok()),
                    target: super::word(r, 11, "a deploy target")?,
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }
}

fn json(detail: &Finding) -> String {
    serde_json::to_string(detail).unwrap_or_default()
}

fn sql(e: rusqlite::Error) -> Error {
    super::failed("the deploy history", &e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deploy_is_recorded_and_one_cut_short_is_marked_interrupted() {
        let s = Store::in_memory().unwrap();
        let a = s
            .start_deploy("svc", "1.0.0", Strategy::BlueGreen, 2, 1)
            .unwrap();
        s.finish_deploy(a, DeployStatus::Live, "", "", 2).unwrap();
        let b = s
            .start_deploy("svc", "2.0.0", Strategy::Rolling, 2, 3)
            .unwrap();
        assert_eq!(s.mark_deploys_interrupted(4).unwrap(), 1);
        let all = s.deploys(10).unwrap();
        assert_eq!(all[0].id, b);
        assert_eq!(all[0].status, DeployStatus::Interrupted);
        assert_eq!(all[1].status, DeployStatus::Live);
        // Why, as a code for the UI as well as in English.
        assert_eq!(all[0].detail.as_ref().unwrap().code, "deployInterrupted");
        assert!(all[1].detail.is_none());
    }

    #[test]
    fn why_a_deploy_failed_or_waits_is_kept_as_a_code_and_its_facts() {
        let s = Store::in_memory().unwrap();
        let a = s
            .start_deploy("svc", "2.0.0", Strategy::Rolling, 1, 1)
            .unwrap();
        s.finish_deploy(a, DeployStatus::RolledBack, "svc 2.0.0 failed", "", 2)
            .unwrap();
        let found = Finding::new("healthCheckFailed")
            .with("version", "svc 2.0.0")
            .with("path", "/health")
            .because(Some(Finding::new("wrongStatus").with("got", 500)));
        s.explain_deploy(a, &found).unwrap();
        let waiting = Finding::new("deployWaiting").with("number", 3);
        s.offer_candidate(
            "svc",
            "2.0.1",
            Strategy::Rolling,
            1,
            ("run #3", &waiting),
            3,
        )
        .unwrap();
        let all = s.deploys(10).unwrap();
        assert_eq!(all[0].detail.as_ref(), Some(&waiting));
        assert_eq!(all[1].detail.as_ref(), Some(&found));
        assert_eq!(all[1].reason, "svc 2.0.0 failed");
    }
}
