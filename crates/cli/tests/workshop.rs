//! `devloop workshop validate`, `devloop lesson check` and `devloop workspace reset` as an
//! instructor or a CI job runs them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workshops/devops-loop")
}

fn devloop(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_devloop"))
        .args(args)
        .env("DEVLOOP_CONFIG_DIR", home.join("config"))
        .env("DEVLOOP_WORKSPACE", home.join("DevLoop"))
        .output()
        .unwrap()
}

#[test]
fn the_shipped_pack_validates() {
    let home = tempfile::tempdir().unwrap();
    let out = devloop(
        home.path(),
        &["workshop", "validate", &pack().display().to_string()],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("devops-loop 0.1.0: 12 lessons"), "{text}");
}

#[test]
fn a_broken_pack_exits_2_and_names_file_line_and_column() {
    let home = tempfile::tempdir().unwrap();
    let copy = home.path().join("devops-loop");
    assert!(Command::new("cp")
        .args([
            "-r",
            &pack().display().to_string(),
            &copy.display().to_string()
        ])
        .status()
        .unwrap()
        .success());
    let lesson = copy.join("lessons/code/lesson.toml");
    let text = std::fs::read_to_string(&lesson)
        .unwrap()
        .replace("git.branchExists", "git.branchExist");
    std::fs::write(&lesson, text).unwrap();
    let out = devloop(
        home.path(),
        &["workshop", "validate", &copy.display().to_string()],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("devops-loop/lessons/code/lesson.toml:5:"),
        "{err}"
    );
    assert!(err.contains("git.branchExist"), "{err}");
    assert!(err.contains("fix:"), "{err}");
}

#[test]
fn lesson_check_runs_the_steps_against_the_workspace_and_reset_keeps_the_old_one() {
    let home = tempfile::tempdir().unwrap();
    let pack = pack().display().to_string();
    let out = devloop(home.path(), &["workspace", "reset", &pack]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = devloop(
        home.path(),
        &["lesson", "check", &pack, "intro", "workspace"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = devloop(home.path(), &["lesson", "check", &pack, "code", "branch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("✗ branch"));

    std::fs::write(home.path().join("DevLoop/notes.md"), "mine").unwrap();
    let out = devloop(home.path(), &["workspace", "reset", &pack]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("your previous work is in"), "{text}");
    assert_eq!(
        std::fs::read_to_string(home.path().join("DevLoop.before-reset-1/notes.md")).unwrap(),
        "mine"
    );

    let out = devloop(home.path(), &["lesson", "check", &pack, "nope"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no lesson `nope`"));
}

/// The app's "Same check in a terminal" names no folder: the CLI finds the pack the app
/// opened, and says how to name one when there is none.
#[test]
fn lesson_check_without_a_pack_uses_the_one_the_app_opened() {
    let home = tempfile::tempdir().unwrap();
    let out = devloop(home.path(), &["lesson", "check", "intro", "workspace"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fix: devloop lesson check workshops/devops-loop intro workspace"),
        "{err}"
    );
    // What the app writes when it opens the pack.
    std::fs::create_dir_all(home.path().join("config")).unwrap();
    std::fs::write(
        home.path().join("config/settings.json"),
        serde_json::json!({ "pack": pack().canonicalize().unwrap() }).to_string(),
    )
    .unwrap();
    std::fs::create_dir_all(home.path().join("DevLoop")).unwrap();
    git2::Repository::init(home.path().join("DevLoop")).unwrap();
    let out = devloop(home.path(), &["lesson", "check", "intro", "workspace"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("✓ workspace"));
}

#[test]
fn workflow_check_accepts_the_demo_workflow_and_refuses_a_broken_one_with_exit_3() {
    let home = tempfile::tempdir().unwrap();
    let demo = pack().join("demo/.github/workflows/ci.yml");
    let out = devloop(
        home.path(),
        &["workflow", "check", &demo.display().to_string()],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("stage 2: test"), "{text}");

    let broken =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/workflows/19-cyclic-needs.yml");
    let out = devloop(
        home.path(),
        &["workflow", "check", &broken.display().to_string()],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("19-cyclic-needs.yml:3:3: the jobs' `needs` form a cycle: a → b → a"),
        "{err}"
    );
}

/// A fresh workspace (the demo project, one commit) in `home`.
fn workspace(home: &Path) -> PathBuf {
    let out = devloop(home, &["workspace", "reset", &pack().display().to_string()]);
    assert!(out.status.success());
    home.join("DevLoop")
}

/// The workflow every push to main runs.
const CI: &str = ".github/workflows/ci.yml";

fn run_in(home: &Path, ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_devloop"))
        .arg("run")
        .args(args)
        .current_dir(ws)
        .env("DEVLOOP_CONFIG_DIR", home.join("config"))
        .env("DEVLOOP_DATA_DIR", home.join("data"))
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap()
}

#[test]
fn devloop_run_builds_and_tests_the_demo_and_exits_0() {
    let home = tempfile::tempdir().unwrap();
    let ws = workspace(home.path());
    // The workspace has two workflows (ci.yml and the one-click delivery.yml): name one.
    let out = run_in(home.path(), &ws, &["--workflow", CI]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("▶ run #1: ci"), "{text}");
    assert!(text.contains("[test] test result: ok. 7 passed"), "{text}");
    assert!(text.contains("run Success"), "{text}");

    // The history keeps it, and each step's log is on disk.
    let out = Command::new(env!("CARGO_BIN_EXE_devloop"))
        .arg("runs")
        .env("DEVLOOP_CONFIG_DIR", home.path().join("config"))
        .env("DEVLOOP_DATA_DIR", home.path().join("data"))
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(
        list.lines()
            .any(|l| l.trim_start().starts_with("1  success")
                && l.contains("ci.yml")
                && l.contains("main")),
        "{list}"
    );
    let log = std::fs::read_to_string(home.path().join("data/runs/1/logs/test/2.log")).unwrap();
    assert!(log.contains("test result: ok. 7 passed"), "{log}");
}

#[test]
fn a_broken_unit_test_makes_the_run_fail_with_exit_1_and_a_refused_workflow_exits_3() {
    let home = tempfile::tempdir().unwrap();
    let ws = workspace(home.path());
    let main = ws.join("src/main.rs");
    let code = std::fs::read_to_string(&main)
        .unwrap()
        .replace("\"ok\\n\".to_owned()", "\"not ok\\n\".to_owned()");
    std::fs::write(&main, code).unwrap();
    // The run checks out the commit, so the break has to be committed, as on GitHub.
    let git = |args: &[&str]| {
        assert!(Command::new("git")
            .args(["-c", "user.name=L", "-c", "user.email=l@x"])
            .args(args)
            .current_dir(&ws)
            .status()
            .unwrap()
            .success())
    };
    git(&["commit", "-qam", "fix: break the health body"]);
    let out = run_in(home.path(), &ws, &["--workflow", CI, "--job", "test"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("health_answers_ok"),
        "the failing test is named: {text}"
    );

    std::fs::write(
        ws.join(".github/workflows/ci.yml"),
        "on: push\njobs:\n  a:\n    needs: a\n    runs-on: x\n    steps: [{run: echo}]\n",
    )
    .unwrap();
    let out = run_in(home.path(), &ws, &["--workflow", CI]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(".github/workflows/ci.yml:4:12: job `a` needs itself"),
        "{err}"
    );
}

#[test]
fn inputs_are_checked_and_a_rerun_repeats_the_same_commit_and_inputs() {
    let home = tempfile::tempdir().unwrap();
    let ws = workspace(home.path());
    std::fs::write(
        ws.join(".github/workflows/say.yml"),
        "on:\n  workflow_dispatch:\n    inputs:\n      who:\n        required: true\n      loud:\n        type: boolean\n        default: false\njobs:\n  say:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo \"hi ${{ inputs.who }} loud=${{ inputs.loud }} at $(git rev-parse --short HEAD) $(cat marker 2>/dev/null)\"\n",
    )
    .unwrap();
    let say = ["--workflow", ".github/workflows/say.yml"];

    // A missing required input and a wrong boolean are both named before anything runs.
    let out = run_in(
        home.path(),
        &ws,
        &[&say[..], &["--input", "loud=maybe"]].concat(),
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("input `who` is required"), "{err}");
    assert!(err.contains("`loud` is a boolean"), "{err}");

    let out = run_in(
        home.path(),
        &ws,
        &[&say[..], &["--input", "who=Ada"]].concat(),
    );
    let first = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{first}");
    let line = first
        .lines()
        .find(|l| l.contains("hi Ada loud=false at"))
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();

    // main moves on; the re-run still runs the first run's commit, with its inputs.
    std::fs::write(ws.join("marker"), "moved").unwrap();
    assert!(Command::new("git")
        .args(["-c", "user.name=L", "-c", "user.email=l@x", "add", "marker"])
        .current_dir(&ws)
        .status()
        .unwrap()
        .success());
    assert!(Command::new("git")
        .args([
            "-c",
            "user.name=L",
            "-c",
            "user.email=l@x",
            "commit",
            "-qm",
            "chore: move"
        ])
        .current_dir(&ws)
        .status()
        .unwrap()
        .success());
    // Refused runs took no number: this was run #1.
    assert!(first.contains("▶ run #1:"), "{first}");
    let out = run_in(home.path(), &ws, &["--rerun", "1"]);
    let again = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{again}");
    assert!(
        again.contains("▶ run #2: workflow (.github/workflows/say.yml), a re-run of #1"),
        "{again}"
    );
    assert!(
        again.lines().any(|l| l.trim_end() == line.trim_end()),
        "same commit, same inputs:\n{line}\n{again}"
    );
    let out = run_in(home.path(), &ws, &["--rerun", "99"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no run #99"));
}

/// "Re-run failed jobs" re-runs the failed job and what needs it; the jobs that succeeded
/// are kept with their outputs, not run again (GitHub's "Re-running workflows and jobs").
#[test]
fn re_running_failed_jobs_keeps_the_jobs_that_succeeded_and_their_outputs() {
    let home = tempfile::tempdir().unwrap();
    let ws = workspace(home.path());
    let flaky = home.path().join("flaky-passes");
    let counter = home.path().join("build-ran");
    let workflow = r#"on: workflow_dispatch
jobs:
  build:
    runs-on: x
    outputs:
      stamp: ${{ steps.s.outputs.stamp }}
    steps:
      - id: s
        run: |
          echo ran >> COUNTER
          echo "stamp=$(date +%s%N)" >> "$GITHUB_OUTPUT"
  lint:
    runs-on: x
    steps:
      - run: echo lint ok
  test:
    needs: build
    runs-on: x
    steps:
      - run: |
          echo "testing stamp ${{ needs.build.outputs.stamp }}"
          test -f FLAKY
  report:
    needs: test
    runs-on: x
    steps:
      - run: echo reported
"#
    .replace("COUNTER", &counter.display().to_string())
    .replace("FLAKY", &flaky.display().to_string());
    std::fs::write(ws.join(".github/workflows/flaky.yml"), workflow).unwrap();
    let flaky_yml = ["--workflow", ".github/workflows/flaky.yml"];
    let out = run_in(home.path(), &ws, &flaky_yml);
    let first = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{first}");
    let stamp = first
        .lines()
        .find_map(|l| l.split("testing stamp ").nth(1))
        .unwrap_or_else(|| panic!("{first}"))
        .trim()
        .to_owned();

    // A whole run that succeeded has no failed job to re-run alone.
    std::fs::write(&flaky, "").unwrap();
    let out = run_in(home.path(), &ws, &["--rerun", "1", "--failed"]);
    let again = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{again}");
    assert_eq!(
        std::fs::read_to_string(&counter).unwrap().lines().count(),
        1,
        "build succeeded in #1, so it was kept: {again}"
    );
    assert!(
        again.contains("kept from run #1, where it succeeded"),
        "{again}"
    );
    assert!(
        again.contains(&format!("testing stamp {stamp}")),
        "test read build's output from #1: {again}"
    );
    assert!(
        again.contains("reported"),
        "report needed test, so it ran: {again}"
    );
    assert!(
        !again.contains("lint ok"),
        "lint succeeded in #1 and was kept: {again}"
    );

    let out = run_in(home.path(), &ws, &["--rerun", "2", "--failed"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("run #2 has no failed job"), "{err}");
}

/// A failed step is re-entered with `devloop shell N`: the folder it ran in, the environment
/// it had, and no secret in clear (the variable that held one is left out and named).
#[test]
fn a_failed_step_is_re_entered_where_it_ran_with_its_environment() {
    let home = tempfile::tempdir().unwrap();
    let ws = workspace(home.path());
    let workflow = r#"on: workflow_dispatch
env:
  GREETING: hello
jobs:
  test:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
      - run: mkdir -p sub
      - working-directory: sub
        env:
          TOKEN: ${{ secrets.TOKEN }}
          LEVEL: ${{ github.event_name }}
        run: |
          echo "making it fail"
          exit 3
"#;
    std::fs::write(ws.join(".github/workflows/fails.yml"), workflow).unwrap();
    let out = run_in(
        home.path(),
        &ws,
        &[
            "--workflow",
            ".github/workflows/fails.yml",
            "--secret",
            "TOKEN=hunter2-secret",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let shell = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_devloop"))
            .arg("shell")
            .args(args)
            .current_dir(&ws)
            .env("DEVLOOP_CONFIG_DIR", home.path().join("config"))
            .env("DEVLOOP_DATA_DIR", home.path().join("data"))
            .output()
            .unwrap()
    };
    let out = shell(&[
        "1",
        "--",
        "sh",
        "-c",
        "pwd; echo \"$GREETING $LEVEL ${TOKEN:-no token}\"; exit 7",
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    let told = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(7),
        "the command's own exit: {said}{told}"
    );
    let mut lines = said.lines();
    let dir = lines.next().unwrap_or_default();
    assert!(dir.ends_with("/work/test/sub"), "{said}");
    assert_eq!(
        lines.next(),
        Some("hello workflow_dispatch no token"),
        "{said}"
    );
    assert!(told.contains("step 3"), "{told}");
    assert!(
        told.contains("left out, because they held a secret: TOKEN"),
        "{told}"
    );
    let kept = std::fs::read_dir(home.path().join("data/runs/1/failed"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<String>();
    assert!(!kept.contains("hunter2-secret"), "{kept}");

    let out = shell(&["1", "--job", "build"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no failed step in job `build`"));
}

#[test]
fn release_dry_run_proposes_the_first_version_and_makes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let ws = workspace(home.path());
    let out = Command::new(env!("CARGO_BIN_EXE_devloop"))
        .args(["release", "--dry-run", "--repo", &ws.display().to_string()])
        .env("DEVLOOP_CONFIG_DIR", home.path().join("config"))
        .env("DEVLOOP_DATA_DIR", home.path().join("data"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.starts_with("loop-service (none) → 0.1.0"), "{text}");
    assert!(text.contains("## Other changes"), "{text}");
    let tags = Command::new("git")
        .args(["tag"])
        .current_dir(&ws)
        .output()
        .unwrap();
    assert!(tags.stdout.is_empty(), "a dry run tags nothing");
    let out = Command::new(env!("CARGO_BIN_EXE_devloop"))
        .arg("releases")
        .env("DEVLOOP_DATA_DIR", home.path().join("data"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("No releases yet"));
}

/// A machine-wide CARGO_TARGET_DIR (CI has one; some learners set one) must not move a release
/// build's outputs out of the checkout the Dockerfile copies from.
#[test]
fn a_release_build_ignores_a_machine_wide_cargo_target_dir() {
    let home = tempfile::tempdir().unwrap();
    let repo = home.path().join("svc");
    std::fs::create_dir_all(&repo).unwrap();
    let name = format!("devloop-test-targetdir-{}", std::process::id());
    std::fs::write(
        repo.join("Cargo.toml"),
        format!("[package]\nname = \"{name}\"\n"),
    )
    .unwrap();
    std::fs::write(
        repo.join("devloop.toml"),
        "[release]\nbuild = \"test -z \\\"$CARGO_TARGET_DIR\\\" && mkdir -p out && echo hi > out/x\"\n",
    )
    .unwrap();
    std::fs::write(repo.join("Dockerfile"), "FROM scratch\nCOPY out/x /x\n").unwrap();
    std::fs::write(repo.join(".gitignore"), "out/\n").unwrap();
    common::git(&repo, &["init", "-q"]);
    common::git(&repo, &["add", "."]);
    common::git(&repo, &["commit", "-qm", "feat: first"]);
    let out = Command::new(env!("CARGO_BIN_EXE_devloop"))
        .args(["release", "--repo"])
        .arg(&repo)
        .env("DEVLOOP_CONFIG_DIR", home.path().join("config"))
        .env("DEVLOOP_DATA_DIR", home.path().join("data"))
        .env("CARGO_TARGET_DIR", home.path().join("elsewhere"))
        .output()
        .unwrap();
    let images = Command::new("docker")
        .args(["images", "-q", "--filter", &format!("reference={name}")])
        .output()
        .unwrap();
    for id in String::from_utf8_lossy(&images.stdout).split_whitespace() {
        let _ = Command::new("docker").args(["rmi", "-f", id]).output();
    }
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An instructor's pack from elsewhere: `lesson check` runs none of its commands until
/// `workshop trust`, which lists them first and asks.
#[test]
fn a_pack_not_shipped_runs_its_command_checks_only_once_trusted() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("hostile");
    assert!(Command::new("cp")
        .args(["-a"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/packs/hostile"))
        .arg(&dir)
        .status()
        .unwrap()
        .success());
    let ws = home.path().join("DevLoop");
    std::fs::create_dir_all(&ws).unwrap();
    common::git(&ws, &["init", "-q"]);
    let shown = dir.display().to_string();

    let refused = devloop(
        home.path(),
        &["lesson", "check", &shown, "hostile", "probe"],
    );
    assert!(!refused.status.success());
    let said = common::text(&refused);
    assert!(
        said.contains("not run:") && said.contains("fix: devloop workshop trust"),
        "{said}"
    );
    assert!(!ws.join("pwned-by-check").exists(), "ran without trust");

    // Asked, and answered no: nothing changes.
    let mut asked = Command::new(env!("CARGO_BIN_EXE_devloop"))
        .args(["workshop", "trust", &shown])
        .env("DEVLOOP_CONFIG_DIR", home.path().join("config"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(asked.stdin.as_mut().unwrap(), b"n\n").unwrap();
    let asked = asked.wait_with_output().unwrap();
    assert_eq!(asked.status.code(), Some(3));
    let listed = String::from_utf8_lossy(&asked.stdout).into_owned();
    assert!(
        listed.contains("touch pwned-by-check") && listed.contains("Run button"),
        "{listed}"
    );
    assert!(
        !listed.contains('\u{1b}'),
        "no terminal escape reaches the screen"
    );

    let trusted = devloop(home.path(), &["workshop", "trust", &shown, "--yes"]);
    assert!(trusted.status.success(), "{}", common::text(&trusted));
    devloop(
        home.path(),
        &["lesson", "check", &shown, "hostile", "probe"],
    );
    assert!(ws.join("pwned-by-check").exists(), "trusted, it runs");

    // The shipped workshop never asks.
    let shipped = devloop(
        home.path(),
        &["workshop", "trust", &pack().display().to_string()],
    );
    assert!(
        common::text(&shipped).contains("trusted already"),
        "{}",
        common::text(&shipped)
    );
}
