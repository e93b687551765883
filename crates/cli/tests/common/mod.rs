//! The real `devloop` binary run as a learner's terminal runs it, on a home of the test's own
//! (`data`, `config` and the workspace `ws` beneath it).

// Each test file uses a part of it.
#![allow(dead_code)]

pub mod home;
#[path = "../../../engine/tests/common/private_docker.rs"]
pub mod private_docker;

use std::path::Path;
use std::process::{Command, Output};

pub fn devloop(home: &Path, args: &[&str]) -> Output {
    let ws = home.join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    Command::new(env!("CARGO_BIN_EXE_devloop"))
        .args(args)
        .current_dir(&ws)
        .env("DEVLOOP_DATA_DIR", home.join("data"))
        .env("DEVLOOP_CONFIG_DIR", home.join("config"))
        .env("DEVLOOP_WORKSPACE", &ws)
        .output()
        .unwrap()
}

/// What it printed, standard output then standard error.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs git in `dir` with a fixed identity; panics when it fails.
pub fn git(dir: &Path, args: &[&str]) {
    assert!(Command::new("git")
        .args(["-c", "user.name=L", "-c", "user.email=l@x"])
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap()
        .success());
}
