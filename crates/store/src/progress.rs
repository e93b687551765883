//! Learner progress: which steps passed (and when), quiz answers, and when a lesson was begun.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use super::Store;
use crate::finding::Outcome;
use crate::{Error, Result};

/// One step as the learner left it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepProgress {
    /// Unix seconds of the first pass. A step once passed stays passed, even if the learner
    /// later changes the workspace: progress is what they achieved, not the state of today.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed_at: Option<i64>,
    pub attempts: u32,
    /// For quizzes: the choices picked last.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chosen: Option<Vec<String>>,
}

/// A lesson's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LessonProgress {
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    pub steps: BTreeMap<String, StepProgress>,
}

impl Store {
    /// Notes that the learner opened `lesson` (the first time counts).
    pub fn visit(&self, pack: &str, lesson: &str, now: i64) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO lesson_visit (pack, lesson, started_at) VALUES (?1, ?2, ?3)",
                (pack, lesson, now),
            )
            .map(drop)
            .map_err(sql)
    }

    /// Records a check's outcome.
    pub fn record_check(
        &self,
        pack: &str,
        lesson: &str,
        step: &str,
        outcome: &Outcome,
        now: i64,
    ) -> Result<()> {
        let (passed, label) = match outcome {
            Outcome::Pass => (Some(now), "pass"),
            Outcome::Fail { .. } => (None, "fail"),
            Outcome::Error { .. } => (None, "error"),
        };
        self.conn
            .execute(
                "INSERT INTO step_progress (pack, lesson, step, passed_at, attempts, last_outcome)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5)
                 ON CONFLICT (pack, lesson, step) DO UPDATE SET
                   passed_at = COALESCE(step_progress.passed_at, excluded.passed_at),
                   attempts = step_progress.attempts + 1,
                   last_outcome = excluded.last_outcome",
                (pack, lesson, step, passed, label),
            )
            .map(drop)
            .map_err(sql)
    }

    /// Records a quiz answer; a correct one also passes the step.
    pub fn record_quiz(
        &self,
        pack: &str,
        lesson: &str,
        step: &str,
        chosen: &[String],
        correct: bool,
        now: i64,
    ) -> Result<()> {
        let json = serde_json::to_string(chosen).map_err(|e| Error::internal(e.to_string()))?;
        self.conn
            .execute(
                "INSERT INTO quiz_answer (pack, lesson, step, chosen, correct, answered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (pack, lesson, step) DO UPDATE SET chosen = excluded.chosen, correct = excluded.correct, answered_at = excluded.answered_at",
                (pack, lesson, step, json, correct, now),
            )
            .map_err(sql)?;
        let outcome = if correct {
            Outcome::Pass
        } else {
            Outcome::fail("wrong answer")
        };
        self.record_check(pack, lesson, step, &outcome, now)
    }

    /// Everything recorded for one lesson.
    pub fn lesson_progress(&self, pack: &str, lesson: &str) -> Result<LessonProgress> {
        let started_at = self
            .conn
            .query_row(
                "SELECT started_at FROM lesson_visit WHERE pack = ?1 AND lesson = ?2",
                (pack, lesson),
                |r| r.get(0),
            )
            .ok();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.step, s.passed_at, s.attempts, q.chosen FROM step_progress s
                 LEFT JOIN quiz_answer q ON q.pack = s.pack AND q.lesson = s.lesson AND q.step = s.step
                 WHERE s.pack = ?1 AND s.lesson = ?2",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map((pack, lesson), |r| {
                let chosen: Option<String> = r.get(3)?;
                Ok((
                    r.get::<_, String>(0)?,
                    StepProgress {
                        passed_at: r.get(1)?,
                        attempts: r.get(2)?,
                        chosen: chosen.and_then(|c| serde_json::from_str(&c).ok()),
                    },
                ))
            })
            .map_err(sql)?;
        let steps = rows.collect::<std::result::Result<_, _>>().map_err(sql)?;
        Ok(LessonProgress { started_at, steps })
    }

    /// Passed step counts per lesson of `pack`.
    pub fn passed_per_lesson(&self, pack: &str) -> Result<BTreeMap<String, u32>> {
        let mut stmt = self
            .conn
            .prepare("SELECT lesson, COUNT(*) FROM step_progress WHERE pack = ?1 AND passed_at IS NOT NULL GROUP BY lesson")
            .map_err(sql)?;
        let rows = stmt
            .query_map([pack], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }

    /// Forgets a lesson's progress, so it can be done again.
    pub fn reset_lesson(&self, pack: &str, lesson: &str) -> Result<()> {
        for table in ["step_progress", "quiz_answer", "lesson_visit"] {
            self.conn
                .execute(
                    &format!("DELETE FROM {table} WHERE pack = ?1 AND lesson = ?2"),
                    (pack, lesson),
                )
                .map_err(sql)?;
        }
        Ok(())
    }
}

fn sql(e: rusqlite::Error) -> Error {
    super::failed("the progress database", &e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_sticks_and_attempts_are_counted() {
        let s = Store::in_memory().unwrap();
        s.record_check("p", "code", "commit", &Outcome::fail("no"), 10)
            .unwrap();
        s.record_check("p", "code", "commit", &Outcome::Pass, 20)
            .unwrap();
        s.record_check("p", "code", "commit", &Outcome::fail("broken later"), 30)
            .unwrap();
        let step = &s.lesson_progress("p", "code").unwrap().steps["commit"];
        assert_eq!(step.passed_at, Some(20));
        assert_eq!(step.attempts, 3);
        assert_eq!(s.passed_per_lesson("p").unwrap()["code"], 1);
    }

    #[test]
    fn quiz_answers_are_kept_and_reset_forgets_the_lesson() {
        let s = Store::in_memory().unwrap();
        s.visit("p", "intro", 5).unwrap();
        s.visit("p", "intro", 9).unwrap();
        s.record_quiz("p", "intro", "q", &["b".into()], true, 6)
            .unwrap();
        let lesson = s.lesson_progress("p", "intro").unwrap();
        assert_eq!(lesson.started_at, Some(5), "the first visit counts");
        assert_eq!(
            lesson.steps["q"].chosen.as_deref(),
            Some(&["b".to_owned()][..])
        );
        s.reset_lesson("p", "intro").unwrap();
        assert_eq!(
            s.lesson_progress("p", "intro").unwrap(),
            LessonProgress::default()
        );
    }

    #[test]
    fn progress_survives_closing_and_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/devloop.sqlite");
        Store::open(&path)
            .unwrap()
            .record_check("p", "l", "s", &Outcome::Pass, 1)
            .unwrap();
        let again = Store::open(&path).unwrap();
        assert_eq!(
            again.lesson_progress("p", "l").unwrap().steps["s"].passed_at,
            Some(1)
        );
    }

    #[test]
    fn a_file_that_is_not_a_database_is_set_aside_whole_and_a_fresh_one_started() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devloop.sqlite");
        std::fs::write(&path, "this is my diary, not a database").unwrap();
        let store = Store::open(&path).unwrap();
        assert!(store.writable());
        let kept = crate::recovered(&path).expect("said where it went");
        assert_eq!(
            std::fs::read_to_string(&kept.moved_to).unwrap(),
            "this is my diary, not a database",
            "never overwritten"
        );
    }
}
