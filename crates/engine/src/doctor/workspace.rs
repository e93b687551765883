//! Can DevLoop use the learner's workspace folder (or create it at first start)?

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::Status;
use crate::finding::Finding;
use crate::{Code, Error};

/// The learner's workspace folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceCheck {
    pub status: Status,
    pub path: String,
    /// False before the first lesson creates it.
    pub exists: bool,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Error>,
}

pub(super) fn check(path: &Path) -> WorkspaceCheck {
    let shown = path.display().to_string();
    let fail = |found: Finding, message: String, fix: String| WorkspaceCheck {
        status: Status::Fail,
        path: shown.clone(),
        exists: path.exists(),
        problem: Some(Error::said(Code::WorkspaceUnusable, found, message).with_fix(fix)),
    };
    if path.exists() && !path.is_dir() {
        return fail(
            Finding::new("workspaceIsAFile").with("path", &shown),
            format!("{shown} is a file, but the workspace must be a folder"),
            format!("mv {shown} {shown}.old"),
        );
    }
    // Writable is what matters, and only trying tells (permissions, read-only mounts, ACLs).
    let probe_dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        match path.ancestors().skip(1).find(|p| p.is_dir()) {
            Some(parent) => parent.to_path_buf(),
            None => {
                return fail(
                    Finding::new("workspaceNoParent").with("path", &shown),
                    format!("no parent folder of {shown} exists"),
                    format!("mkdir -p {shown}"),
                )
            }
        }
    };
    let probe = probe_dir.join(format!(".devloop-write-test-{}", std::process::id()));
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            WorkspaceCheck {
                status: Status::Pass,
                path: shown,
                exists: path.is_dir(),
                problem: None,
            }
        }
        Err(e) => fail(
            Finding::new("workspaceNotWritable")
                .with("path", probe_dir.display())
                .with("cause", &e),
            format!("cannot write in {}: {e}", probe_dir.display()),
            format!("sudo chown -R \"$USER\" {}", probe_dir.display()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_workspace_under_a_writable_folder_passes_as_not_yet_created() {
        let dir = tempfile::tempdir().unwrap();
        let check = check(&dir.path().join("DevLoop"));
        assert_eq!(check.status, Status::Pass);
        assert!(!check.exists);
    }

    #[test]
    fn a_file_where_the_workspace_should_be_fails_with_a_fix() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("DevLoop");
        std::fs::write(&file, "not a folder").unwrap();
        let check = check(&file);
        assert_eq!(check.status, Status::Fail);
        let problem = check.problem.unwrap();
        assert_eq!(problem.code, Code::WorkspaceUnusable);
        assert!(problem.fix.unwrap().starts_with("mv "));
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "not a folder",
            "nothing is lost"
        );
    }

    #[test]
    fn an_existing_writable_workspace_passes_and_leaves_no_probe_behind() {
        let dir = tempfile::tempdir().unwrap();
        let check = check(dir.path());
        assert_eq!(check.status, Status::Pass);
        assert!(check.exists);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
