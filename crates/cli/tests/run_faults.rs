//! `devloop run` stopped from outside, as a terminal or a machine stops it: what it printed is
//! on disk within a second, SIGTERM and SIGHUP cancel it as Ctrl+C does, its steps die with
//! it even when it is killed with SIGKILL, which it cannot catch, and a kill at any phase of a
//! run (checkout, cache, artifact, the next job) leaves nothing half-made for the next run.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::git;

/// A repository whose one workflow prints 50 lines, then sleeps `marker` seconds in the
/// background and waits for it: the process left behind, if any, is found by its argument.
fn repo(home: &Path, marker: u32) -> PathBuf {
    let ws = home.join("ws");
    std::fs::create_dir_all(ws.join(".github/workflows")).unwrap();
    std::fs::write(
        ws.join(".github/workflows/long.yml"),
        format!(
            "on: workflow_dispatch\njobs:\n  long:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          for i in $(seq 1 50); do echo \"line $i\"; done\n          sleep {marker} &\n          wait\n"
        ),
    )
    .unwrap();
    git(&ws, &["init", "-q", "-b", "main"]);
    git(&ws, &["add", "-A"]);
    git(&ws, &["commit", "-qm", "ci: a long step"]);
    ws
}

fn start(home: &Path, ws: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_devloop"))
        .arg("run")
        .current_dir(ws)
        .env("DEVLOOP_DATA_DIR", home.join("data"))
        .env("DEVLOOP_CONFIG_DIR", home.join("config"))
        .env("DEVLOOP_WORKSPACE", ws)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Reads the run's output until it shows `wanted`, then goes on reading it, as a terminal
/// does, so the run never writes to a closed pipe.
fn wait_for(child: &mut Child, wanted: &str) {
    let out = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = String::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
        seen.push_str(&line);
        seen.push('\n');
        if line.contains(wanted) {
            return;
        }
    }
    panic!("`{wanted}` never came:\n{seen}");
}

/// The processes whose command line holds `sleep MARKER`.
fn left_behind(marker: u32) -> Vec<String> {
    let out = Command::new("pgrep")
        .args(["-af", &format!("sleep {marker}")])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.contains("pgrep"))
        .map(str::to_owned)
        .collect()
}

fn eventually(what: &str, f: impl Fn() -> bool) {
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not happen within 10 s");
}

fn step_log(home: &Path) -> String {
    std::fs::read_to_string(home.join("data/runs/1/logs/long/1.log")).unwrap_or_default()
}

fn signal(child: &Child, name: &str) {
    assert!(Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success());
}

#[test]
fn a_run_killed_with_sigkill_keeps_its_log_and_leaves_no_step_running() {
    let home = tempfile::tempdir().unwrap();
    let marker = 3000 + std::process::id() % 900;
    let ws = repo(home.path(), marker);
    let mut run = start(home.path(), &ws);
    wait_for(&mut run, "line 50");
    eventually("the step's sleep", || !left_behind(marker).is_empty());
    // What was printed is on disk within a second: the promise this test holds it to.
    std::thread::sleep(Duration::from_secs(1));
    signal(&run, "KILL");
    let _ = run.wait();
    eventually("the printed lines on disk", || {
        step_log(home.path()).contains("line 50")
    });
    eventually("no step process left", || left_behind(marker).is_empty());
}

#[test]
fn sigterm_and_sighup_cancel_a_run_as_ctrl_c_does() {
    for (n, name) in ["TERM", "HUP"].into_iter().enumerate() {
        let home = tempfile::tempdir().unwrap();
        let marker = 4000 + n as u32 * 1000 + std::process::id() % 900;
        let ws = repo(home.path(), marker);
        let mut run = start(home.path(), &ws);
        wait_for(&mut run, "line 50");
        eventually("the step's sleep", || !left_behind(marker).is_empty());
        signal(&run, name);
        let status = run.wait().unwrap();
        assert_eq!(
            status.code(),
            Some(130),
            "SIG{name} cancels, as Ctrl+C does"
        );
        let mut err = String::new();
        std::io::Read::read_to_string(run.stderr.as_mut().unwrap(), &mut err).unwrap();
        assert!(err.contains(&format!("SIG{name}: cancelling")), "{err}");
        assert!(step_log(home.path()).contains("line 50"));
        eventually("no step process left", || left_behind(marker).is_empty());
    }
}

/// A run whose phases each move 100 MB: a cache restore, a step that makes the blob, an
/// artifact upload, the cache save at the job's end, then a second job. Its step checks that a
/// cache it restores is whole.
const PHASES: &str = r#"on: workflow_dispatch
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache@v4
        with:
          path: big
          key: blob-1
      - run: |
          if [ -f big/blob ]; then test "$(stat -c %s big/blob)" -eq 100000000 && echo "restored whole"
          else mkdir -p big && head -c 100000000 /dev/zero > big/blob && echo made; fi
      - uses: actions/upload-artifact@v4
        with:
          name: blob
          path: big
  two:
    needs: one
    runs-on: ubuntu-latest
    steps:
      - run: echo second
"#;

#[test]
fn a_run_killed_at_any_phase_leaves_nothing_half_made_for_the_next_run() {
    // Each is a line the run prints as a phase begins; the kill lands in what follows it.
    for (n, phase) in [
        "Run actions/checkout",
        "Run actions/cache",
        "made",
        "Run actions/upload-artifact",
        "uploaded artifact",
        "cache saved",
    ]
    .into_iter()
    .enumerate()
    {
        let home = tempfile::tempdir().unwrap();
        let ws = home.path().join("ws");
        std::fs::create_dir_all(ws.join(".github/workflows")).unwrap();
        std::fs::write(ws.join(".github/workflows/phases.yml"), PHASES).unwrap();
        git(&ws, &["init", "-q", "-b", "main"]);
        git(&ws, &["add", "-A"]);
        git(&ws, &["commit", "-qm", "ci: phases"]);

        let mut run = start(home.path(), &ws);
        wait_for(&mut run, phase);
        signal(&run, "KILL");
        let _ = run.wait();

        // The next run: the killed one is said to be interrupted, a cache it may have been
        // saving is either whole or absent, and the run goes through.
        let mut next = start(home.path(), &ws);
        let out = next.wait_with_output_lossy();
        assert!(
            out.contains("✓ run Success"),
            "after a kill at `{phase}` (case {n}), the next run failed:\n{out}"
        );
        assert!(
            out.contains("restored whole") || out.contains("made"),
            "{out}"
        );
        let runs = Command::new(env!("CARGO_BIN_EXE_devloop"))
            .arg("runs")
            .current_dir(&ws)
            .env("DEVLOOP_DATA_DIR", home.path().join("data"))
            .env("DEVLOOP_CONFIG_DIR", home.path().join("config"))
            .output()
            .unwrap();
        let runs = String::from_utf8_lossy(&runs.stdout).into_owned();
        let first = runs
            .lines()
            .find(|l| l.trim_start().starts_with("1 "))
            .unwrap_or_default();
        assert!(
            first.contains("interrupted") || first.contains("success"),
            "a killed run is not left running: {runs}"
        );
        // No half-saved cache entry lies about for a later run to find.
        let partial: Vec<_> = std::fs::read_dir(home.path().join("data/cache"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
            .collect();
        assert!(partial.is_empty(), "{partial:?}");
    }
}

/// Reads a child's whole output, standard output then standard error.
trait Lossy {
    fn wait_with_output_lossy(&mut self) -> String;
}
impl Lossy for Child {
    fn wait_with_output_lossy(&mut self) -> String {
        let mut out = String::new();
        if let Some(mut s) = self.stdout.take() {
            let _ = std::io::Read::read_to_string(&mut s, &mut out);
        }
        if let Some(mut s) = self.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut s, &mut out);
        }
        let _ = self.wait();
        out
    }
}
