//! The fault suite: the real `devloop` binaries, killed and starved as machines kill and starve
//! them. A host is SIGKILLed at each phase of a deploy, for each strategy that keeps serving,
//! while a second DevLoop's service runs on the same private dockerd; a damaged database is
//! set aside; a disk that fills up under a run fails it with the reason. (A killed run, the
//! daemon stopped mid-deploy and a killed host during a deploy through a terminal are in
//! `run_faults.rs` and `service.rs`.)

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::home::{read_until, read_until_any, Home, Killed};
use common::private_docker::{eventually_seen, said, PrivateDocker};
use common::{devloop, git, text};

/// The ids of the app's containers, sorted.
fn ids(home: &Home) -> Vec<String> {
    let mut ids: Vec<String> = home
        .docker(&[
            "ps",
            "-aq",
            "--no-trunc",
            "--filter",
            &format!("label=dev.devloop.app={}", home.app),
        ])
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_host_killed_at_any_phase_of_a_deploy_comes_back_whole_and_never_touches_another_devloop() {
    let docker = PrivateDocker::start_new();
    let pid = std::process::id();

    // Another DevLoop (its own data folder) serves its own app on the same daemon throughout.
    let other = Home::new(&format!("devloop-fault-other-{pid}"), Some(docker.host()));
    other.release("other", true);
    let (other_host, _) = other.serve();
    let _other_host = Killed(other_host);
    other.ok(&["deploy", "--version", "0.1.0", "--replicas", "2"]);
    let others = ids(&other);
    assert_eq!(others.len(), 2);

    let home = Home::new(&format!("devloop-fault-{pid}"), Some(docker.host()));
    home.release("v1", true);
    home.release("v2", true);
    let (host, _) = home.serve();
    let mut host = Killed(host);
    home.ok(&["deploy", "--version", "0.1.0", "--replicas", "2"]);

    for strategy in ["rolling", "blue-green"] {
        // Each a line `devloop deploy` prints, in the order a deploy reaches them.
        for phase in ["starting", "is healthy", "traffic →", "stopped"] {
            let case = format!("{strategy}, killed at `{phase}`");
            let (from, to) = match home.body().as_str() {
                "v1\n" => ("0.1.0", "0.2.0"),
                "v2\n" => ("0.2.0", "0.1.0"),
                body => panic!("{case}: the service answered {body:?} before the deploy"),
            };
            let case = format!("{case} ({from} → {to})");
            let mut client = home
                .devloop_cmd(&[
                    "deploy",
                    "--version",
                    to,
                    "--replicas",
                    "2",
                    "--strategy",
                    strategy,
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            read_until(&mut client, phase);
            host.0.kill().unwrap();
            host.0.wait().unwrap();
            let client = client.wait_with_output().unwrap();
            assert!(!client.status.success(), "{case}: {}", said(&client));

            let (restarted, said_at_start) = home.serve();
            host = Killed(restarted);
            // What comes back is one version, whole: the one the history says is live, on
            // the replica count it was deployed with, and nothing else of this app.
            let mut live = String::new();
            eventually_seen(
                &format!("{case}: one version on 2 replicas"),
                || {
                    let containers = home.containers();
                    live = containers
                        .first()
                        .and_then(|c| c.split_whitespace().next())
                        .unwrap_or_default()
                        .to_owned();
                    containers.len() == 2
                        && containers.iter().all(|c| *c == format!("{live} running"))
                },
                || format!("{:?}; the host said: {said_at_start}", home.containers()),
            );
            assert!(
                live == from || live == to,
                "{case}: {live} is live; it said {said_at_start}"
            );
            let body = if live == "0.1.0" { "v1\n" } else { "v2\n" };
            assert_eq!(home.body(), body, "{case}: the address serves what is live");
            let service = home.ok(&["service"]);
            assert!(
                service.contains(&live) && service.contains("(2 replica(s))"),
                "{case}: {service}"
            );
            let deploys = home.history().deploys(50).unwrap();
            assert!(
                deploys
                    .iter()
                    .all(|d| d.status != devloop_engine::record::deploy::DeployStatus::Running),
                "{case}: nothing is left running in the history: {deploys:#?}"
            );
            let releases = home.history().releases().unwrap();
            assert_eq!(
                releases
                    .iter()
                    .filter(|r| r.live)
                    .map(|r| r.version.as_str())
                    .collect::<Vec<_>>(),
                [live.as_str()],
                "{case}: the releases say what is live; it said {said_at_start}; the deploys: {deploys:#?}"
            );

            // The other DevLoop's replicas are the very same containers, still serving.
            assert_eq!(ids(&other), others, "{case}: the other DevLoop's replicas");
            assert_eq!(other.containers(), ["0.1.0 running"; 2], "{case}");
            assert_eq!(other.body(), "other\n", "{case}");
        }
    }
}

/// Garbage over the middle of the database, as a failing disk or a killed copy leaves it.
#[test]
fn a_damaged_database_is_set_aside_and_the_next_command_works_and_says_so() {
    let home = tempfile::tempdir().unwrap();
    let added = devloop(home.path(), &["plan", "add", "--title", "First item"]);
    assert!(added.status.success(), "{}", text(&added));
    let db = home.path().join("data/devloop.sqlite");
    // Settle the log into the file, as a clean exit does, then damage the file itself.
    let _ = devloop(home.path(), &["plan", "list"]);
    let mut bytes = std::fs::read(&db).unwrap();
    let middle = bytes.len() / 2;
    bytes.splice(middle.saturating_sub(100).., vec![0x5a; 4096]);
    std::fs::write(&db, &bytes).unwrap();
    for wal in ["devloop.sqlite-wal", "devloop.sqlite-shm"] {
        let _ = std::fs::remove_file(home.path().join("data").join(wal));
    }

    let listed = devloop(home.path(), &["plan", "list"]);
    assert!(listed.status.success(), "{}", text(&listed));
    let again = devloop(home.path(), &["plan", "add", "--title", "Second item"]);
    assert!(again.status.success(), "{}", text(&again));
    let doctor = devloop(home.path(), &["doctor"]);
    let report = text(&doctor);
    assert!(
        report.contains("devloop.sqlite.corrupt-"),
        "doctor says where the damaged database went: {report}"
    );
    let aside: Vec<_> = std::fs::read_dir(home.path().join("data"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("corrupt-"))
        .collect();
    assert!(!aside.is_empty(), "the damaged file is kept for a look");
}

/// A tmpfs of `mib` MiB mounted on `dir` for the test's life (the test runs as root).
struct Small(std::path::PathBuf);
impl Small {
    fn mount(dir: &Path, mib: u32) -> Small {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mount (this test needs root): {}",
            said(&out)
        );
        Small(dir.to_path_buf())
    }
}
impl Drop for Small {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_run_that_fills_the_disk_fails_with_the_reason_and_the_next_run_is_recorded() {
    let home = tempfile::tempdir().unwrap();
    let _data = Small::mount(&home.path().join("data"), 3);
    let ws = home.path().join("ws");
    std::fs::create_dir_all(ws.join(".github/workflows")).unwrap();
    // 4 MB of log on a 3 MiB disk: the step itself succeeds, its log cannot all be kept.
    std::fs::write(
        ws.join(".github/workflows/big.yml"),
        "on: workflow_dispatch\njobs:\n  big:\n    runs-on: ubuntu-latest\n    steps:\n      - run: for i in $(seq 1 100000); do echo \"line $i of a log that fills the disk\"; done\n",
    )
    .unwrap();
    git(&ws, &["init", "-q", "-b", "main"]);
    git(&ws, &["add", "-A"]);
    git(&ws, &["commit", "-qm", "ci: a loud step"]);

    let run = devloop(home.path(), &["run"]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        out.contains("the disk filled up during the run") && out.contains("fix: df -h"),
        "{}",
        out.lines().rev().take(5).collect::<Vec<_>>().join("\n")
    );
    let runs = devloop(home.path(), &["runs"]);
    let newest = text(&runs).lines().nth(1).unwrap_or_default().to_owned();
    assert!(
        newest.contains("failure"),
        "not running, not interrupted: {newest}"
    );
    let store =
        devloop_engine::store::Store::open(&home.path().join("data/devloop.sqlite")).unwrap();
    let recorded = store.run(1).unwrap().unwrap();
    assert_eq!(
        recorded
            .problem
            .and_then(|p| p.detail)
            .map(|d| d.code)
            .as_deref(),
        Some("runDiskFull")
    );
    drop(store);

    // The learner frees space; the next run is recorded whole, and space is held back again.
    std::fs::remove_dir_all(home.path().join("data/runs/1")).unwrap();
    std::fs::write(
        ws.join(".github/workflows/big.yml"),
        "on: workflow_dispatch\njobs:\n  big:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo quiet\n",
    )
    .unwrap();
    let run = devloop(home.path(), &["run"]);
    assert!(run.status.success(), "{}", text(&run));
    assert!(home.path().join("data/space.reserve").exists());
    let runs = devloop(home.path(), &["runs"]);
    assert!(
        text(&runs)
            .lines()
            .nth(1)
            .unwrap_or_default()
            .contains("success"),
        "{}",
        text(&runs)
    );
}

/// The app opening (a host starting) at the moment a terminal deploys: the deploy goes
/// through whichever process hosts, rather than being refused, and only one hosts.
#[test]
fn a_deploy_while_a_host_starts_goes_through_one_host() {
    let home = Home::new(&format!("devloop-fault-race-{}", std::process::id()), None);
    home.release("v1", true);
    for round in 0..12 {
        let serve = home
            .devloop_cmd(&["serve"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut serve = Killed(serve);
        let deploy = home
            .devloop_cmd(&["deploy", "--version", "0.1.0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut deploy = Killed(deploy);
        let said_by_deploy = read_until_any(
            &mut deploy.0,
            &[
                "through the DevLoop that runs the service",
                "serving until Ctrl+C",
            ],
        );
        if said_by_deploy.contains("through the DevLoop that runs the service") {
            // The host came first; the deploy went through it and ended.
            let status = deploy.0.wait().unwrap();
            assert!(status.success(), "round {round}: {said_by_deploy}");
            assert!(
                serve.0.try_wait().unwrap().is_none(),
                "round {round}: the host still serves"
            );
        } else {
            // The deploy came first and serves; the host is told who does.
            let status = serve.0.wait().unwrap();
            assert_eq!(status.code(), Some(3), "round {round}: {said_by_deploy}");
            let mut err = String::new();
            std::io::Read::read_to_string(serve.0.stderr.as_mut().unwrap(), &mut err).unwrap();
            assert!(
                err.contains(&format!("(process {})", deploy.0.id())),
                "round {round}: {err}"
            );
        }
        assert_eq!(home.body(), "v1\n", "round {round}");
    }
}
