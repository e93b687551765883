//! Which workflows a push starts, by GitHub's `on.push` filters: branches and tags (with their
//! `-ignore` forms, glob patterns and `!` negation) and paths.

use super::workflow::{PushFilter, Workflow};
use crate::glob::{Dialect::Filter, Glob};

/// A push to the workspace repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// `refs/heads/main` or `refs/tags/v1.0.0`.
    pub git_ref: String,
    /// The commit the ref points at now: the one the run checks out.
    pub sha: String,
    /// Files the pushed commits changed, relative to the repository.
    pub changed: Vec<String>,
}

/// True when `wf` runs for `push`.
pub fn starts(wf: &Workflow, push: &Push) -> bool {
    let Some(filter) = &wf.on.push else {
        return false;
    };
    refs_match(filter, &push.git_ref) && paths_match(filter, &push.changed)
}

fn refs_match(f: &PushFilter, git_ref: &str) -> bool {
    if let Some(branch) = git_ref.strip_prefix("refs/heads/") {
        if !f.branches.is_empty() {
            return Patterns::new(&f.branches, true).admit(branch);
        }
        if !f.branches_ignore.is_empty() {
            return !Patterns::new(&f.branches_ignore, false).any(branch);
        }
        // Only tags listed: branch pushes do not run it.
        return f.tags.is_empty();
    }
    if let Some(tag) = git_ref.strip_prefix("refs/tags/") {
        if !f.tags.is_empty() {
            return Patterns::new(&f.tags, true).admit(tag);
        }
        // Only branches listed: tag pushes do not run it.
        return f.branches.is_empty() && f.branches_ignore.is_empty();
    }
    false
}

/// A filter's pattern list, compiled once for every name it is asked about (a push may
/// change thousands of files). A pattern too large to compile matches nothing.
struct Patterns(Vec<(bool, Option<Glob>)>);

impl Patterns {
    /// `negation`: a leading `!` excludes, as in `branches`, `tags` and `paths`; the
    /// `-ignore` lists have no negation, so there `!` is itself.
    fn new(list: &[String], negation: bool) -> Patterns {
        Patterns(
            list.iter()
                .map(|p| match p.strip_prefix('!').filter(|_| negation) {
                    Some(neg) => (true, Glob::new(neg, Filter)),
                    None => (false, Glob::new(p, Filter)),
                })
                .collect(),
        )
    }

    /// GitHub's reading of a list: later entries win, and `!pattern` excludes what came before.
    fn admit(&self, name: &str) -> bool {
        let mut matched = false;
        for (negated, glob) in &self.0 {
            if glob.as_ref().is_some_and(|g| g.is_match(name)) {
                matched = !negated;
            }
        }
        matched
    }

    /// Some pattern of an `-ignore` list matches `name`.
    fn any(&self, name: &str) -> bool {
        self.0
            .iter()
            .any(|(_, glob)| glob.as_ref().is_some_and(|g| g.is_match(name)))
    }
}

fn paths_match(f: &PushFilter, changed: &[String]) -> bool {
    if !f.paths.is_empty() {
        let paths = Patterns::new(&f.paths, true);
        return changed.iter().any(|c| paths.admit(c));
    }
    if !f.paths_ignore.is_empty() {
        let ignored = Patterns::new(&f.paths_ignore, false);
        return changed.iter().any(|c| !ignored.any(c));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::check_text;
    use std::path::Path;

    fn wf(on: &str) -> Workflow {
        let text = format!("on:\n{on}\njobs:\n  a:\n    runs-on: x\n    steps: [{{run: echo}}]\n");
        check_text(Path::new("w.yml"), &text).workflow.unwrap()
    }

    fn push(r: &str, changed: &[&str]) -> Push {
        Push {
            sha: String::new(),
            git_ref: r.into(),
            changed: changed.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn branch_filters_globs_and_negation() {
        let w = wf("  push:\n    branches: [main, 'release/**', '!release/old']");
        assert!(starts(&w, &push("refs/heads/main", &["a"])));
        assert!(starts(&w, &push("refs/heads/release/1.0", &["a"])));
        assert!(!starts(&w, &push("refs/heads/release/old", &["a"])));
        assert!(!starts(&w, &push("refs/heads/feature/x", &["a"])));
        assert!(
            !starts(&w, &push("refs/tags/v1", &["a"])),
            "branches only: tags do not run it"
        );
    }

    #[test]
    fn ignore_lists_tags_and_a_bare_push() {
        let w = wf("  push:\n    branches-ignore: ['wip/*']");
        assert!(starts(&w, &push("refs/heads/main", &["a"])));
        assert!(!starts(&w, &push("refs/heads/wip/try", &["a"])));
        let w = wf("  push:\n    tags: ['v*']");
        assert!(starts(&w, &push("refs/tags/v1.2.0", &["a"])));
        assert!(!starts(&w, &push("refs/heads/main", &["a"])));
        let w = wf("  [push]");
        assert!(starts(&w, &push("refs/heads/anything", &["a"])));
        let w = wf("  workflow_dispatch:");
        assert!(
            !starts(&w, &push("refs/heads/main", &["a"])),
            "no push trigger"
        );
    }

    #[test]
    fn path_filters() {
        let w = wf("  push:\n    paths: ['src/**', '!src/docs/**']");
        assert!(starts(&w, &push("refs/heads/main", &["src/main.rs"])));
        assert!(!starts(&w, &push("refs/heads/main", &["README.md"])));
        assert!(!starts(&w, &push("refs/heads/main", &["src/docs/a.md"])));
        let w = wf("  push:\n    paths-ignore: ['**.md']");
        assert!(!starts(
            &w,
            &push("refs/heads/main", &["README.md", "docs/x.md"])
        ));
        assert!(starts(
            &w,
            &push("refs/heads/main", &["README.md", "src/lib.rs"])
        ));
    }
}
