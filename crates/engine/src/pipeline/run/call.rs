//! A job that calls a reusable workflow of the same repository (`jobs.<id>.uses: ./…`), as
//! GitHub's "Reusing workflows" documents it: the called file is read from the commit the run
//! is about, its typed `inputs` and `secrets` come from the job's `with` and `secrets` (or
//! `secrets: inherit`), its jobs run under the caller's name (`call / build`), and its
//! `on.workflow_call.outputs` become the calling job's outputs.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

use serde_json::{json, Map, Value};

use super::{
    expr, job_folders, job_scope, job_starts, log, run_jobs, Commit, Request, Result, RunEvent,
    Sink,
};
use crate::pipeline::expr::JobStatus;
use crate::pipeline::workflow::{Call, Job};

/// How deep reusable workflows may call each other: "You can connect a maximum of four
/// levels of workflows" (Reusing workflows, Nesting reusable workflows).
const MAX_LEVELS: usize = 4;

pub(super) async fn run(
    req: &Request,
    commit: &Commit,
    job: &Job,
    needs: Map<String, Value>,
    needs_ok: bool,
    sink: &Sink,
    cancel: CancellationToken,
) -> (Result, BTreeMap<String, String>) {
    let started = std::time::Instant::now();
    let name = job.id.as_str();
    let finish = |result: Result| {
        sink(RunEvent::JobFinished {
            job: name.to_owned(),
            result,
            millis: started.elapsed().as_millis() as u64,
        });
        (result, BTreeMap::new())
    };
    let Some(call) = &job.call else {
        return finish(Result::Failure);
    };
    let (workspace, temp) = job_folders(req, name);
    let mut scope = job_scope(req, commit, name, &workspace, &temp);
    scope.contexts.insert("needs".into(), Value::Object(needs));
    scope.status = JobStatus {
        failed: !needs_ok,
        cancelled: cancel.is_cancelled(),
    };
    if let Err(result) = job_starts(job, name, &scope, sink) {
        return (result, BTreeMap::new());
    }
    let fail = |why: String| {
        log(sink, name, 0, why, true);
        finish(Result::Failure)
    };
    if req.called_from.len() + 1 >= MAX_LEVELS {
        return fail(format!(
            "`{}` would be the fifth level of called workflows; GitHub connects at most {MAX_LEVELS}",
            call.uses
        ));
    }
    let (repo, sha, uses) = (req.repo.clone(), commit.sha.clone(), call.uses.clone());
    let text = match tokio::task::spawn_blocking(move || read_at(&repo, &sha, &uses)).await {
        Ok(Ok(text)) => text,
        Ok(Err(why)) => return fail(why),
        Err(e) => return fail(format!("reading `{}` crashed: {e}", call.uses)),
    };
    let checked = crate::pipeline::check_text(Path::new(call.uses.trim_start_matches("./")), &text);
    let (Some(workflow), Some(plan)) = (checked.workflow.clone(), checked.plan.clone()) else {
        let problems: Vec<String> = checked.errors.iter().map(ToString::to_string).collect();
        return fail(format!(
            "`{}` cannot be run:\n{}",
            call.uses,
            problems.join("\n")
        ));
    };
    if !checked.unsupported.is_empty() {
        let problems: Vec<String> = checked
            .unsupported
            .iter()
            .map(ToString::to_string)
            .collect();
        return fail(format!(
            "`{}` asks for what does not run here:\n{}",
            call.uses,
            problems.join("\n")
        ));
    }
    let Some(declared) = workflow.on.workflow_call.clone() else {
        return fail(format!(
            "`{}` is not a reusable workflow: it has no `on: workflow_call`",
            call.uses
        ));
    };
    let (inputs, secrets) = match given(call, &declared, req, &scope) {
        Ok(given) => given,
        Err(why) => return fail(why),
    };
    log(sink, name, 0, format!("calling {}", call.uses), false);
    let mut called_from = req.called_from.clone();
    called_from.push(name.to_owned());
    let inner = Request {
        workflow,
        plan,
        repo: req.repo.clone(),
        run_dir: req.run_dir.clone(),
        event: req.event.clone(),
        sha: commit.sha.clone(),
        git_ref: commit.git_ref.clone(),
        cache_dir: req.cache_dir.clone(),
        paths: req.paths.clone(),
        service: req.service.clone(),
        continuous_deployment: req.continuous_deployment,
        inputs,
        secrets,
        vars: req.vars.clone(),
        run_id: req.run_id,
        run_number: req.run_number,
        only_job: None,
        called_from,
        kept: BTreeMap::new(),
        kept_from: None,
    };
    let outer = Arc::clone(sink);
    let prefix = format!("{name} / ");
    // The called jobs' own summaries are not the run's: the calling job's stands for them.
    let renamed: Sink = Arc::new(move |e| {
        if !matches!(e, RunEvent::JobSettled { .. }) {
            outer(under(e, &prefix))
        }
    });
    let (result, jobs) = run_jobs(Arc::new(inner), renamed, cancel).await;
    let jobs: Map<String, Value> = jobs
        .into_iter()
        .map(|(id, (result, outputs))| (id, json!({"result": result.as_str(), "outputs": outputs})))
        .collect();
    scope.contexts.insert("jobs".into(), Value::Object(jobs));
    let mut outputs = BTreeMap::new();
    for (key, value) in &declared.outputs {
        match expr::interpolate(value, &scope) {
            Ok(v) => {
                outputs.insert(key.clone(), v);
            }
            Err(e) => {
                return fail(format!(
                    "the output `{key}` of `{}` could not be evaluated: {}",
                    call.uses, e.message
                ))
            }
        }
    }
    sink(RunEvent::JobFinished {
        job: name.to_owned(),
        result,
        millis: started.elapsed().as_millis() as u64,
    });
    (result, outputs)
}

/// Values by name: inputs, secrets.
type Named = BTreeMap<String, String>;

/// The inputs and secrets the called workflow gets, checked against what it declares.
fn given(
    call: &Call,
    declared: &crate::pipeline::workflow::WorkflowCall,
    req: &Request,
    scope: &expr::Scope,
) -> std::result::Result<(Named, Named), String> {
    let uses = &call.uses;
    let mut inputs = BTreeMap::new();
    for (key, value) in &call.with {
        let Some(input) = declared.inputs.iter().find(|i| &i.name == key) else {
            return Err(format!("`{uses}` has no input `{key}`"));
        };
        let value = expr::interpolate(value, scope)
            .map_err(|e| format!("`with.{key}` could not be evaluated: {}", e.message))?;
        let fits = match input.kind.as_str() {
            "boolean" => value == "true" || value == "false",
            "number" => value.trim().parse::<f64>().is_ok(),
            _ => true,
        };
        if !fits {
            return Err(format!(
                "the input `{key}` of `{uses}` is a {}, so `{value}` will not do",
                input.kind
            ));
        }
        inputs.insert(key.clone(), value);
    }
    for input in &declared.inputs {
        if inputs.contains_key(&input.name) {
            continue;
        }
        match &input.default {
            Some(default) => {
                inputs.insert(input.name.clone(), default.clone());
            }
            None if input.required => {
                return Err(format!(
                    "`{uses}` needs the input `{}`: add it under `with:`",
                    input.name
                ))
            }
            None => {}
        }
    }
    let secrets = if call.inherit {
        req.secrets.clone()
    } else {
        let mut secrets = BTreeMap::new();
        for (key, value) in &call.secrets {
            if !declared.secrets.iter().any(|(name, _)| name == key) {
                return Err(format!("`{uses}` has no secret `{key}`"));
            }
            let value = expr::interpolate(value, scope)
                .map_err(|e| format!("`secrets.{key}` could not be evaluated: {}", e.message))?;
            secrets.insert(key.clone(), value);
        }
        secrets
    };
    for (name, required) in &declared.secrets {
        if *required && secrets.get(name).is_none_or(String::is_empty) {
            return Err(format!(
                "`{uses}` needs the secret `{name}`: pass it under `secrets:`, or `secrets: inherit`"
            ));
        }
    }
    Ok((inputs, secrets))
}

/// The called workflow's text at the run's commit, as GitHub reads it from that commit; the
/// working tree's when the commit is unknown.
fn read_at(repo: &Path, sha: &str, uses: &str) -> std::result::Result<String, String> {
    let path = uses
        .split('@')
        .next()
        .unwrap_or(uses)
        .trim_start_matches("./");
    let missing = || format!("`{uses}` is not a file of the repository at this commit");
    if path.split('/').any(|part| part == "..") {
        return Err(format!("`{uses}` leads out of the repository"));
    }
    if sha.is_empty() {
        return std::fs::read_to_string(repo.join(path)).map_err(|_| missing());
    }
    let git = git2::Repository::open(repo).map_err(|e| e.message().to_owned())?;
    let commit = git2::Oid::from_str(sha)
        .and_then(|oid| git.find_commit(oid))
        .map_err(|e| e.message().to_owned())?;
    let entry = commit
        .tree()
        .and_then(|tree| tree.get_path(Path::new(path)))
        .map_err(|_| missing())?;
    let blob = entry
        .to_object(&git)
        .and_then(|o| o.peel_to_blob())
        .map_err(|_| missing())?;
    String::from_utf8(blob.content().to_vec()).map_err(|_| format!("`{uses}` is not UTF-8 text"))
}

/// An event of the called workflow, named under the calling job (`call / build`).
fn under(e: RunEvent, prefix: &str) -> RunEvent {
    let name = |job: String| format!("{prefix}{job}");
    match e {
        RunEvent::JobStarted { job } => RunEvent::JobStarted { job: name(job) },
        RunEvent::StepStarted { job, step, name: n } => RunEvent::StepStarted {
            job: name(job),
            step,
            name: n,
        },
        RunEvent::Log {
            job,
            step,
            text,
            stderr,
            at_ms,
        } => RunEvent::Log {
            job: name(job),
            step,
            text,
            stderr,
            at_ms,
        },
        RunEvent::StepFinished {
            job,
            step,
            outcome,
            conclusion,
            millis,
        } => RunEvent::StepFinished {
            job: name(job),
            step,
            outcome,
            conclusion,
            millis,
        },
        RunEvent::JobFinished {
            job,
            result,
            millis,
        } => RunEvent::JobFinished {
            job: name(job),
            result,
            millis,
        },
        RunEvent::Artifact {
            job,
            name: n,
            files,
            bytes,
        } => RunEvent::Artifact {
            job: name(job),
            name: n,
            files,
            bytes,
        },
        other => other,
    }
}
