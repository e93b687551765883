//! What a workflow asks for that the local runner does not do, said before the run starts,
//! each with file:line and what to do about it.

use super::workflow::Workflow;
use crate::diagnostic::Diagnostic;
use crate::finding::Finding;

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
                "volumes" => ("a container's `volumes`", "remove `volumes`: a job's containers mount only its workspace here"),
                "credentials" => ("a container image from a registry (`credentials`)", "remove `credentials` and build the image on this machine (`docker build -t NAME .`): DevLoop never pulls"),
                "uses" => ("a reusable workflow of another repository (`jobs.<id>.uses`)", "copy the called workflow into this repository and call it as `./.github/workflows/<file>`"),
                _ => ("a deployment environment (`environment:`)", "remove `environment:`; DevLoop's Deploy stage handles environments"),
            };
            out.push(Diagnostic::line_col(
                &wf.file,
                pos.line,
                pos.col,
                Finding::new("jobKeyNotRun")
                    .with("job", &job.id)
                    .with("key", key),
                format!(
                    "job `{}` asks for {what}, which DevLoop does not run",
                    job.id
                ),
                fix,
            ));
        }
        for step in &job.steps {
            let shell = step
                .shell
                .as_ref()
                .or(job.defaults.shell.as_ref())
                .or(wf.defaults.shell.as_ref());
            if let Some(shell) = shell.filter(|s| !super::workflow::SHELLS.contains(&s.as_str())) {
                if step.run.is_some() {
                    out.push(Diagnostic::line_col(
                        &wf.file,
                        step.pos.line,
                        step.pos.col,
                        Finding::new("shellNotHere").with("shell", shell),
                        format!("this step runs in `{shell}`, which this machine's runner does not have"),
                        "use `shell: bash` or `shell: sh` to run it here",
                    ));
                }
            }
            let Some((uses, pos)) = &step.uses else {
                continue;
            };
            // A Docker image would run on GitHub with nothing from the network, so skipping it
            // would change the run: refused until it runs. Actions in the repository run.
            if super::run::actions::find(uses).is_none()
                && !needs_github(uses)
                && !uses.starts_with("./")
            {
                out.push(Diagnostic::line_col(
                    &wf.file,
                    pos.line,
                    pos.col,
                    Finding::new("actionNotRunHere")
                        .with("uses", uses)
                        .with("native", native_actions().join(", ")),
                    format!("the action `{uses}` does not run here yet"),
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

/// A marketplace action (`owner/repo@ref`) DevLoop has no version of: GitHub fetches it from
/// the network, which a run here does not. It is skipped with a notice, and the run goes on.
pub fn needs_github(uses: &str) -> bool {
    super::run::actions::find(uses).is_none()
        && !uses.starts_with("./")
        && !uses.starts_with("docker://")
        && uses
            .split('@')
            .next()
            .is_some_and(|name| name.contains('/'))
}

/// The steps of `wf` that run differently here but do not stop the run: marketplace actions,
/// skipped (see [`needs_github`]).
pub fn skipped(wf: &Workflow) -> Vec<Diagnostic> {
    // One finding an action, at its first use, naming the lines of the others: a workflow
    // that sets up the same tool in ten jobs gets one line, not ten.
    let mut uses_of: Vec<(&str, Vec<super::yaml::Pos>)> = Vec::new();
    for (uses, pos) in wf
        .jobs
        .iter()
        .flat_map(|job| &job.steps)
        .filter_map(|step| step.uses.as_ref())
        .filter(|(uses, _)| needs_github(uses))
    {
        match uses_of.iter_mut().find(|(u, _)| u == uses) {
            Some((_, at)) => at.push(*pos),
            None => uses_of.push((uses, vec![*pos])),
        }
    }
    uses_of
        .into_iter()
        .map(|(uses, at)| {
            let pos = at[0];
            let lines: Vec<String> = at[1..].iter().map(|p| p.line.to_string()).collect();
            let also = match lines.len() {
                0 => String::new(),
                1 => format!(" (also on line {})", lines[0]),
                _ => format!(" (also on lines {})", lines.join(", ")),
            };
            let finding = Finding::new("actionNeedsGithub")
                .with("uses", uses)
                .with("native", native_actions().join(", "));
            Diagnostic::line_col(
                &wf.file,
                pos.line,
                pos.col,
                if lines.is_empty() {
                    finding
                } else {
                    finding.because(Some(Finding::new("alsoOnLines").with("lines", lines.join(", "))))
                },
                format!("the action `{uses}` needs GitHub: here the step is skipped, with a notice, and the run goes on{also}"),
                format!(
                    "to do its work here, add `run:` commands (guarded with `if: ${{{{ vars.DEVLOOP == 'true' }}}}`); DevLoop runs these actions natively: {}",
                    native_actions().join(", ")
                ),
            )
        })
        .collect()
}
