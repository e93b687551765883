//! Starting a run the same way from the CLI and the app: check the workflow, read the
//! secrets, open a history entry, then execute with a sink that records and forwards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use tokio_util::sync::CancellationToken;

use super::history::{self, Recorder};
use super::run::{self, Request, Result as RunResult, RunEvent};
use super::{check_file, Checked};
use crate::finding::Finding;
use crate::settings::Paths;
use crate::store::runs::NewRun;
use crate::store::{now, Store};
use crate::{Code, Error};

/// Disk the runs' workspaces and logs may use before the oldest are removed.
pub const RUNS_BUDGET: u64 = 2 * 1024 * 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub job: Option<String>,
    pub inputs: Vec<(String, String)>,
    pub secrets: Vec<(String, String)>,
    /// Default: the settings folder's `secrets.env`.
    pub secrets_file: Option<PathBuf>,
    /// The event that started the run; by default a run by hand (see [`prepare`]).
    pub event: Option<String>,
    /// The commit to run, workflow file and tree both; by default the repository's HEAD.
    pub commit: Option<String>,
    /// The ref that commit is on (`refs/heads/main`); by default HEAD's.
    pub git_ref: Option<String>,
    /// Set when this run repeats an earlier one.
    pub rerun_of: Option<u64>,
    /// The workflow's text, when it is not to be read from the file (a re-run repeats what ran).
    pub workflow_text: Option<String>,
    /// The deploy service to use for `devloop/deploy` (the app's; the CLI makes one a run).
    pub service: Option<crate::service::host::Slot>,
    /// Jobs not to run again, with their outputs (see [`rerun_failed`]).
    pub kept: BTreeMap<String, BTreeMap<String, String>>,
}

/// Why a run did not start.
#[derive(Debug)]
pub enum Refusal {
    /// The workflow has errors or asks for what DevLoop does not run.
    Workflow(Box<Checked>),
    Other(Error),
}

/// A run ready to execute.
#[derive(Debug)]
pub struct Prepared {
    pub number: u64,
    pub name: String,
    pub shown: PathBuf,
    /// What does not stop the run but is worth saying before it: actions skipped here, and
    /// what the linter warns about, each as `(kind, problem)` with kind `skipped` or `warning`.
    pub notes: Vec<(&'static str, crate::diagnostic::Diagnostic)>,
    request: Request,
    store: Arc<Mutex<Store>>,
    runs_dir: PathBuf,
    data_dir: PathBuf,
}

/// Checks `file` of the repository at `repo` and opens its history entry.
pub fn prepare(
    paths: &Paths,
    repo: &Path,
    file: &Path,
    opts: &Options,
) -> Result<Prepared, Refusal> {
    let shown = file.strip_prefix(repo).unwrap_or(file).to_path_buf();
    // A push runs the workflow as it is in the pushed commit, as on GitHub; a run by hand
    // takes the file as it is now, committed or not.
    let (checked, text) = match (&opts.workflow_text, &opts.commit) {
        (Some(text), _) => (super::check_text(&shown, text), text.clone()),
        (None, Some(sha)) => {
            let text = read_at(repo, sha, &shown).map_err(Refusal::Other)?;
            (super::check_text(&shown, &text), text)
        }
        (None, None) => (
            check_file(file, &shown),
            std::fs::read_to_string(file).unwrap_or_default(),
        ),
    };
    // A run of one job needs only that job and those it needs to be runnable here.
    let mut checked = checked;
    if let (Some(job), Some(wf)) = (&opts.job, &checked.workflow) {
        if wf.jobs.iter().any(|j| &j.id == job) {
            checked.unsupported = super::compat::report_for(wf, Some(job));
        }
    }
    if !checked.runnable() {
        return Err(Refusal::Workflow(Box::new(checked)));
    }
    let notes = (checked.skipped.into_iter().map(|d| ("skipped", d)))
        .chain(checked.warnings.into_iter().map(|d| ("warning", d)))
        .collect();
    let (Some(workflow), Some(plan)) = (checked.workflow, checked.plan) else {
        return Err(Refusal::Other(Error::internal(
            "the workflow could not be planned",
        )));
    };
    if let Some(job) = &opts.job {
        if !workflow.jobs.iter().any(|j| &j.id == job) {
            return Err(Refusal::Other(Error::said(
                Code::InvalidInput,
                Finding::new("noJob")
                    .with("job", job)
                    .with("file", shown.display()),
                format!("there is no job `{job}` in {}", shown.display()),
            )));
        }
    }
    let mut secrets = read_secrets(
        &opts
            .secrets_file
            .clone()
            .unwrap_or_else(|| paths.secrets_file()),
    )
    .map_err(Refusal::Other)?;
    secrets.extend(opts.secrets.iter().cloned());

    let store = Store::open(&paths.database_file()).map_err(Refusal::Other)?;
    // Runs still "running" belong to a DevLoop that died mid-run.
    let _ = store.mark_interrupted(now());
    let (head_sha, head_ref) = git2::Repository::open(repo)
        .ok()
        .and_then(|r| {
            let h = r.head().ok()?;
            Some((h.target()?.to_string(), h.name().unwrap_or("").to_owned()))
        })
        .unwrap_or_default();
    let sha = opts.commit.clone().unwrap_or(head_sha);
    let git_ref = opts.git_ref.clone().unwrap_or(head_ref);
    let branch = git_ref
        .trim_start_matches("refs/heads/")
        .trim_start_matches("refs/tags/")
        .to_owned();
    // A run started by hand is a workflow_dispatch when the workflow allows one, as on GitHub;
    // otherwise it stands in for the push that would have started it.
    let trigger = opts.event.clone().unwrap_or_else(|| {
        if workflow.on.workflow_dispatch.is_some() {
            "workflow_dispatch".into()
        } else {
            "push".into()
        }
    });
    // Inputs belong to runs by hand; GitHub gives other events none.
    let inputs = if trigger == "workflow_dispatch" {
        let declared = workflow.on.workflow_dispatch.clone().unwrap_or_default();
        super::inputs::resolve(&declared, &opts.inputs).map_err(|problems| {
            let list: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
            Refusal::Other(
                Error::said(
                    Code::InvalidInput,
                    // The catalogs say how many, then the first in the learner's words.
                    Finding::new("inputsRefused")
                        .with("count", problems.len())
                        .because(problems.first().map(|p| p.finding.clone())),
                    format!("the run was not started:\n{}", list.join("\n")),
                )
                .with_fix(format!("devloop workflow check {}", shown.display())),
            )
        })?
    } else if let Some((name, _)) = opts.inputs.first() {
        return Err(Refusal::Other(Error::said(
            Code::InvalidInput,
            Finding::new("noInputsHere")
                .with("name", name)
                .with("trigger", &trigger),
            format!("input `{name}` was given, but a {trigger} run takes no inputs; only a run by hand (workflow_dispatch) does"),
        )));
    } else {
        BTreeMap::new()
    };
    let workflow_name = shown.display().to_string();
    let number = store
        .start_run(
            &NewRun {
                workflow: &workflow_name,
                trigger: &trigger,
                sha: &sha,
                branch: &branch,
                git_ref: &git_ref,
                inputs: &inputs,
                rerun_of: opts.rerun_of,
                workflow_text: &text,
            },
            now(),
        )
        .map_err(Refusal::Other)?;
    let runs_dir = paths.runs_dir();
    let run_dir = runs_dir.join(number.to_string());
    std::fs::create_dir_all(&run_dir)
        .map_err(|e| Refusal::Other(Error::file(Code::WorkspaceUnusable, &run_dir, &e)))?;
    Ok(Prepared {
        number,
        name: workflow.name.clone().unwrap_or_else(|| "workflow".into()),
        shown,
        request: Request {
            workflow,
            plan,
            repo: repo.to_path_buf(),
            run_dir,
            event: trigger,
            sha,
            git_ref,
            cache_dir: paths.cache_dir(),
            paths: Some(paths.clone()),
            service: opts.service.clone(),
            continuous_deployment: paths
                .load()
                .ok()
                .and_then(|s| s.continuous_deployment)
                .unwrap_or(false),
            inputs,
            secrets,
            vars: devloop_vars(),
            run_id: number,
            run_number: number,
            only_job: opts.job.clone(),
            called_from: Vec::new(),
            kept: opts.kept.clone(),
            kept_from: opts.rerun_of.filter(|_| !opts.kept.is_empty()),
        },
        notes,
        store: Arc::new(Mutex::new(store)),
        runs_dir,
        data_dir: paths.data_dir.clone(),
    })
}

/// The configuration variables (`vars.*`) of every run here. `DEVLOOP` is `'true'`, so a
/// workflow can guard the jobs that use DevLoop's own actions with
/// `if: ${{ vars.DEVLOOP == 'true' }}`: on GitHub the variable is unset, those jobs are
/// skipped, and the same file still runs green there.
pub fn devloop_vars() -> BTreeMap<String, String> {
    BTreeMap::from([("DEVLOOP".to_owned(), "true".to_owned())])
}

impl Prepared {
    /// The run's folder (step files, logs, summary).
    pub fn run_dir(&self) -> &Path {
        &self.request.run_dir
    }

    /// Runs it: every event is recorded in the history and passed to `forward`.
    pub async fn execute(
        self,
        forward: impl Fn(&RunEvent) + Send + Sync + 'static,
        cancel: CancellationToken,
    ) -> RunResult {
        let recorder = Recorder::new(
            Arc::clone(&self.store),
            self.number,
            &self.request.run_dir,
            &self.data_dir,
        );
        let ended = Arc::new(Mutex::new(None));
        let end = Arc::clone(&ended);
        let mut result = run::run(
            self.request,
            Arc::new(move |e| {
                let e = recorder.record(e, now());
                if let RunEvent::RunFinished { result, .. } = &e {
                    *end.lock() = Some(*result);
                }
                forward(&e);
            }),
            cancel,
        )
        .await;
        // The end as recorded: a run that filled the disk did not succeed.
        if let Some(recorded) = *ended.lock() {
            result = recorded;
        }
        // Keep the history's files within a budget; the newest runs always stay.
        history::prune(&self.runs_dir, RUNS_BUDGET, 10);
        result
    }
}

/// Prepares a re-run of run `number`: the same workflow, commit, ref, event and inputs, with
/// today's secrets.
pub fn rerun(paths: &Paths, repo: &Path, number: u64, opts: &Options) -> Result<Prepared, Refusal> {
    let origin = Store::open(&paths.database_file())
        .and_then(|s| s.run_origin(number))
        .map_err(Refusal::Other)?
        .ok_or_else(|| Refusal::Other(super::view::no_run(number)))?;
    // The workflow as it ran (it may never have been committed); runs recorded before
    // DevLoop kept the text read it from their commit instead.
    let opts = Options {
        inputs: origin.inputs.into_iter().collect(),
        event: Some(origin.trigger),
        commit: Some(origin.sha),
        git_ref: Some(origin.git_ref).filter(|r| !r.is_empty()),
        rerun_of: Some(number),
        workflow_text: Some(origin.workflow_text).filter(|t| !t.is_empty()),
        ..opts.clone()
    };
    prepare(paths, repo, &repo.join(&origin.workflow), &opts)
}

/// "Re-run failed jobs": run `number` again, keeping the jobs that succeeded there with their
/// outputs; the failed ones, and those that needed them, run. A run with no failed job has
/// nothing to re-run this way.
pub fn rerun_failed(
    paths: &Paths,
    repo: &Path,
    number: u64,
    opts: &Options,
) -> Result<Prepared, Refusal> {
    let settled = Store::open(&paths.database_file())
        .and_then(|s| s.run_settled(number))
        .map_err(Refusal::Other)?;
    let failed = settled
        .iter()
        .any(|j| matches!(j.result, RunResult::Failure | RunResult::Cancelled));
    if !failed {
        return Err(Refusal::Other(
            Error::said(
                Code::InvalidInput,
                Finding::new("nothingFailed").with("number", number),
                format!("run #{number} has no failed job to re-run; re-run it whole instead"),
            )
            .with_fix(format!("devloop run --rerun {number}")),
        ));
    }
    let kept = settled
        .into_iter()
        .filter(|j| j.result == RunResult::Success)
        .map(|j| (j.job, j.outputs))
        .collect();
    rerun(
        paths,
        repo,
        number,
        &Options {
            kept,
            ..opts.clone()
        },
    )
}

/// The text of the workflow file `shown` as it was at commit `sha`.
fn read_at(repo: &Path, sha: &str, shown: &Path) -> Result<String, Error> {
    let gone = |why: String| {
        // No command re-creates a lost commit; running the workflow afresh is the way on.
        Error::said(
            Code::InvalidInput,
            Finding::new("cannotRerun")
                .with("sha", format!("{sha:.7}"))
                .with("cause", &why),
            format!("{why}; run the workflow afresh instead of re-running the old run"),
        )
    };
    let r = git2::Repository::open(repo)
        .map_err(|e| gone(format!("cannot open {}: {}", repo.display(), e.message())))?;
    let commit = r
        .revparse_single(sha)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| gone(format!("commit {sha:.7} is no longer in the repository")))?;
    let blob = commit
        .tree()
        .and_then(|t| t.get_path(shown))
        .and_then(|e| e.to_object(&r))
        .and_then(|o| o.peel_to_blob())
        .map_err(|_| {
            gone(format!(
                "{} did not exist at commit {sha:.7}",
                shown.display()
            ))
        })?;
    if blob.size() as u64 > super::MAX_WORKFLOW_BYTES {
        return Err(gone(format!(
            "{} is too large at {sha:.7}",
            shown.display()
        )));
    }
    String::from_utf8(blob.content().to_vec())
        .map_err(|_| gone(format!("{} is not UTF-8 at {sha:.7}", shown.display())))
}

/// `NAME=value` lines; `#` comments and blank lines are skipped. A missing file is no secrets.
fn read_secrets(file: &Path) -> Result<BTreeMap<String, String>, Error> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(Error::file(Code::Settings, file, &e)),
    };
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // The value is never echoed: an error names only the line.
        let (k, v) = line.split_once('=').ok_or_else(|| {
            Error::said(
                Code::Settings,
                Finding::new("secretLine").with("at", format!("{}:{}", file.display(), i + 1)),
                format!("{}:{}: expected NAME=value", file.display(), i + 1),
            )
        })?;
        out.insert(k.trim().to_owned(), v.to_owned());
    }
    Ok(out)
}

/// The workflow files of a repository, sorted.
pub fn workflows(repo: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(repo.join(".github/workflows"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    found.sort();
    found
}

/// The runs a push starts: every runnable workflow of `repo` whose `on.push` filters match.
pub fn for_push(
    paths: &Paths,
    repo: &Path,
    push: &super::trigger::Push,
    service: Option<crate::service::host::Slot>,
) -> Vec<Prepared> {
    workflows(repo)
        .into_iter()
        .filter(|file| {
            let checked = check_file(file, file);
            checked.runnable()
                && checked
                    .workflow
                    .as_ref()
                    .is_some_and(|wf| super::trigger::starts(wf, push))
        })
        .filter_map(|file| {
            let opts = Options {
                event: Some("push".into()),
                commit: Some(push.sha.clone()).filter(|s| !s.is_empty()),
                git_ref: Some(push.git_ref.clone()),
                service: service.clone(),
                ..Options::default()
            };
            prepare(paths, repo, &file, &opts).ok()
        })
        .collect()
}
