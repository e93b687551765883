//! Can DevLoop use the learner's workspace folder (or create it at first start)?

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::Status;
use crate::Error;

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
    let problem = crate::workspace::usable(path).err();
    let (status, exists) = match problem {
        None => (Status::Pass, path.is_dir()),
        Some(_) => (Status::Fail, path.exists()),
    };
    WorkspaceCheck {
        status,
        path: path.display().to_string(),
        exists,
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

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
