//! Pipeline checks: how the learner's last workflow run ended, read from the run history.

use std::path::Path;

use super::{Outcome, Spec};
use crate::store::Store;

pub fn evaluate(spec: &Spec, database: Option<&Path>) -> Outcome {
    let Spec::PipelineLastRun {
        workflow,
        branch,
        result,
    } = spec
    else {
        return Outcome::error("not a pipeline check");
    };
    let Some(database) = database else {
        return Outcome::error("the run history is not available here");
    };
    if !database.exists() {
        return Outcome::fail(format!(
            "no workflow has run yet: run `{workflow}` with `devloop run`"
        ));
    }
    let store = match Store::open(database) {
        Ok(s) => s,
        Err(e) => return Outcome::error(e.message),
    };
    let runs = match store.runs(200) {
        Ok(r) => r,
        Err(e) => return Outcome::error(e.message),
    };
    let last = runs.iter().filter(|r| r.status != "running").find(|r| {
        r.workflow.ends_with(workflow.as_str()) && branch.as_ref().is_none_or(|b| &r.branch == b)
    });
    match last {
        None => Outcome::fail(format!(
            "`{workflow}` has not run{} yet: `devloop run --workflow {workflow}`",
            branch
                .as_ref()
                .map(|b| format!(" on `{b}`"))
                .unwrap_or_default()
        )),
        Some(run) if &run.status == result => Outcome::Pass,
        Some(run) => Outcome::fail(format!(
            "run #{} of `{workflow}` ended {}, this step needs {result}",
            run.number, run.status
        )),
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
            };
            let n = store.start_run(&new, 1).unwrap();
            store
                .record_event(
                    n,
                    &RunEvent::RunFinished {
                        result: status,
                        millis: 1,
                    },
                    2,
                )
                .unwrap();
        };
        run(RunResult::Failure, "main");
        let Outcome::Fail { hint } = evaluate(&spec("success"), Some(&db)) else {
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
}
