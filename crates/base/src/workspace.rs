//! The learner's workspace: the pack's demo project as a real git repository, created once and
//! restorable at any time without losing what was there.

use std::path::{Path, PathBuf};

use crate::finding::Finding;
use crate::{Code, Error, Result};

/// Whether DevLoop can use `path` as the workspace: a folder it can write in, or one it can
/// create under a writable parent. Blocking: only writing tells (permissions, read-only
/// mounts, ACLs), so it writes a probe file and removes it.
pub fn usable(path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    let fail = |found: Finding, message: String, fix: String| {
        Err(Error::said(Code::WorkspaceUnusable, found, message).with_fix(fix))
    };
    if path.exists() && !path.is_dir() {
        return fail(
            Finding::new("workspaceIsAFile").with("path", &shown),
            format!("{shown} is a file, but the workspace must be a folder"),
            format!("mv {shown} {shown}.old"),
        );
    }
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
            Ok(())
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

/// What [`create`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// A fresh repository with the demo project and one commit.
    New,
    /// The workspace was already a repository; it was left as it is.
    Existing,
}

/// Creates the workspace at `dest` from the demo project in `demo`, unless it is already there.
/// A folder that exists and is not empty but is not a repository is refused, never overwritten.
pub fn create(demo: &Path, dest: &Path) -> Result<Created> {
    if git2::Repository::open(dest).is_ok() {
        return Ok(Created::Existing);
    }
    if dest.exists()
        && std::fs::read_dir(dest)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(Error::said(
            Code::WorkspaceUnusable,
            Finding::new("folderNotARepository").with("path", dest.display()),
            format!("{} exists and has files in it, but it is not a git repository; DevLoop will not write over it", dest.display()),
        )
        .with_fix(format!("mv {0} {0}.old", dest.display())));
    }
    std::fs::create_dir_all(dest).map_err(|e| io(dest, e))?;
    copy_tree(demo, dest)?;
    initial_commit(dest).map_err(|e| {
        Error::said(
            Code::GitUnavailable,
            Finding::new("firstCommitFailed")
                .with("path", dest.display())
                .with("cause", e.message()),
            format!(
                "cannot make the first commit in {}: {}",
                dest.display(),
                e.message()
            ),
        )
    })?;
    Ok(Created::New)
}

/// Moves the current workspace aside (to `<name>.before-reset-N`) and creates a fresh one.
/// Returns where the old one went, so the learner can still get their work back.
pub fn reset(demo: &Path, dest: &Path) -> Result<Option<PathBuf>> {
    let mut moved = None;
    if dest.exists() {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "workspace".into());
        let aside = (1..)
            .map(|n| dest.with_file_name(format!("{name}.before-reset-{n}")))
            .find(|p| !p.exists())
            .unwrap_or_else(|| dest.with_file_name(format!("{name}.before-reset")));
        std::fs::rename(dest, &aside).map_err(|e| io(dest, e))?;
        moved = Some(aside);
    }
    create(demo, dest)?;
    Ok(moved)
}

/// Copies `from` into `to`, skipping build output. Symlinks are not followed: a demo project
/// has no business linking outside itself.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from).map_err(|e| io(from, e))? {
        let entry = entry.map_err(|e| io(from, e))?;
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let kind = entry.file_type().map_err(|e| io(&entry.path(), e))?;
        let target = to.join(&name);
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| io(&target, e))?;
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).map_err(|e| io(&target, e))?;
        }
    }
    Ok(())
}

/// `git init -b main`, add everything, and commit as the learner (or as DevLoop when git has
/// no identity yet, so the first lesson does not start with an error).
fn initial_commit(dir: &Path) -> std::result::Result<(), git2::Error> {
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = git2::Repository::init_opts(dir, &opts)?;
    let mut index = repo.index()?;
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let sig = repo
        .signature()
        .or_else(|_| git2::Signature::now("DevLoop", "devloop@localhost"))?;
    repo.commit(
        Some("HEAD"),
        &sig,
        &sig,
        "chore: start from the DevLoop demo project",
        &tree,
        &[],
    )?;
    Ok(())
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::file(Code::WorkspaceUnusable, path, &e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::create_dir_all(dir.path().join("target/debug")).unwrap();
        std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
        std::fs::write(dir.path().join("target/debug/junk"), "x").unwrap();
        dir
    }

    #[test]
    fn a_new_workspace_is_the_demo_in_a_repository_with_one_commit_on_main() {
        let demo = demo();
        let ws = tempfile::tempdir().unwrap();
        let dest = ws.path().join("DevLoop");
        assert_eq!(create(demo.path(), &dest).unwrap(), Created::New);
        let repo = git2::Repository::open(&dest).unwrap();
        assert_eq!(repo.head().unwrap().shorthand().ok(), Some("main"));
        let commit = repo.head().unwrap().peel_to_commit().unwrap();
        assert!(commit
            .tree()
            .unwrap()
            .get_path(Path::new("src/main.rs"))
            .is_ok());
        assert!(!dest.join("target").exists(), "build output is not copied");
        assert_eq!(create(demo.path(), &dest).unwrap(), Created::Existing);
    }

    #[test]
    fn a_folder_with_someone_elses_files_is_never_overwritten() {
        let demo = demo();
        let ws = tempfile::tempdir().unwrap();
        std::fs::write(ws.path().join("thesis.tex"), "years of work").unwrap();
        let err = create(demo.path(), ws.path()).unwrap_err();
        assert_eq!(err.code, Code::WorkspaceUnusable);
        assert_eq!(
            std::fs::read_to_string(ws.path().join("thesis.tex")).unwrap(),
            "years of work"
        );
    }

    #[test]
    fn reset_keeps_the_old_workspace_aside_and_starts_fresh() {
        let demo = demo();
        let ws = tempfile::tempdir().unwrap();
        let dest = ws.path().join("DevLoop");
        create(demo.path(), &dest).unwrap();
        std::fs::write(dest.join("notes.md"), "mine").unwrap();
        let aside = reset(demo.path(), &dest).unwrap().unwrap();
        assert_eq!(
            std::fs::read_to_string(aside.join("notes.md")).unwrap(),
            "mine"
        );
        assert!(!dest.join("notes.md").exists());
        assert!(git2::Repository::open(&dest).is_ok());
        let second = reset(demo.path(), &dest).unwrap().unwrap();
        assert_ne!(
            aside, second,
            "a second reset does not overwrite the first backup"
        );
    }
}
