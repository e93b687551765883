//! Pipelines: GitHub Actions workflow files, read with positions, checked, and planned.
//!
//! `yaml.rs` turns text into a positioned tree with limits for hostile files; `workflow.rs`
//! reads that tree into a typed workflow, reporting every problem as file:line:col; `plan.rs`
//! orders jobs by `needs`; `compat.rs` lists what the local runner does not do, before a run.

pub mod batch;
pub mod compat;
pub mod cron;
pub mod expr;
pub mod hash_files;
pub mod history;
pub mod in_flight;
pub mod inputs;
pub mod launch;
pub mod lint;
pub mod plan;
pub mod push;
pub mod reenter;
pub mod run;
pub mod trigger;
pub mod view;
pub mod workflow;
pub mod yaml;

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::finding::Finding;

/// Workflow files are small; anything larger is refused before parsing.
pub const MAX_WORKFLOW_BYTES: u64 = 1024 * 1024;

/// What `devloop workflow check` and the app show before a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The workflow, when it could be read.
    pub workflow: Option<workflow::Workflow>,
    /// Problems that stop the run: the file is wrong.
    pub errors: Vec<Diagnostic>,
    /// Things the local runner does not do: the file is fine on GitHub, but the run would not
    /// be the same here, so it does not start.
    pub unsupported: Vec<Diagnostic>,
    /// Steps that run differently here without stopping the run (marketplace actions, skipped
    /// with a notice).
    pub skipped: Vec<Diagnostic>,
    /// What a careful linter warns about (`lint.rs`): GitHub runs it, but likely not as meant.
    pub warnings: Vec<Diagnostic>,
    pub plan: Option<plan::Plan>,
}

impl Checked {
    /// True when the run may start.
    pub fn runnable(&self) -> bool {
        self.errors.is_empty() && self.unsupported.is_empty() && self.plan.is_some()
    }
}

/// Reads, checks and plans the workflow at `file`; `shown` is how to name it in messages.
pub fn check_file(file: &Path, shown: &Path) -> Checked {
    let refuse = |finding: Finding, message: String, fix: &str| Checked {
        workflow: None,
        errors: vec![Diagnostic::file(shown, finding, message, fix)],
        unsupported: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
        plan: None,
    };
    match std::fs::metadata(file) {
        Err(e) => {
            return refuse(
                unreadable(&e),
                format!("cannot read the workflow: {e}"),
                "check the path",
            )
        }
        Ok(m) if m.len() > MAX_WORKFLOW_BYTES => {
            return refuse(
                Finding::new("workflowTooBig")
                    .with("kib", m.len() / 1024)
                    .with("most", MAX_WORKFLOW_BYTES / 1024),
                format!(
                    "the file is {} KiB; a workflow is at most {} KiB",
                    m.len() / 1024,
                    MAX_WORKFLOW_BYTES / 1024
                ),
                "split it, or check that this is really a workflow file",
            )
        }
        Ok(_) => {}
    }
    let text = match std::fs::read(file) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                return refuse(
                    Finding::new("notUtf8"),
                    "the file is not UTF-8 text".into(),
                    "save it as UTF-8",
                )
            }
        },
        Err(e) => {
            return refuse(
                unreadable(&e),
                format!("cannot read the workflow: {e}"),
                "check the path",
            )
        }
    };
    check_text(shown, &text)
}

/// A file that could not be read, as a code: the system's own reason (`os error 13`) is kept
/// as a quoted fact.
fn unreadable(e: &std::io::Error) -> Finding {
    Finding::new("fileUnreadable").with("said", e)
}

/// The same for text already in memory.
pub fn check_text(shown: &Path, text: &str) -> Checked {
    match workflow::read_partly(shown, text) {
        (None, errors) => Checked {
            workflow: None,
            errors,
            unsupported: Vec::new(),
            skipped: Vec::new(),
            warnings: Vec::new(),
            plan: None,
        },
        // The errors stop the run; what does not run here, and a `needs` that names no job,
        // are said beside them, so fixing them brings no second surprise.
        (Some(wf), mut errors) if !errors.is_empty() => Checked {
            workflow: None,
            errors: {
                errors.extend(plan::plan(&wf).err().unwrap_or_default());
                errors
            },
            unsupported: compat::report(&wf),
            skipped: compat::skipped(&wf),
            warnings: lint::lint(&wf, text),
            plan: None,
        },
        (Some(wf), _) => {
            let unsupported = compat::report(&wf);
            let skipped = compat::skipped(&wf);
            let warnings = lint::lint(&wf, text);
            let (plan, errors) = match plan::plan(&wf) {
                Ok(p) => (Some(p), Vec::new()),
                Err(e) => (None, e),
            };
            Checked {
                workflow: Some(wf),
                errors,
                unsupported,
                skipped,
                warnings,
                plan,
            }
        }
    }
}
