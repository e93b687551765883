//! Workflows as the pipeline page shows them: the job graph by stage, each job's place on the
//! DevOps loop, the span of CI, Continuous Delivery and Continuous Deployment over the graph,
//! what stops a run, and a past run's details, summary and logs.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::check_file;
use super::workflow::{Input, Workflow};
use crate::diagnostic::Diagnostic;
use crate::finding::Finding;
use crate::stage::{Practice, Stage};
use crate::store::runs::{ArtifactRecord, JobRecord, RunSummary, StepRecord};
use crate::store::Store;
use crate::{Code, Error};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowView {
    /// Relative to the repository, e.g. `.github/workflows/ci.yml`.
    pub file: String,
    pub name: String,
    pub runnable: bool,
    /// Errors and things DevLoop does not run, each with file:line:col: they stop a run.
    pub problems: Vec<Diagnostic>,
    /// What does not stop a run but is worth knowing before it: steps that run differently
    /// here (a marketplace action skipped with a notice) and what a linter warns about.
    pub notes: Vec<Diagnostic>,
    /// Jobs by stage: every job's needs are in earlier stages.
    pub stages: Vec<Vec<JobView>>,
    /// CI, Continuous Delivery and Continuous Deployment over the graph, in that order.
    pub practices: Vec<PracticeBracket>,
    /// What a run by hand asks for (`on.workflow_dispatch.inputs`); `None` when the workflow
    /// cannot be run by hand on GitHub.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<InputView>>,
    /// The CLI command that runs the same workflow.
    pub cli: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    pub id: String,
    pub name: String,
    pub needs: Vec<String>,
    /// The loop stage the job does, from its id or name (`build`, `unit-tests`, `deploy`...).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
}

/// How far one practice reaches in this workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PracticeBracket {
    pub practice: Practice,
    /// The loop stages this practice adds to the one before it.
    pub adds: Vec<Stage>,
    /// True when the workflow has a job for what the practice adds.
    pub present: bool,
    /// The graph columns its jobs span, first and last; `None` when it has none here.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub columns: Option<(u32, u32)>,
    /// Where a person clicks (Continuous Delivery's Deploy), if anywhere.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual_gate: Option<Stage>,
}

/// A `workflow_dispatch` input, for the run form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InputView {
    pub name: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub required: bool,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// string, boolean, choice, number or environment.
    pub kind: String,
    pub options: Vec<String>,
}

impl From<&Input> for InputView {
    fn from(i: &Input) -> Self {
        InputView {
            name: i.name.clone(),
            description: i.description.clone(),
            required: i.required,
            default: i.default.clone(),
            kind: i.kind.clone(),
            options: i.options.clone(),
        }
    }
}

/// The loop stage a job does, guessed from the words of its id and name, as a person reading
/// the workflow would. Release words come before build words: `docker-build` makes a release.
pub fn stage_of(id: &str, name: Option<&str>) -> Option<Stage> {
    let text = format!("{id} {}", name.unwrap_or("")).to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |keys: &[&str]| {
        words.iter().any(|w| {
            keys.iter()
                .any(|k| w == k || (w.starts_with(k) && k.len() > 3))
        })
    };
    const TABLE: &[(Stage, &[&str])] = &[
        (
            Stage::Deploy,
            &["deploy", "rollout", "ship", "promote", "cd"],
        ),
        (
            Stage::Release,
            &[
                "release",
                "publish",
                "package",
                "image",
                "docker",
                "container",
                "tag",
            ],
        ),
        (Stage::Monitor, &["monitor", "smoke", "probe", "health"]),
        (Stage::Operate, &["operate", "scale", "autoscale"]),
        (
            Stage::Test,
            &["test", "tests", "e2e", "spec", "coverage", "ci"],
        ),
        (Stage::Build, &["build", "compile", "bundle", "make"]),
        (
            Stage::Code,
            &[
                "lint", "fmt", "format", "clippy", "style", "check", "review",
            ],
        ),
        (Stage::Plan, &["plan", "triage", "backlog"]),
    ];
    TABLE
        .iter()
        .find(|(_, keys)| has(keys))
        .map(|(stage, _)| *stage)
}

/// The three practices over a graph whose columns hold jobs of these stages.
pub fn brackets(columns: &[Vec<Option<Stage>>]) -> Vec<PracticeBracket> {
    let mut before: &[Stage] = &[];
    Practice::ALL
        .iter()
        .map(|&practice| {
            let covered = practice.automated();
            let adds: Vec<Stage> = covered
                .iter()
                .copied()
                .filter(|s| !before.contains(s))
                .collect();
            before = covered;
            let in_practice: Vec<u32> = columns
                .iter()
                .enumerate()
                .filter(|(_, jobs)| jobs.iter().flatten().any(|s| covered.contains(s)))
                .map(|(i, _)| i as u32)
                .collect();
            // CI is there when anything builds or tests; the others when they add a job.
            let wanted: &[Stage] = if practice == Practice::Integration {
                &[Stage::Build, Stage::Test]
            } else {
                &adds
            };
            let present = columns
                .iter()
                .flatten()
                .flatten()
                .any(|s| wanted.contains(s));
            PracticeBracket {
                practice,
                adds,
                present,
                columns: match (in_practice.first(), in_practice.last()) {
                    (Some(a), Some(b)) if present => Some((*a, *b)),
                    _ => None,
                },
                manual_gate: practice.manual_gate(),
            }
        })
        .collect()
}

/// Every workflow of the repository at `repo`.
pub fn views(repo: &Path) -> Vec<WorkflowView> {
    super::launch::workflows(repo)
        .into_iter()
        .map(|file| {
            let shown = file.strip_prefix(repo).unwrap_or(&file).to_path_buf();
            let checked = check_file(&file, &shown);
            let runnable = checked.runnable();
            let mut problems = checked.errors.clone();
            problems.extend(checked.unsupported.iter().cloned());
            let mut notes = checked.skipped.clone();
            notes.extend(checked.warnings.iter().cloned());
            let stages = match (&checked.workflow, &checked.plan) {
                (Some(wf), Some(plan)) => plan
                    .stages
                    .iter()
                    .map(|stage| {
                        stage
                            .iter()
                            .filter_map(|id| wf.jobs.iter().find(|j| &j.id == id))
                            .map(|j| JobView {
                                id: j.id.clone(),
                                name: j.name.clone().unwrap_or_else(|| j.id.clone()),
                                needs: j.needs.iter().map(|(n, _)| n.clone()).collect(),
                                stage: stage_of(&j.id, j.name.as_deref()),
                            })
                            .collect()
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let columns: Vec<Vec<Option<Stage>>> = stages
                .iter()
                .map(|col: &Vec<JobView>| col.iter().map(|j| j.stage).collect())
                .collect();
            WorkflowView {
                name: checked
                    .workflow
                    .as_ref()
                    .and_then(|w| w.name.clone())
                    .unwrap_or_else(|| shown.display().to_string()),
                practices: brackets(&columns),
                inputs: checked.workflow.as_ref().and_then(dispatch_inputs),
                cli: format!("devloop run --workflow {}", shown.display()),
                file: shown.display().to_string(),
                runnable,
                problems,
                notes,
                stages,
            }
        })
        .collect()
}

fn dispatch_inputs(wf: &Workflow) -> Option<Vec<InputView>> {
    wf.on
        .workflow_dispatch
        .as_ref()
        .map(|inputs| inputs.iter().map(InputView::from).collect())
}

/// Events of a run the app did not start itself (a push started it), with which run it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunUpdate {
    pub file: String,
    #[ts(type = "number")]
    pub number: u64,
    pub events: Vec<super::run::RunEvent>,
}

/// A past (or running) run, as its page in the history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunDetail {
    pub run: RunSummary,
    pub jobs: Vec<JobRecord>,
    pub steps: Vec<StepRecord>,
    pub artifacts: Vec<ArtifactRecord>,
    pub inputs: BTreeMap<String, String>,
    /// What the steps wrote to `$GITHUB_STEP_SUMMARY`, rendered and sanitised; empty when none.
    pub summary_html: String,
    /// The run's folder: logs, artifacts and the summary as files.
    pub dir: String,
    /// The command that runs it again.
    pub rerun_cli: String,
    /// The CLI command that re-runs only its failed jobs.
    pub rerun_failed_cli: String,
}

/// The step summary is markdown from a workflow, so it is sanitised like a lesson, and it may
/// show no images at all: nothing outside the app is fetched.
pub fn render_summary(markdown: &str) -> String {
    crate::markdown::render(markdown, &|_| None).html
}

/// Run `number` of the history, with everything it left.
pub fn detail(paths: &crate::settings::Paths, number: u64) -> Result<RunDetail, Error> {
    let store = Store::open(&paths.database_file())?;
    let run = store.run(number)?.ok_or_else(|| no_run(number))?;
    let dir = paths.runs_dir().join(number.to_string());
    let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap_or_default();
    Ok(RunDetail {
        jobs: store.run_jobs(number)?,
        steps: store.run_steps(number)?,
        artifacts: store.run_artifacts(number)?,
        inputs: store
            .run_origin(number)?
            .map(|o| o.inputs)
            .unwrap_or_default(),
        summary_html: render_summary(&summary),
        dir: dir.display().to_string(),
        rerun_cli: format!("devloop run --rerun {number}"),
        rerun_failed_cli: format!("devloop run --rerun {number} --failed"),
        run,
    })
}

pub(crate) fn no_run(number: u64) -> Error {
    Error::said(
        Code::InvalidInput,
        Finding::new("noRun").with("number", number),
        format!("there is no run #{number} in the history"),
    )
    .with_fix("devloop runs")
}

/// One step's log as kept on disk (masked, capped at 8 MiB).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepLog {
    pub step: u32,
    pub text: String,
}

/// The logs of one job of run `number`, step by step; steps that printed nothing are left out.
pub fn job_log(
    paths: &crate::settings::Paths,
    number: u64,
    job: &str,
) -> Result<Vec<StepLog>, Error> {
    let store = Store::open(&paths.database_file())?;
    let steps = store.run_steps(number)?;
    let run_dir = paths.runs_dir().join(number.to_string());
    if !run_dir.exists() {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("runPruned").with("number", number),
            format!("the files of run #{number} were pruned to keep the history small"),
        ));
    }
    // Step 0 holds what was said about the job itself (an `if` that failed to evaluate).
    let numbers = std::iter::once(0).chain(steps.iter().filter(|s| s.job == job).map(|s| s.step));
    Ok(numbers
        .filter_map(|step| {
            let file = super::history::Recorder::log_file(&run_dir, job, step);
            let text = std::fs::read_to_string(file).ok()?;
            Some(StepLog { step, text })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_are_placed_on_the_loop_by_their_words() {
        let cases = [
            ("build", None, Some(Stage::Build)),
            ("unit-tests", None, Some(Stage::Test)),
            ("lint", Some("Clippy and rustfmt"), Some(Stage::Code)),
            ("docker-build", None, Some(Stage::Release)),
            ("publish_release", None, Some(Stage::Release)),
            ("deploy-prod", None, Some(Stage::Deploy)),
            ("job1", Some("Smoke test production"), Some(Stage::Monitor)),
            ("x", Some("Say hello"), None),
        ];
        for (id, name, want) in cases {
            assert_eq!(stage_of(id, name), want, "{id} {name:?}");
        }
    }

    #[test]
    fn ci_spans_build_and_test_and_delivery_is_absent_until_a_release_job_exists() {
        let ci_only = brackets(&[vec![Some(Stage::Build)], vec![Some(Stage::Test)]]);
        assert_eq!(ci_only[0].practice, Practice::Integration);
        assert_eq!(ci_only[0].columns, Some((0, 1)));
        assert!(
            !ci_only[1].present,
            "no release job: no Continuous Delivery yet"
        );
        assert_eq!(ci_only[1].adds, vec![Stage::Release]);
        assert_eq!(ci_only[1].manual_gate, Some(Stage::Deploy));
        assert!(!ci_only[2].present);

        let full = brackets(&[
            vec![Some(Stage::Code), Some(Stage::Build)],
            vec![Some(Stage::Test)],
            vec![Some(Stage::Release)],
            vec![Some(Stage::Deploy)],
        ]);
        assert_eq!(full[0].columns, Some((0, 1)));
        assert_eq!(full[1].columns, Some((0, 2)));
        assert_eq!(full[2].columns, Some((0, 3)));
        assert_eq!(
            full[2].manual_gate, None,
            "Continuous Deployment has no person in it"
        );
    }

    #[test]
    fn a_step_summary_is_sanitised_and_loads_nothing() {
        let html = render_summary(
            "## Tests\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n![x](https://evil.example/x.png)\n<img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<h2>Tests</h2>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("evil.example"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }
}
