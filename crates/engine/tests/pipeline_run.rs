//! Runs real workflows as real processes in a real git repository, and checks what a learner
//! would see in the log and the results.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use devloop_engine::pipeline::check_text;
use devloop_engine::pipeline::run::{self, Request, Result, RunEvent};

use common::Leftovers;

struct Recorded {
    events: Arc<Mutex<Vec<RunEvent>>>,
}

impl Recorded {
    fn logs(&self) -> Vec<String> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                RunEvent::Log { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }
    fn step_results(&self, job: &str) -> Vec<(Result, Result)> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                RunEvent::StepFinished {
                    job: j,
                    outcome,
                    conclusion,
                    ..
                } if j == job => Some((*outcome, *conclusion)),
                _ => None,
            })
            .collect()
    }
    fn job_result(&self, job: &str) -> Option<Result> {
        self.events.lock().unwrap().iter().find_map(|e| match e {
            RunEvent::JobFinished { job: j, result, .. } if j == job => Some(*result),
            _ => None,
        })
    }
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workshops/devops-loop/demo");
    devloop_engine::workspace::create(&demo, &dir.path().join("repo")).unwrap();
    dir
}

async fn start(
    home: &Path,
    yaml: &str,
    secrets: &[(&str, &str)],
    cancel: tokio_util::sync::CancellationToken,
) -> (Result, Recorded) {
    start_with(home, yaml, secrets, cancel, |_| {}).await
}

/// The same, with the request adjusted first (a deploy service, Continuous Deployment).
async fn start_with(
    home: &Path,
    yaml: &str,
    secrets: &[(&str, &str)],
    cancel: tokio_util::sync::CancellationToken,
    adjust: impl FnOnce(&mut Request),
) -> (Result, Recorded) {
    let checked = check_text(Path::new("w.yml"), yaml);
    assert!(
        checked.runnable(),
        "{:?} {:?}",
        checked.errors,
        checked.unsupported
    );
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink_events = Arc::clone(&events);
    let req = Request {
        workflow: checked.workflow.unwrap(),
        plan: checked.plan.unwrap(),
        repo: home.join("repo"),
        run_dir: home.join("run"),
        event: "push".into(),
        sha: String::new(),
        git_ref: String::new(),
        cache_dir: home.join("cache"),
        paths: Some(common::paths(home)),
        service: None,
        continuous_deployment: false,
        inputs: BTreeMap::new(),
        secrets: secrets
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        vars: BTreeMap::new(),
        run_id: 1,
        run_number: 1,
        only_job: None,
        called_from: Vec::new(),
        kept: BTreeMap::new(),
        kept_from: None,
    };
    let mut req = req;
    adjust(&mut req);
    let result = run::run(
        req,
        Arc::new(move |e| sink_events.lock().unwrap().push(e)),
        cancel,
    )
    .await;
    (result, Recorded { events })
}

/// The deploy service of app `app` that runs share, on a port of its own, held in a slot as a
/// host holds it; with the address it answers on.
async fn shared_service(
    paths: &devloop_engine::settings::Paths,
    app: &str,
) -> (devloop_engine::service::host::Slot, String) {
    let engine = devloop_engine::docker::Engine::connect_here()
        .await
        .unwrap();
    let service = devloop_engine::service::Service::start(
        engine,
        paths.clone(),
        app.to_owned(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let url = format!("http://{}/", service.proxy().addr());
    let slot = devloop_engine::service::host::Slot::default();
    slot.hold(service).await;
    (slot, url)
}

fn no_cancel() -> tokio_util::sync::CancellationToken {
    tokio_util::sync::CancellationToken::new()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_projects_own_workflow_builds_and_tests_it() {
    let home = repo();
    let yaml = std::fs::read_to_string(home.path().join("repo/.github/workflows/ci.yml")).unwrap();
    let (result, rec) = start(home.path(), &yaml, &[], no_cancel()).await;
    assert_eq!(result, Result::Success, "{:#?}", rec.logs());
    assert_eq!(rec.job_result("build"), Some(Result::Success));
    assert_eq!(rec.job_result("test"), Some(Result::Success));
    let events = rec.events.lock().unwrap();
    let build_done = events
        .iter()
        .position(|e| matches!(e, RunEvent::JobFinished { job, .. } if job == "build"))
        .unwrap();
    let test_start = events
        .iter()
        .position(|e| matches!(e, RunEvent::JobStarted { job } if job == "test"))
        .unwrap();
    assert!(build_done < test_start, "test needs build");
    drop(events);
    assert!(
        rec.logs().iter().any(|l| l.contains("test result: ok")),
        "the unit tests' own output is in the log"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn outputs_env_path_conditions_and_continue_on_error_work_as_on_github() {
    let home = repo();
    let yaml = r#"
on: push
env:
  GREETING: hello
jobs:
  make:
    runs-on: x
    outputs:
      version: ${{ steps.v.outputs.version }}
    steps:
      - id: v
        run: |
          echo "version=1.2.${{ github.run_number }}" >> "$GITHUB_OUTPUT"
          echo "FROM_ENV=set-by-step" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\necho tool-ran\n' > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
      - run: echo "$GREETING $FROM_ENV" && mytool
      - id: flaky
        continue-on-error: true
        run: exit 3
      - if: steps.flaky.outcome == 'failure'
        run: echo "flaky failed but the job goes on"
  use:
    needs: make
    runs-on: x
    steps:
      - run: echo "got ${{ needs.make.outputs.version }}"
      - run: exit 1
      - run: echo never
      - if: failure()
        run: echo "cleanup after failure"
"#;
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    let logs = rec.logs();
    assert!(logs.contains(&"hello set-by-step".to_owned()), "{logs:#?}");
    assert!(logs.contains(&"tool-ran".to_owned()), "{logs:#?}");
    assert!(logs.contains(&"flaky failed but the job goes on".to_owned()));
    assert!(logs.contains(&"got 1.2.1".to_owned()), "{logs:#?}");
    assert!(logs.contains(&"cleanup after failure".to_owned()));
    assert!(!logs.contains(&"never".to_owned()));
    assert_eq!(
        rec.step_results("make")[2],
        (Result::Failure, Result::Success),
        "outcome vs conclusion"
    );
    assert_eq!(rec.job_result("make"), Some(Result::Success));
    assert_eq!(
        rec.step_results("use")[2],
        (Result::Skipped, Result::Skipped)
    );
    assert_eq!(rec.job_result("use"), Some(Result::Failure));
    assert_eq!(result, Result::Failure);
}

/// GitHub's documentation, "Workflow syntax for GitHub Actions":
/// - `jobs.<job_id>.steps[*].shell`: with no shell named, Linux runners run `bash -e {0}`;
///   `shell: bash` runs `bash --noprofile --norc -eo pipefail {0}`. So a pipeline whose first
///   stage fails passes without a shell named, and fails the step with `shell: bash`.
/// - `defaults.run` (workflow and job level) gives `run` steps their `shell` and
///   `working-directory`; the job's wins over the workflow's, a step's over both.
/// - `env` at workflow and job level may use expressions ("Contexts: context availability":
///   `github`, `inputs`, `vars`, `secrets`; a job's also `matrix`, `needs`, `strategy`).
/// - `runs-on: windows-latest` is a Windows runner there; here it is said, not pretended.
#[tokio::test(flavor = "multi_thread")]
async fn shells_run_defaults_and_env_expressions_mean_what_github_documents() {
    let home = repo();
    let yaml = r#"
on: push
env:
  WHERE: ${{ github.event_name }}-event
defaults:
  run:
    working-directory: sub
jobs:
  plain:
    runs-on: windows-latest
    env:
      NUMBER: run-${{ github.run_number }}
    steps:
      - run: mkdir -p sub
        working-directory: .
      - run: false | true; echo "no shell named, the pipeline passed"
      - id: strict
        continue-on-error: true
        shell: bash
        run: false | true
      - run: echo "in $(basename "$PWD"), $WHERE $NUMBER, strict ${{ steps.strict.outcome }}"
  job-defaults:
    runs-on: ubuntu-latest
    defaults:
      run:
        shell: bash
        working-directory: .
    steps:
      - id: strict
        continue-on-error: true
        run: false | true
      - run: echo "job default shell, strict ${{ steps.strict.outcome }}, in $(basename "$PWD")"
"#;
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    let logs = rec.logs();
    assert_eq!(result, Result::Success, "{logs:#?}");
    assert!(
        logs.contains(&"no shell named, the pipeline passed".to_owned()),
        "{logs:#?}"
    );
    assert!(
        logs.contains(&"in sub, push-event run-1, strict failure".to_owned()),
        "{logs:#?}"
    );
    assert!(
        logs.iter().any(
            |l| l.starts_with("job default shell, strict failure, in ") && !l.ends_with(" sub")
        ),
        "{logs:#?}"
    );
    assert!(
        logs.iter()
            .any(|l| l.starts_with("notice: this job asks for `windows-latest`")),
        "{logs:#?}"
    );
}

/// GitHub's documentation, "Contexts: inputs context": it keeps `boolean` and `number`
/// inputs typed, while `github.event.inputs` has them as strings; "Variables: default
/// environment variables": `GITHUB_REPOSITORY` is `owner/name`, with `GITHUB_ACTOR` and
/// `GITHUB_SERVER_URL` set. A repository with no GitHub remote is `local/<folder>`.
#[tokio::test(flavor = "multi_thread")]
async fn typed_inputs_and_the_repository_context_are_as_documented() {
    let home = repo();
    let yaml = r#"
on:
  workflow_dispatch:
    inputs:
      flag:
        type: boolean
      count:
        type: number
jobs:
  read:
    runs-on: ubuntu-latest
    steps:
      - if: inputs.flag == true && inputs.count == 3
        run: echo "typed inputs"
      - if: github.event.inputs.flag == 'true'
        run: echo "event inputs are strings"
      - run: echo "${{ inputs.count }} $GITHUB_REPOSITORY ${{ github.repository_owner }} $GITHUB_SERVER_URL $GITHUB_ACTOR"
"#;
    let (result, rec) = start_with(home.path(), yaml, &[], no_cancel(), |r| {
        r.event = "workflow_dispatch".into();
        r.inputs = BTreeMap::from([
            ("flag".to_owned(), "true".to_owned()),
            ("count".to_owned(), "3".to_owned()),
        ]);
    })
    .await;
    let logs = rec.logs();
    assert_eq!(result, Result::Success, "{logs:#?}");
    for line in [
        "typed inputs",
        "event inputs are strings",
        "3 local/repo local https://github.com learner",
    ] {
        assert!(logs.contains(&line.to_owned()), "{line}: {logs:#?}");
    }
}

/// GitHub's documentation, "jobs.<job_id>.timeout-minutes": "The maximum number of minutes to
/// let a job run before GitHub automatically cancels it."
#[tokio::test(flavor = "multi_thread")]
async fn a_job_past_its_timeout_minutes_is_cancelled() {
    let home = repo();
    let yaml = r#"
on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    timeout-minutes: 0.02
    steps:
      - run: sleep 30
      - run: echo never
"#;
    let started = std::time::Instant::now();
    let (_, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    let logs = rec.logs();
    assert_eq!(rec.job_result("slow"), Some(Result::Cancelled), "{logs:#?}");
    assert!(
        logs.iter().any(|l| l.contains("the job ran out of time")),
        "{logs:#?}"
    );
    assert!(!logs.contains(&"never".to_owned()), "{logs:#?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));

    // A timeout from an expression too large for any clock (1e400 minutes) is no timeout; it
    // once stopped the runner with a panic.
    let huge = yaml
        .replace(
            "timeout-minutes: 0.02",
            "timeout-minutes: ${{ github.run_number }}e400",
        )
        .replace("sleep 30", "echo in time");
    let (result, rec) = start(home.path(), &huge, &[], no_cancel()).await;
    assert_eq!(result, Result::Success, "{:#?}", rec.logs());
    assert_eq!(rec.job_result("slow"), Some(Result::Success));
    assert!(
        rec.logs().contains(&"in time".to_owned()),
        "{:#?}",
        rec.logs()
    );
}

/// GitHub's documentation, "Workflow commands for GitHub Actions": `::group::`/`::endgroup::`
/// fold lines, `::error file=…,line=…::` is an annotation, the deprecated `::set-output` still
/// sets an output (with a warning), and `::stop-commands::` turns commands off until its token.
#[tokio::test(flavor = "multi_thread")]
async fn workflow_commands_in_a_steps_output_are_done_as_on_github() {
    let home = repo();
    let yaml = r#"
on: push
jobs:
  talk:
    runs-on: ubuntu-latest
    steps:
      - id: s
        run: |
          echo "::group::Compile"
          echo "inside the group"
          echo "::endgroup::"
          echo "::error file=src/main.rs,line=2::it broke"
          echo "::set-output name=v::7"
          echo "::stop-commands::tok-1"
          echo "::warning::shown as written"
          echo "::tok-1::"
      - run: echo "got ${{ steps.s.outputs.v }}"
"#;
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    let logs = rec.logs();
    assert_eq!(result, Result::Success, "{logs:#?}");
    for line in [
        "▸ Compile",
        "inside the group",
        "Error: it broke (src/main.rs:2)",
        "::warning::shown as written",
        "got 7",
    ] {
        assert!(logs.contains(&line.to_owned()), "{line}: {logs:#?}");
    }
    assert!(
        !logs
            .iter()
            .any(|l| l.contains("::endgroup::") || l.contains("::tok-1::")),
        "{logs:#?}"
    );
    assert!(
        logs.iter()
            .any(|l| l.contains("`set-output` command is deprecated")),
        "{logs:#?}"
    );
}

/// GitHub's workflow schema makes every key of `strategy` optional: one with only
/// `fail-fast` (or `max-parallel`) and no `matrix` is a single job, not an error.
#[tokio::test(flavor = "multi_thread")]
async fn a_strategy_without_a_matrix_is_one_job() {
    let home = repo();
    let yaml = r#"
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      max-parallel: 1
    steps:
      - run: echo "one build"
"#;
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    let logs = rec.logs();
    assert_eq!(result, Result::Success, "{logs:#?}");
    assert_eq!(
        logs.iter().filter(|l| *l == "one build").count(),
        1,
        "{logs:#?}"
    );
    assert_eq!(rec.job_result("build"), Some(Result::Success));
}

/// A marketplace action DevLoop has no version of is fetched from the network on GitHub; here
/// the step is skipped with a notice and the run goes on, and a step that reads its outputs
/// is told they are empty. An action in the repository (`./…`) still stops the run.
#[tokio::test(flavor = "multi_thread")]
async fn a_marketplace_action_is_skipped_with_a_notice_and_the_run_goes_on() {
    let home = repo();
    let yaml = r#"
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: coverage
        uses: codecov/codecov-action@v4
        with:
          fail_ci_if_error: true
      - run: echo "coverage said '${{ steps.coverage.outputs.url }}'"
"#;
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    let logs = rec.logs();
    assert_eq!(result, Result::Success, "{logs:#?}");
    assert_eq!(
        rec.step_results("build")[0],
        (Result::Skipped, Result::Skipped)
    );
    assert!(
        logs.iter()
            .any(|l| l.starts_with("notice: `codecov/codecov-action@v4` needs GitHub")),
        "{logs:#?}"
    );
    assert!(
        logs.iter()
            .any(|l| l.contains("reads what step `coverage` set")),
        "{logs:#?}"
    );
    assert!(logs.contains(&"coverage said ''".to_owned()), "{logs:#?}");

    let checked = devloop_engine::pipeline::check_text(
        Path::new("w.yml"),
        "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: docker://alpine:3\n",
    );
    assert!(
        !checked.runnable(),
        "a Docker image action does not run here yet"
    );
}

/// The language starter workflows' setup actions use this machine's toolchain when it fits
/// the version asked for, as their READMEs document the inputs and outputs (`node-version`,
/// `python-version`, `python-path`, `pythonLocation`, `JAVA_HOME`), and fail naming the
/// version asked for, the one found and how to install it when it does not.
#[tokio::test(flavor = "multi_thread")]
async fn setup_actions_use_this_machines_toolchain_when_it_fits_and_say_why_when_not() {
    let home = repo();
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .unwrap();
    let node = String::from_utf8_lossy(&node.stdout).trim().to_owned();
    let major = node
        .trim_start_matches('v')
        .split('.')
        .next()
        .unwrap()
        .to_owned();
    let yaml = format!(
        r#"
on: push
jobs:
  fits:
    runs-on: ubuntu-latest
    steps:
      - id: node
        uses: actions/setup-node@v4
        with:
          node-version: {major}.x
      - run: echo "node ${{{{ steps.node.outputs.node-version }}}}"
      - id: py
        uses: actions/setup-python@v5
        with:
          python-version: 3.x
      - run: |
          python -c 'import sys; print("python", sys.version.split()[0])'
          pip --version | grep -q "python 3"
          echo "location $pythonLocation"
      - uses: actions/setup-java@v4
        with:
          distribution: temurin
          java-version: 17
      - run: test -x "$JAVA_HOME/bin/java" && echo "java home ok"
      - uses: dtolnay/rust-toolchain@stable
      - run: cargo --version
  too-new:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: '3.99'
  absent:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-go@v5
        with:
          go-version: '1.21'
  no-distribution:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-java@v4
        with:
          java-version: 17
"#
    );
    let (result, rec) = start(home.path(), &yaml, &[], no_cancel()).await;
    let logs = rec.logs();
    assert_eq!(result, Result::Failure, "{logs:#?}");
    assert_eq!(rec.job_result("fits"), Some(Result::Success), "{logs:#?}");
    assert!(logs.contains(&format!("node {node}")), "{logs:#?}");
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .unwrap();
    let python = String::from_utf8_lossy(&python.stdout).replace("Python ", "");
    assert!(
        logs.contains(&format!("python {}", python.trim())),
        "{logs:#?}"
    );
    assert!(
        logs.iter().any(|l| l.starts_with("location /")),
        "{logs:#?}"
    );
    assert!(logs.contains(&"java home ok".to_owned()), "{logs:#?}");
    assert!(
        logs.iter()
            .any(|l| l.starts_with("notice: `stable` asks GitHub for the newest stable Rust")),
        "{logs:#?}"
    );
    for (job, said) in [
        (
            "too-new",
            format!(
                "`python-version` asks for version 3.99, and this machine has python3 {}",
                python.trim()
            ),
        ),
        (
            "absent",
            "`go-version` asks for version 1.21, and this machine has no go: install Go 1.21"
                .to_owned(),
        ),
        ("no-distribution", "`distribution` is required".to_owned()),
    ] {
        assert_eq!(
            rec.job_result(job),
            Some(Result::Failure),
            "{job}: {logs:#?}"
        );
        assert!(logs.iter().any(|l| l.contains(&said)), "{said}: {logs:#?}");
    }
}

/// Commits `files` (path, text) to the repository under `home`.
fn commit_files(home: &Path, files: &[(&str, &str)]) {
    let repo = home.join("repo");
    for (path, text) in files {
        let file = repo.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    assert!(std::process::Command::new("git")
        .args(["-c", "user.name=L", "-c", "user.email=l@x", "add", "-A"])
        .current_dir(&repo)
        .status()
        .unwrap()
        .success());
    assert!(std::process::Command::new("git")
        .args(["-c", "user.name=L", "-c", "user.email=l@x"])
        .args(["commit", "-qm", "chore: actions of our own"])
        .current_dir(&repo)
        .status()
        .unwrap()
        .success());
}

/// Actions kept in the repository run as GitHub's "Metadata syntax for GitHub Actions" says:
/// a composite action's steps with its `inputs` context, `$GITHUB_ACTION_PATH` and the
/// outputs it maps from its steps, nesting another action; a JavaScript action's `main` with
/// `INPUT_<NAME>` variables and `$GITHUB_OUTPUT`; a missing required input fails the step.
#[tokio::test(flavor = "multi_thread")]
async fn actions_kept_in_the_repository_run_with_inputs_and_outputs() {
    let home = repo();
    commit_files(
        home.path(),
        &[
            (
                ".github/actions/greet/action.yml",
                r#"name: greet
inputs:
  who:
    required: true
  greeting:
    default: hello
  token:
    required: false
outputs:
  line:
    value: ${{ steps.say.outputs.line }}
  shout:
    value: ${{ steps.loud.outputs.shout }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: |
        echo "line=${{ inputs.greeting }}, ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
        echo "token is ${{ inputs.token }}"
        "$GITHUB_ACTION_PATH/tool.sh"
    - id: loud
      uses: ./.github/actions/loud
      with:
        text: ${{ steps.say.outputs.line }}
"#,
            ),
            (
                ".github/actions/greet/tool.sh",
                r#"#!/bin/sh
echo "tool ran from $(basename "$(dirname "$0")")"
"#,
            ),
            (
                ".github/actions/loud/action.yml",
                r#"name: loud
inputs:
  text: {required: true}
outputs:
  shout: {description: "the text, loudly"}
runs:
  using: node20
  main: index.js
"#,
            ),
            (
                ".github/actions/loud/index.js",
                r#"const fs = require('fs');
const text = process.env.INPUT_TEXT.toUpperCase();
console.log(`js says ${text}`);
fs.appendFileSync(process.env.GITHUB_OUTPUT, `shout=${text}!\n`);
"#,
            ),
        ],
    );
    std::process::Command::new("chmod")
        .args(["+x", ".github/actions/greet/tool.sh"])
        .current_dir(home.path().join("repo"))
        .status()
        .unwrap();
    commit_files(home.path(), &[]);
    let yaml = r#"
on: push
jobs:
  use:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: g
        uses: ./.github/actions/greet
        with:
          who: learner
          token: ${{ secrets.TOKEN }}
      - run: echo "got '${{ steps.g.outputs.line }}' and '${{ steps.g.outputs.shout }}'"
  missing:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/greet
  unchecked:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/greet
        with:
          who: x
"#;
    let (result, rec) = start(home.path(), yaml, &[("TOKEN", "s3cr3t-value")], no_cancel()).await;
    let logs = rec.logs();
    assert_eq!(result, Result::Failure, "{logs:#?}");
    assert_eq!(rec.job_result("use"), Some(Result::Success), "{logs:#?}");
    assert!(
        logs.contains(&"js says HELLO, LEARNER".to_owned()),
        "{logs:#?}"
    );
    assert!(
        logs.contains(&"tool ran from greet".to_owned()),
        "{logs:#?}"
    );
    assert!(
        logs.contains(&"got 'hello, learner' and 'HELLO, LEARNER!'".to_owned()),
        "{logs:#?}"
    );
    assert!(logs.contains(&"token is ***".to_owned()), "{logs:#?}");
    assert!(
        !logs.iter().any(|l| l.contains("s3cr3t-value")),
        "{logs:#?}"
    );
    assert_eq!(rec.job_result("missing"), Some(Result::Failure));
    assert!(
        logs.iter().any(|l| l.contains("needs the input `who`")),
        "{logs:#?}"
    );
    assert_eq!(rec.job_result("unchecked"), Some(Result::Failure));
    assert!(
        logs.iter()
            .any(|l| l.contains("check the repository out first")),
        "{logs:#?}"
    );
}

/// A reusable workflow of the repository runs as GitHub's "Reusing workflows" says: read from
/// the run's commit, typed inputs with defaults, secrets passed by name or inherited (and
/// masked), its jobs named under the caller, its outputs the calling job's; a required
/// secret that is not passed fails the calling job.
#[tokio::test(flavor = "multi_thread")]
async fn a_reusable_workflow_of_the_repository_is_called_with_inputs_secrets_and_outputs() {
    let home = repo();
    commit_files(
        home.path(),
        &[(
            ".github/workflows/build.yml",
            r#"name: build
on:
  workflow_call:
    inputs:
      version:
        type: string
        required: true
      debug:
        type: boolean
        default: false
    secrets:
      token:
        required: true
    outputs:
      artifact:
        value: ${{ jobs.make.outputs.name }}
jobs:
  make:
    runs-on: ubuntu-latest
    outputs:
      name: ${{ steps.n.outputs.name }}
    steps:
      - id: n
        run: |
          echo "making ${{ inputs.version }}, quiet: ${{ inputs.debug == false }}"
          echo "token ${{ secrets.token }}"
          echo "name=app-${{ inputs.version }}.tar" >> "$GITHUB_OUTPUT"
"#,
        )],
    );
    let yaml = r#"
on: push
jobs:
  call:
    uses: ./.github/workflows/build.yml
    with:
      version: '1.2'
    secrets:
      token: ${{ secrets.TOKEN }}
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo "built ${{ needs.call.outputs.artifact }}"
  inherited:
    uses: ./.github/workflows/build.yml
    with:
      version: '2.0'
    secrets: inherit
  unpassed:
    uses: ./.github/workflows/build.yml
    with:
      version: '3.0'
"#;
    let (result, rec) = start(
        home.path(),
        yaml,
        &[("token", "tok-3x4mpl3"), ("TOKEN", "tok-3x4mpl3")],
        no_cancel(),
    )
    .await;
    let logs = rec.logs();
    assert_eq!(result, Result::Failure, "{logs:#?}");
    assert_eq!(rec.job_result("call"), Some(Result::Success), "{logs:#?}");
    assert_eq!(
        rec.job_result("call / make"),
        Some(Result::Success),
        "{logs:#?}"
    );
    assert!(
        logs.contains(&"making 1.2, quiet: true".to_owned()),
        "{logs:#?}"
    );
    assert!(logs.contains(&"token ***".to_owned()), "{logs:#?}");
    assert!(logs.contains(&"built app-1.2.tar".to_owned()), "{logs:#?}");
    assert_eq!(
        rec.job_result("inherited / make"),
        Some(Result::Success),
        "{logs:#?}"
    );
    assert!(
        logs.contains(&"making 2.0, quiet: true".to_owned()),
        "{logs:#?}"
    );
    assert_eq!(
        rec.job_result("unpassed"),
        Some(Result::Failure),
        "{logs:#?}"
    );
    assert!(
        logs.iter().any(|l| l.contains("needs the secret `token`")),
        "{logs:#?}"
    );
    assert!(!logs.iter().any(|l| l.contains("tok-3x4mpl3")), "{logs:#?}");
}

/// A `FROM scratch` image of Debian's static busybox with the applets a service and a job
/// container need, serving `/ok` over HTTP on port 80; built here, never pulled.
fn service_image(tag: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("bin")).unwrap();
    std::fs::create_dir_all(dir.path().join("www")).unwrap();
    std::fs::copy("/bin/busybox", dir.path().join("bin/busybox")).unwrap();
    for applet in [
        "sh", "tail", "httpd", "wget", "cat", "echo", "pwd", "printf", "test", "kill",
    ] {
        std::fs::hard_link(
            dir.path().join("bin/busybox"),
            dir.path().join("bin").join(applet),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("www/ok"), "service ok\n").unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCOPY bin /bin\nCOPY www /www\nENTRYPOINT [\"/bin/httpd\", \"-f\", \"-p\", \"80\", \"-h\", \"/www\"]\n",
    )
    .unwrap();
    let out = std::process::Command::new("docker")
        .args(["build", "-q", "-t", tag])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An address of this machine that is not loopback: the default bridge's gateway.
fn other_address() -> String {
    let out = std::process::Command::new("docker")
        .args([
            "network",
            "inspect",
            "bridge",
            "-f",
            "{{(index .IPAM.Config 0).Gateway}}",
        ])
        .output()
        .unwrap();
    let address = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        !address.is_empty() && !address.starts_with("127."),
        "{address}"
    );
    address
}

/// The containers and networks a run of this test left, by the label DevLoop gives them.
fn left_by_runs(owner: &str) -> String {
    let filter = format!("label=dev.devloop.instance={owner}");
    let ps = std::process::Command::new("docker")
        .args(["ps", "-aq", "--filter", &filter])
        .output()
        .unwrap();
    let nets = std::process::Command::new("docker")
        .args(["network", "ls", "-q", "--filter", &filter])
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&ps.stdout).trim(),
        String::from_utf8_lossy(&nets.stdout).trim()
    )
}

/// `services:` and `container:` run as GitHub's "About service containers" and "Running jobs
/// in a container" describe, from images on this machine: a service reached on this
/// machine's loopback at `job.services.<id>.ports`, and by its id from the job's container,
/// where the `run` steps run; a missing image fails the job naming its line and column;
/// nothing is left behind.
#[tokio::test(flavor = "multi_thread")]
async fn services_and_a_job_container_run_from_local_images_and_leave_nothing() {
    let home = repo();
    let tag = format!("devloop-test/service:{}", std::process::id());
    service_image(&tag);
    let yaml = r#"
on: push
jobs:
  beside:
    runs-on: ubuntu-latest
    services:
      web:
        image: IMAGE
        ports: ['80']
        options: --health-cmd "wget -q -O- http://127.0.0.1/ok" --health-interval 1s --health-retries 30
    steps:
      - run: |
          echo "port ${{ job.services.web.ports['80'] }}"
          curl -fsS "http://127.0.0.1:${{ job.services.web.ports['80'] }}/ok"
          # Another address of this machine: nothing answers there.
          if curl -fsS --max-time 2 "http://OTHER:${{ job.services.web.ports['80'] }}/ok"; then
            echo "answered beyond loopback"; exit 1
          fi
  inside:
    runs-on: ubuntu-latest
    container: IMAGE
    services:
      web:
        image: IMAGE
    steps:
      - id: s
        run: |
          wget -q -O- http://web/ok
          echo "here $(pwd)"
          echo "from=container" >> "$GITHUB_OUTPUT"
      - run: echo "said ${{ steps.s.outputs.from }}"
  broken-inside:
    runs-on: ubuntu-latest
    container: IMAGE
    steps:
      - run: exit 4
  missing:
    runs-on: ubuntu-latest
    container:
      image: devloop-test/never-built:nowhere
    steps:
      - run: echo never
"#
    .replace("IMAGE", &tag)
    .replace("OTHER", &other_address());
    let (result, rec) = start(home.path(), &yaml, &[], no_cancel()).await;
    let logs = rec.logs();
    let owner = devloop_engine::instance::of(&common::paths(home.path()).data_dir).unwrap();
    let left = left_by_runs(&owner);
    let _ = std::process::Command::new("docker")
        .args(["rmi", "-f", &tag])
        .output();
    assert_eq!(result, Result::Failure, "{logs:#?}");
    assert_eq!(rec.job_result("beside"), Some(Result::Success), "{logs:#?}");
    assert!(logs.contains(&"service ok".to_owned()), "{logs:#?}");
    assert_eq!(rec.job_result("inside"), Some(Result::Success), "{logs:#?}");
    assert!(
        logs.iter()
            .any(|l| l.starts_with("here ") && l.ends_with("/work/inside")),
        "{logs:#?}"
    );
    assert!(logs.contains(&"said container".to_owned()), "{logs:#?}");
    assert_eq!(rec.job_result("missing"), Some(Result::Failure));
    assert!(
        logs.iter().any(|l| l.contains(
            "w.yml:40:14: the image `devloop-test/never-built:nowhere` is not on this machine"
        )),
        "{logs:#?}"
    );
    assert_eq!(left, "", "containers or networks left behind");
    // A failed step of a container job is kept for `devloop shell` with the image it ran in.
    assert_eq!(rec.job_result("broken-inside"), Some(Result::Failure));
    let kept = std::fs::read_to_string(home.path().join("run/failed/broken-inside.json")).unwrap();
    assert!(kept.contains(&format!("\"image\": \"{tag}\"")), "{kept}");
}

/// `dtolnay/rust-toolchain` takes the toolchain from its ref or `toolchain:` and checks
/// `targets` and `components`; a toolchain rustup has is chosen for the later steps.
/// `Swatinem/rust-cache` keeps `target/` under a key of the lockfile and the compiler.
#[tokio::test(flavor = "multi_thread")]
async fn the_rust_actions_choose_an_installed_toolchain_and_cache_target() {
    let home = repo();
    let version = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .unwrap();
    let version = String::from_utf8_lossy(&version.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned();
    let yaml = format!(
        r#"
on: push
jobs:
  pinned:
    runs-on: ubuntu-latest
    steps:
      - uses: dtolnay/rust-toolchain@{version}
        with:
          components: clippy, rustfmt
      - run: echo "pinned $RUSTUP_TOOLCHAIN"
      - uses: Swatinem/rust-cache@v2
      - run: mkdir -p target && echo built > target/marker
  old:
    runs-on: ubuntu-latest
    steps:
      - uses: dtolnay/rust-toolchain@master
        with:
          toolchain: '1.60'
  target:
    runs-on: ubuntu-latest
    steps:
      - uses: dtolnay/rust-toolchain@stable
        with:
          targets: wasm32-unknown-unknown
"#
    );
    let (result, rec) = start(home.path(), &yaml, &[], no_cancel()).await;
    let logs = rec.logs();
    assert_eq!(result, Result::Failure, "{logs:#?}");
    assert_eq!(rec.job_result("pinned"), Some(Result::Success), "{logs:#?}");
    let has_pinned = std::process::Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains(&format!("{version}-")))
        .unwrap_or(false);
    if has_pinned {
        assert!(
            logs.iter()
                .any(|l| l.starts_with(&format!("pinned {version}-"))),
            "{logs:#?}"
        );
    }
    assert!(
        logs.iter().any(|l| l.contains("cache not found")),
        "{logs:#?}"
    );
    assert!(
        logs.iter()
            .any(|l| l.contains("rustup toolchain install 1.60")),
        "{logs:#?}"
    );
    assert!(
        logs.iter()
            .any(|l| l.contains("rustup target add wasm32-unknown-unknown")),
        "{logs:#?}"
    );
    // The next run of the same lockfile restores target/.
    let (_, again) = start(home.path(), &yaml, &[], no_cancel()).await;
    assert!(
        again
            .logs()
            .iter()
            .any(|l| l.starts_with("cache restored from key `v0-rust-")),
        "{:#?}",
        again.logs()
    );
}

/// GitHub's documentation, "Running variations of jobs in a workflow": matrix values may be
/// mappings (read as `matrix.os.name`), and `include` may add keys holding them.
#[tokio::test(flavor = "multi_thread")]
async fn matrix_values_may_be_mappings_and_lists() {
    let home = repo();
    let yaml = r#"
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        os:
          - { name: linux, tags: [a, b] }
          - { name: mac, tags: [c] }
        include:
          - os: { name: mac, tags: [c] }
            extra: yes
    steps:
      - run: echo "${{ matrix.os.name }} ${{ join(matrix.os.tags, '+') }} ${{ matrix.extra }}"
"#;
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    let logs = rec.logs();
    assert_eq!(result, Result::Success, "{logs:#?}");
    assert!(logs.contains(&"linux a+b ".to_owned()), "{logs:#?}");
    assert!(logs.contains(&"mac c yes".to_owned()), "{logs:#?}");
}

/// GitHub's documentation, "Running variations of jobs in a workflow: using an output to
/// define two matrices": `matrix: ${{ fromJSON(needs.setup.outputs.matrix) }}` is the matrix a
/// job it needs wrote.
#[tokio::test(flavor = "multi_thread")]
async fn a_matrix_from_a_needed_jobs_output_is_read_when_the_job_runs() {
    let home = repo();
    let yaml = r#"
on: push
jobs:
  setup:
    runs-on: ubuntu-latest
    outputs:
      matrix: ${{ steps.m.outputs.matrix }}
    steps:
      - id: m
        run: echo 'matrix={"version":["1","2"],"include":[{"version":"3","extra":"x"}]}' >> "$GITHUB_OUTPUT"
  test:
    needs: setup
    runs-on: ubuntu-latest
    strategy:
      matrix: ${{ fromJSON(needs.setup.outputs.matrix) }}
    steps:
      - run: echo "version ${{ matrix.version }}${{ matrix.extra }}"
"#;
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    let logs = rec.logs();
    assert_eq!(result, Result::Success, "{logs:#?}");
    for line in ["version 1", "version 2", "version 3x"] {
        assert!(logs.contains(&line.to_owned()), "{line}: {logs:#?}");
    }

    // When the job that makes the matrix fails, the one that needs it is skipped, as on
    // GitHub, not failed for an empty matrix.
    let broken = yaml.replace("echo 'matrix=", "exit 1; echo 'matrix=");
    let (result, rec) = start(home.path(), &broken, &[], no_cancel()).await;
    assert_eq!(result, Result::Failure);
    assert_eq!(
        rec.job_result("test"),
        Some(Result::Skipped),
        "{:#?}",
        rec.logs()
    );

    // A matrix that is not an object of axes fails the job, and the run with it.
    let not_axes = yaml.replace("fromJSON(needs.setup.outputs.matrix)", "fromJSON('[1, 2]')");
    let (result, rec) = start(home.path(), &not_axes, &[], no_cancel()).await;
    assert_eq!(
        rec.job_result("test"),
        Some(Result::Failure),
        "{:#?}",
        rec.logs()
    );
    assert_eq!(result, Result::Failure, "{:#?}", rec.logs());

    // One axis, or `include`, may be an expression beside literal axes.
    let per_key = r#"
on: push
jobs:
  setup:
    runs-on: ubuntu-latest
    outputs:
      oses: ${{ steps.m.outputs.oses }}
    steps:
      - id: m
        run: echo 'oses=["a","b"]' >> "$GITHUB_OUTPUT"
  test:
    needs: setup
    runs-on: ubuntu-latest
    strategy:
      matrix:
        os: ${{ fromJSON(needs.setup.outputs.oses) }}
        level: [1]
        include: ${{ fromJSON('[{"os":"c","level":"9"}]') }}
    steps:
      - run: echo "on ${{ matrix.os }} at ${{ matrix.level }}"
"#;
    let checked = check_text(Path::new("w.yml"), per_key);
    assert!(checked.warnings.is_empty(), "{:#?}", checked.warnings);
    let (result, rec) = start(home.path(), per_key, &[], no_cancel()).await;
    let logs = rec.logs();
    assert_eq!(result, Result::Success, "{logs:#?}");
    for line in ["on a at 1", "on b at 1", "on c at 9"] {
        assert!(logs.contains(&line.to_owned()), "{line}: {logs:#?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_are_masked_even_when_printed_in_pieces() {
    let home = repo();
    // Printed whole and in pieces, written into the step summary, and quoted back by an
    // action's own error message.
    let yaml = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          echo \"token is ${{ secrets.API_TOKEN }}\"\n          printf 'split: s3cr'; sleep 0.2; printf 'et-value-42\\n'\n          echo \"summary ${{ secrets.API_TOKEN }}\" >> $GITHUB_STEP_SUMMARY\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ secrets.API_TOKEN }}\n";
    let (_, rec) = start(
        home.path(),
        yaml,
        &[("API_TOKEN", "s3cret-value-42")],
        no_cancel(),
    )
    .await;
    let logs = rec.logs().join("\n");
    assert!(!logs.contains("s3cret-value-42"), "{logs}");
    assert!(logs.contains("token is ***"), "{logs}");
    assert!(logs.contains("split: ***"), "{logs}");
    assert!(logs.contains("`***` is not a commit"), "{logs}");
    let summary = std::fs::read_to_string(home.path().join("run/summary.md")).unwrap();
    assert_eq!(summary.trim(), "summary ***");
}

/// Everywhere a secret could slip out besides a plain log line: a step's or an artifact's
/// name, a value written half to stderr and half to stdout, a value a step masks itself with
/// `::add-mask::`, and the files the run leaves on disk.
#[tokio::test(flavor = "multi_thread")]
async fn secrets_reach_no_name_no_split_stream_and_no_file_in_clear() {
    let home = repo();
    let secret = "s3cret-value-42";
    let yaml = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - name: deploy with ${{ secrets.API_TOKEN }}\n        run: |\n          printf 's3cret-' >&2; printf 'value-42\\n'\n          echo \"::add-mask::my-own-value\"\n          echo \"later my-own-value\"\n          echo \"${{ secrets.API_TOKEN }}\" > token.txt\n          echo \"out=${{ secrets.API_TOKEN }}\" >> $GITHUB_OUTPUT\n      - uses: actions/upload-artifact@v4\n        with:\n          name: art-${{ secrets.API_TOKEN }}\n          path: token.txt\n";
    let (result, rec) = start(home.path(), yaml, &[("API_TOKEN", secret)], no_cancel()).await;
    assert_eq!(result, Result::Success, "{:?}", rec.logs());
    let events = format!("{:?}", rec.events.lock().unwrap());
    assert!(
        !events.contains(secret),
        "an event holds the secret: {events}"
    );
    assert!(
        !events.contains("my-own-value"),
        "the masked value shows: {events}"
    );
    let logs = rec.logs().join("\n");
    assert!(
        logs.contains("::add-mask::***") && logs.contains("later ***"),
        "{logs}"
    );
    assert!(events.contains("art-***"), "{events}");
    // On disk: no path and no file of the run holds it (the artifact's content is the
    // learner's own file, and GitHub keeps that as it is too), and the step's scratch files
    // are gone.
    let run = home.path().join("run");
    for entry in walk(&run) {
        let shown = entry.display().to_string();
        assert!(!shown.contains(secret), "a path holds it: {shown}");
        if entry.is_file() && !shown.contains("/artifacts/") && !shown.contains("/work/") {
            let text = std::fs::read_to_string(&entry).unwrap_or_default();
            assert!(!text.contains(secret), "{shown} holds it in clear");
        }
    }
    let scratch: Vec<_> = walk(&run.join("tmp"))
        .into_iter()
        .filter(|p| p.is_file())
        .collect();
    assert!(scratch.is_empty(), "left behind: {scratch:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_stops_the_whole_process_tree_within_two_seconds() {
    let home = repo();
    let marker = format!("sleep 1000.{}", std::process::id());
    let yaml = format!("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: sh -c '{marker} & {marker}'\n");
    let rx = tokio_util::sync::CancellationToken::new();
    let tx = rx.clone();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        tx.cancel();
        tokio::time::sleep(Duration::from_secs(5)).await;
    });
    let started = Instant::now();
    let (result, rec) = start(home.path(), &yaml, &[], rx).await;
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(result, Result::Cancelled);
    assert_eq!(rec.job_result("a"), Some(Result::Cancelled));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let left = std::process::Command::new("pgrep")
        .args(["-f", &marker])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "left behind: {}",
        String::from_utf8_lossy(&left.stdout)
    );
    canceller.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_step_timeout_fails_the_step_and_says_so() {
    let home = repo();
    let yaml = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: sleep 30\n        timeout-minutes: 0.01\n";
    let started = Instant::now();
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(result, Result::Failure);
    assert!(
        rec.logs().iter().any(|l| l.contains("ran out of time")),
        "{:?}",
        rec.logs()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_matrix_expands_with_exclude_and_include() {
    let home = repo();
    let yaml = "on: push\njobs:\n  t:\n    runs-on: x\n    strategy:\n      matrix:\n        os: [linux, mac]\n        n: [1, 2]\n        exclude:\n          - os: mac\n            n: 2\n        include:\n          - os: bsd\n            n: 9\n    steps:\n      - run: echo \"${{ matrix.os }}-${{ matrix.n }}\"\n";
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    assert_eq!(result, Result::Success);
    let mut logs: Vec<String> = rec.logs().into_iter().filter(|l| l.contains('-')).collect();
    logs.sort();
    assert_eq!(logs, vec!["bsd-9", "linux-1", "linux-2", "mac-1"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_artifact_uploaded_by_one_job_is_downloaded_by_the_next_and_stays_with_the_run() {
    let home = repo();
    let yaml = r#"
on: push
jobs:
  make:
    runs-on: x
    steps:
      - run: mkdir -p out/logs && echo binary > out/app && echo noise > out/logs/a.log
      - uses: actions/upload-artifact@v4
        with:
          name: app-linux
          path: |
            out/
            !**/*.log
  use:
    needs: make
    runs-on: x
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: app-linux
          path: got
      - run: test "$(cat got/app)" = binary && test ! -e got/logs/a.log && echo found-it
      - uses: actions/download-artifact@v4
        with:
          name: missing
"#;
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    assert_eq!(
        result,
        Result::Failure,
        "the last step names a missing artifact"
    );
    let logs = rec.logs();
    assert!(logs.iter().any(|l| l == "found-it"), "{logs:#?}");
    assert!(
        logs.iter()
            .any(|l| l.contains("no artifact named `missing` in this run (it has: app-linux)")),
        "{logs:#?}"
    );
    let artifact = rec.events.lock().unwrap().iter().find_map(|e| match e {
        RunEvent::Artifact { name, files, .. } => Some((name.clone(), *files)),
        _ => None,
    });
    assert_eq!(artifact, Some(("app-linux".into(), 1)));
    assert_eq!(
        std::fs::read_to_string(home.path().join("run/artifacts/app-linux/app")).unwrap(),
        "binary\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_artifact_path_outside_the_workspace_is_refused() {
    let home = repo();
    let yaml = r#"
on: push
jobs:
  steal:
    runs-on: x
    steps:
      - uses: actions/upload-artifact@v4
        with:
          path: ../../../../etc/passwd
"#;
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    assert_eq!(result, Result::Failure);
    assert!(rec
        .logs()
        .iter()
        .any(|l| l.contains("is outside the workspace")));
    assert!(!home.path().join("run/artifacts").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cache_misses_then_saves_then_hits_on_the_next_run() {
    let home = repo();
    let yaml = r#"
on: push
jobs:
  deps:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
      - id: cache
        uses: actions/cache@v4
        with:
          path: deps
          key: deps-${{ hashFiles('Cargo.lock') }}
          restore-keys: deps-
      - if: steps.cache.outputs.cache-hit != 'true'
        run: mkdir -p deps && echo fetched > deps/lib && echo downloaded
      - run: echo "hit=${{ steps.cache.outputs.cache-hit }} $(cat deps/lib)"
"#;
    let (first, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    assert_eq!(first, Result::Success, "{:#?}", rec.logs());
    let logs = rec.logs();
    assert!(logs.iter().any(|l| l == "downloaded"), "{logs:#?}");
    assert!(logs.iter().any(|l| l == "hit=false fetched"), "{logs:#?}");
    assert!(logs
        .iter()
        .any(|l| l.starts_with("cache saved under key `deps-")));

    std::fs::remove_dir_all(home.path().join("run")).unwrap();
    let (second, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    assert_eq!(second, Result::Success);
    let logs = rec.logs();
    assert!(!logs.iter().any(|l| l == "downloaded"), "{logs:#?}");
    assert!(logs.iter().any(|l| l == "hit=true fetched"), "{logs:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_job_saves_no_cache() {
    let home = repo();
    let yaml = r#"
on: push
jobs:
  deps:
    runs-on: x
    steps:
      - uses: actions/cache@v4
        with:
          path: deps
          key: broken
      - run: mkdir deps && echo x > deps/a && exit 1
"#;
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    assert_eq!(result, Result::Failure);
    assert!(rec
        .logs()
        .iter()
        .any(|l| l == "cache not saved: the job did not succeed"));
    assert_eq!(
        std::fs::read_dir(home.path().join("cache"))
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn fail_fast_cancels_the_other_matrix_instances_and_can_be_turned_off() {
    let home = repo();
    let matrix = |fail_fast: &str| {
        format!(
            r#"
on: push
jobs:
  m:
    runs-on: x
    strategy:
      fail-fast: {fail_fast}
      matrix:
        n: [bad, slow]
    steps:
      - run: if [ "${{{{ matrix.n }}}}" = bad ]; then exit 1; fi; sleep 3; echo slow-done
"#
        )
    };
    let started = Instant::now();
    let (result, rec) = start(home.path(), &matrix("true"), &[], no_cancel()).await;
    assert_eq!(result, Result::Failure);
    assert_eq!(rec.job_result("m (bad)"), Some(Result::Failure));
    assert_eq!(rec.job_result("m (slow)"), Some(Result::Cancelled));
    assert!(!rec.logs().iter().any(|l| l == "slow-done"));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "slow was not waited for"
    );

    let (result, rec) = start(home.path(), &matrix("false"), &[], no_cancel()).await;
    assert_eq!(result, Result::Failure);
    assert_eq!(rec.job_result("m (slow)"), Some(Result::Success));
    assert!(rec.logs().iter().any(|l| l == "slow-done"));
}

#[tokio::test(flavor = "multi_thread")]
async fn max_parallel_runs_matrix_instances_that_many_at_a_time() {
    let home = repo();
    // Each instance notes when it starts and ends; with max-parallel 1 no two overlap.
    let yaml = r#"
on: push
jobs:
  m:
    runs-on: x
    strategy:
      max-parallel: 1
      matrix:
        n: [a, b, c]
    steps:
      - run: echo "start $(date +%s%N)"; sleep 0.3; echo "end $(date +%s%N)"
"#;
    let (result, rec) = start(home.path(), yaml, &[], no_cancel()).await;
    assert_eq!(result, Result::Success);
    let mut spans: Vec<(u128, u128)> = Vec::new();
    let logs = rec.logs();
    let times: Vec<(&str, u128)> = logs
        .iter()
        .filter_map(|l| {
            let (what, t) = l.split_once(' ')?;
            Some((what, t.parse().ok()?))
        })
        .collect();
    for w in times.windows(2) {
        if let [("start", s), ("end", e)] = w {
            spans.push((*s, *e));
        }
    }
    assert_eq!(spans.len(), 3, "{logs:#?}");
    spans.sort();
    for pair in spans.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "instances overlapped: {spans:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workflow_builds_the_image_and_releases_it_with_the_native_docker_actions() {
    let home = repo();
    let built = format!("devloop-test-bpa-{}", std::process::id());
    let released = format!("devloop-test-rel-{}", std::process::id());
    let _cleanup = (Leftovers(built.clone()), Leftovers(released.clone()));
    // busybox stands in for the static binary the demo's Dockerfile copies.
    let yaml = format!(
        r#"
on: push
jobs:
  ship:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
      - run: mkdir -p target/x86_64-unknown-linux-gnu/release && cp /bin/busybox target/x86_64-unknown-linux-gnu/release/loop-service
      - id: image
        uses: docker/build-push-action@v6
        with:
          context: .
          tags: {built}:dev, {built}:latest
          labels: org.example.team=learners
      - run: echo "image ${{{{ steps.image.outputs.imageid }}}}"
      - id: release
        uses: devloop/release@v1
        with:
          app: {released}
      - run: echo "released ${{{{ steps.release.outputs.version }}}} as ${{{{ steps.release.outputs.tag }}}}"
  refused:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          tags: {built}:pushed
          push: true
"#
    );
    let (result, rec) = start(home.path(), &yaml, &[], no_cancel()).await;
    assert_eq!(result, Result::Failure, "the push job fails");
    assert_eq!(
        rec.job_result("ship"),
        Some(Result::Success),
        "{:#?}",
        rec.logs()
    );
    assert_eq!(rec.job_result("refused"), Some(Result::Failure));
    let logs = rec.logs();
    assert!(
        logs.iter()
            .any(|l| l.starts_with("Step 2/") && l.contains("COPY")),
        "{logs:#?}"
    );
    assert!(
        logs.iter().any(|l| l.starts_with("image sha256:")),
        "{logs:#?}"
    );
    assert!(
        logs.iter().any(|l| l == "released 0.1.0 as v0.1.0"),
        "{logs:#?}"
    );
    assert!(
        logs.iter()
            .any(|l| l.contains("`push: true` needs a container registry")),
        "{logs:#?}"
    );
    for image in [
        format!("{built}:dev"),
        format!("{built}:latest"),
        format!("{released}:0.1.0"),
    ] {
        let out = std::process::Command::new("docker")
            .args(["images", "-q", &image])
            .output()
            .unwrap();
        assert!(!out.stdout.is_empty(), "{image} exists");
    }
    assert!(std::process::Command::new("docker")
        .args(["images", "-q", &format!("{built}:pushed")])
        .output()
        .unwrap()
        .stdout
        .is_empty());
    // The tag is in the learner's repository, not only in the job's checkout.
    let tags = std::process::Command::new("git")
        .args(["tag", "-l"])
        .current_dir(home.path().join("repo"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&tags.stdout).trim(), "v0.1.0");

    // The same commit a second time (Run workflow after the push run released it): the step
    // hands on the release made before instead of failing, so a deploy after it ships it.
    let (_, again) = start(home.path(), &yaml, &[], no_cancel()).await;
    assert_eq!(
        again.job_result("ship"),
        Some(Result::Success),
        "{:#?}",
        again.logs()
    );
    let logs = again.logs();
    assert!(
        logs.iter().any(|l| l.ends_with(&format!(
            "is already released as {released} 0.1.0: this run ships that release"
        ))),
        "{logs:#?}"
    );
    assert!(
        logs.iter().any(|l| l == "released 0.1.0 as v0.1.0"),
        "{logs:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_run_offers_its_release_under_delivery_and_deploys_it_under_deployment() {
    let home = repo();
    let app = format!("devloop-test-cd-{}", std::process::id());
    let _leftovers = Leftovers(app.clone());
    let paths = common::paths(home.path());
    // The service this DevLoop shares, on a port of its own.
    let (slot, url) = shared_service(&paths, &app).await;
    // A tiny web service stands in for the demo's binary: busybox's httpd with a /health.
    let yaml = format!(
        r#"
on: push
jobs:
  ship:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
      - run: |
          mkdir -p web/site && echo ok > web/site/health && echo "hello from the pipeline" > web/site/index.html
          cp /bin/busybox web/busybox
          printf 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY site /www\nENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]\n' > web/Dockerfile
      - uses: devloop/release@v1
        with:
          app: {app}
          context: web
      - id: deploy
        uses: devloop/deploy@v1
        with:
          app: {app}
          replicas: 1
      - run: echo "deployed=${{{{ steps.deploy.outputs.deployed }}}}"
"#
    );
    let with = |cd: bool| {
        let slot = slot.clone();
        let paths = paths.clone();
        move |req: &mut Request| {
            req.service = Some(slot);
            req.paths = Some(paths);
            req.continuous_deployment = cd;
        }
    };

    // Continuous Delivery: the green run stops before production.
    let (result, rec) = start_with(home.path(), &yaml, &[], no_cancel(), with(false)).await;
    assert_eq!(result, Result::Success, "{:#?}", rec.logs());
    let logs = rec.logs();
    assert!(logs.iter().any(|l| l == "deployed=false"), "{logs:#?}");
    assert!(
        logs.iter().any(|l| l.starts_with("Continuous Delivery:")),
        "{logs:#?}"
    );
    let store = devloop_engine::store::Store::open(&paths.database_file()).unwrap();
    assert_eq!(
        store.deploys(10).unwrap()[0].status,
        devloop_engine::record::deploy::DeployStatus::Waiting
    );
    let answer = std::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", &url])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&answer.stdout),
        "503",
        "nothing went live"
    );

    // Continuous Deployment: the next green run goes live by itself.
    std::fs::remove_dir_all(home.path().join("run")).unwrap();
    std::fs::write(home.path().join("repo/NEXT"), "x").unwrap();
    for args in [
        &["add", "NEXT"][..],
        &[
            "-c",
            "user.name=L",
            "-c",
            "user.email=l@x",
            "commit",
            "-qm",
            "feat: next",
        ][..],
    ] {
        assert!(std::process::Command::new("git")
            .args(args)
            .current_dir(home.path().join("repo"))
            .status()
            .unwrap()
            .success());
    }
    let (result, rec) = start_with(home.path(), &yaml, &[], no_cancel(), with(true)).await;
    assert_eq!(result, Result::Success, "{:#?}", rec.logs());
    assert!(
        rec.logs().iter().any(|l| l == "deployed=true"),
        "{:#?}",
        rec.logs()
    );
    let body = std::process::Command::new("curl")
        .args(["-s", &url])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&body.stdout),
        "hello from the pipeline\n"
    );
    let history = store.deploys(10).unwrap();
    assert_eq!(
        history[0].status,
        devloop_engine::record::deploy::DeployStatus::Live
    );
    assert_eq!(history[0].version, "0.2.0");
}

/// The shipped one-click workflow, as a learner presses Run workflow on a fresh workspace: it
/// builds, tests, releases and deploys the real demo; pressed again on the same commit, it ships
/// the release made before. On GitHub (`vars.DEVLOOP` unset) the same file skips the two jobs
/// that need DevLoop's actions and stays green.
#[tokio::test(flavor = "multi_thread")]
async fn the_shipped_delivery_workflow_goes_live_twice_here_and_stays_green_without_devloop() {
    use devloop_engine::pipeline::launch::devloop_vars;
    let home = repo();
    let repo_dir = home.path().join("repo");
    // Its own app name, so no image of the learner's loop-service is ever touched.
    let app = format!("devloop-test-oneclick-{}", std::process::id());
    let _leftovers = Leftovers(app.clone());
    for file in ["Cargo.toml", "Cargo.lock", "Dockerfile", ".dockerignore"] {
        let path = repo_dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("loop-service", &app)).unwrap();
    }
    assert!(std::process::Command::new("git")
        .args(["-c", "user.name=L", "-c", "user.email=l@x"])
        .args(["commit", "-qam", "chore: a name of its own"])
        .current_dir(&repo_dir)
        .status()
        .unwrap()
        .success());
    let paths = common::paths(home.path());
    let (slot, url) = shared_service(&paths, &app).await;
    let yaml = std::fs::read_to_string(repo_dir.join(".github/workflows/delivery.yml")).unwrap();
    let by_hand = |vars: BTreeMap<String, String>| {
        let (slot, paths) = (slot.clone(), paths.clone());
        move |req: &mut Request| {
            req.event = "workflow_dispatch".into();
            req.service = Some(slot);
            req.paths = Some(paths);
            req.vars = vars;
        }
    };

    // As on GitHub: no DEVLOOP variable, so release and deploy are skipped and the run is green.
    let (result, rec) = start_with(
        home.path(),
        &yaml,
        &[],
        no_cancel(),
        by_hand(BTreeMap::new()),
    )
    .await;
    assert_eq!(result, Result::Success, "{:#?}", rec.logs());
    assert_eq!(rec.job_result("test"), Some(Result::Success));
    assert_eq!(rec.job_result("release"), Some(Result::Skipped));
    assert_eq!(rec.job_result("deploy"), Some(Result::Skipped));

    for press in ["first", "second"] {
        std::fs::remove_dir_all(home.path().join("run")).unwrap();
        let (result, rec) = start_with(
            home.path(),
            &yaml,
            &[],
            no_cancel(),
            by_hand(devloop_vars()),
        )
        .await;
        assert_eq!(result, Result::Success, "{press} press: {:#?}", rec.logs());
        assert_eq!(rec.job_result("deploy"), Some(Result::Success), "{press}");
        let body = std::process::Command::new("curl")
            .args(["-s", "--max-time", "3", &url])
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&body.stdout).contains("version <b>0.1.0</b>")
                || String::from_utf8_lossy(&body.stdout).contains("version 0.1.0"),
            "{press} press: {}",
            String::from_utf8_lossy(&body.stdout)
        );
    }
}
