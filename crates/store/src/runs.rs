//! Workflow run history: each run, its jobs and steps with their results and durations.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use super::Store;
use crate::record::run::{Result as RunResult, RunEvent, RunStatus};
use crate::{Error, Result};

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
    pub status: RunStatus,
    pub started_at: i64,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub millis: Option<i64>,
    /// The run this one re-ran, if it is a re-run.
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rerun_of: Option<u64>,
    /// Why it failed when no step says so (see [`RunEvent::RunFinished`]).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<crate::Error>,
}

/// What a re-run needs of the run it repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOrigin {
    pub workflow: String,
    pub trigger: String,
    pub sha: String,
    pub git_ref: String,
    pub inputs: std::collections::BTreeMap<String, String>,
    /// The workflow file as it ran (it may not have been committed).
    pub workflow_text: String,
}

/// One job of a recorded run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JobRecord {
    pub job: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<RunResult>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub millis: Option<i64>,
}

/// A job of a run by id, all its instances done: how it ended, and its outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettledJob {
    pub job: String,
    pub result: RunResult,
    pub outputs: BTreeMap<String, String>,
}

/// Files a run kept (`actions/upload-artifact`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRecord {
    pub job: String,
    pub name: String,
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub bytes: u64,
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
    pub outcome: Option<RunResult>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<RunResult>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub millis: Option<i64>,
}

/// What a new run is about.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub workflow: &'a str,
    pub trigger: &'a str,
    pub sha: &'a str,
    pub branch: &'a str,
    pub git_ref: &'a str,
    pub inputs: &'a std::collections::BTreeMap<String, String>,
    pub rerun_of: Option<u64>,
    pub workflow_text: &'a str,
}

impl Store {
    /// Records a run as started and returns its number.
    pub fn start_run(&self, run: &NewRun<'_>, now: i64) -> Result<u64> {
        self.conn
            .execute(
                "INSERT INTO run (workflow, trigger, sha, branch, status, started_at, git_ref, inputs, rerun_of, workflow_text, pid)
                 VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?7, ?8, ?9, ?10)",
                (
                    run.workflow,
                    run.trigger,
                    run.sha,
                    run.branch,
                    now,
                    run.git_ref,
                    serde_json::to_string(run.inputs).unwrap_or_else(|_| "{}".into()),
                    run.rerun_of.map(|n| n as i64),
                    run.workflow_text,
                    std::process::id(),
                ),
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
                (n, job, step, outcome.as_str(), conclusion.as_str(), *millis as i64),
            ),
            RunEvent::JobFinished { job, result, millis } => self.conn.execute(
                "INSERT INTO run_job (run, job, result, millis) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (run, job) DO UPDATE SET result = excluded.result, millis = excluded.millis",
                (n, job, result.as_str(), *millis as i64),
            ),
            RunEvent::RunFinished { result, millis, problem } => self.conn.execute(
                "UPDATE run SET status = ?2, finished_at = ?3, millis = ?4, problem = ?5 WHERE id = ?1",
                (n, result.as_str(), now, *millis as i64, problem.as_ref().and_then(|p| serde_json::to_string(p).ok())),
            ),
            RunEvent::Artifact { job, name, files, bytes } => self.conn.execute(
                "INSERT OR REPLACE INTO run_artifact (run, job, name, files, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
                (n, job, name, *files as i64, *bytes as i64),
            ),
            RunEvent::JobSettled { job, result, outputs } => self.conn.execute(
                "INSERT OR REPLACE INTO run_job_settled (run, job, result, outputs) VALUES (?1, ?2, ?3, ?4)",
                (n, job, result.as_str(), serde_json::to_string(outputs).unwrap_or_default()),
            ),
            RunEvent::Log { .. } => return Ok(()),
        };
        done.map(drop).map_err(sql)
    }

    /// Runs still marked running whose process is gone belong to a DevLoop that died: they
    /// are marked interrupted. Runs of a live process (the app running a push while the CLI
    /// starts another run) are left alone. Returns how many were marked.
    pub fn mark_interrupted(&self, now: i64) -> Result<usize> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, pid FROM run WHERE status = 'running'")
            .map_err(sql)?;
        let running: Vec<(i64, Option<u32>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql)?
            .collect::<std::result::Result<_, _>>()
            .map_err(sql)?;
        let mut marked = 0;
        for (id, pid) in running {
            if pid.is_some_and(alive) {
                continue;
            }
            marked += self
                .conn
                .execute(
                    "UPDATE run SET status = 'interrupted', finished_at = ?1 WHERE id = ?2",
                    (now, id),
                )
                .map_err(sql)?;
        }
        Ok(marked)
    }

    /// The newest `limit` runs, newest first.
    pub fn runs(&self, limit: u32) -> Result<Vec<RunSummary>> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SUMMARY} ORDER BY id DESC LIMIT ?1"))
            .map_err(sql)?;
        let rows = stmt.query_map([limit], summary).map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }

    /// Run `number`, if the history has it.
    pub fn run(&self, number: u64) -> Result<Option<RunSummary>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(
                &format!("{SUMMARY} WHERE id = ?1"),
                [number as i64],
                summary,
            )
            .optional()
            .map_err(sql)
    }

    /// The steps of a run, by job and in order.
    pub fn run_steps(&self, number: u64) -> Result<Vec<StepRecord>> {
        let mut stmt = self
            .conn
            .prepare("SELECT job, step, name, outcome, conclusion, millis FROM run_step WHERE run = ?1 ORDER BY job, step")
            .map_err(sql)?;
        let rows = stmt
            .query_map([number as i64], |r| {
                Ok(StepRecord {
                    job: r.get(0)?,
                    step: r.get(1)?,
                    name: r.get(2)?,
                    outcome: maybe_word(r, 3)?,
                    conclusion: maybe_word(r, 4)?,
                    millis: r.get(5)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }

    /// Each job of a run by id, with how it ended and its outputs (for "Re-run failed jobs").
    pub fn run_settled(&self, number: u64) -> Result<Vec<SettledJob>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT job, result, outputs FROM run_job_settled WHERE run = ?1 ORDER BY rowid",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([number as i64], |r| {
                let outputs: String = r.get(2)?;
                Ok(SettledJob {
                    job: r.get(0)?,
                    result: super::word(r, 1, "a job result")?,
                    outputs: serde_json::from_str(&outputs).unwrap_or_default(),
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }

    /// The jobs of a run, in the order they started.
    pub fn run_jobs(&self, number: u64) -> Result<Vec<JobRecord>> {
        let mut stmt = self
            .conn
            .prepare("SELECT job, result, millis FROM run_job WHERE run = ?1 ORDER BY rowid")
            .map_err(sql)?;
        let rows = stmt
            .query_map([number as i64], |r| {
                Ok(JobRecord {
                    job: r.get(0)?,
                    result: maybe_word(r, 1)?,
                    millis: r.get(2)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }

    /// The artifacts a run kept.
    pub fn run_artifacts(&self, number: u64) -> Result<Vec<ArtifactRecord>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT job, name, files, bytes FROM run_artifact WHERE run = ?1 ORDER BY name",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([number as i64], |r| {
                Ok(ArtifactRecord {
                    job: r.get(0)?,
                    name: r.get(1)?,
                    files: r.get::<_, i64>(2)? as u64,
                    bytes: r.get::<_, i64>(3)? as u64,
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }

    /// What run `number` was about, for a re-run; `None` when there is no such run.
    pub fn run_origin(&self, number: u64) -> Result<Option<RunOrigin>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(
                "SELECT workflow, trigger, sha, git_ref, inputs, workflow_text FROM run WHERE id = ?1",
                [number as i64],
                |r| {
                    Ok(RunOrigin {
                        workflow: r.get(0)?,
                        trigger: r.get(1)?,
                        sha: r.get(2)?,
                        git_ref: r.get(3)?,
                        inputs: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
                        workflow_text: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(sql)
    }
}

/// Whether process `pid` still runs. Where there is no /proc to ask, every run is assumed
/// alive: a run wrongly shown as running is better than a live one shown as interrupted.
fn alive(pid: u32) -> bool {
    let proc = std::path::Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// The columns a [`RunSummary`] is read from, in [`summary`]'s order.
const SUMMARY: &str =
    "SELECT id, workflow, trigger, sha, branch, status, started_at, millis, rerun_of, problem FROM run";

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunSummary> {
    Ok(RunSummary {
        number: r.get::<_, i64>(0)? as u64,
        workflow: r.get(1)?,
        trigger: r.get(2)?,
        sha: r.get(3)?,
        branch: r.get(4)?,
        status: super::word(r, 5, "a run status")?,
        started_at: r.get(6)?,
        millis: r.get(7)?,
        rerun_of: r.get::<_, Option<i64>>(8)?.map(|n| n as u64),
        problem: r
            .get::<_, Option<String>>(9)?
            .and_then(|p| serde_json::from_str(&p).ok()),
    })
}

fn sql(e: rusqlite::Error) -> Error {
    super::failed("the run history", &e)
}

/// A result column that is empty until the step or job ends.
fn maybe_word(r: &rusqlite::Row, i: usize) -> rusqlite::Result<Option<RunResult>> {
    r.get::<_, Option<String>>(i)?
        .map(|w| super::parsed(&w, i, "a result"))
        .transpose()
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
                    git_ref: "refs/heads/main",
                    inputs: &Default::default(),
                    rerun_of: None,
                    workflow_text: "",
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
                problem: None,
            },
        ] {
            s.record_event(n, &e, 20).unwrap();
        }
        let runs = s.runs(10).unwrap();
        assert_eq!(runs[0].status, RunStatus::Success);
        assert_eq!(runs[0].millis, Some(7));
        assert_eq!(
            s.run_steps(n).unwrap(),
            vec![StepRecord {
                job: "build".into(),
                step: 1,
                name: "Run cargo build".into(),
                outcome: Some(RunResult::Failure),
                conclusion: Some(RunResult::Success),
                millis: Some(5),
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
                    git_ref: "refs/heads/main",
                    inputs: &Default::default(),
                    rerun_of: None,
                    workflow_text: "",
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
                    git_ref: "refs/heads/main",
                    inputs: &Default::default(),
                    rerun_of: None,
                    workflow_text: "",
                },
                2,
            )
            .unwrap();
        s.record_event(
            b,
            &RunEvent::RunFinished {
                result: RunResult::Failure,
                millis: 1,
                problem: None,
            },
            3,
        )
        .unwrap();
        assert_eq!(
            s.mark_interrupted(4).unwrap(),
            0,
            "this process is alive: its run is not interrupted"
        );
        // The process that started `a` died (a pid no system hands out).
        s.conn
            .execute("UPDATE run SET pid = 2147483646 WHERE id = ?1", [a as i64])
            .unwrap();
        assert_eq!(s.mark_interrupted(4).unwrap(), 1);
        let runs = s.runs(10).unwrap();
        assert_eq!(
            runs.iter().find(|r| r.number == a).unwrap().status,
            RunStatus::Interrupted
        );
        assert_eq!(
            runs.iter().find(|r| r.number == b).unwrap().status,
            RunStatus::Failure
        );
        assert!(b > a, "numbers grow");
    }
}
