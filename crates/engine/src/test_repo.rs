//! Test support: real git repositories made with the `git` command a learner would use (or
//! with git2, at exact times), and the release records that point into them.

use std::path::Path;
use std::process::Command;

/// Runs git in `dir` with a fixed identity and `main` as the first branch; panics on failure.
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Learner",
            "-c",
            "user.email=l@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository with one commit, `feat: first`, holding `README.md`.
pub fn with_commit() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    std::fs::write(dir.path().join("README.md"), "hi\n").unwrap();
    git(dir.path(), &["add", "README.md"]);
    git(dir.path(), &["commit", "-qm", "feat: first"]);
    dir
}

/// Commits the index of `git` on HEAD with `message`, stamped `at` (unix seconds), as
/// histories with exact times need; returns the commit's id.
pub fn commit_at(git: &git2::Repository, message: &str, at: i64) -> String {
    let sig = git2::Signature::new("L", "l@x", &git2::Time::new(at, 0)).unwrap();
    let tree = git
        .find_tree(git.index().unwrap().write_tree().unwrap())
        .unwrap();
    let parent = git.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    git.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap()
        .to_string()
}

/// The record of `app`'s `version`, released from commit `sha` at `at`, with no image.
pub fn release(app: &str, version: &str, sha: &str, at: i64) -> crate::release::ReleaseRecord {
    crate::release::ReleaseRecord {
        app: app.into(),
        version: version.into(),
        sha: sha.into(),
        image_id: String::new(),
        image_bytes: 0,
        archive: String::new(),
        notes: String::new(),
        created_at: at,
        live: false,
    }
}

/// An operations-log entry of app `svc`, as the service writes them.
pub fn op(
    at_ms: i64,
    kind: &str,
    millis: Option<i64>,
    change: Option<i64>,
) -> crate::store::ops::OpsEvent {
    crate::store::ops::OpsEvent {
        at_ms,
        app: "svc".into(),
        kind: crate::store::ops::OpKind::parse(kind).expect("a kind the log knows"),
        what: None,
        message: String::new(),
        message_ko: None,
        millis,
        change,
        reason: None,
    }
}
