//! A GitHub Actions workflow, read from the positioned YAML tree. Every problem is reported
//! with file:line:col and what to write instead; reading goes on after a problem so the
//! learner sees all of them at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::yaml::{self, Node, Pos, Value};
use crate::diagnostic::Diagnostic;
use crate::finding::Finding;

/// The most jobs one matrix may make, as on GitHub ("A matrix can generate a maximum of 256
/// jobs per workflow run").
pub const MAX_MATRIX_JOBS: usize = 256;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Workflow {
    pub file: PathBuf,
    pub name: Option<String>,
    pub on: Triggers,
    pub env: BTreeMap<String, String>,
    pub defaults: RunDefaults,
    /// Jobs in file order.
    pub jobs: Vec<Job>,
    /// Every value that holds an expression, every `if:` and every `run:`, where it was
    /// written: what the linter reads (`lint.rs`).
    pub written: Vec<Written>,
}

/// A value as written in the file, at its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub pos: Pos,
    /// Its key path: `jobs.build.steps[2].run`.
    pub what: String,
    pub text: String,
}

impl Workflow {
    /// `job` and every job it needs, directly or not: what `--job` runs.
    pub fn with_needs(&self, job: &str) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        let mut todo = vec![job.to_owned()];
        while let Some(id) = todo.pop() {
            if out.insert(id.clone()) {
                if let Some(j) = self.jobs.iter().find(|j| j.id == id) {
                    todo.extend(j.needs.iter().map(|(n, _)| n.clone()));
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Triggers {
    /// `on.push`, with its filters (empty lists mean "any").
    pub push: Option<PushFilter>,
    pub pull_request: Option<PushFilter>,
    /// `on.workflow_dispatch`: the inputs a manual run asks for.
    pub workflow_dispatch: Option<Vec<Input>>,
    /// `on.workflow_call`: the workflow can be called by another one's job.
    pub workflow_call: Option<WorkflowCall>,
    /// Other events (schedule, release...): valid on GitHub, never fired locally.
    pub other: Vec<(String, Pos)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PushFilter {
    pub branches: Vec<String>,
    pub branches_ignore: Vec<String>,
    pub tags: Vec<String>,
    pub paths: Vec<String>,
    pub paths_ignore: Vec<String>,
}

/// What a reusable workflow takes and gives.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkflowCall {
    pub inputs: Vec<Input>,
    /// Each output with its `value` (`${{ jobs.build.outputs.version }}`).
    pub outputs: Vec<(String, String)>,
    /// Each secret with whether it is required.
    pub secrets: Vec<(String, bool)>,
}

/// A job that calls a reusable workflow (`jobs.<id>.uses`).
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// `./.github/workflows/build.yml`.
    pub uses: String,
    pub pos: Pos,
    pub with: BTreeMap<String, String>,
    /// `secrets: inherit`, or each secret mapped by name.
    pub inherit: bool,
    pub secrets: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub name: String,
    pub description: Option<String>,
    pub required: bool,
    pub default: Option<String>,
    pub kind: String,
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunDefaults {
    pub shell: Option<String>,
    pub working_directory: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    pub pos: Pos,
    pub name: Option<String>,
    pub needs: Vec<(String, Pos)>,
    pub condition: Option<String>,
    pub timeout_minutes: Option<String>,
    pub continue_on_error: Option<String>,
    pub outputs: BTreeMap<String, String>,
    pub strategy: Option<Strategy>,
    pub env: BTreeMap<String, String>,
    pub defaults: RunDefaults,
    /// The runner labels `runs-on` asks for (`ubuntu-latest`, `windows-latest`…), as written.
    pub runs_on: Vec<String>,
    pub steps: Vec<Step>,
    /// Keys the local runner does not do (`services`, `container`, a reusable workflow of
    /// another repository...).
    pub unsupported: Vec<(String, Pos)>,
    /// The reusable workflow of this repository the job calls, instead of steps.
    pub call: Option<Call>,
    /// `container:`: the job's `run` steps run in a container of this image.
    pub container: Option<ContainerSpec>,
    /// `services:`: containers started beside the job, by id.
    pub services: Vec<(String, ContainerSpec)>,
}

/// A container a job asks for (`container:` or one of `services:`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContainerSpec {
    pub image: String,
    /// Where the image is named, for a refusal when it is not on this machine.
    pub pos: Pos,
    pub env: BTreeMap<String, String>,
    /// `"5432"` (a port the engine picks on this machine) or `"8080:80"`.
    pub ports: Vec<String>,
    /// `docker create` options (`--health-cmd …`): the health options are applied.
    pub options: Option<String>,
    /// Its keys that do not run here (`volumes`, `credentials`), with their places.
    pub unsupported: Vec<(String, Pos)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Strategy {
    /// Matrix axes in file order, each with its values: text, or mappings and lists, which
    /// GitHub allows (`matrix.os.name`).
    pub axes: Vec<(String, Vec<serde_json::Value>)>,
    pub include: Vec<BTreeMap<String, serde_json::Value>>,
    pub exclude: Vec<BTreeMap<String, serde_json::Value>>,
    pub fail_fast: Option<String>,
    pub max_parallel: Option<String>,
    /// `matrix: ${{ fromJSON(…) }}`: the whole matrix from an expression, read when the job
    /// is about to run (it usually reads a job it needs).
    pub matrix_expr: Option<String>,
    /// Axes, `include` or `exclude` given as an expression (`os: ${{ fromJSON(…) }}`), read
    /// like `matrix_expr` when the job is about to run.
    pub exprs: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub pos: Pos,
    pub id: Option<String>,
    pub name: Option<String>,
    pub run: Option<String>,
    pub uses: Option<(String, Pos)>,
    pub with: BTreeMap<String, String>,
    pub shell: Option<String>,
    pub working_directory: Option<String>,
    pub env: BTreeMap<String, String>,
    pub condition: Option<String>,
    pub timeout_minutes: Option<String>,
    pub continue_on_error: Option<String>,
}

const WORKFLOW_KEYS: &[&str] = &[
    "name",
    "run-name",
    "on",
    "env",
    "defaults",
    "jobs",
    "permissions",
    "concurrency",
];
const JOB_KEYS: &[&str] = &[
    "name",
    "needs",
    "if",
    "runs-on",
    "timeout-minutes",
    "continue-on-error",
    "outputs",
    "strategy",
    "env",
    "defaults",
    "steps",
    "services",
    "container",
    "uses",
    "with",
    "secrets",
    "permissions",
    "concurrency",
    "environment",
];
const STEP_KEYS: &[&str] = &[
    "id",
    "name",
    "run",
    "uses",
    "with",
    "shell",
    "working-directory",
    "env",
    "if",
    "timeout-minutes",
    "continue-on-error",
];
/// The shells the local runner runs.
pub const SHELLS: &[&str] = &["bash", "sh"];
/// Events GitHub knows; only push, pull_request and workflow_dispatch fire locally.
const EVENTS: &[&str] = &[
    "push",
    "pull_request",
    "workflow_dispatch",
    "schedule",
    "release",
    "pull_request_target",
    "workflow_call",
    "workflow_run",
    "repository_dispatch",
    "issues",
    "issue_comment",
    "create",
    "delete",
    "merge_group",
    "deployment",
    "deployment_status",
    "page_build",
    "registry_package",
    "status",
    "watch",
    "fork",
    "gollum",
    "label",
    "milestone",
    "discussion",
    "discussion_comment",
    "check_run",
    "check_suite",
    "branch_protection_rule",
    "public",
];

/// An action defined in the repository (`uses: ./path`), from its `action.yml`: GitHub's
/// "Metadata syntax for GitHub Actions".
#[derive(Debug, Clone, PartialEq)]
pub struct ActionDef {
    pub name: Option<String>,
    /// Each input with its default and whether it is required.
    pub inputs: Vec<(String, Option<String>, bool)>,
    /// Each output with its `value` (composite actions compute them from their steps).
    pub outputs: Vec<(String, Option<String>)>,
    pub runs: Runs,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Runs {
    Composite(Vec<Step>),
    /// A JavaScript action: its runtime (`node20`), its `main` script, and `pre`/`post`.
    Node {
        using: String,
        main: String,
        pre: Option<String>,
        post: Option<String>,
    },
    /// A Docker container action.
    Docker,
}

/// Reads an `action.yml` in `text` (from `file`).
pub fn read_action(file: &Path, text: &str) -> Result<ActionDef, Vec<Diagnostic>> {
    let root = yaml::parse(text).map_err(|e| vec![not_yaml(file, e)])?;
    let mut r = Reader::new(file);
    let def = r.action(&root);
    match def {
        Some(def) if r.diags.is_empty() => Ok(def),
        _ => Err(r.diags),
    }
}

/// The parser's refusal of `file` as a problem at its place.
fn not_yaml(file: &Path, e: yaml::YamlError) -> Diagnostic {
    Diagnostic::line_col(
        file,
        e.pos.line,
        e.pos.col,
        *e.finding,
        format!("this is not valid YAML: {}", e.message),
        e.fix,
    )
}

/// Reads the workflow in `text` (from `file`). Returns it, or every problem found.
pub fn read(file: &Path, text: &str) -> Result<Workflow, Vec<Diagnostic>> {
    match read_partly(file, text) {
        (Some(wf), diags) if diags.is_empty() => Ok(wf),
        (_, diags) => Err(diags),
    }
}

/// The workflow as far as it could be read (none when the file is not YAML), with every
/// problem found: what does not run here can then be said beside the errors.
pub fn read_partly(file: &Path, text: &str) -> (Option<Workflow>, Vec<Diagnostic>) {
    let root = match yaml::parse(text) {
        Ok(root) => root,
        Err(e) => return (None, vec![not_yaml(file, e)]),
    };
    let mut r = Reader::new(file);
    let mut wf = r.workflow(&root);
    wf.written = r.written;
    (Some(wf), r.diags)
}

struct Reader<'a> {
    file: &'a Path,
    diags: Vec<Diagnostic>,
    written: Vec<Written>,
}

impl<'a> Reader<'a> {
    fn new(file: &'a Path) -> Reader<'a> {
        Reader {
            file,
            diags: Vec::new(),
            written: Vec::new(),
        }
    }

    fn err(
        &mut self,
        pos: Pos,
        finding: Finding,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.diags.push(Diagnostic::line_col(
            self.file, pos.line, pos.col, finding, message, fix,
        ));
    }

    /// The entries of a mapping, or an error saying a mapping was expected. `what` is where
    /// the value sits, as its key path (`jobs.build`), or `workflow` for the file's top level.
    fn map<'n>(&mut self, node: &'n Node, what: &str) -> &'n [(Node, Node)] {
        match node.as_map() {
            Some(m) => m,
            None if node.is_null() => &[],
            None => {
                self.err(
                    node.pos,
                    Finding::new("notMapping")
                        .with("what", what)
                        .with("kind", node.kind_code()),
                    format!(
                        "{} must be a mapping (key: value lines), not {}",
                        named(what),
                        node.kind()
                    ),
                    format!("write {} as indented `key: value` lines", named(what)),
                );
                &[]
            }
        }
    }

    fn keys_known(&mut self, entries: &[(Node, Node)], known: &[&str], what: &str) {
        for (k, _) in entries {
            let name = k.as_str().unwrap_or("");
            if !known.contains(&name) {
                let near = known.iter().find(|c| crate::text::similar(c, name));
                let finding = Finding::new("unknownKey")
                    .with("key", name)
                    .with("what", what)
                    .with("valid", known.join(", "));
                self.err(
                    k.pos,
                    match near {
                        Some(near) => {
                            finding.because(Some(Finding::new("didYouMean").with("near", near)))
                        }
                        None => finding,
                    },
                    format!("`{name}` is not a key of {}", named(what)),
                    format!(
                        "{}valid keys: {}",
                        near.map(|c| format!("did you mean `{c}`? "))
                            .unwrap_or_default(),
                        known.join(", ")
                    ),
                );
            }
        }
    }

    /// A scalar as text: numbers and booleans become their text, as GitHub does.
    fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        match node.as_str() {
            Some(s) => {
                self.expressions(node.pos, s);
                if s.contains("${{") || what.ends_with(".if") || what.ends_with(".run") {
                    self.written.push(Written {
                        pos: node.pos,
                        what: what.to_owned(),
                        text: s.to_owned(),
                    });
                }
                Some(s.to_owned())
            }
            None => {
                self.err(
                    node.pos,
                    Finding::new("notSingleValue")
                        .with("what", what)
                        .with("kind", node.kind_code()),
                    format!("{} must be a single value, not {}", named(what), node.kind()),
                    "put one value here, on the same line (quote it if it holds special characters)",
                );
                None
            }
        }
    }

    /// Parses every `${{ … }}` in `s`, so a broken expression is found before the run.
    fn expressions(&mut self, pos: Pos, s: &str) {
        let mut rest = s;
        let mut offset = 0;
        while let Some(start) = rest.find("${{") {
            let body_start = start + 3;
            let Some(len) = super::expr::closing(&rest[body_start..]) else {
                self.err(
                    pos,
                    Finding::new("exprNotClosed"),
                    "an expression `${{` is not closed with `}}`",
                    "close the expression: `${{ github.ref }}`",
                );
                return;
            };
            if let Err(e) = super::expr::parse(&rest[body_start..body_start + len]) {
                self.expr_error(pos, s, offset + body_start + e.at, &e.message);
            }
            offset += body_start + len + 2;
            rest = &rest[body_start + len + 2..];
        }
    }

    /// An expression error, pointing into the value when it sits on one line.
    fn expr_error(&mut self, pos: Pos, text: &str, at: usize, message: &str) {
        let col = if text.contains('\n') {
            pos.col
        } else {
            pos.col + text[..at.min(text.len())].chars().count() as u32
        };
        self.err(
            Pos {
                line: pos.line,
                col,
            },
            // The parser's words, quoted as code: they name the token it stopped at.
            Finding::new("exprInvalid").with("said", message),
            format!("this expression is not valid: {message}"),
            "see https://docs.github.com/actions/learn-github-actions/expressions",
        );
    }

    /// An `if:` is an expression even without `${{ }}`.
    fn condition(&mut self, node: &Node, place: &str) -> Option<String> {
        let text = self.text(node, &format!("{place}.if"))?;
        let trimmed = text.trim();
        if !trimmed.starts_with("${{") {
            if let Err(e) = super::expr::parse(trimmed) {
                self.expr_error(node.pos, &text, e.at, &e.message);
            }
        }
        Some(text)
    }

    fn strings(&mut self, node: &Node, what: &str) -> Vec<String> {
        match &node.value {
            Value::Scalar(..) if node.is_null() => Vec::new(),
            Value::Scalar(s, _) => vec![s.clone()],
            Value::Seq(items) => items.iter().filter_map(|i| self.text(i, what)).collect(),
            Value::Map(_) => {
                self.err(
                    node.pos,
                    Finding::new("notList").with("what", what),
                    format!("`{what}` must be a value or a list, not a mapping"),
                    format!("write `{what}` as `[a, b]` or one `- item` per line"),
                );
                Vec::new()
            }
        }
    }

    /// An `env:` mapping under `under` (a job or step's key path; empty at the top level).
    fn env(&mut self, node: &Node, under: &str) -> BTreeMap<String, String> {
        let place = join(under, "env");
        let entries = self.map(node, &place);
        entries
            .iter()
            .filter_map(|(k, v)| {
                let name = k.as_str()?;
                Some((name.to_owned(), self.text(v, &format!("{place}.{name}"))?))
            })
            .collect()
    }

    fn defaults(&mut self, node: &Node, under: &str) -> RunDefaults {
        let place = join(under, "defaults");
        let entries = self.map(node, &place);
        self.keys_known(entries, &["run"], &place);
        let Some(run) = node.get("run") else {
            return RunDefaults::default();
        };
        let place = format!("{place}.run");
        let entries = self.map(run, &place);
        self.keys_known(entries, &["shell", "working-directory"], &place);
        let shell = run.get("shell").and_then(|s| self.shell(s));
        RunDefaults {
            shell,
            working_directory: run
                .get("working-directory")
                .and_then(|w| self.text(w, &format!("{place}.working-directory"))),
        }
    }

    fn shell(&mut self, node: &Node) -> Option<String> {
        let shell = self.text(node, "shell")?;
        // GitHub's other shells, and a custom one (`perl {0}`), are valid workflows that do
        // not run here: kept, so the compatibility report names them (`compat.rs`).
        let elsewhere = ["pwsh", "powershell", "cmd", "python"];
        if SHELLS.contains(&shell.as_str())
            || elsewhere.contains(&shell.as_str())
            || shell.contains("{0}")
        {
            Some(shell)
        } else {
            self.err(
                node.pos,
                Finding::new("unknownShell").with("shell", &shell),
                format!("the shell `{shell}` is not supported here"),
                "use `shell: bash` or `shell: sh`",
            );
            None
        }
    }

    fn action(&mut self, root: &Node) -> Option<ActionDef> {
        let entries = self.map(root, "action");
        self.keys_known(
            entries,
            &[
                "name",
                "author",
                "description",
                "inputs",
                "outputs",
                "runs",
                "branding",
            ],
            "action",
        );
        let mut inputs = Vec::new();
        if let Some(node) = root.get("inputs") {
            for (k, v) in self.map(node, "inputs") {
                let name = k.as_str().unwrap_or("").to_owned();
                let place = format!("inputs.{name}");
                let spec = self.map(v, &place);
                self.keys_known(
                    spec,
                    &["description", "required", "default", "deprecationMessage"],
                    &place,
                );
                let default = v
                    .get("default")
                    .and_then(|d| self.text(d, &format!("{place}.default")));
                let required = v
                    .get("required")
                    .and_then(|r| self.boolean(r, &format!("{place}.required")))
                    .as_deref()
                    == Some("true");
                inputs.push((name, default, required));
            }
        }
        let outputs = root
            .get("outputs")
            .map(|node| self.outputs(node, "outputs"))
            .unwrap_or_default();
        let Some(runs) = root.get("runs") else {
            self.err(
                Pos { line: 1, col: 1 },
                Finding::new("actionNoRuns"),
                "the action has no `runs:` (how it runs)",
                "add `runs:` with `using: composite` and `steps:`, or `using: node20` and `main:`",
            );
            return None;
        };
        let entries = self.map(runs, "runs");
        self.keys_known(
            entries,
            &[
                "using",
                "steps",
                "main",
                "pre",
                "post",
                "pre-if",
                "post-if",
                "image",
                "args",
                "entrypoint",
                "env",
                "pre-entrypoint",
                "post-entrypoint",
            ],
            "runs",
        );
        let using = runs.get("using").and_then(|u| self.text(u, "runs.using"))?;
        let runs = match using.as_str() {
            "composite" => {
                let steps = match runs.get("steps").and_then(Node::as_seq) {
                    Some(items) => items
                        .iter()
                        .enumerate()
                        .filter_map(|(i, s)| self.step(s, &format!("runs.steps[{i}]")))
                        .collect::<Vec<_>>(),
                    None => {
                        self.err(
                            runs.pos,
                            Finding::new("stepsNotList"),
                            "`steps` must be a list",
                            "write each step as a `- name: …` item under `steps:`",
                        );
                        Vec::new()
                    }
                };
                // "shell: Required if run is set" (Metadata syntax, runs for composite actions).
                for (i, step) in steps.iter().enumerate() {
                    if step.run.is_some() && step.shell.is_none() {
                        self.err(
                            step.pos,
                            Finding::new("compositeShell"),
                            format!("step {} of a composite action runs a command without `shell:`", i + 1),
                            "add `shell: bash` to the step: a composite action's `run` steps name their shell",
                        );
                    }
                }
                Runs::Composite(steps)
            }
            "node12" | "node16" | "node20" | "node24" => {
                let script = |key: &str, r: &mut Self| {
                    runs.get(key)
                        .and_then(|m| r.text(m, &format!("runs.{key}")))
                };
                let Some(main) = script("main", self) else {
                    self.err(
                        runs.pos,
                        Finding::new("actionNoMain"),
                        "a JavaScript action names its script in `main:`",
                        "add `main: dist/index.js`",
                    );
                    return None;
                };
                Runs::Node {
                    using,
                    main,
                    pre: script("pre", self),
                    post: script("post", self),
                }
            }
            "docker" => Runs::Docker,
            other => {
                self.err(
                    runs.get("using").map_or(runs.pos, |u| u.pos),
                    Finding::new("actionUsing").with("using", other),
                    format!("`using: {other}` is not a kind of action"),
                    "use `composite`, `node20` or `docker`",
                );
                return None;
            }
        };
        Some(ActionDef {
            name: root.get("name").and_then(|n| self.text(n, "name")),
            inputs,
            outputs,
            runs,
        })
    }

    fn workflow(&mut self, root: &Node) -> Workflow {
        let entries = self.map(root, "workflow");
        self.keys_known(entries, WORKFLOW_KEYS, "workflow");
        let mut wf = Workflow {
            file: self.file.to_path_buf(),
            ..Workflow::default()
        };
        wf.name = root.get("name").and_then(|n| self.text(n, "name"));
        match root.get("on") {
            Some(on) => wf.on = self.triggers(on),
            None => self.err(
                Pos { line: 1, col: 1 },
                Finding::new("noOn"),
                "the workflow has no `on:` (what starts it)",
                "add `on: [push, workflow_dispatch]`",
            ),
        }
        if let Some(env) = root.get("env") {
            wf.env = self.env(env, "");
        }
        if let Some(d) = root.get("defaults") {
            wf.defaults = self.defaults(d, "");
        }
        match root.get("jobs") {
            Some(jobs) => {
                let entries = self.map(jobs, "jobs");
                if entries.is_empty() {
                    self.err(
                        jobs.pos,
                        Finding::new("noJobsListed"),
                        "`jobs` is empty",
                        "add at least one job with `runs-on` and `steps`",
                    );
                }
                for (id, job) in entries {
                    if let Some(job) = self.job(id, job) {
                        wf.jobs.push(job);
                    }
                }
            }
            None => self.err(
                Pos { line: 1, col: 1 },
                Finding::new("noJobs"),
                "the workflow has no `jobs:`",
                "add `jobs:` with at least one job",
            ),
        }
        wf
    }

    fn triggers(&mut self, on: &Node) -> Triggers {
        let mut t = Triggers::default();
        let events: Vec<(&Node, Option<&Node>)> = match &on.value {
            Value::Scalar(..) => vec![(on, None)],
            Value::Seq(items) => items.iter().map(|i| (i, None)).collect(),
            Value::Map(entries) => entries.iter().map(|(k, v)| (k, Some(v))).collect(),
        };
        for (event, config) in events {
            let Some(name) = event.as_str() else {
                self.err(
                    event.pos,
                    Finding::new("eventNotWord"),
                    "an event name must be a single word like `push`",
                    "list events as `on: [push, workflow_dispatch]`",
                );
                continue;
            };
            match name {
                "push" | "pull_request" => {
                    let filter = config
                        .map(|c| self.push_filter(c, name))
                        .unwrap_or_default();
                    if name == "push" {
                        t.push = Some(filter)
                    } else {
                        t.pull_request = Some(filter)
                    }
                }
                "workflow_dispatch" => {
                    t.workflow_dispatch = Some(config.map(|c| self.inputs(c)).unwrap_or_default())
                }
                "workflow_call" => {
                    t.workflow_call =
                        Some(config.map(|c| self.workflow_call(c)).unwrap_or_default())
                }
                "schedule" => {
                    self.schedule(event, config);
                    t.other.push(("schedule".to_owned(), event.pos));
                }
                other if EVENTS.contains(&other) => t.other.push((other.to_owned(), event.pos)),
                other => {
                    let near = EVENTS.iter().find(|c| crate::text::similar(c, other));
                    self.err(
                        event.pos,
                        Finding::new("unknownEvent")
                            .with("event", other)
                            .because(near.map(|c| Finding::new("didYouMean").with("near", c))),
                        format!("`{other}` is not a GitHub Actions event"),
                        format!(
                            "{}DevLoop runs push, pull_request and workflow_dispatch",
                            near.map(|c| format!("did you mean `{c}`? "))
                                .unwrap_or_default()
                        ),
                    );
                }
            }
        }
        t
    }

    /// `on.schedule`: a list of `- cron: '…'`, each a valid POSIX cron line, or GitHub refuses
    /// the workflow.
    fn schedule(&mut self, event: &Node, config: Option<&Node>) {
        let Some(items) = config.and_then(Node::as_seq) else {
            self.err(
                config.map_or(event.pos, |c| c.pos),
                Finding::new("scheduleShape"),
                "`on.schedule` must be a list of `- cron: '…'` entries",
                "write `schedule:` then `- cron: '30 5 * * 1-5'`",
            );
            return;
        };
        for item in items {
            let entries = self.map(item, "on.schedule[]");
            self.keys_known(entries, &["cron"], "on.schedule[]");
            let Some(cron) = item.get("cron") else {
                self.err(
                    item.pos,
                    Finding::new("scheduleShape"),
                    "an `on.schedule` entry has no `cron`",
                    "write `- cron: '30 5 * * 1-5'`",
                );
                continue;
            };
            let Some(line) = self.text(cron, "on.schedule[].cron") else {
                continue;
            };
            if let Err(bad) = super::cron::check(&line) {
                self.err(
                    cron.pos,
                    bad.finding.with("cron", &line),
                    format!("`{line}` is not a valid cron schedule: {}", bad.message),
                    "write five fields: minute (0-59), hour (0-23), day of the month (1-31), month (1-12 or JAN-DEC) and day of the week (0-6 or SUN-SAT), e.g. `30 5 * * 1-5`",
                );
            }
        }
    }

    /// `runs-on`: a label, a list of labels, or a `group` and `labels` mapping, as GitHub
    /// allows; the labels are kept.
    fn runs_on(&mut self, node: &Node, place: &str) -> Vec<String> {
        let what = format!("{place}.runs-on");
        match &node.value {
            Value::Scalar(..) => self.text(node, &what).into_iter().collect(),
            Value::Seq(items) => items.iter().filter_map(|i| self.text(i, &what)).collect(),
            Value::Map(entries) => {
                self.keys_known(entries, &["group", "labels"], &what);
                let group = node
                    .get("group")
                    .and_then(|g| self.text(g, &format!("{what}.group")));
                let labels = node
                    .get("labels")
                    .map(|l| self.strings(l, &format!("{what}.labels")))
                    .unwrap_or_default();
                if group.is_none() && labels.is_empty() {
                    self.err(
                        node.pos,
                        Finding::new("runsOnEmpty"),
                        "a `runs-on` mapping names neither a `group` nor `labels`",
                        "write `runs-on: ubuntu-latest`, or give a `group:` or `labels:`",
                    );
                }
                labels
            }
        }
    }

    fn push_filter(&mut self, node: &Node, event: &str) -> PushFilter {
        let entries = self.map(node, &format!("on.{event}"));
        self.keys_known(
            entries,
            &[
                "branches",
                "branches-ignore",
                "tags",
                "tags-ignore",
                "paths",
                "paths-ignore",
                "types",
            ],
            &format!("on.{event}"),
        );
        let mut list = |key: &str| {
            node.get(key)
                .map(|v| self.strings(v, &format!("on.{event}.{key}")))
                .unwrap_or_default()
        };
        PushFilter {
            branches: list("branches"),
            branches_ignore: list("branches-ignore"),
            tags: list("tags"),
            paths: list("paths"),
            paths_ignore: list("paths-ignore"),
        }
    }

    fn inputs(&mut self, node: &Node) -> Vec<Input> {
        let entries = self.map(node, "on.workflow_dispatch");
        self.keys_known(entries, &["inputs"], "on.workflow_dispatch");
        match node.get("inputs") {
            Some(inputs) => self.input_list(inputs, "on.workflow_dispatch.inputs"),
            None => Vec::new(),
        }
    }

    /// `on.workflow_call`: what a reusable workflow takes (inputs, secrets) and gives (outputs).
    fn workflow_call(&mut self, node: &Node) -> WorkflowCall {
        let entries = self.map(node, "on.workflow_call");
        self.keys_known(
            entries,
            &["inputs", "outputs", "secrets"],
            "on.workflow_call",
        );
        let inputs = node
            .get("inputs")
            .map(|i| self.input_list(i, "on.workflow_call.inputs"))
            .unwrap_or_default();
        let outputs = node
            .get("outputs")
            .map(|node| self.outputs(node, "on.workflow_call.outputs"))
            .unwrap_or_default()
            .into_iter()
            .map(|(name, value)| (name, value.unwrap_or_default()))
            .collect();
        let mut secrets = Vec::new();
        if let Some(node) = node.get("secrets") {
            for (k, v) in self.map(node, "on.workflow_call.secrets") {
                let name = k.as_str().unwrap_or("").to_owned();
                let place = format!("on.workflow_call.secrets.{name}");
                let spec = self.map(v, &place);
                self.keys_known(spec, &["description", "required"], &place);
                let required = v
                    .get("required")
                    .and_then(|r| self.boolean(r, &format!("{place}.required")));
                secrets.push((name, required.as_deref() == Some("true")));
            }
        }
        WorkflowCall {
            inputs,
            outputs,
            secrets,
        }
    }

    /// Outputs declared as `name: { description, value }` (an action's, a reusable workflow's).
    fn outputs(&mut self, node: &Node, what: &str) -> Vec<(String, Option<String>)> {
        let mut outputs = Vec::new();
        for (k, v) in self.map(node, what) {
            let name = k.as_str().unwrap_or("").to_owned();
            let place = format!("{what}.{name}");
            let spec = self.map(v, &place);
            self.keys_known(spec, &["description", "value"], &place);
            let value = v
                .get("value")
                .and_then(|d| self.text(d, &format!("{place}.value")));
            outputs.push((name, value));
        }
        outputs
    }

    fn input_list(&mut self, inputs: &Node, what: &str) -> Vec<Input> {
        let entries = self.map(inputs, what);
        let mut out = Vec::new();
        for (k, v) in entries {
            let name = k.as_str().unwrap_or("").to_owned();
            let place = format!("inputs.{name}");
            let spec = self.map(v, &place);
            self.keys_known(
                spec,
                &["description", "required", "default", "type", "options"],
                &place,
            );
            let kind = v
                .get("type")
                .and_then(|t| self.text(t, &format!("{place}.type")))
                .unwrap_or_else(|| "string".into());
            if !["string", "boolean", "choice", "number", "environment"].contains(&kind.as_str()) {
                self.err(
                    v.get("type").map_or(v.pos, |t| t.pos),
                    Finding::new("unknownInputType").with("type", &kind),
                    format!("`{kind}` is not an input type"),
                    "use string, boolean, choice, number or environment",
                );
            }
            let required = v
                .get("required")
                .and_then(|r| self.text(r, &format!("{place}.required")));
            if let Some(r) = &required {
                if r != "true" && r != "false" {
                    self.err(
                        v.get("required").map_or(v.pos, |n| n.pos),
                        Finding::new("notBoolean")
                            .with("what", format!("{place}.required"))
                            .with("value", r),
                        format!("`required: {r}` must be true or false"),
                        "write `required: true` or `required: false`",
                    );
                }
            }
            let options = v
                .get("options")
                .map(|o| self.strings(o, &format!("{place}.options")))
                .unwrap_or_default();
            if kind == "choice" && options.is_empty() {
                self.err(
                    v.pos,
                    Finding::new("choiceWithoutOptions").with("input", &name),
                    format!("input `{name}` is a choice with no `options`"),
                    "add `options: [a, b]`",
                );
            }
            out.push(Input {
                name,
                description: v
                    .get("description")
                    .and_then(|d| self.text(d, &format!("{place}.description"))),
                required: required.as_deref() == Some("true"),
                default: v
                    .get("default")
                    .and_then(|d| self.text(d, &format!("{place}.default"))),
                kind,
                options,
            });
        }
        out
    }

    fn job(&mut self, id_node: &Node, node: &Node) -> Option<Job> {
        let id = id_node.as_str().unwrap_or("").to_owned();
        if !valid_id(&id) {
            self.err(
                id_node.pos,
                Finding::new("badJobId").with("id", &id),
                format!("`{id}` is not a valid job id"),
                "start with a letter or `_`, then letters, digits, `-` or `_`",
            );
        }
        let place = format!("jobs.{id}");
        let entries = self.map(node, &place);
        self.keys_known(entries, JOB_KEYS, &place);
        let mut job = Job {
            id: id.clone(),
            pos: id_node.pos,
            name: None,
            needs: Vec::new(),
            condition: None,
            timeout_minutes: None,
            continue_on_error: None,
            outputs: BTreeMap::new(),
            strategy: None,
            env: BTreeMap::new(),
            defaults: RunDefaults::default(),
            runs_on: Vec::new(),
            steps: Vec::new(),
            unsupported: Vec::new(),
            call: None,
            container: None,
            services: Vec::new(),
        };
        for (k, v) in entries {
            match k.as_str().unwrap_or("") {
                "name" => job.name = self.text(v, &format!("{place}.name")),
                "needs" => {
                    job.needs = match &v.value {
                        Value::Seq(items) => items
                            .iter()
                            .filter_map(|i| Some((self.text(i, &format!("{place}.needs"))?, i.pos)))
                            .collect(),
                        _ => self
                            .text(v, &format!("{place}.needs"))
                            .map(|n| vec![(n, v.pos)])
                            .unwrap_or_default(),
                    }
                }
                "if" => job.condition = self.condition(v, &place),
                "timeout-minutes" => {
                    job.timeout_minutes = self.number(v, &format!("{place}.timeout-minutes"))
                }
                "continue-on-error" => {
                    job.continue_on_error = self.boolean(v, &format!("{place}.continue-on-error"))
                }
                "outputs" => {
                    let outs = self.map(v, &format!("{place}.outputs"));
                    job.outputs = outs
                        .iter()
                        .filter_map(|(k, v)| {
                            let name = k.as_str()?;
                            let what = format!("{place}.outputs.{name}");
                            Some((name.to_owned(), self.text(v, &what)?))
                        })
                        .collect();
                }
                "strategy" => job.strategy = Some(self.strategy(v, &place)),
                "env" => job.env = self.env(v, &place),
                "defaults" => job.defaults = self.defaults(v, &place),
                "runs-on" => job.runs_on = self.runs_on(v, &place),
                "steps" => match v.as_seq() {
                    Some(items) => {
                        job.steps = items
                            .iter()
                            .enumerate()
                            .filter_map(|(i, s)| self.step(s, &format!("{place}.steps[{i}]")))
                            .collect()
                    }
                    None => self.err(
                        v.pos,
                        Finding::new("stepsNotList"),
                        "`steps` must be a list",
                        "write each step as a `- name: …` item under `steps:`",
                    ),
                },
                "uses" => {
                    let uses = self.text(v, &format!("{place}.uses")).unwrap_or_default();
                    if uses.starts_with("./") {
                        job.call = Some(self.call(node, uses, v.pos, &place));
                    } else {
                        job.unsupported.push(("uses".into(), k.pos));
                    }
                }
                "container" => {
                    job.container = self.container(v, &format!("{place}.container"));
                    let not_here = job.container.iter().flat_map(|c| c.unsupported.clone());
                    job.unsupported.extend(not_here);
                }
                "services" => {
                    for (id, spec) in self.map(v, &format!("{place}.services")) {
                        let id = id.as_str().unwrap_or("").to_owned();
                        let what = format!("{place}.services.{id}");
                        if let Some(spec) = self.container(spec, &what) {
                            job.unsupported.extend(spec.unsupported.clone());
                            job.services.push((id, spec));
                        }
                    }
                }
                "environment" => job
                    .unsupported
                    .push((k.as_str().unwrap_or("").to_owned(), k.pos)),
                _ => {}
            }
        }
        if node.get("steps").is_none() && node.get("uses").is_none() {
            self.err(
                id_node.pos,
                Finding::new("jobWithoutSteps").with("job", &id),
                format!("job `{id}` has no `steps`"),
                "add `steps:` with at least one `- run: …`",
            );
        }
        if node.get("runs-on").is_none() && node.get("uses").is_none() {
            self.err(
                id_node.pos,
                Finding::new("jobWithoutRunsOn").with("job", &id),
                format!("job `{id}` has no `runs-on`"),
                "add `runs-on: ubuntu-latest` (DevLoop runs it on this machine, GitHub needs it)",
            );
        }
        Some(job)
    }

    /// A container: its image alone, or a mapping with `image`, `env`, `ports` and `options`.
    /// `credentials` and `volumes` are kept as what does not run here.
    fn container(&mut self, node: &Node, what: &str) -> Option<ContainerSpec> {
        if let Some(image) = node.as_str() {
            self.expressions(node.pos, image);
            return Some(ContainerSpec {
                image: image.to_owned(),
                pos: node.pos,
                ..ContainerSpec::default()
            });
        }
        let entries = self.map(node, what);
        self.keys_known(
            entries,
            &["image", "env", "ports", "volumes", "options", "credentials"],
            what,
        );
        // Valid on GitHub, not done here: said by the compatibility report.
        let unsupported = ["volumes", "credentials"]
            .iter()
            .filter_map(|key| Some(((*key).to_owned(), node.get(key)?.pos)))
            .collect();
        let image_node = node.get("image")?;
        let image = self.text(image_node, &format!("{what}.image"))?;
        Some(ContainerSpec {
            image,
            pos: image_node.pos,
            env: node
                .get("env")
                .map(|e| self.env(e, what))
                .unwrap_or_default(),
            ports: node
                .get("ports")
                .map(|p| self.strings(p, &format!("{what}.ports")))
                .unwrap_or_default(),
            options: node
                .get("options")
                .and_then(|o| self.text(o, &format!("{what}.options"))),
            unsupported,
        })
    }

    /// A job's call of a reusable workflow: its `with` and `secrets`.
    fn call(&mut self, job: &Node, uses: String, pos: Pos, place: &str) -> Call {
        let mut call = Call {
            uses,
            pos,
            with: BTreeMap::new(),
            inherit: false,
            secrets: BTreeMap::new(),
        };
        if let Some(with) = job.get("with") {
            for (k, v) in self.map(with, &format!("{place}.with")) {
                let name = k.as_str().unwrap_or("").to_owned();
                if let Some(value) = self.text(v, &format!("{place}.with.{name}")) {
                    call.with.insert(name, value);
                }
            }
        }
        match job.get("secrets") {
            Some(s) if s.as_str() == Some("inherit") => call.inherit = true,
            Some(s) => {
                for (k, v) in self.map(s, &format!("{place}.secrets")) {
                    let name = k.as_str().unwrap_or("").to_owned();
                    if let Some(value) = self.text(v, &format!("{place}.secrets.{name}")) {
                        call.secrets.insert(name, value);
                    }
                }
            }
            None => {}
        }
        call
    }

    fn number(&mut self, node: &Node, what: &str) -> Option<String> {
        let s = self.text(node, what)?;
        if s.parse::<f64>().is_ok_and(|n| n > 0.0) || s.contains("${{") {
            Some(s)
        } else {
            let key = what.rsplit('.').next().unwrap_or(what);
            self.err(
                node.pos,
                Finding::new("notPositive")
                    .with("what", what)
                    .with("value", &s)
                    .with("key", key),
                format!("`{what}` must be a positive number, not `{s}`"),
                format!("write e.g. `{key}: 10`"),
            );
            None
        }
    }

    fn boolean(&mut self, node: &Node, what: &str) -> Option<String> {
        let s = self.text(node, what)?;
        if s == "true" || s == "false" || s.contains("${{") {
            Some(s)
        } else {
            self.err(
                node.pos,
                Finding::new("notBoolean")
                    .with("what", what)
                    .with("value", &s),
                format!("`{what}` must be true or false, not `{s}`"),
                format!("write `{}: true`", what.rsplit('.').next().unwrap_or(what)),
            );
            None
        }
    }

    fn strategy(&mut self, node: &Node, job: &str) -> Strategy {
        let place = format!("{job}.strategy");
        let entries = self.map(node, &place);
        self.keys_known(entries, &["matrix", "fail-fast", "max-parallel"], &place);
        let mut s = Strategy {
            fail_fast: node
                .get("fail-fast")
                .and_then(|v| self.boolean(v, &format!("{place}.fail-fast"))),
            max_parallel: node
                .get("max-parallel")
                .and_then(|v| self.number(v, &format!("{place}.max-parallel"))),
            ..Strategy::default()
        };
        // Every key of `strategy` is optional on GitHub: without a matrix it is one job.
        let Some(matrix) = node.get("matrix") else {
            return s;
        };
        if let Some(text) = matrix.as_str().filter(|t| t.contains("${{")) {
            self.expressions(matrix.pos, text);
            s.matrix_expr = Some(text.to_owned());
            return s;
        }
        for (k, v) in self.map(matrix, &format!("{place}.matrix")) {
            let key = k.as_str().unwrap_or("").to_owned();
            if let Some(text) = v.as_str().filter(|t| t.contains("${{")) {
                self.expressions(v.pos, text);
                s.exprs.push((key, text.to_owned()));
                continue;
            }
            match key.as_str() {
                "include" | "exclude" => {
                    let rows: Vec<BTreeMap<String, serde_json::Value>> = match v.as_seq() {
                        Some(items) => items
                            .iter()
                            .map(|row| {
                                let cells = self.map(row, &format!("{place}.matrix.{key}[]"));
                                cells
                                    .iter()
                                    .filter_map(|(a, b)| {
                                        Some((a.as_str()?.to_owned(), self.matrix_value(b)))
                                    })
                                    .collect()
                            })
                            .collect(),
                        None => {
                            self.err(
                                v.pos,
                                Finding::new("matrixRowsNotList").with("key", &key),
                                format!("`matrix.{key}` must be a list of mappings"),
                                format!("write `{key}:` then `- axis: value` items"),
                            );
                            Vec::new()
                        }
                    };
                    if key == "include" {
                        s.include = rows
                    } else {
                        s.exclude = rows
                    }
                }
                _ => match v.as_seq() {
                    Some(values) if !values.is_empty() => {
                        let values = values.iter().map(|x| self.matrix_value(x)).collect();
                        s.axes.push((key, values));
                    }
                    _ => self.err(
                        v.pos,
                        Finding::new("matrixAxisEmpty").with("key", &key),
                        format!("matrix axis `{key}` must be a non-empty list"),
                        format!("write `{key}: [a, b]`"),
                    ),
                },
            }
        }
        // Counted before anything is made: 8 axes of 10 values would be 100 million jobs.
        let jobs = s
            .axes
            .iter()
            .try_fold(1usize, |n, (_, values)| n.checked_mul(values.len()))
            .and_then(|n| n.checked_add(s.include.len()));
        if jobs.is_none_or(|n| n > MAX_MATRIX_JOBS) {
            let made = jobs.map_or_else(|| "too many".to_owned(), |n| n.to_string());
            self.err(
                matrix.pos,
                // Beyond counting (overflow), the count is said as "more than" the most.
                match jobs {
                    Some(n) => Finding::new("matrixTooBig")
                        .with("jobs", n)
                        .with("most", MAX_MATRIX_JOBS),
                    None => Finding::new("matrixFarTooBig").with("most", MAX_MATRIX_JOBS),
                },
                format!(
                    "this matrix makes {made} jobs; GitHub runs at most {MAX_MATRIX_JOBS} from one matrix"
                ),
                "use fewer axes or values, or `exclude` combinations you do not need",
            );
            s.axes.clear();
            s.include.clear();
        }
        s
    }

    /// A matrix value as the `matrix` context has it: text, or a mapping or list of them.
    fn matrix_value(&mut self, node: &Node) -> serde_json::Value {
        match &node.value {
            Value::Seq(items) => items.iter().map(|i| self.matrix_value(i)).collect(),
            Value::Map(entries) => entries
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), self.matrix_value(v))))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            Value::Scalar(s, _) => {
                self.expressions(node.pos, s);
                serde_json::Value::String(s.clone())
            }
        }
    }

    fn step(&mut self, node: &Node, place: &str) -> Option<Step> {
        let entries = self.map(node, place);
        self.keys_known(entries, STEP_KEYS, place);
        let key = |k: &str| format!("{place}.{k}");
        let run = node.get("run").and_then(|r| self.text(r, &key("run")));
        let uses = node
            .get("uses")
            .and_then(|u| Some((self.text(u, &key("uses"))?, u.pos)));
        match (&run, &uses) {
            (Some(_), Some(_)) => self.err(
                node.pos,
                Finding::new("runAndUses"),
                "a step has both `run` and `uses`",
                "split it into two steps",
            ),
            (None, None) if node.get("run").is_none() && node.get("uses").is_none() => self.err(
                node.pos,
                Finding::new("neitherRunNorUses"),
                "a step has neither `run` nor `uses`",
                "give the step a `run: <command>` or a `uses: <action>`",
            ),
            _ => {}
        }
        let with = match node.get("with") {
            Some(w) => {
                let entries = self.map(w, &key("with"));
                entries
                    .iter()
                    .filter_map(|(k, v)| {
                        let name = k.as_str()?;
                        Some((
                            name.to_owned(),
                            self.text(v, &key(&format!("with.{name}")))?,
                        ))
                    })
                    .collect()
            }
            None => BTreeMap::new(),
        };
        Some(Step {
            pos: node.pos,
            id: node.get("id").and_then(|i| self.text(i, &key("id"))),
            name: node.get("name").and_then(|n| self.text(n, &key("name"))),
            run,
            uses,
            with,
            shell: node.get("shell").and_then(|s| self.shell(s)),
            working_directory: node
                .get("working-directory")
                .and_then(|w| self.text(w, &key("working-directory"))),
            env: node
                .get("env")
                .map(|e| self.env(e, place))
                .unwrap_or_default(),
            condition: node.get("if").and_then(|c| self.condition(c, place)),
            timeout_minutes: node
                .get("timeout-minutes")
                .and_then(|t| self.number(t, &key("timeout-minutes"))),
            continue_on_error: node
                .get("continue-on-error")
                .and_then(|c| self.boolean(c, &key("continue-on-error"))),
        })
    }
}

/// A key path in English words: the top level is "the workflow", any other path is code.
fn named(what: &str) -> String {
    if what == "workflow" {
        "the workflow".to_owned()
    } else {
        format!("`{what}`")
    }
}

/// `key` under the key path `under` (the top level when empty).
fn join(under: &str, key: &str) -> String {
    if under.is_empty() {
        key.to_owned()
    } else {
        format!("{under}.{key}")
    }
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
