//! Checks: how a lesson step proves the learner really did it, by looking at real state.
//!
//! A check is data (a [`Spec`] written in a lesson's `lesson.toml`) plus an evaluator in the
//! file named after its family (`git.rs`, `file.rs`, `binary.rs`, `docker.rs`, `http.rs`,
//! `command.rs`, `quiz.rs`, …). Adding a kind is one variant here and one function in its
//! family's file. Every evaluation ends in an [`Outcome`]: a failed check is a normal result,
//! not an error, and says what it found as a [`Finding`] the UI puts in the learner's words.

pub mod binary;
pub mod command;
pub mod deploy;
pub mod docker;
pub mod file;
pub mod git;
pub mod monitor;
pub mod operate;
pub mod pipeline;
pub mod plan;
pub mod quiz;
pub mod swarm;

pub use crate::finding::{Finding, Outcome};

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What a step checks. `kind` names the check in `lesson.toml`, e.g.
/// `check = { kind = "git.commitCount", min = 2 }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", deny_unknown_fields)]
pub enum Spec {
    /// The workspace is a git repository.
    #[serde(rename = "git.repoExists")]
    GitRepoExists {},
    /// HEAD's history has at least `min` commits.
    #[serde(rename = "git.commitCount")]
    GitCommitCount { min: u32 },
    /// Some commit in HEAD's history has a message matching `pattern` (a regex).
    #[serde(rename = "git.commitMessage")]
    GitCommitMessage { pattern: String },
    /// A local branch called `name` exists.
    #[serde(rename = "git.branchExists")]
    GitBranchExists { name: String },
    /// Branch `branch`'s tip is in the history of `into` (default `main`).
    #[serde(rename = "git.branchMerged")]
    GitBranchMerged {
        branch: String,
        #[serde(default = "main_branch")]
        into: String,
    },
    /// `path` is tracked in HEAD's tree.
    #[serde(rename = "git.fileTracked")]
    GitFileTracked { path: String },
    /// A tag called `name` exists.
    #[serde(rename = "git.tagExists")]
    GitTagExists { name: String },
    /// `path` exists in the workspace.
    #[serde(rename = "file.exists")]
    FileExists { path: String },
    /// `path`'s text matches `pattern` (a regex).
    #[serde(rename = "file.contains")]
    FileContains { path: String, pattern: String },
    /// An image `image` (`repo:tag`) exists in the local Docker engine.
    #[serde(rename = "docker.imageExists")]
    DockerImageExists { image: String },
    /// A running container has this `name`, or carries `label` (`key=value`).
    #[serde(rename = "docker.containerRunning")]
    DockerContainerRunning {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        label: Option<String>,
    },
    /// The container `name` reports healthy.
    #[serde(rename = "docker.containerHealthy")]
    DockerContainerHealthy { name: String },
    /// `path` is an executable that needs no C library at run time (statically linked), as
    /// an image built `FROM scratch` requires.
    #[serde(rename = "file.staticBinary")]
    FileStaticBinary { path: String },
    /// The container `name` publishes container port `port` on the host: on `hostPort` and
    /// `hostIp` when the lesson names them (`-p 127.0.0.1:8088:8080`).
    #[serde(rename = "docker.portPublished", rename_all = "camelCase")]
    DockerPortPublished {
        name: String,
        port: u16,
        #[serde(default)]
        host_ip: Option<String>,
        #[serde(default)]
        host_port: Option<u16>,
    },
    /// GET `url` answers `status` (default 200), with a body matching `body` if given,
    /// within `timeout_ms` (default 3000).
    #[serde(rename = "http.get", rename_all = "camelCase")]
    HttpGet {
        url: String,
        #[serde(default = "ok_status")]
        status: u16,
        #[serde(default)]
        body: Option<String>,
        #[serde(default = "http_timeout")]
        timeout_ms: u64,
    },
    /// `script` (run by `sh -c` in the workspace) exits 0 within `timeout_ms` (default 10000);
    /// its output is the hint when it does not.
    #[serde(rename = "command.succeeds", rename_all = "camelCase")]
    CommandSucceeds {
        script: String,
        #[serde(default = "command_timeout")]
        timeout_ms: u64,
    },
    /// The newest run of `workflow` (on `branch`, if given) ended with `result` (default
    /// `success`; also `failure`, `cancelled`); with `failedStep`, that run failed at a step
    /// of that name (the red build a broken test makes).
    #[serde(rename = "pipeline.lastRun", rename_all = "camelCase")]
    PipelineLastRun {
        workflow: String,
        #[serde(default)]
        branch: Option<String>,
        #[serde(default = "success_result")]
        result: String,
        #[serde(default)]
        failed_step: Option<String>,
    },
    /// DevLoop made release `version` of `app` (the Releases page, `devloop release` or a
    /// workflow): its image, archive and tag exist, and the Deploy page offers it.
    #[serde(rename = "release.made")]
    ReleaseMade { app: String, version: String },
    /// DevLoop's newest successful deploy of `app` is `version` (when given), and at least
    /// `replicas` (default 1) of its replicas run.
    #[serde(rename = "deploy.live")]
    DeployLive {
        app: String,
        #[serde(default)]
        version: Option<String>,
        #[serde(default = "one_replica")]
        replicas: u32,
    },
    /// This Docker daemon manages a swarm (`devloop swarm init` makes one).
    #[serde(rename = "swarm.active")]
    SwarmActive {},
    /// DevLoop's newest live deploy of `app` went to the swarm, and at least `replicas`
    /// (default 1) of its tasks run `version` (default: the deployed one).
    #[serde(rename = "swarm.live")]
    SwarmLive {
        app: String,
        #[serde(default)]
        version: Option<String>,
        #[serde(default = "one_replica")]
        replicas: u32,
    },
    /// A task of `app`'s swarm service died, and Swarm runs a newer one in its slot.
    #[serde(rename = "swarm.healed")]
    SwarmHealed { app: String },
    /// A deploy of `app` to the swarm failed, and Swarm rolled it back.
    #[serde(rename = "swarm.rolledBack")]
    SwarmRolledBack { app: String },
    /// `app` runs on this machine again, and the swarm DevLoop made is left.
    #[serde(rename = "swarm.left")]
    SwarmLeft { app: String },
    /// While a load run went on (the Operate page's, or `devloop load`), the autoscaler added
    /// a replica to `app`.
    #[serde(rename = "operate.autoscaled")]
    OperateAutoscaled { app: String },
    /// Monitor's alert history has `rule` (about a series containing `series`, when given) in
    /// `state`: `firing`, or `resolved` (the default: it fired, and then it was fixed).
    #[serde(rename = "alert")]
    Alert {
        rule: String,
        #[serde(default)]
        series: Option<String>,
        #[serde(default = "resolved_state")]
        state: String,
    },
    /// A metric Monitor keeps went beyond `threshold` in the last `within_s` seconds (default
    /// 600): `metric` is a selector (`endpoint.rps{service=app}`), `comparator` one of > >= < <=.
    #[serde(rename = "metric", rename_all = "camelCase")]
    Metric {
        metric: String,
        comparator: String,
        threshold: f64,
        #[serde(default = "ten_minutes")]
        within_s: u64,
    },
    /// The backlog holds an item that is in the sprint (or further: doing, done) with
    /// `inSprint`, one linked to a commit of the workspace with `linked`, one marked as needing
    /// infrastructure work with `infra`; a sprint's retrospective with what went well or not
    /// and an improvement with `retro`; a later sprint holding what the loop raised (an
    /// improvement, an alert's bug…) with `nextRound`. Every condition given must hold.
    #[serde(rename = "plan", rename_all = "camelCase")]
    Plan {
        #[serde(default)]
        in_sprint: bool,
        #[serde(default)]
        linked: bool,
        #[serde(default)]
        infra: bool,
        #[serde(default)]
        retro: bool,
        #[serde(default)]
        next_round: bool,
    },
    /// A quiz: `answer` lists the correct choice ids; several mean "choose all that apply".
    #[serde(rename = "quiz")]
    Quiz {
        choices: Vec<String>,
        answer: Vec<String>,
    },
}

fn ten_minutes() -> u64 {
    600
}

fn resolved_state() -> String {
    "resolved".to_owned()
}

fn one_replica() -> u32 {
    1
}

fn success_result() -> String {
    "success".to_owned()
}
fn main_branch() -> String {
    "main".to_owned()
}
fn ok_status() -> u16 {
    200
}
fn http_timeout() -> u64 {
    3_000
}
fn command_timeout() -> u64 {
    10_000
}

/// Where checks look: the learner's workspace, the Docker engine, and the run history.
#[derive(Debug, Clone)]
pub struct Context {
    pub workspace: PathBuf,
    /// The database with the run history, for `pipeline.*` checks.
    pub database: Option<PathBuf>,
}

impl Spec {
    /// Problems with the spec itself, found without running it (bad regex, empty quiz...).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let regex = |pattern: &str, out: &mut Vec<String>| {
            if let Err(e) = regex::Regex::new(pattern) {
                out.push(format!(
                    "the pattern `{pattern}` is not a valid regex: {}",
                    first_line(&e.to_string())
                ));
            }
        };
        match self {
            Spec::GitCommitMessage { pattern } | Spec::FileContains { pattern, .. } => {
                regex(pattern, &mut out)
            }
            Spec::HttpGet {
                body: Some(pattern),
                ..
            } => regex(pattern, &mut out),
            Spec::DockerContainerRunning {
                name: None,
                label: None,
            } => out.push("give the container a `name` or a `label`".into()),
            Spec::Quiz { choices, answer } => {
                if choices.len() < 2 {
                    out.push("a quiz needs at least two choices".into());
                }
                if answer.is_empty() {
                    out.push("a quiz needs at least one correct answer".into());
                }
                for a in answer {
                    if !choices.contains(a) {
                        out.push(format!(
                            "the answer `{a}` is not one of the choices {choices:?}"
                        ));
                    }
                }
            }
            _ => {}
        }
        if let Some(path) = self.workspace_path() {
            if Path::new(path).is_absolute()
                || Path::new(path)
                    .components()
                    .any(|c| c == std::path::Component::ParentDir)
            {
                out.push(format!(
                    "`{path}` must be a relative path inside the workspace"
                ));
            }
        }
        out
    }

    /// The workspace-relative path this check reads, if any.
    fn workspace_path(&self) -> Option<&str> {
        match self {
            Spec::GitFileTracked { path }
            | Spec::FileExists { path }
            | Spec::FileContains { path, .. }
            | Spec::FileStaticBinary { path } => Some(path),
            _ => None,
        }
    }

    /// True for checks that answer from the learner's choice rather than the machine.
    pub fn is_quiz(&self) -> bool {
        matches!(self, Spec::Quiz { .. })
    }

    /// Runs the check against real state. Blocking families (git, files) run on the blocking
    /// pool; quizzes are answered through [`quiz::grade`] instead and report an error here.
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let ws = ctx.workspace.clone();
        match self.clone() {
            spec @ (Spec::GitRepoExists {}
            | Spec::GitCommitCount { .. }
            | Spec::GitCommitMessage { .. }
            | Spec::GitBranchExists { .. }
            | Spec::GitBranchMerged { .. }
            | Spec::GitFileTracked { .. }
            | Spec::GitTagExists { .. }) => blocking(move || git::evaluate(&spec, &ws)).await,
            Spec::FileStaticBinary { path } => blocking(move || binary::evaluate(&path, &ws)).await,
            spec @ (Spec::FileExists { .. } | Spec::FileContains { .. }) => {
                blocking(move || file::evaluate(&spec, &ws)).await
            }
            spec @ (Spec::DockerImageExists { .. }
            | Spec::DockerContainerRunning { .. }
            | Spec::DockerContainerHealthy { .. }
            | Spec::DockerPortPublished { .. }) => docker::evaluate(&spec).await,
            Spec::HttpGet {
                url,
                status,
                body,
                timeout_ms,
            } => crate::http::expect(&url, status, body.as_deref(), timeout_ms).await,
            Spec::CommandSucceeds { script, timeout_ms } => {
                command::succeeds(&script, &ws, timeout_ms).await
            }
            spec @ Spec::DeployLive { .. } => deploy::evaluate(&spec, ctx.database.clone()).await,
            spec @ (Spec::SwarmActive {}
            | Spec::SwarmLive { .. }
            | Spec::SwarmHealed { .. }
            | Spec::SwarmRolledBack { .. }
            | Spec::SwarmLeft { .. }) => swarm::evaluate(&spec, ctx.database.clone()).await,
            Spec::ReleaseMade { app, version } => {
                let db = ctx.database.clone();
                blocking(move || deploy::release_made(&app, &version, db.as_deref())).await
            }
            Spec::OperateAutoscaled { app } => {
                let db = ctx.database.clone();
                blocking(move || operate::evaluate(&app, db.as_deref())).await
            }
            Spec::Metric {
                metric,
                comparator,
                threshold,
                within_s,
            } => {
                let db = ctx.database.clone();
                blocking(move || {
                    monitor::metric(&metric, &comparator, threshold, within_s, db.as_deref())
                })
                .await
            }
            Spec::Plan {
                in_sprint,
                linked,
                infra,
                retro,
                next_round,
            } => {
                let db = ctx.database.clone();
                let wants = plan::Wants {
                    in_sprint,
                    linked,
                    infra,
                    retro,
                    next_round,
                };
                blocking(move || plan::evaluate(&ws, db.as_deref(), wants)).await
            }
            Spec::Alert {
                rule,
                series,
                state,
            } => {
                let db = ctx.database.clone();
                blocking(move || monitor::evaluate(&rule, series.as_deref(), &state, db.as_deref()))
                    .await
            }
            spec @ Spec::PipelineLastRun { .. } => {
                let db = ctx.database.clone();
                blocking(move || pipeline::evaluate(&spec, db.as_deref())).await
            }
            Spec::Quiz { .. } => Outcome::error("a quiz is answered by the learner, not checked"),
        }
    }
}

async fn blocking(f: impl FnOnce() -> Outcome + Send + 'static) -> Outcome {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Outcome::error(format!("the check crashed: {e}")))
}

fn first_line(text: &str) -> &str {
    text.lines().last().unwrap_or(text).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> Result<Spec, String> {
        #[derive(Deserialize)]
        struct Step {
            check: Spec,
        }
        toml::from_str::<Step>(toml_text)
            .map(|s| s.check)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn specs_read_from_lesson_toml_with_defaults() {
        assert_eq!(
            parse(r#"check = { kind = "git.branchMerged", branch = "feature" }"#).unwrap(),
            Spec::GitBranchMerged {
                branch: "feature".into(),
                into: "main".into()
            }
        );
        assert_eq!(
            parse(r#"check = { kind = "http.get", url = "http://127.0.0.1:8080/health" }"#)
                .unwrap(),
            Spec::HttpGet {
                url: "http://127.0.0.1:8080/health".into(),
                status: 200,
                body: None,
                timeout_ms: 3000
            }
        );
    }

    #[test]
    fn an_unknown_kind_or_field_is_an_error_naming_it() {
        let err = parse(r#"check = { kind = "git.comitCount", min = 2 }"#).unwrap_err();
        assert!(err.contains("git.comitCount"), "{err}");
        let err = parse(r#"check = { kind = "git.commitCount", minimum = 2 }"#).unwrap_err();
        assert!(err.contains("minimum"), "{err}");
    }

    #[test]
    fn bad_regexes_empty_quizzes_and_escaping_paths_are_problems() {
        let spec = parse(
            r#"check = { kind = "file.contains", path = "README.md", pattern = "(unclosed" }"#,
        )
        .unwrap();
        assert!(
            spec.problems()[0].contains("not a valid regex"),
            "{:?}",
            spec.problems()
        );
        let spec = parse(r#"check = { kind = "quiz", choices = ["a"], answer = ["b"] }"#).unwrap();
        assert_eq!(spec.problems().len(), 2, "{:?}", spec.problems());
        let spec = parse(r#"check = { kind = "file.exists", path = "../../etc/passwd" }"#).unwrap();
        assert!(spec.problems()[0].contains("relative path inside the workspace"));
        let spec = parse(r#"check = { kind = "docker.containerRunning" }"#).unwrap();
        assert!(!spec.problems().is_empty());
    }
}
