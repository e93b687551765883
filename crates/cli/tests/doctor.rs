//! `devloop doctor` as a terminal user and a script see it: its lines, its JSON and its exit code.

use std::process::{Command, Output};

/// `devloop doctor` with its own home: git's identity there only when `identity`, and Rust's
/// toolchain still found where rustup put it.
fn doctor_as(
    dir: &std::path::Path,
    identity: bool,
    docker_host: Option<&str>,
    args: &[&str],
) -> Output {
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    if identity {
        std::fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = Learner\n\temail = l@example.com\n",
        )
        .unwrap();
    }
    let real_home = std::env::var("HOME").unwrap_or_default();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_devloop"));
    cmd.arg("doctor")
        .args(args)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env_remove("GIT_CONFIG_GLOBAL")
        .env(
            "RUSTUP_HOME",
            std::env::var("RUSTUP_HOME").unwrap_or(format!("{real_home}/.rustup")),
        )
        .env(
            "CARGO_HOME",
            std::env::var("CARGO_HOME").unwrap_or(format!("{real_home}/.cargo")),
        )
        .env("DEVLOOP_CONFIG_DIR", dir.join("config"))
        .env("DEVLOOP_WORKSPACE", dir.join("DevLoop"));
    match docker_host {
        Some(host) => cmd.env("DOCKER_HOST", host),
        None => cmd.env_remove("DOCKER_HOST"),
    };
    cmd.output().expect("devloop runs")
}

fn doctor(dir: &std::path::Path, docker_host: Option<&str>, args: &[&str]) -> Output {
    doctor_as(dir, true, docker_host, args)
}

#[test]
fn with_the_daemon_running_doctor_says_ready_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = doctor(dir.path(), None, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("✓ docker"), "{text}");
    assert!(text.contains("(API 1."), "{text}");
    assert!(text.contains("✓ rust"), "{text}");
    assert!(text.contains("Ready: every check passed."), "{text}");
}

#[test]
fn a_warning_keeps_doctor_from_saying_every_check_passed() {
    let dir = tempfile::tempdir().unwrap();
    let out = doctor_as(dir.path(), false, None, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "a warning is not a failure: {text}");
    assert!(text.contains("! git"), "{text}");
    assert!(!text.contains("every check passed"), "{text}");
    assert!(text.contains("Ready, with warnings"), "{text}");
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
