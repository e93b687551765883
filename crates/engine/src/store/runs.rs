//! Workflow run history: each run, its jobs and steps with their results and durations.

use serde::Serialize;
use ts_rs::TS;

use super::Store;
use crate::pipeline::run::{Result as RunResult, RunEvent};
use crate::{Code, Error, Result};

/// One run in the history list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    #[ts(type = "number")]
    pub number: u64,
    pub workflow: String,
    pub trigger: String,
    pub sha: String,
    pub branch: String,
    /// running, success, failure, cancelled or interrupted.
    pub status: String,
    pub started_at: i64,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub millis: Option<i64>,
}

/// One step of a recorded run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepRecord {
    pub job: String,
    pub step: u32,
    pub name: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
}

/// What a new run is about.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub workflow: &'a str,
    pub trigger: &'a str,
    pub sha: &'a str,
    pub branch: &'a str,
}

fn label(r: RunResult) -> &'static str {
    match r {
        RunResult::Success => "success",
        RunResult::Failure => "failure",
        RunResult::Cancelled => "cancelled",
        RunResult::Skipped => "skipped",
    }
}

impl Store {
    /// Records a run as started and returns its number.
    pub fn start_run(&self, run: &NewRun<'_>, now: i64) -> Result<u64> {
        self.conn
            .execute(
                "INSERT INTO run (workflow, trigger, sha, branch, status, started_at) VALUES (?1, ?2, ?3, ?4, 'running', ?5)",
                (run.workflow, run.trigger, run.sha, run.branch, now),
            )
            .map_err(sql)?;
        Ok(self.conn.last_insert_rowid() as u64)
    }

    /// Applies one event of run `number` to the history.
    pub fn record_event(&self, number: u64, event: &RunEvent, now: i64) -> Result<()> {
        let n = number as i64;
        let done = match event {
            RunEvent::JobStarted { job } => self.conn.execute("INSERT OR IGNORE INTO run_job (run, job) VALUES (?1, ?2)", (n, job)),
            RunEvent::StepStarted { job, step, name } => self.conn.execute(
                "INSERT OR REPLACE INTO run_step (run, job, step, name) VALUES (?1, ?2, ?3, ?4)",
                (n, job, step, name),
            ),
            RunEvent::StepFinished { job, step, outcome, conclusion, millis } => self.conn.execute(
                "UPDATE run_step SET outcome = ?4, conclusion = ?5, millis = ?6 WHERE run = ?1 AND job = ?2 AND step = ?3",
                (n, job, step, label(*outcome), label(*conclusion), *millis as i64),
            ),
            RunEvent::JobFinished { job, result, millis } => self.conn.execute(
                "INSERT INTO run_job (run, job, result, millis) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (run, job) DO UPDATE SET result = excluded.result, millis = excluded.millis",
                (n, job, label(*result), *millis as i64),
            ),
            RunEvent::RunFinished { result, millis } => self.conn.execute(
                "UPDATE run SET status = ?2, finished_at = ?3, millis = ?4 WHERE id = ?1",
                (n, label(*result), now, *millis as i64),
            ),
            RunEvent::Log { .. } => return Ok(()),
        };
        done.map(drop).map_err(sql)
    }

    /// Runs still marked running belong to a DevLoop that died: they are marked interrupted.
    /// Call once at start, before any new run. Returns how many were.
    pub fn mark_interrupted(&self, now: i64) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE run SET status = 'interrupted', finished_at = ?1 WHERE status = 'running'",
                [now],
            )
            .map_err(sql)
    }

    /// The newest `limit` runs, newest first.
    pub fn runs(&self, limit: u32) -> Result<Vec<RunSummary>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, workflow, trigger, sha, branch, status, started_at, millis FROM run ORDER BY id DESC LIMIT ?1")
            .map_err(sql)?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(RunSummary {
                    number: r.get::<_, i64>(0)? as u64,
                    workflow: r.get(1)?,
                    trigger: r.get(2)?,
                    sha: r.get(3)?,
                    branch: r.get(4)?,
                    status: r.get(5)?,
                    started_at: r.get(6)?,
                    millis: r.get(7)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }

    /// The steps of a run, by job and in order.
    pub fn run_steps(&self, number: u64) -> Result<Vec<StepRecord>> {
        let mut stmt = self
            .conn
            .prepare("SELECT job, step, name, conclusion FROM run_step WHERE run = ?1 ORDER BY job, step")
            .map_err(sql)?;
        let rows = stmt
            .query_map([number as i64], |r| {
                Ok(StepRecord {
                    job: r.get(0)?,
                    step: r.get(1)?,
                    name: r.get(2)?,
                    conclusion: r.get(3)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }
}

fn sql(e: rusqlite::Error) -> Error {
    Error::new(Code::Store, format!("the run history failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_recorded_from_its_events() {
        let s = Store::in_memory().unwrap();
        let n = s
            .start_run(
                &NewRun {
                    workflow: "ci",
                    trigger: "push",
                    sha: "abc",
                    branch: "main",
                },
                10,
            )
            .unwrap();
        for e in [
            RunEvent::JobStarted {
                job: "build".into(),
            },
            RunEvent::StepStarted {
                job: "build".into(),
                step: 1,
                name: "Run cargo build".into(),
            },
            RunEvent::StepFinished {
                job: "build".into(),
                step: 1,
                outcome: RunResult::Failure,
                conclusion: RunResult::Success,
                millis: 5,
            },
            RunEvent::JobFinished {
                job: "build".into(),
                result: RunResult::Success,
                millis: 6,
            },
            RunEvent::RunFinished {
                result: RunResult::Success,
                millis: 7,
            },
        ] {
            s.record_event(n, &e, 20).unwrap();
        }
        let runs = s.runs(10).unwrap();
        assert_eq!(runs[0].status, "success");
        assert_eq!(runs[0].millis, Some(7));
        assert_eq!(
            s.run_steps(n).unwrap(),
            vec![StepRecord {
                job: "build".into(),
                step: 1,
                name: "Run cargo build".into(),
                conclusion: Some("success".into())
            }]
        );
    }

    #[test]
    fn runs_left_running_by_a_crash_are_marked_interrupted() {
        let s = Store::in_memory().unwrap();
        let a = s
            .start_run(
                &NewRun {
                    workflow: "ci",
                    trigger: "push",
                    sha: "a",
                    branch: "main",
                },
                1,
            )
            .unwrap();
        let b = s
            .start_run(
                &NewRun {
                    workflow: "ci",
                    trigger: "push",
                    sha: "b",
                    branch: "main",
                },
                2,
            )
            .unwrap();
        s.record_event(
            b,
            &RunEvent::RunFinished {
                result: RunResult::Failure,
                millis: 1,
            },
            3,
        )
        .unwrap();
        assert_eq!(s.mark_interrupted(4).unwrap(), 1);
        let runs = s.runs(10).unwrap();
        assert_eq!(
            runs.iter().find(|r| r.number == a).unwrap().status,
            "interrupted"
        );
        assert_eq!(
            runs.iter().find(|r| r.number == b).unwrap().status,
            "failure"
        );
        assert!(b > a, "numbers grow");
    }
}
