//! What a workflow asks for that the local runner does not do, said before the run starts,
//! each with file:line and what to do about it.

use super::workflow::Workflow;
use crate::diagnostic::Diagnostic;

/// Actions DevLoop implements natively (by name, any version).
pub fn native_actions() -> Vec<&'static str> {
    super::run::actions::ALL.iter().map(|a| a.name()).collect()
}

/// Everything in `wf` that would not run as on GitHub. Empty means the run can start.
pub fn report(wf: &Workflow) -> Vec<Diagnostic> {
    report_for(wf, None)
}

/// The same for a run of `only` that job and the jobs it needs: what the others ask for does
/// not stop it, as they do not run.
pub fn report_for(wf: &Workflow, only: Option<&str>) -> Vec<Diagnostic> {
    let selected = only.map(|j| wf.with_needs(j));
    let mut out = Vec::new();
    for job in wf
        .jobs
        .iter()
        .filter(|j| selected.as_ref().is_none_or(|s| s.contains(&j.id)))
    {
        for (key, pos) in &job.unsupported {
            let (what, fix) = match key.as_str() {
                "services" => ("service containers (`services:`)", "start the service yourself (for example with docker run) and remove `services:`"),
                "container" => ("a job container (`container:`)", "remove `container:`: jobs run on this machine"),
                "uses" => ("a reusable workflow (`jobs.<id>.uses`)", "copy the called workflow's steps into this job"),
                _ => ("a deployment environment (`environment:`)", "remove `environment:`; DevLoop's Deploy stage handles environments"),
            };
            out.push(Diagnostic::line_col(
                &wf.file,
                pos.line,
                pos.col,
                format!(
                    "job `{}` asks for {what}, which DevLoop does not run",
                    job.id
                ),
                fix,
            ));
        }
        for step in &job.steps {
            let Some((uses, pos)) = &step.uses else {
                continue;
            };
            if super::run::actions::find(uses).is_none() {
                out.push(Diagnostic::line_col(
                    &wf.file,
                    pos.line,
                    pos.col,
                    format!("the action `{uses}` is not available offline"),
                    format!(
                        "replace it with `run:` commands; DevLoop runs these actions natively: {}",
                        native_actions().join(", ")
                    ),
                ));
            }
        }
    }
    out
}
