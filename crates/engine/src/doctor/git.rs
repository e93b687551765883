//! Does git work: the `git` command learners type, libgit2 that DevLoop uses, and an identity to commit with?

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::Status;
use crate::finding::Finding;
use crate::{Code, Error};

/// git as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GitCheck {
    pub status: Status,
    /// `git --version` of the command learners type, e.g. `2.39.5`.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cli_version: Option<String>,
    /// The libgit2 DevLoop itself is built with.
    pub libgit2_version: String,
    /// `Name <email>` that commits will carry, when configured.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Error>,
}

pub(super) async fn check() -> GitCheck {
    let (major, minor, rev) = git2::Version::get().libgit2_version();
    let libgit2_version = format!("{major}.{minor}.{rev}");
    let cli = tokio::process::Command::new("git")
        .arg("--version")
        .kill_on_drop(true)
        .output()
        .await;
    let cli_version = match cli {
        Ok(out) if out.status.success() => parse_cli_version(&String::from_utf8_lossy(&out.stdout)),
        _ => None,
    };
    let Some(cli_version) = cli_version else {
        return GitCheck {
            status: Status::Fail,
            cli_version: None,
            libgit2_version,
            identity: None,
            problem: Some(
                Error::said(
                    Code::GitUnavailable,
                    Finding::new("toolMissing").with("tool", "git"),
                    "the `git` command is not installed: the Code lessons have you type git commands",
                )
                .with_fix("sudo apt-get install -y git"),
            ),
        };
    };
    let (smoke, identity) = super::blocking(|| (smoke_test(), identity())).await;
    let problem = match (&smoke, &identity) {
        (Err(e), _) => Some(
            Error::said(
                Code::GitUnavailable,
                Finding::new("libgit2Failed")
                    .with("path", std::env::temp_dir().display())
                    .with("cause", e),
                format!("libgit2 could not create a repository and commit in the temp folder: {e}"),
            )
            .with_fix(format!("ls -ld {}", std::env::temp_dir().display())),
        ),
        (Ok(()), None) => Some(
            Error::said(
                Code::GitIdentityMissing,
                Finding::new("gitIdentityMissing"),
                "git has no user.name or user.email, so `git commit` will refuse to run",
            )
            .with_fix(
                "git config --global user.name \"Your Name\" && git config --global user.email you@example.com",
            ),
        ),
        (Ok(()), Some(_)) => None,
    };
    GitCheck {
        status: match (&smoke, &identity) {
            (Err(_), _) => Status::Fail,
            (Ok(()), None) => Status::Warn,
            (Ok(()), Some(_)) => Status::Pass,
        },
        cli_version: Some(cli_version),
        libgit2_version,
        identity,
        problem,
    }
}

/// `git version 2.39.5` → `2.39.5`.
fn parse_cli_version(out: &str) -> Option<String> {
    out.trim()
        .strip_prefix("git version ")
        .map(|v| v.split_whitespace().next().unwrap_or(v).to_owned())
}

/// Creates a repository and a commit in a fresh temporary folder: the same calls the Code
/// stage makes, so a broken libgit2 or an unwritable temp folder shows up here, not mid-lesson.
fn smoke_test() -> Result<(), git2::Error> {
    // Unique per run, so two checks at once (status bar and panel) never share a folder.
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("devloop-doctor-{}-{run}", std::process::id()));
    let result = commit_once(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn commit_once(dir: &Path) -> Result<(), git2::Error> {
    let repo = git2::Repository::init(dir)?;
    let sig = git2::Signature::now("DevLoop doctor", "doctor@devloop.invalid")?;
    let tree = repo.treebuilder(None)?.write()?;
    let tree = repo.find_tree(tree)?;
    repo.commit(Some("HEAD"), &sig, &sig, "doctor", &tree, &[])?;
    Ok(())
}

/// The configured `Name <email>`, if both parts are set.
fn identity() -> Option<String> {
    let config = git2::Config::open_default().ok()?;
    let name = config.get_string("user.name").ok()?;
    let email = config.get_string("user.email").ok()?;
    (!name.trim().is_empty() && !email.trim().is_empty()).then(|| format!("{name} <{email}>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_versions_parse_with_and_without_vendor_suffix() {
        assert_eq!(
            parse_cli_version("git version 2.39.5\n").as_deref(),
            Some("2.39.5")
        );
        assert_eq!(
            parse_cli_version("git version 2.39.3 (Apple Git-146)").as_deref(),
            Some("2.39.3")
        );
        assert_eq!(parse_cli_version("command not found"), None);
    }

    #[test]
    fn the_smoke_test_really_commits_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let repo_dir = dir.path().join("r");
        commit_once(&repo_dir).unwrap();
        let repo = git2::Repository::open(&repo_dir).unwrap();
        assert_eq!(
            repo.head()
                .unwrap()
                .peel_to_commit()
                .unwrap()
                .message()
                .ok(),
            Some("doctor")
        );
    }

    #[tokio::test]
    async fn git_on_this_machine_passes_or_names_the_missing_identity() {
        let check = check().await;
        assert!(
            check.cli_version.is_some(),
            "git is installed here: {check:?}"
        );
        match check.status {
            Status::Pass => assert!(check.identity.is_some()),
            Status::Warn => assert_eq!(check.problem.unwrap().code, Code::GitIdentityMissing),
            Status::Fail => panic!("git fails here: {check:?}"),
        }
    }
}
