//! Workflows as the pipeline page shows them: the job graph by stage, and what stops a run.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::check_file;
use crate::diagnostic::Diagnostic;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowView {
    /// Relative to the repository, e.g. `.github/workflows/ci.yml`.
    pub file: String,
    pub name: String,
    pub runnable: bool,
    /// Errors and things DevLoop does not run, each with file:line:col.
    pub problems: Vec<Diagnostic>,
    /// Jobs by stage: every job's needs are in earlier stages.
    pub stages: Vec<Vec<JobView>>,
    /// The CLI command that runs the same workflow.
    pub cli: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    pub id: String,
    pub name: String,
    pub needs: Vec<String>,
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
                            })
                            .collect()
                    })
                    .collect(),
                _ => Vec::new(),
            };
            WorkflowView {
                name: checked
                    .workflow
                    .as_ref()
                    .and_then(|w| w.name.clone())
                    .unwrap_or_else(|| shown.display().to_string()),
                cli: format!("devloop run --workflow {}", shown.display()),
                file: shown.display().to_string(),
                runnable,
                problems,
                stages,
            }
        })
        .collect()
}

/// An event of a run the app did not start itself (a push started it), with which run it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunUpdate {
    pub file: String,
    #[ts(type = "number")]
    pub number: u64,
    pub event: super::run::RunEvent,
}
