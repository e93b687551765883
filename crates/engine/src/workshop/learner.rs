//! A learner working through a pack: the lesson as the UI shows it, checks, quizzes, running
//! a lesson's commands, and progress kept in the store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use serde::Serialize;
use ts_rs::TS;

use super::pack::{Lesson, Pack, Step};
use super::trust::{self, Trust};
use crate::check::{command, quiz, Context, Outcome, Spec};
use crate::finding::Finding;
use crate::markdown::{self, CodeBlock, ASSET_SCHEME};
use crate::settings::Locale;
use crate::stage::Stage;
use crate::store::progress::{LessonProgress, StepProgress};
use crate::store::Store;
use crate::{blocking, Code, Error, Result};

/// How long a lesson command or a solve may run before it is stopped.
const RUN_TIMEOUT_MS: u64 = 300_000;
/// Output shown for a lesson command: the end of each stream.
const RUN_OUTPUT_TAIL: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkshopOverview {
    pub id: String,
    pub title: String,
    pub workspace: String,
    pub lessons: Vec<LessonSummary>,
    /// Whether the pack may run its commands, and which; none for a pack vouched for.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust: Option<Trust>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LessonSummary {
    pub id: String,
    pub title: String,
    pub summary: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    pub steps: u32,
    pub passed: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LessonView {
    pub id: String,
    pub title: String,
    pub summary: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Sanitised HTML of the lesson body.
    pub html: String,
    pub code_blocks: Vec<CodeBlock>,
    pub steps: Vec<StepView>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    /// The pack is not trusted yet: its command checks, Run buttons and solves are off.
    pub restricted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    pub id: String,
    pub title: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Set for quizzes.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quiz: Option<QuizView>,
    /// The command "solve" would run, shown to the learner before they confirm.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solve: Option<String>,
    /// The CLI command that runs this step's check.
    pub cli: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<StepProgress>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QuizView {
    pub question: String,
    pub choices: Vec<Choice>,
    /// More than one answer is correct ("choose all that apply").
    pub multiple: bool,
    /// Why the answer is what it is, in the lesson's language; only once the learner answered,
    /// so a language switch shows it again in the new language.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Choice {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub step: String,
    pub outcome: Outcome,
    pub progress: StepProgress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QuizResult {
    pub outcome: Outcome,
    /// Shown after any answer, right or wrong.
    pub explanation: String,
    pub progress: StepProgress,
}

/// A command run from a lesson (a Run button or a solve), as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandRun {
    pub command: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    pub output: String,
    pub timed_out: bool,
    /// A tool the command needs is not installed (its output says `cargo: not found`): which,
    /// and the command that installs it.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<crate::finding::Finding>,
}

/// A learner, one pack, one workspace. Cheap to share: clone the `Arc`.
#[derive(Debug)]
pub struct Learner {
    pack: Pack,
    workspace: PathBuf,
    /// A connection is not `Sync`; the lock is held only for one short query.
    store: Mutex<Store>,
    /// The database file, for checks that read the run history.
    database: Option<PathBuf>,
    /// Whether the pack may run its commands; `None` when whoever made this learner vouches
    /// for the pack (a test, a tool), as [`super::open`] never does.
    trust: Mutex<Option<Trust>>,
}

impl Learner {
    /// A learner on a pack the caller vouches for: its commands run.
    pub fn new(pack: Pack, workspace: PathBuf, store: Store) -> Arc<Learner> {
        Self::with_database(pack, workspace, store, None, None)
    }

    /// The same, with the database file that `pipeline.*` checks read, and the pack's trust
    /// (`None`: vouched for).
    pub fn with_database(
        pack: Pack,
        workspace: PathBuf,
        store: Store,
        database: Option<PathBuf>,
        trust: Option<Trust>,
    ) -> Arc<Learner> {
        Arc::new(Learner {
            pack,
            workspace,
            store: Mutex::new(store),
            database,
            trust: Mutex::new(trust),
        })
    }

    /// The pack's trust as the page shows it; a vouched-for pack is trusted.
    pub fn trust(&self) -> Option<Trust> {
        self.trust.lock().clone()
    }

    /// Trusts the pack, if its content still has `digest` (what the learner looked at), and
    /// remembers that in the settings. Blocking (reads the pack).
    pub fn grant_trust(&self, paths: &crate::settings::Paths, digest: &str) -> Result<Trust> {
        let granted = super::trust::grant(&self.pack, paths, digest)?;
        *self.trust.lock() = Some(granted.clone());
        Ok(granted)
    }

    /// The refusal, when the pack may not run its commands.
    fn untrusted(&self) -> Option<Error> {
        self.trust
            .lock()
            .as_ref()
            .filter(|t| !t.trusted)
            .map(Trust::refusal)
    }

    pub fn pack(&self) -> &Pack {
        &self.pack
    }

    pub fn workspace(&self) -> &Path {
        &self.workspace
    }

    fn store(&self) -> parking_lot::MutexGuard<'_, Store> {
        // A panic while holding the lock leaves SQLite itself consistent; keep going.
        self.store.lock()
    }

    fn lesson_by_id(&self, id: &str) -> Result<&Lesson> {
        self.pack
            .lessons
            .iter()
            .find(|l| l.id == id)
            .ok_or_else(|| {
                Error::said(
                    Code::InvalidInput,
                    Finding::new("noLesson")
                        .with("lesson", id)
                        .with("pack", &self.pack.id),
                    format!("there is no lesson `{id}` in {}", self.pack.id),
                )
            })
    }

    fn step_by_id<'l>(lesson: &'l Lesson, id: &str) -> Result<&'l Step> {
        lesson.steps.iter().find(|s| s.id == id).ok_or_else(|| {
            Error::said(
                Code::InvalidInput,
                Finding::new("noStep")
                    .with("lesson", &lesson.id)
                    .with("step", id),
                format!("lesson `{}` has no step `{id}`", lesson.id),
            )
        })
    }

    /// The pack's demo project folder.
    fn demo(&self) -> Result<&Path> {
        self.pack.demo.as_deref().ok_or_else(|| {
            Error::said(
                Code::Workshop,
                Finding::new("noDemo").with("pack", &self.pack.id),
                format!("pack {} has no demo project", self.pack.id),
            )
        })
    }

    /// Creates the workspace from the demo project if it does not exist yet.
    pub fn ensure_workspace(&self) -> Result<crate::workspace::Created> {
        crate::workspace::create(self.demo()?, &self.workspace)
    }

    /// Every lesson with its progress. Blocking (SQLite).
    pub fn overview(&self, locale: Locale) -> Result<WorkshopOverview> {
        let passed = self.store().passed_per_lesson(&self.pack.id)?;
        Ok(WorkshopOverview {
            id: self.pack.id.clone(),
            title: self.pack.title.get(locale).to_owned(),
            workspace: self.workspace.display().to_string(),
            trust: self.trust(),
            lessons: self
                .pack
                .lessons
                .iter()
                .map(|l| {
                    let text = l.text(locale);
                    LessonSummary {
                        id: l.id.clone(),
                        title: text.title.clone(),
                        summary: text.summary.clone(),
                        stage: l.stage,
                        steps: l.steps.len() as u32,
                        passed: passed.get(&l.id).copied().unwrap_or(0),
                    }
                })
                .collect(),
        })
    }

    /// One lesson, rendered for `locale`, with its progress; notes the visit. Blocking.
    pub fn lesson(&self, id: &str, locale: Locale, now: i64) -> Result<LessonView> {
        let lesson = self.lesson_by_id(id)?;
        let store = self.store();
        store.visit(&self.pack.id, id, now)?;
        let progress = store.lesson_progress(&self.pack.id, id)?;
        drop(store);
        Ok(self.view(lesson, locale, progress))
    }

    fn view(&self, lesson: &Lesson, locale: Locale, mut progress: LessonProgress) -> LessonView {
        let text = lesson.text(locale);
        let lesson_id = lesson.id.clone();
        let rendered = markdown::render(&text.body, &|path| {
            super::path::resolve(&self.pack.root, &lesson.dir, path)
                .ok()
                .map(|_| format!("{ASSET_SCHEME}://localhost/{lesson_id}/{path}"))
        });
        let steps = lesson
            .steps
            .iter()
            .map(|step| {
                let words = &text.steps[&step.id];
                let quiz = match &step.check {
                    Spec::Quiz { choices, answer } => Some(QuizView {
                        question: words.question.clone().unwrap_or_default(),
                        choices: choices
                            .iter()
                            .map(|c| Choice {
                                id: c.clone(),
                                text: words.choices.get(c).cloned().unwrap_or_else(|| c.clone()),
                            })
                            .collect(),
                        multiple: answer.len() > 1,
                        explanation: progress
                            .steps
                            .get(&step.id)
                            .is_some_and(|p| p.chosen.is_some())
                            .then(|| words.explanation.clone().unwrap_or_default()),
                    }),
                    _ => None,
                };
                StepView {
                    id: step.id.clone(),
                    title: words.title.clone(),
                    hint: words.hint.clone(),
                    quiz,
                    solve: step.solve.clone(),
                    // The pack the app opened is remembered, so the twin names no path of the
                    // app's; quoted, since a pack's ids reach a learner's shell through Copy.
                    cli: shlex::try_join([
                        "devloop",
                        "lesson",
                        "check",
                        lesson.id.as_str(),
                        step.id.as_str(),
                    ])
                    .unwrap_or_else(|_| "devloop lesson check".into()),
                    progress: progress.steps.remove(&step.id),
                }
            })
            .collect();
        LessonView {
            id: lesson.id.clone(),
            title: text.title.clone(),
            summary: text.summary.clone(),
            stage: lesson.stage,
            html: rendered.html,
            code_blocks: rendered.code_blocks,
            steps,
            started_at: progress.started_at,
            restricted: self.untrusted().is_some(),
        }
    }

    /// Runs one step's check against real state and records it.
    pub async fn check(
        self: &Arc<Self>,
        lesson: &str,
        step: &str,
        now: i64,
    ) -> Result<CheckResult> {
        let spec = Self::step_by_id(self.lesson_by_id(lesson)?, step)?
            .check
            .clone();
        if spec.is_quiz() {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("isAQuiz").with("step", step),
                format!("`{step}` is a quiz: answer it instead"),
            ));
        }
        // A pack not trusted yet runs no command of its own: the step says why and how to
        // trust it, and nothing is recorded, as the learner has not tried anything.
        let refusal = trust::runs_a_command(&spec)
            .then(|| self.untrusted())
            .flatten();
        let (outcome, record) = match refusal {
            Some(refusal) => (
                Outcome::Error {
                    why: refusal.message.clone(),
                    finding: refusal.detail.map(|d| *d),
                },
                false,
            ),
            None => {
                let context = Context {
                    workspace: self.workspace.clone(),
                    database: self.database.clone(),
                };
                (spec.evaluate(&context).await, true)
            }
        };
        let (me, lesson, step) = (Arc::clone(self), lesson.to_owned(), step.to_owned());
        blocking(move || {
            let store = me.store();
            if record {
                store.record_check(&me.pack.id, &lesson, &step, &outcome, now)?;
            }
            let progress = store
                .lesson_progress(&me.pack.id, &lesson)?
                .steps
                .remove(&step)
                .unwrap_or_default();
            Ok(CheckResult {
                step,
                outcome,
                progress,
            })
        })
        .await
    }

    /// Grades a quiz answer and records it. Blocking.
    pub fn answer(
        &self,
        lesson_id: &str,
        step_id: &str,
        chosen: &[String],
        locale: Locale,
        now: i64,
    ) -> Result<QuizResult> {
        let lesson = self.lesson_by_id(lesson_id)?;
        let step = Self::step_by_id(lesson, step_id)?;
        let Spec::Quiz { choices, answer } = &step.check else {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("notAQuiz").with("step", step_id),
                format!("`{step_id}` is not a quiz"),
            ));
        };
        if let Some(bad) = chosen.iter().find(|c| !choices.contains(c)) {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("notAChoice")
                    .with("choice", bad)
                    .with("step", step_id),
                format!("`{bad}` is not a choice of `{step_id}`"),
            ));
        }
        let outcome = quiz::grade(answer, chosen);
        let store = self.store();
        store.record_quiz(
            &self.pack.id,
            lesson_id,
            step_id,
            chosen,
            outcome == Outcome::Pass,
            now,
        )?;
        let progress = store
            .lesson_progress(&self.pack.id, lesson_id)?
            .steps
            .remove(step_id)
            .unwrap_or_default();
        Ok(QuizResult {
            outcome,
            explanation: lesson.text(locale).steps[step_id]
                .explanation
                .clone()
                .unwrap_or_default(),
            progress,
        })
    }

    /// Runs a step's solve command in the workspace (the UI asks the learner first).
    pub async fn solve(&self, lesson: &str, step: &str) -> Result<CommandRun> {
        let step = Self::step_by_id(self.lesson_by_id(lesson)?, step)?;
        if let Some(refusal) = self.untrusted() {
            return Err(refusal);
        }
        let script = step.solve.clone().ok_or_else(|| {
            Error::said(
                Code::InvalidInput,
                Finding::new("noSolve").with("step", &step.id),
                format!("step `{}` has no solve command", step.id),
            )
        })?;
        self.run_script(&script).await
    }

    /// Runs the `index`-th code block of a lesson, if the lesson marked it runnable. The UI
    /// sends the index, never the command text, so only commands written in the pack can run.
    pub async fn run_block(
        &self,
        lesson: &str,
        index: usize,
        locale: Locale,
    ) -> Result<CommandRun> {
        let lesson = self.lesson_by_id(lesson)?;
        let rendered = markdown::render(&lesson.text(locale).body, &|_| None);
        let block = rendered
            .code_blocks
            .get(index)
            .filter(|b| b.runnable)
            .ok_or_else(|| {
                Error::said(
                    Code::InvalidInput,
                    Finding::new("notRunnable")
                        .with("block", index)
                        .with("lesson", &lesson.id),
                    format!("block {index} of `{}` is not a runnable command", lesson.id),
                )
            })?;
        if let Some(refusal) = self.untrusted() {
            return Err(refusal);
        }
        self.run_script(block.code.trim()).await
    }

    async fn run_script(&self, script: &str) -> Result<CommandRun> {
        let run = command::run(script, &self.workspace, RUN_TIMEOUT_MS, RUN_OUTPUT_TAIL)
            .await
            .map_err(|why| {
                Error::said(
                    Code::WorkspaceUnusable,
                    Finding::new("commandFailed").with("cause", &why),
                    format!("the command {why}"),
                )
            })?;
        let missing = (!run.success())
            .then(|| crate::tools::missing_in(&run.output))
            .flatten()
            .map(|tool| {
                Finding::new("toolMissing")
                    .with("tool", tool.command)
                    .run(tool.install)
            });
        Ok(CommandRun {
            command: script.to_owned(),
            exit_code: run.code,
            output: run.output,
            timed_out: run.timed_out,
            missing,
        })
    }

    /// Moves the workspace aside and creates a fresh one from the demo project. Returns where
    /// the old one went. Blocking.
    pub fn reset_workspace(&self) -> Result<Option<PathBuf>> {
        crate::workspace::reset(self.demo()?, &self.workspace)
    }

    /// Forgets a lesson's progress. Blocking.
    pub fn reset_lesson(&self, lesson: &str) -> Result<()> {
        self.lesson_by_id(lesson)?;
        self.store().reset_lesson(&self.pack.id, lesson)
    }

    /// Resolves an asset URL path (`<lesson>/<relative path>`) to a file inside the pack.
    pub fn asset(&self, url_path: &str) -> Option<PathBuf> {
        let (lesson, rel) = url_path.trim_start_matches('/').split_once('/')?;
        let lesson = self.lesson_by_id(lesson).ok()?;
        super::path::resolve(&self.pack.root, &lesson.dir, rel).ok()
    }
}
