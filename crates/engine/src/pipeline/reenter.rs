//! Re-entering a failed step: when a `run` step fails, where it ran and the environment it
//! had are kept with the run, so `devloop shell N` (and the app's button) can open a shell
//! there afterwards, as people ask of local runners. Secrets are never kept in clear: a
//! variable that held one is left out, and named, so the learner can set it by hand.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::settings::Paths;
use crate::{Code, Error};

/// Where a failed step ran and what it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reentry {
    pub job: String,
    pub step: u32,
    /// The step's name as the log shows it.
    pub title: String,
    /// The folder the step ran in.
    pub dir: PathBuf,
    /// Its environment, without the variables that held a secret.
    pub env: Vec<(String, String)>,
    /// The variables left out because they held a secret.
    pub left_out: Vec<String>,
    /// The image of the job's container, when the step ran in one (it is gone by now).
    #[serde(default)]
    pub image: Option<String>,
}

/// The folder of a run where failed steps are kept, one file per job.
fn folder(run_dir: &Path) -> PathBuf {
    run_dir.join("failed")
}

/// Keeps the first failed step of `entry.job` (a later one is what that failure caused).
/// Best effort: a run goes on whether or not this can be written.
pub fn keep(run_dir: &Path, mut entry: Reentry, secrets: &[String]) {
    let secret = |v: &str| {
        secrets
            .iter()
            .any(|s| !s.is_empty() && v.contains(s.as_str()))
    };
    let (kept, out): (Vec<_>, Vec<_>) = entry.env.into_iter().partition(|(_, v)| !secret(v));
    entry.env = kept;
    entry.left_out = out.into_iter().map(|(k, _)| k).collect();
    let dir = folder(run_dir);
    let file = dir.join(format!("{}.json", super::history::slug(&entry.job)));
    if file.exists() || std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    if let Ok(json) = serde_json::to_string_pretty(&entry) {
        // What a step had may still be private (paths, tokens no secret names): this user's.
        let _ = super::run::files::private(&file, &json);
    }
}

/// The failed step of run `number` to re-enter: the one of `job`, or the first kept.
pub fn find(paths: &Paths, number: u64, job: Option<&str>) -> Result<Reentry, Error> {
    let dir = folder(&paths.runs_dir().join(number.to_string()));
    let mut entries: Vec<Reentry> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| serde_json::from_str(&std::fs::read_to_string(e.path()).ok()?).ok())
        .collect();
    entries.sort_by(|a: &Reentry, b| a.job.cmp(&b.job));
    let found = match job {
        Some(job) => entries.into_iter().find(|e| e.job == job),
        None => entries.into_iter().next(),
    };
    let entry = found.ok_or_else(|| {
        Error::said(
            Code::InvalidInput,
            Finding::new("noFailedStep")
                .with("number", number)
                .with("job", job.unwrap_or("")),
            format!(
                "run #{number} has no failed step{} to re-enter (only `run` steps can be re-entered, and the run's folder may have been pruned)",
                job.map(|j| format!(" in job `{j}`")).unwrap_or_default()
            ),
        )
        .with_fix("devloop runs")
    })?;
    if !entry.dir.is_dir() {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("stepFolderGone").with("path", entry.dir.display()),
            format!(
                "the folder the step ran in, {}, is gone: the run's files were pruned",
                entry.dir.display()
            ),
        )
        .with_fix(format!("devloop run --rerun {number}")));
    }
    Ok(entry)
}
