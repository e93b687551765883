//! Runs real workflows as real processes in a real git repository, and checks what a learner
//! would see in the log and the results.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use devloop_engine::pipeline::check_text;
use devloop_engine::pipeline::run::{self, Request, Result, RunEvent};

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
    cancel: tokio::sync::watch::Receiver<bool>,
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
        inputs: BTreeMap::new(),
        secrets: secrets
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        vars: BTreeMap::new(),
        run_id: 1,
        run_number: 1,
        only_job: None,
    };
    let result = run::run(
        req,
        Arc::new(move |e| sink_events.lock().unwrap().push(e)),
        cancel,
    )
    .await;
    (result, Recorded { events })
}

fn no_cancel() -> tokio::sync::watch::Receiver<bool> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    std::mem::forget(tx);
    rx
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

#[tokio::test(flavor = "multi_thread")]
async fn secrets_are_masked_even_when_printed_in_pieces() {
    let home = repo();
    let yaml = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          echo \"token is ${{ secrets.API_TOKEN }}\"\n          printf 'split: s3cr'; sleep 0.2; printf 'et-value-42\\n'\n";
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
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_stops_the_whole_process_tree_within_two_seconds() {
    let home = repo();
    let marker = format!("sleep 1000.{}", std::process::id());
    let yaml = format!("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: sh -c '{marker} & {marker}'\n");
    let (tx, rx) = tokio::sync::watch::channel(false);
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let _ = tx.send(true);
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
