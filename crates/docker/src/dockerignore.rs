//! `.dockerignore`, as Docker reads it: one pattern a line, `#` comments, `!` exceptions, the
//! last matching line wins, and a pattern that matches a folder leaves out all inside it.

use crate::glob::{Dialect, Glob};

/// The parsed patterns of one `.dockerignore`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ignore {
    /// `(pattern, exception)`, in file order.
    rules: Vec<(Pattern, bool)>,
}

impl Ignore {
    pub fn parse(text: &str) -> Ignore {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (exception, pattern) = match l.strip_prefix('!') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, l),
                };
                let pattern = clean(pattern);
                let glob = Glob::new(&pattern, Dialect::Path)?;
                (!pattern.is_empty()).then_some((
                    Pattern {
                        text: pattern,
                        glob,
                    },
                    exception,
                ))
            })
            .collect();
        Ignore { rules }
    }

    /// True when `path` (relative to the context, `/`-separated) stays out of the context.
    pub fn excludes(&self, path: &str) -> bool {
        let mut excluded = false;
        for (pattern, exception) in &self.rules {
            if matches(pattern, path) {
                excluded = !exception;
            }
        }
        excluded
    }

    /// True when something under the folder `dir` could be brought back by an exception, so
    /// an excluded folder must still be walked.
    pub fn may_include_under(&self, dir: &str) -> bool {
        self.rules.iter().any(|(pattern, exception)| {
            let text = &pattern.text;
            *exception && (text.starts_with(&format!("{dir}/")) || text.starts_with("**"))
        })
    }
}

/// One line's pattern, as written (cleaned) and compiled.
#[derive(Debug, Clone)]
struct Pattern {
    text: String,
    glob: Glob,
}

// Two files are the same when their lines are.
impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.text == other.text
    }
}
impl Eq for Pattern {}

/// Docker cleans each pattern like a path: no leading `/` or `./`, no trailing `/`.
fn clean(pattern: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in pattern.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The pattern matches the path itself or one of its parent folders.
fn matches(pattern: &Pattern, path: &str) -> bool {
    if pattern.glob.is_match(path) {
        return true;
    }
    let mut prefix = path;
    while let Some((parent, _)) = prefix.rsplit_once('/') {
        if pattern.glob.is_match(parent) {
            return true;
        }
        prefix = parent;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_projects_file_sends_only_the_binary() {
        let ignore = Ignore::parse(
            "# only the binary\n*\n!target/x86_64-unknown-linux-gnu/release/loop-service\n",
        );
        assert!(ignore.excludes("src/main.rs"));
        assert!(ignore.excludes("target/release/loop-service"));
        assert!(!ignore.excludes("target/x86_64-unknown-linux-gnu/release/loop-service"));
        assert!(ignore.may_include_under("target"));
    }

    #[test]
    fn folders_exceptions_and_odd_spellings() {
        let ignore = Ignore::parse("/target/\n./docs\n**/*.log\n!keep.log\n\n  # comment\n");
        assert!(
            ignore.excludes("target/debug/app"),
            "a folder leaves out its content"
        );
        assert!(ignore.excludes("docs/a/b.md"));
        assert!(ignore.excludes("x/y/z.log"));
        assert!(!ignore.excludes("keep.log"), "the last match wins");
        assert!(!ignore.excludes("src/main.rs"));
        assert!(!ignore.may_include_under("target"));
    }

    #[test]
    fn hostile_patterns_match_nothing_outside_and_never_panic() {
        let ignore = Ignore::parse("../../etc\n!\n!!x\n[\n\u{0}\n");
        assert!(
            ignore.excludes("etc/passwd"),
            "`..` is cleaned away, as Docker does"
        );
        assert!(!ignore.excludes("src/main.rs"));
        // A lone `!` is no rule at all; `!!x` is an exception for `!x`.
        assert_eq!(ignore.rules.len(), 4, "{:?}", ignore.rules);
    }
}
