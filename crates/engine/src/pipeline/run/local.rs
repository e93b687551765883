//! Actions kept in the repository itself (`uses: ./.github/actions/x`), run as GitHub runs
//! them ("Metadata syntax for GitHub Actions"): a composite action's steps in order, with its
//! `inputs` context and the outputs it maps from them; a JavaScript action's `main` script with
//! this machine's `node`, its inputs as `INPUT_<NAME>` variables. Both read the checked-out
//! workspace, so, as on GitHub, `actions/checkout` must come first.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tokio_util::sync::CancellationToken;

use serde_json::{json, Map, Value};

use super::{execute_step, expr, log, JobCx, Result, StepDone};
use crate::pipeline::expr::{JobStatus, Scope};
use crate::pipeline::workflow::{self, ActionDef, Runs, Step};

/// How deep composite actions may call each other, as GitHub allows ("up to 10 levels").
const MAX_DEPTH: u32 = 10;

#[allow(clippy::too_many_arguments)]
pub(super) async fn run(
    cx: &JobCx<'_>,
    uses: &str,
    with: BTreeMap<String, String>,
    index: u32,
    env: &mut BTreeMap<String, String>,
    path_prefix: &mut Vec<String>,
    scope: &Scope,
    cancel: CancellationToken,
) -> StepDone {
    if cx.depth >= MAX_DEPTH {
        return Err(format!(
            "`{uses}` is nested {MAX_DEPTH} composite actions deep; GitHub stops there too"
        ));
    }
    let dir = folder(cx.workspace, uses)?;
    let def = load(&dir, uses)?;
    let inputs = inputs(&def, &with, uses)?;
    match &def.runs {
        Runs::Composite(steps) => {
            composite(cx, steps, &def, &dir, inputs, index, env, path_prefix, scope, cancel).await
        }
        Runs::Node {
            using,
            main,
            pre,
            post,
        } => {
            for (key, script) in [("pre", pre), ("post", post)] {
                if let Some(script) = script {
                    log(
                        cx.sink,
                        cx.job_name,
                        index,
                        format!("notice: the action's `{key}: {script}` script is not run here; only `main` is"),
                        false,
                    );
                }
            }
            javascript(cx, using, &dir, main, &inputs, index, env, path_prefix, scope, cancel)
                .await
        }
        Runs::Docker => Err(format!(
            "`{uses}` is a Docker container action, which does not run here yet: use `run:` steps or a composite action"
        )),
    }
}

/// The action's folder in the workspace; a path that leads out of it is refused.
fn folder(workspace: &Path, uses: &str) -> std::result::Result<PathBuf, String> {
    let path = uses.split('@').next().unwrap_or(uses);
    let dir = workspace.join(path);
    let missing = || {
        format!(
            "`{uses}` is not in the workspace: check the repository out first (`uses: actions/checkout@v4`), and check the path"
        )
    };
    let real = dir.canonicalize().map_err(|_| missing())?;
    let root = workspace.canonicalize().map_err(|_| missing())?;
    if !real.starts_with(&root) {
        return Err(format!("`{uses}` leads out of the workspace"));
    }
    Ok(real)
}

fn load(dir: &Path, uses: &str) -> std::result::Result<ActionDef, String> {
    let file = ["action.yml", "action.yaml"]
        .iter()
        .map(|f| dir.join(f))
        .find(|f| f.is_file())
        .ok_or_else(|| format!("`{uses}` has no action.yml"))?;
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("{} cannot be read: {e}", file.display()))?;
    let shown = Path::new(uses.trim_start_matches("./")).join(file.file_name().unwrap_or_default());
    workflow::read_action(&shown, &text).map_err(|problems| {
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The inputs the action gets: what `with` gives, else the default; a required one missing
/// fails the step, as on GitHub.
fn inputs(
    def: &ActionDef,
    with: &BTreeMap<String, String>,
    uses: &str,
) -> std::result::Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (name, default, required) in &def.inputs {
        // Input names are case-insensitive on GitHub.
        let given = with
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone());
        match given.or_else(|| default.clone()) {
            Some(v) => {
                out.insert(name.clone(), v);
            }
            None if *required => {
                return Err(format!(
                    "`{uses}` needs the input `{name}`: add `with: {name}: …`"
                ))
            }
            None => {
                out.insert(name.clone(), String::new());
            }
        }
    }
    for key in with.keys() {
        if !def
            .inputs
            .iter()
            .any(|(n, _, _)| n.eq_ignore_ascii_case(key))
        {
            return Err(format!("`{uses}` has no input `{key}`"));
        }
    }
    Ok(out)
}

/// A composite action: its steps in order, each seeing the action's `inputs` and its own
/// `steps`, then its outputs computed from them.
#[allow(clippy::too_many_arguments)]
async fn composite(
    cx: &JobCx<'_>,
    steps: &[Step],
    def: &ActionDef,
    dir: &Path,
    inputs: BTreeMap<String, String>,
    index: u32,
    env: &mut BTreeMap<String, String>,
    path_prefix: &mut Vec<String>,
    outer: &Scope,
    cancel: CancellationToken,
) -> StepDone {
    let mut scope = outer.clone();
    scope.contexts.insert("inputs".into(), json!(inputs));
    if let Some(github) = scope.contexts.get_mut("github") {
        github["action_path"] = json!(dir.display().to_string());
    }
    let inner = JobCx {
        depth: cx.depth + 1,
        ..*cx
    };
    let mut steps_ctx = Map::new();
    let mut failed = false;
    let mut posts: Vec<super::actions::Post> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        scope.contexts.insert("env".into(), json!(env));
        scope
            .contexts
            .insert("steps".into(), Value::Object(steps_ctx.clone()));
        scope.status = JobStatus {
            failed: failed || outer.status.failed,
            cancelled: cancel.is_cancelled(),
        };
        let runs = match expr::condition(step.condition.as_deref(), &scope) {
            Ok(v) => v,
            Err(e) => {
                log(
                    cx.sink,
                    cx.job_name,
                    index,
                    format!(
                        "step {} of the action: its `if` could not be evaluated: {}",
                        i + 1,
                        e.message
                    ),
                    true,
                );
                false
            }
        };
        if !runs {
            continue;
        }
        log(
            cx.sink,
            cx.job_name,
            index,
            format!("▸ {}", super::step_title(step)),
            false,
        );
        // The action's folder, for its `run` steps (`$GITHUB_ACTION_PATH/script.sh`).
        let mut step = step.clone();
        step.env
            .insert("GITHUB_ACTION_PATH".into(), dir.display().to_string());
        let (outcome, outputs, post) = match Box::pin(execute_step(
            &inner,
            &step,
            index,
            env,
            path_prefix,
            &scope,
            cancel.clone(),
        ))
        .await
        {
            Ok(done) => done,
            Err(why) => {
                log(cx.sink, cx.job_name, index, why, true);
                (Result::Failure, BTreeMap::new(), None)
            }
        };
        posts.extend(post);
        let continue_on_error = step
            .continue_on_error
            .as_deref()
            .is_some_and(|c| expr::interpolate(c, &scope).is_ok_and(|v| v == "true"));
        let conclusion = if outcome == Result::Failure && continue_on_error {
            Result::Success
        } else {
            outcome
        };
        if let Some(id) = &step.id {
            steps_ctx.insert(
                id.clone(),
                json!({"outputs": outputs, "outcome": outcome.as_str(), "conclusion": conclusion.as_str()}),
            );
        }
        match conclusion {
            Result::Failure => failed = true,
            Result::Cancelled => return Ok((Result::Cancelled, BTreeMap::new(), join(posts))),
            _ => {}
        }
    }
    scope
        .contexts
        .insert("steps".into(), Value::Object(steps_ctx));
    let mut outputs = BTreeMap::new();
    for (name, value) in &def.outputs {
        let value = match value {
            Some(v) => expr::interpolate(v, &scope).map_err(|e| {
                format!(
                    "the action's output `{name}` could not be evaluated: {}",
                    e.message
                )
            })?,
            None => String::new(),
        };
        outputs.insert(name.clone(), value);
    }
    let outcome = if failed {
        Result::Failure
    } else {
        Result::Success
    };
    Ok((outcome, outputs, join(posts)))
}

/// The post steps of the actions a composite action used, as one, in reverse order.
fn join(mut posts: Vec<super::actions::Post>) -> Option<super::actions::Post> {
    if posts.is_empty() {
        return None;
    }
    Some(Box::new(move |succeeded| {
        while let Some(post) = posts.pop() {
            post(succeeded);
        }
    }))
}

/// A JavaScript action: `node <main>` in the workspace, its inputs as `INPUT_<NAME>`
/// variables (GitHub's toolkit reads them there), writing outputs and variables to the
/// same files a `run` step does.
#[allow(clippy::too_many_arguments)]
async fn javascript(
    cx: &JobCx<'_>,
    using: &str,
    dir: &Path,
    main: &str,
    inputs: &BTreeMap<String, String>,
    index: u32,
    env: &mut BTreeMap<String, String>,
    path_prefix: &mut Vec<String>,
    scope: &Scope,
    cancel: CancellationToken,
) -> StepDone {
    let script = dir.join(main);
    if !script.is_file() {
        return Err(format!(
            "the action's `main: {main}` is not a file in its folder"
        ));
    }
    log(
        cx.sink,
        cx.job_name,
        index,
        format!("running {main} with this machine's node (the action asks for {using})"),
        false,
    );
    // The variables go in the job's environment for this step alone: given through a step's
    // `env`, they would be read as expressions a second time.
    let before = env.clone();
    for (name, value) in inputs {
        env.insert(
            format!("INPUT_{}", name.replace(' ', "_").to_ascii_uppercase()),
            value.clone(),
        );
    }
    env.insert("GITHUB_ACTION_PATH".into(), dir.display().to_string());
    env.insert("DEVLOOP_ACTION_MAIN".into(), script.display().to_string());
    let step = Step {
        pos: crate::pipeline::yaml::Pos { line: 0, col: 0 },
        id: None,
        name: None,
        run: Some("exec node \"$DEVLOOP_ACTION_MAIN\"".into()),
        uses: None,
        with: BTreeMap::new(),
        shell: Some("bash".into()),
        working_directory: None,
        env: BTreeMap::new(),
        condition: None,
        timeout_minutes: None,
        continue_on_error: None,
    };
    let done = Box::pin(execute_step(
        cx,
        &step,
        index,
        env,
        path_prefix,
        scope,
        cancel,
    ))
    .await;
    // What the action set with `$GITHUB_ENV` stays; its inputs and DevLoop's own do not.
    let added: Vec<String> = env
        .keys()
        .filter(|k| {
            k.starts_with("INPUT_") || *k == "GITHUB_ACTION_PATH" || *k == "DEVLOOP_ACTION_MAIN"
        })
        .cloned()
        .collect();
    for key in added {
        match before.get(&key) {
            Some(v) => {
                env.insert(key, v.clone());
            }
            None => {
                env.remove(&key);
            }
        }
    }
    done
}
