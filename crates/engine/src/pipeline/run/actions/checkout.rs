//! `actions/checkout`: a clean copy of the run's commit in the job's workspace, made with git2.

use super::{Action, Context, Done};

pub struct Checkout;

impl Action for Checkout {
    fn name(&self) -> &'static str {
        "actions/checkout"
    }

    fn run(&self, cx: &Context) -> Result<Done, String> {
        let dest = match cx.input("path") {
            Some(p) if p.contains("..") || p.starts_with('/') => {
                return Err(format!(
                    "`path: {p}` leaves the workspace; use a folder inside it"
                ))
            }
            Some(p) => cx.workspace.join(p),
            None => cx.workspace.clone(),
        };
        let _ = std::fs::remove_dir_all(&dest);
        // A plain path (not file://) lets libgit2 hard-link the objects, as `git clone` does.
        let repo = git2::Repository::clone(&cx.repo.display().to_string(), &dest)
            .map_err(|e| format!("checkout of {} failed: {}", cx.repo.display(), e.message()))?;
        // The run is about one commit: a later commit in the workspace must not leak in, and a
        // re-run checks out exactly what the first run did.
        let wanted = cx.input("ref").unwrap_or(&cx.sha).to_owned();
        if !wanted.is_empty() {
            let object = repo
                .revparse_single(&wanted)
                .or_else(|_| repo.revparse_single(&format!("origin/{wanted}")))
                .map_err(|_| {
                    format!("`{wanted}` is not a commit, branch or tag of the repository")
                })?;
            let commit = object
                .peel_to_commit()
                .map_err(|e| format!("`{wanted}` is not a commit: {}", e.message()))?;
            repo.reset(commit.as_object(), git2::ResetType::Hard, None)
                .map_err(|e| format!("cannot check out {wanted}: {}", e.message()))?;
        }
        let head = repo
            .head()
            .ok()
            .and_then(|h| h.target())
            .map(|o| o.to_string()[..7].to_owned())
            .unwrap_or_default();
        cx.log(format!(
            "checked out {} at {head} into {}",
            cx.repo.display(),
            dest.display()
        ));
        Ok(Done::success())
    }
}
