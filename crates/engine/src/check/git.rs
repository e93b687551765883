//! Git checks, read through libgit2 from the learner's workspace repository.

use std::path::Path;

use super::{Finding, Outcome, Spec};

/// Evaluates a `git.*` spec. Blocking: call from the blocking pool.
pub fn evaluate(spec: &Spec, workspace: &Path) -> Outcome {
    let repo = match git2::Repository::open(workspace) {
        Ok(repo) => repo,
        Err(_) if matches!(spec, Spec::GitRepoExists {}) => {
            return Outcome::found(
                Finding::new("notARepo")
                    .with("path", workspace.display())
                    .run("git init"),
                format!(
                    "{} is not a git repository yet: run `git init` there",
                    workspace.display()
                ),
            )
        }
        Err(e) => {
            return Outcome::blocked(
                Finding::new("workspaceBroken").with("path", workspace.display()),
                format!(
                    "{} is not a git repository ({}); reset the workspace from the lesson menu",
                    workspace.display(),
                    e.message()
                ),
            )
        }
    };
    match spec {
        Spec::GitRepoExists {} => Outcome::Pass,
        Spec::GitCommitCount { min } => match history(&repo) {
            Ok(commits) if commits.len() >= *min as usize => Outcome::Pass,
            Ok(commits) => Outcome::found(
                Finding::new("fewCommits")
                    .with("count", commits.len())
                    .with("min", min),
                format!(
                    "the branch has {} commit(s); this step needs at least {min}",
                    commits.len()
                ),
            ),
            Err(why) => why,
        },
        Spec::GitCommitMessage { pattern } => {
            let Ok(re) = regex::Regex::new(pattern) else {
                return Outcome::error(format!(
                    "the lesson's pattern `{pattern}` is not a valid regex"
                ));
            };
            match history(&repo) {
                Ok(commits) if commits.iter().any(|m| re.is_match(m)) => Outcome::Pass,
                Ok(commits) => {
                    let latest = commits
                        .first()
                        .map(|m| m.lines().next().unwrap_or(""))
                        .unwrap_or("");
                    // The learner sees the latest message, never the lesson's regex.
                    Outcome::found(
                        Finding::new("noMatchingCommit").with("latest", latest),
                        format!("no commit message matches `{pattern}`; the latest is {latest:?}"),
                    )
                }
                Err(why) => why,
            }
        }
        Spec::GitBranchExists { name } => match repo.find_branch(name, git2::BranchType::Local) {
            Ok(_) => Outcome::Pass,
            Err(_) => Outcome::found(
                Finding::new("noBranch")
                    .with("name", name)
                    .run(format!("git switch -c {name}")),
                format!("there is no branch `{name}`: create it with `git switch -c {name}`"),
            ),
        },
        Spec::GitBranchMerged { branch, into } => merged(&repo, branch, into),
        Spec::GitFileTracked { path } => {
            let tree = match repo.head().and_then(|h| h.peel_to_tree()) {
                Ok(tree) => tree,
                Err(_) => {
                    return Outcome::found(Finding::new("noCommits"), "there are no commits yet")
                }
            };
            if tree.get_path(Path::new(path)).is_ok() {
                Outcome::Pass
            } else {
                Outcome::found(
                    Finding::new("notCommitted")
                        .with("path", path)
                        .run(format!("git add {path} && git commit")),
                    format!("`{path}` is not in the last commit: `git add {path}` and commit"),
                )
            }
        }
        Spec::GitTagExists { name } => match repo.revparse_single(&format!("refs/tags/{name}")) {
            Ok(_) => Outcome::Pass,
            Err(_) => Outcome::found(
                Finding::new("noTag").with("name", name),
                format!("there is no tag `{name}`"),
            ),
        },
        _ => Outcome::error("not a git check"),
    }
}

/// Messages of the commits reachable from HEAD, newest first. A repository in an odd state
/// gets a specific message; nothing here ever changes the repository (index.lock included).
fn history(repo: &git2::Repository) -> Result<Vec<String>, Outcome> {
    if repo.path().join("index.lock").exists() {
        return Err(Outcome::error(
            "git's index.lock exists: another git command is running or crashed. If none is running, \
             delete .git/index.lock yourself; DevLoop never removes it",
        ));
    }
    let head = match repo.head() {
        Ok(head) => head,
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => return Ok(Vec::new()),
        Err(e) => return Err(Outcome::error(format!("cannot read HEAD: {}", e.message()))),
    };
    let oid = head
        .target()
        .ok_or_else(|| Outcome::error("HEAD points nowhere"))?;
    let mut walk = repo
        .revwalk()
        .map_err(|e| Outcome::error(e.message().to_owned()))?;
    walk.push(oid)
        .map_err(|e| Outcome::error(e.message().to_owned()))?;
    Ok(walk
        .filter_map(Result::ok)
        .filter_map(|oid| repo.find_commit(oid).ok())
        .map(|c| c.message().unwrap_or("").to_owned())
        .collect())
}

fn merged(repo: &git2::Repository, branch: &str, into: &str) -> Outcome {
    let tip = |name: &str| {
        repo.find_branch(name, git2::BranchType::Local)
            .ok()
            .and_then(|b| b.get().target())
    };
    let missing = |name: &str| {
        Outcome::found(
            Finding::new("noBranch")
                .with("name", name)
                .run(format!("git switch -c {name}")),
            format!("there is no branch `{name}`"),
        )
    };
    let Some(branch_tip) = tip(branch) else {
        return missing(branch);
    };
    let Some(into_tip) = tip(into) else {
        return missing(into);
    };
    if repo.state() == git2::RepositoryState::Merge {
        return Outcome::found(
            Finding::new("mergeInProgress").run("git commit"),
            "a merge is in progress: resolve the conflicts, then `git commit`",
        );
    }
    // A branch that was just created points at the same commit as `into`, which the graph
    // alone cannot tell from a fast-forward merge. Its reflog can: the oldest entry is where
    // the branch was created, and a branch still there carries no work of its own.
    let created = repo
        .reflog(&format!("refs/heads/{branch}"))
        .ok()
        .and_then(|log| log.iter().next_back().map(|entry| entry.id_new()));
    if created == Some(branch_tip) {
        return Outcome::found(
            Finding::new("branchEmpty").with("branch", branch),
            format!("`{branch}` has no commits of its own yet: commit your change on it first"),
        );
    }
    match repo.graph_descendant_of(into_tip, branch_tip) {
        Ok(true) => Outcome::Pass,
        _ if into_tip == branch_tip => Outcome::Pass,
        _ => Outcome::found(
            Finding::new("notMerged")
                .with("branch", branch)
                .with("into", into)
                .run(format!("git switch {into} && git merge {branch}")),
            format!(
                "`{branch}` is not merged into `{into}` yet: `git switch {into} && git merge {branch}`"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    use crate::test_repo::{git, with_commit as repo_with_commit};

    #[test]
    fn commit_count_and_messages_follow_real_commits() {
        let dir = repo_with_commit();
        let ws = dir.path();
        assert_eq!(
            evaluate(&Spec::GitCommitCount { min: 1 }, ws),
            Outcome::Pass
        );
        assert!(matches!(
            evaluate(&Spec::GitCommitCount { min: 2 }, ws),
            Outcome::Fail { .. }
        ));
        assert_eq!(
            evaluate(
                &Spec::GitCommitMessage {
                    pattern: "^feat:".into()
                },
                ws
            ),
            Outcome::Pass
        );
        let Outcome::Fail { hint, .. } = evaluate(
            &Spec::GitCommitMessage {
                pattern: "^fix:".into(),
            },
            ws,
        ) else {
            panic!()
        };
        assert!(hint.contains("feat: first"), "{hint}");
    }

    #[test]
    fn branches_merges_files_and_tags() {
        let dir = repo_with_commit();
        let ws = dir.path();
        let merged = |b: &str| {
            evaluate(
                &Spec::GitBranchMerged {
                    branch: b.into(),
                    into: "main".into(),
                },
                ws,
            )
        };
        git(ws, &["switch", "-qc", "feature"]);
        let Outcome::Fail { hint, .. } = merged("feature") else {
            panic!("a fresh branch is not merged work")
        };
        assert!(hint.contains("no commits of its own"), "{hint}");
        std::fs::write(ws.join("app.txt"), "x").unwrap();
        git(ws, &["add", "app.txt"]);
        git(ws, &["commit", "-qm", "feat: app"]);
        assert_eq!(
            evaluate(
                &Spec::GitBranchExists {
                    name: "feature".into()
                },
                ws
            ),
            Outcome::Pass
        );
        assert!(matches!(merged("feature"), Outcome::Fail { .. }));
        git(ws, &["switch", "-q", "main"]);
        git(
            ws,
            &["merge", "-q", "--no-ff", "-m", "merge feature", "feature"],
        );
        assert_eq!(merged("feature"), Outcome::Pass);
        assert_eq!(
            evaluate(
                &Spec::GitFileTracked {
                    path: "app.txt".into()
                },
                ws
            ),
            Outcome::Pass
        );
        assert!(matches!(
            evaluate(
                &Spec::GitTagExists {
                    name: "v1.0.0".into()
                },
                ws
            ),
            Outcome::Fail { .. }
        ));
        git(ws, &["tag", "v1.0.0"]);
        assert_eq!(
            evaluate(
                &Spec::GitTagExists {
                    name: "v1.0.0".into()
                },
                ws
            ),
            Outcome::Pass
        );
    }

    #[test]
    fn odd_repository_states_give_specific_messages_and_nothing_is_touched() {
        let dir = tempfile::tempdir().unwrap();
        // Not a repository.
        assert!(matches!(
            evaluate(&Spec::GitRepoExists {}, dir.path()),
            Outcome::Fail { .. }
        ));
        let Outcome::Error { why, .. } = evaluate(&Spec::GitCommitCount { min: 1 }, dir.path())
        else {
            panic!()
        };
        assert!(why.contains("not a git repository"), "{why}");

        // A leftover index.lock is reported and left alone.
        let repo = repo_with_commit();
        let lock = repo.path().join(".git/index.lock");
        std::fs::write(&lock, "").unwrap();
        let Outcome::Error { why, .. } = evaluate(&Spec::GitCommitCount { min: 1 }, repo.path())
        else {
            panic!()
        };
        assert!(why.contains("index.lock"), "{why}");
        assert!(lock.exists(), "DevLoop never deletes index.lock");
        std::fs::remove_file(&lock).unwrap();

        // Detached HEAD still counts the history it points at.
        git(repo.path(), &["checkout", "-q", "--detach"]);
        assert_eq!(
            evaluate(&Spec::GitCommitCount { min: 1 }, repo.path()),
            Outcome::Pass
        );

        // An empty repository has no commits yet, which is a plain fail.
        let empty = tempfile::tempdir().unwrap();
        git(empty.path(), &["init", "-q"]);
        let Outcome::Fail { hint, .. } = evaluate(&Spec::GitCommitCount { min: 1 }, empty.path())
        else {
            panic!()
        };
        assert!(hint.contains("0 commit"), "{hint}");
    }

    #[test]
    fn a_merge_in_progress_is_named() {
        let repo = repo_with_commit();
        let ws = repo.path();
        git(ws, &["switch", "-qc", "other"]);
        std::fs::write(ws.join("README.md"), "other\n").unwrap();
        git(ws, &["commit", "-qam", "other"]);
        git(ws, &["switch", "-q", "main"]);
        std::fs::write(ws.join("README.md"), "main\n").unwrap();
        git(ws, &["commit", "-qam", "main"]);
        let status = Command::new("git")
            .args(["merge", "other"])
            .current_dir(ws)
            .output()
            .unwrap();
        assert!(!status.status.success(), "a conflict is expected");
        let Outcome::Fail { hint, .. } = evaluate(
            &Spec::GitBranchMerged {
                branch: "other".into(),
                into: "main".into(),
            },
            ws,
        ) else {
            panic!()
        };
        assert!(hint.contains("merge is in progress"), "{hint}");
    }
}
