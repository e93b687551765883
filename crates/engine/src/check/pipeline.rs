//! Pipeline checks: how the learner's last workflow run ended, read from the run history.

use std::path::Path;

use super::{Finding, Outcome, Spec};
use crate::store::Store;

/// `workflow` has not run (on `branch`) yet: with the command that runs it.
fn not_run(workflow: &str, branch: Option<&str>) -> Outcome {
    let finding = match branch {
        Some(b) => Finding::new("notRunOnBranch").with("branch", b),
        None => Finding::new("notRun"),
    }
    .with("workflow", workflow)
    .run(format!("devloop run --workflow {workflow}"));
    Outcome::found(
        finding,
        format!(
            "`{workflow}` has not run{} yet: `devloop run --workflow {workflow}`",
            branch.map(|b| format!(" on `{b}`")).unwrap_or_default()
        ),
    )
}

pub fn evaluate(spec: &Spec, database: Option<&Path>) -> Outcome {
    let Spec::PipelineLastRun {
        workflow,
        branch,
        result,
        failed_step,
    } = spec
    else {
        return Outcome::error("not a pipeline check");
    };
    let Some(database) = database else {
        return Outcome::error("the run history is not available here");
    };
    if !database.exists() {
        return not_run(workflow, branch.as_deref());
    }
    let store = match Store::open(database) {
        Ok(s) => s,
        Err(e) => return Outcome::error(e.message),
    };
    let runs = match store.runs(200) {
        Ok(r) => r,
        Err(e) => return Outcome::error(e.message),
    };
    let last = runs.iter().filter(|r| r.status.ended()).find(|r| {
        r.workflow.ends_with(workflow.as_str()) && branch.as_ref().is_none_or(|b| &r.branch == b)
    });
    match last {
        None => not_run(workflow, branch.as_deref()),
        Some(run) => match failed_step {
            None if run.status.as_str() == result => Outcome::Pass,
            None => Outcome::found(
                Finding::new("runEnded")
                    .with("number", run.number)
                    .with("workflow", workflow)
                    .with("status", run.status.as_str())
                    .with("want", result),
                format!(
                    "run #{} of `{workflow}` ended {}, this step needs {result}",
                    run.number, run.status
                ),
            ),
            Some(step) => {
                let steps = match store.run_steps(run.number) {
                    Ok(s) => s,
                    Err(e) => return Outcome::error(e.message),
                };
                let failed: Vec<&str> = steps
                    .iter()
                    .filter(|s| s.conclusion == Some(crate::record::run::Result::Failure))
                    .map(|s| s.name.as_str())
                    .collect();
                if failed.contains(&step.as_str()) {
                    Outcome::Pass
                } else if failed.is_empty() {
                    Outcome::found(
                        Finding::new("runNoFailedStep")
                            .with("number", run.number)
                            .with("workflow", workflow)
                            .with("status", run.status.as_str())
                            .with("step", step),
                        format!(
                            "run #{} of `{workflow}` ended {} with no failed step; this step needs `{step}` to fail",
                            run.number, run.status
                        ),
                    )
                } else {
                    Outcome::found(
                        Finding::new("runFailedElsewhere")
                            .with("number", run.number)
                            .with("workflow", workflow)
                            .with("failed", failed.join(", "))
                            .with("step", step),
                        format!(
                            "run #{} of `{workflow}` failed at `{}`, not at `{step}`",
                            run.number,
                            failed.join("`, `")
                        ),
                    )
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::run::{Result as RunResult, RunEvent};
    use crate::store::runs::NewRun;

    #[test]
    fn the_newest_finished_run_on_the_branch_decides() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("devloop.sqlite");
        let spec = |result: &str| Spec::PipelineLastRun {
            workflow: ".github/workflows/ci.yml".into(),
            branch: Some("main".into()),
            result: result.into(),
            failed_step: None,
        };
        assert!(matches!(
            evaluate(&spec("success"), Some(&db)),
            Outcome::Fail { .. }
        ));
        let store = Store::open(&db).unwrap();
        let run = |status: RunResult, branch: &str| {
            let new = NewRun {
                workflow: ".github/workflows/ci.yml",
                trigger: "push",
                sha: "a",
                branch,
                git_ref: "",
                inputs: &Default::default(),
                rerun_of: None,
                workflow_text: "",
            };
            let n = store.start_run(&new, 1).unwrap();
            store
                .record_event(
                    n,
                    &RunEvent::RunFinished {
                        result: status,
                        millis: 1,
                        problem: None,
                    },
                    2,
                )
                .unwrap();
        };
        run(RunResult::Failure, "main");
        let Outcome::Fail { hint, .. } = evaluate(&spec("success"), Some(&db)) else {
            panic!()
        };
        assert!(hint.contains("ended failure"), "{hint}");
        assert_eq!(evaluate(&spec("failure"), Some(&db)), Outcome::Pass);
        run(RunResult::Success, "feature");
        assert!(
            matches!(evaluate(&spec("success"), Some(&db)), Outcome::Fail { .. }),
            "another branch does not count"
        );
        run(RunResult::Success, "main");
        assert_eq!(evaluate(&spec("success"), Some(&db)), Outcome::Pass);
    }

    #[test]
    fn a_named_failed_step_must_be_the_one_that_failed() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("devloop.sqlite");
        let store = Store::open(&db).unwrap();
        let spec = Spec::PipelineLastRun {
            workflow: ".github/workflows/ci.yml".into(),
            branch: None,
            result: "failure".into(),
            failed_step: Some("Unit tests".into()),
        };
        let run = |failing: &str| {
            let n = store
                .start_run(
                    &NewRun {
                        workflow: ".github/workflows/ci.yml",
                        trigger: "push",
                        sha: "a",
                        branch: "try-red",
                        git_ref: "",
                        inputs: &Default::default(),
                        rerun_of: None,
                        workflow_text: "",
                    },
                    1,
                )
                .unwrap();
            for (step, name) in [(1, "Build"), (2, failing)] {
                let step_event = RunEvent::StepStarted {
                    job: "test".into(),
                    step,
                    name: name.into(),
                };
                store.record_event(n, &step_event, 1).unwrap();
                let result = if step == 2 {
                    RunResult::Failure
                } else {
                    RunResult::Success
                };
                let done = RunEvent::StepFinished {
                    job: "test".into(),
                    step,
                    outcome: result,
                    conclusion: result,
                    millis: 1,
                };
                store.record_event(n, &done, 1).unwrap();
            }
            let end = RunEvent::RunFinished {
                result: RunResult::Failure,
                millis: 1,
                problem: None,
            };
            store.record_event(n, &end, 2).unwrap();
        };
        run("Lint");
        let Outcome::Fail { hint, .. } = evaluate(&spec, Some(&db)) else {
            panic!()
        };
        assert!(
            hint.contains("failed at `Lint`, not at `Unit tests`"),
            "{hint}"
        );
        run("Unit tests");
        assert_eq!(evaluate(&spec, Some(&db)), Outcome::Pass);
    }
}
