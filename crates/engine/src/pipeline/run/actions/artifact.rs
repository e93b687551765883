//! `actions/upload-artifact` and `actions/download-artifact`: files kept with the run, in
//! `runs/<n>/artifacts/<name>/`, so later jobs (and the learner) can have them.

use std::path::{Path, PathBuf};

use super::{copy_tree, files_under, Action, Context, Done};
use crate::glob::{Dialect, Glob};
use crate::pipeline::run::RunEvent;

pub struct Upload;
pub struct Download;

/// Where the run keeps its artifacts.
pub fn store(run_dir: &Path) -> PathBuf {
    run_dir.join("artifacts")
}

/// GitHub refuses these characters in artifact names; so do we, so the workflow works there.
fn check_name(name: &str) -> std::result::Result<(), String> {
    const BAD: &[char] = &['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/'];
    if name.is_empty() || name.contains(BAD) || name == "." || name == ".." {
        return Err(format!(
            "`{name}` is not a valid artifact name; avoid \" : < > | * ? \\ / and line breaks"
        ));
    }
    Ok(())
}

impl Action for Upload {
    fn name(&self) -> &'static str {
        "actions/upload-artifact"
    }

    fn run(&self, cx: &Context) -> std::result::Result<Done, String> {
        let name = cx.input("name").unwrap_or("artifact").to_owned();
        check_name(&name)?;
        let patterns = cx.lines("path");
        if patterns.is_empty() {
            return Err("`path` is required: the files or folders to keep".into());
        }
        // An artifact holds workspace files; `..` would copy the machine's files into it.
        if let Some(p) = patterns.iter().find(|p| {
            let p = p.trim_start_matches('!');
            p.starts_with('/') || p.starts_with('~') || p.split('/').any(|part| part == "..")
        }) {
            return Err(format!(
                "`{p}` is outside the workspace; upload files from inside it"
            ));
        }
        let (files, root) = matching(&cx.workspace, &patterns);
        if files.is_empty() {
            let message = format!("no files matched {}", patterns.join(", "));
            return match cx.input("if-no-files-found").unwrap_or("warn") {
                "error" => Err(message),
                "ignore" => Ok(Done::success()),
                _ => {
                    cx.log(format!("warning: {message}; nothing was uploaded"));
                    Ok(Done::success())
                }
            };
        }
        // Kept under its name as the run says it: a secret in it is masked on disk too.
        let dest = store(&cx.run_dir).join(cx.masked(&name));
        if dest.exists() {
            if cx.input("overwrite") != Some("true") {
                return Err(format!(
                    "an artifact named `{name}` already exists in this run; give each upload its own name or set `overwrite: true`"
                ));
            }
            std::fs::remove_dir_all(&dest).map_err(|e| e.to_string())?;
        }
        let (mut count, mut bytes) = (0, 0);
        for rel in &files {
            let from = root.join(rel);
            let (f, b) = copy_tree(&from, &dest.join(rel))
                .map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
            count += f;
            bytes += b;
        }
        cx.log(format!(
            "uploaded artifact `{name}`: {count} file(s), {bytes} bytes"
        ));
        (cx.sink)(RunEvent::Artifact {
            job: cx.job.clone(),
            name,
            files: count,
            bytes,
        });
        Ok(Done::success().output("artifact-id", "1"))
    }
}

impl Action for Download {
    fn name(&self) -> &'static str {
        "actions/download-artifact"
    }

    fn run(&self, cx: &Context) -> std::result::Result<Done, String> {
        let stored = store(&cx.run_dir);
        let dest = cx
            .input("path")
            .map(|p| cx.resolve(p))
            .unwrap_or_else(|| cx.workspace.clone());
        let available: Vec<String> = std::fs::read_dir(&stored)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        let (copies, count) = match cx.input("name") {
            Some(name) => {
                check_name(name)?;
                let name = cx.masked(name);
                if !available.contains(&name) {
                    return Err(format!(
                        "no artifact named `{name}` in this run (it has: {}); the job that uploads it must come first, in `needs`",
                        if available.is_empty() { "none".into() } else { available.join(", ") }
                    ));
                }
                (vec![(stored.join(&name), dest.clone())], 1)
            }
            // Without a name, every artifact goes to a folder of its own name.
            None => (
                available
                    .iter()
                    .map(|a| (stored.join(a), dest.join(a)))
                    .collect(),
                available.len(),
            ),
        };
        let mut files = 0;
        for (from, to) in copies {
            files += copy_tree(&from, &to)
                .map_err(|e| format!("cannot copy into {}: {e}", to.display()))?
                .0;
        }
        cx.log(format!(
            "downloaded {count} artifact(s), {files} file(s), into {}",
            dest.display()
        ));
        Ok(Done::success().output("download-path", dest.display().to_string()))
    }
}

/// The files `patterns` name, relative to the deepest folder that holds them all (as GitHub
/// lays an artifact out), and that folder. `!pattern` lines exclude.
fn matching(workspace: &Path, patterns: &[String]) -> (Vec<PathBuf>, PathBuf) {
    let (excludes, includes): (Vec<&String>, Vec<&String>) =
        patterns.iter().partition(|p| p.starts_with('!'));
    let mut found: Vec<PathBuf> = Vec::new();
    let mut roots: Vec<PathBuf> = Vec::new();
    for pattern in includes {
        let plain: Vec<&str> = pattern
            .split('/')
            .take_while(|part| !part.contains(['*', '?', '[']))
            .collect();
        let root = workspace.join(plain.join("/"));
        let mut under = Vec::new();
        files_under(&root, workspace, &mut under);
        let is_glob = plain.len() != pattern.split('/').count();
        let glob = Glob::new(pattern, Dialect::Path);
        for rel in under {
            let text = rel.to_string_lossy();
            if !is_glob || glob.as_ref().is_some_and(|g| g.is_match(&text)) {
                found.push(rel);
            }
        }
        roots.push(if root.is_file() {
            root.parent().map(Path::to_path_buf).unwrap_or(root)
        } else {
            root
        });
    }
    let excludes: Vec<Glob> = excludes
        .iter()
        .filter_map(|ex| Glob::new(&ex[1..], Dialect::Path))
        .collect();
    found.retain(|rel| {
        let text = rel.to_string_lossy();
        !excludes.iter().any(|ex| ex.is_match(&text))
    });
    found.sort();
    found.dedup();
    let base = common_ancestor(&roots).unwrap_or_else(|| workspace.to_path_buf());
    let rel_base = base.strip_prefix(workspace).unwrap_or(Path::new(""));
    let files = found
        .into_iter()
        .map(|f| f.strip_prefix(rel_base).map(Path::to_path_buf).unwrap_or(f))
        .collect();
    (files, base)
}

fn common_ancestor(paths: &[PathBuf]) -> Option<PathBuf> {
    let mut common = paths.first()?.clone();
    for p in &paths[1..] {
        while !p.starts_with(&common) {
            if !common.pop() {
                return None;
            }
        }
    }
    Some(common)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_artifact_is_laid_out_from_the_deepest_common_folder_and_excludes_apply() {
        let ws = tempfile::tempdir().unwrap();
        for f in ["target/release/app", "target/release/app.d", "README.md"] {
            let p = ws.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let (files, base) = matching(ws.path(), &["target/release/*".into(), "!**/*.d".into()]);
        assert_eq!(files, vec![PathBuf::from("app")]);
        assert_eq!(base, ws.path().join("target/release"));
        let (files, _) = matching(ws.path(), &["README.md".into(), "target".into()]);
        assert_eq!(files.len(), 3, "{files:?}");
    }

    #[test]
    fn names_github_refuses_are_refused_here() {
        assert!(check_name("app-linux").is_ok());
        for bad in ["a/b", "../x", "a:b", "", ".."] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
