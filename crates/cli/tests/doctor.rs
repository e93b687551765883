//! `devloop doctor` as a terminal user and a script see it: its lines, its JSON and its exit code.

use std::process::{Command, Output};

fn doctor(dir: &std::path::Path, docker_host: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_devloop"));
    cmd.arg("doctor")
        .args(args)
        .env("DEVLOOP_CONFIG_DIR", dir.join("config"))
        .env("DEVLOOP_WORKSPACE", dir.join("DevLoop"));
    match docker_host {
        Some(host) => cmd.env("DOCKER_HOST", host),
        None => cmd.env_remove("DOCKER_HOST"),
    };
    cmd.output().expect("devloop runs")
}

#[test]
fn with_the_daemon_running_doctor_says_ready_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = doctor(dir.path(), None, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("✓ docker"), "{text}");
    assert!(text.contains("(API 1."), "{text}");
    assert!(text.contains("Ready: every check passed."), "{text}");
}

#[test]
fn without_docker_doctor_fails_and_prints_the_reason_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("missing.sock");
    let out = doctor(
        dir.path(),
        Some(&format!("unix://{}", socket.display())),
        &[],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("✗ docker"), "{text}");
    assert!(text.contains(&socket.display().to_string()), "{text}");
    assert!(text.contains("fix: "), "{text}");
    assert!(text.contains("Not ready"), "{text}");
}

#[test]
fn json_output_is_the_report_the_app_shows() {
    let dir = tempfile::tempdir().unwrap();
    let out = doctor(dir.path(), Some("ssh://nobody@nowhere"), &["--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(report["docker"]["status"], "fail");
    assert_eq!(report["docker"]["problem"]["code"], "dockerUnavailable");
    assert_eq!(report["docker"]["problem"]["fix"], "unset DOCKER_HOST");
    assert_eq!(report["workspace"]["exists"], false);
}
