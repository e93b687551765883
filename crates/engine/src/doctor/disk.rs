//! Is there room on the disk that holds the workspace for builds, images and releases?

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use super::Status;
use crate::finding::Finding;
use crate::{Code, Error};

const GIB: u64 = 1024 * 1024 * 1024;
/// Below this, image builds and release archives start failing part-way.
pub const FAIL_BELOW: u64 = 2 * GIB;
/// Below this, a few releases will fill the disk.
pub const WARN_BELOW: u64 = 5 * GIB;

/// Free space where the workspace lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiskCheck {
    pub status: Status,
    /// The mount point that holds the workspace.
    pub mount_point: String,
    pub free_bytes: u64,
    pub total_bytes: u64,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Error>,
}

/// Reads the disk holding `workspace` (or its nearest existing parent, before first start).
pub(super) fn check(workspace: &Path) -> DiskCheck {
    let target = existing_ancestor(workspace);
    let disks = match sysinfo::Disks::new_with_refreshed_list() {
        Ok(disks) => disks,
        Err(e) => return unknown(&target, &e.to_string()),
    };
    let mounts: Vec<(PathBuf, u64, u64)> = disks
        .iter()
        .map(|d| {
            (
                d.mount_point().to_path_buf(),
                d.available_space(),
                d.total_space(),
            )
        })
        .collect();
    match holding_mount(&target, &mounts) {
        Some((mount, free, total)) => judge(mount, *free, *total),
        None => unknown(&target, "no mount point contains it"),
    }
}

/// Not knowing the free space is worth a warning, not a failure: the learner can still start.
fn unknown(target: &Path, why: &str) -> DiskCheck {
    DiskCheck {
        status: Status::Warn,
        mount_point: String::new(),
        free_bytes: 0,
        total_bytes: 0,
        problem: Some(Error::said(
            Code::DiskLow,
            Finding::new("diskUnknown")
                .with("path", target.display())
                .with("cause", why),
            format!(
                "could not tell how much space the disk holding {} has: {why}",
                target.display()
            ),
        ))
        .map(|e| e.with_fix(format!("df -h {}", target.display()))),
    }
}

/// The verdict for a disk with `free` of `total` bytes available.
fn judge(mount: &Path, free: u64, total: u64) -> DiskCheck {
    let status = if free < FAIL_BELOW {
        Status::Fail
    } else if free < WARN_BELOW {
        Status::Warn
    } else {
        Status::Pass
    };
    let problem = (status != Status::Pass).then(|| {
        Error::said(
            Code::DiskLow,
            Finding::new("diskLow")
                .with("free", format!("{:.1}", free as f64 / GIB as f64))
                .with("mount", mount.display())
                .with("needed", FAIL_BELOW / GIB)
                .with("best", WARN_BELOW / GIB),
            format!(
                "only {:.1} GiB free on {}; DevLoop needs {} GiB and works best with {} GiB or more",
                free as f64 / GIB as f64,
                mount.display(),
                FAIL_BELOW / GIB,
                WARN_BELOW / GIB,
            ),
        )
        .with_fix(format!("du -xh --max-depth=2 {} | sort -h | tail", mount.display()))
    });
    DiskCheck {
        status,
        mount_point: mount.display().to_string(),
        free_bytes: free,
        total_bytes: total,
        problem,
    }
}

/// The deepest mount point that contains `path`.
fn holding_mount<'m>(
    path: &Path,
    mounts: &'m [(PathBuf, u64, u64)],
) -> Option<&'m (PathBuf, u64, u64)> {
    mounts
        .iter()
        .filter(|(mount, _, _)| path.starts_with(mount))
        .max_by_key(|(mount, _, _)| mount.components().count())
}

/// `path` if it exists, else the nearest parent that does (resolved through symlinks, so the
/// mount that really holds it is found).
fn existing_ancestor(path: &Path) -> PathBuf {
    path.ancestors()
        .find_map(|p| p.canonicalize().ok())
        .unwrap_or_else(|| PathBuf::from("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deepest_mount_holding_the_path_is_chosen() {
        let mounts = vec![
            (PathBuf::from("/"), 100, 200),
            (PathBuf::from("/home"), 10, 20),
            (PathBuf::from("/home2"), 1, 2),
        ];
        let m = holding_mount(Path::new("/home/me/DevLoop"), &mounts).unwrap();
        assert_eq!(m.0, Path::new("/home"));
        let m = holding_mount(Path::new("/srv"), &mounts).unwrap();
        assert_eq!(m.0, Path::new("/"));
    }

    #[test]
    fn thresholds_give_fail_warn_and_pass() {
        let root = Path::new("/");
        assert_eq!(judge(root, GIB, 100 * GIB).status, Status::Fail);
        let warn = judge(root, 3 * GIB, 100 * GIB);
        assert_eq!(warn.status, Status::Warn);
        assert!(warn.problem.unwrap().message.contains("3.0 GiB free on /"));
        let pass = judge(root, 50 * GIB, 100 * GIB);
        assert_eq!(pass.status, Status::Pass);
        assert!(pass.problem.is_none());
    }

    #[test]
    fn a_workspace_that_does_not_exist_yet_is_measured_on_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        let check = check(&dir.path().join("not/yet/DevLoop"));
        assert!(!check.mount_point.is_empty(), "{check:?}");
        assert!(check.total_bytes > 0);
        assert!(check.free_bytes <= check.total_bytes);
    }
}
