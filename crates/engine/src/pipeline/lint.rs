//! What a careful linter warns about in a workflow GitHub would still run: contexts that name
//! nothing (`matrix.x`, `steps.s`, `needs.j`), untrusted event text pasted into a script,
//! deprecated workflow commands, and `if:` conditions that are always true.

use super::expr::{self, Expr};
use super::workflow::{Job, Workflow, Written};
use crate::diagnostic::Diagnostic;
use crate::finding::Finding;

/// Event fields anyone can write (an issue title, a branch name): pasted into a `run:` script
/// they become code. From GitHub's "Security hardening for GitHub Actions", "Understanding the
/// risk of script injections"; `*` stands for any one key or index.
const UNTRUSTED: &[&str] = &[
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.commits.*.message",
    "github.event.commits.*.author.email",
    "github.event.commits.*.author.name",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.workflow_run.head_branch",
    "github.head_ref",
];

/// Workflow commands GitHub deprecated (still honoured, with a warning) or disabled (the step
/// fails there), with what replaces each: GitHub's "Workflow commands for GitHub Actions".
const COMMANDS: &[(&str, bool, &str)] = &[
    (
        "::set-output",
        false,
        "echo \"name=value\" >> \"$GITHUB_OUTPUT\"",
    ),
    (
        "::save-state",
        false,
        "echo \"name=value\" >> \"$GITHUB_STATE\"",
    ),
    ("::set-env", true, "echo \"NAME=value\" >> \"$GITHUB_ENV\""),
    ("::add-path", true, "echo \"/a/path\" >> \"$GITHUB_PATH\""),
];

/// Every warning for `wf`, read from `source`, the file's text (for exact columns).
pub fn lint(wf: &Workflow, source: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let source: Vec<&str> = source.lines().collect();
    let source = source.as_slice();
    for w in &wf.written {
        let place = Place::of(&w.what);
        let job = place.job.and_then(|id| wf.jobs.iter().find(|j| j.id == id));
        let mut at = Cursor::new(source, w);
        if place.field == "if" {
            if let Some(d) = always_true(wf, w, &mut at) {
                out.push(d);
            }
        }
        if place.field == "run" {
            for (command, disabled, instead) in COMMANDS {
                if let Some(i) = w.text.find(command) {
                    let (line, col) = at.find(&w.text[i..i + command.len()]);
                    let (code, said) = if *disabled {
                        (
                            "commandDisabled",
                            "is disabled on GitHub: the step fails there",
                        )
                    } else {
                        ("commandDeprecated", "is deprecated")
                    };
                    out.push(Diagnostic::line_col(
                        &wf.file,
                        line,
                        col,
                        Finding::new(code)
                            .with("command", command)
                            .with("instead", instead),
                        format!("the workflow command `{command}` {said}"),
                        format!("write `{instead}` instead"),
                    ));
                }
            }
        }
        let mut at = Cursor::new(source, w);
        for (source_text, body) in expressions(&w.text, place.field == "if") {
            let Ok(e) = expr::parse(body) else { continue };
            let (line, col) = at.find(source_text);
            let mut paths = Vec::new();
            chains(&e, &mut paths);
            paths.sort();
            paths.dedup();
            for path in paths {
                let warn = |finding: Finding, message: String, fix: String| {
                    Diagnostic::line_col(&wf.file, line, col, finding, message, fix)
                };
                if let Some(d) = context(job, &place, &path, warn) {
                    out.push(d);
                }
                if place.field == "run" && untrusted(&path) {
                    // As written (`commits[0]`), so the fix can be pasted.
                    let shown = body.trim();
                    out.push(Diagnostic::line_col(
                        &wf.file,
                        line,
                        col,
                        Finding::new("scriptInjection").with("expr", shown),
                        format!("`{shown}` is text anyone can write; pasted into a script it runs as code"),
                        format!("pass it through `env:` (`env: {{ TEXT: ${{{{ {shown} }}}} }}`) and use \"$TEXT\" in the script"),
                    ));
                }
            }
        }
    }
    out
}

/// Where a value sits: its job, its step's index, and its key (`run`, `if`, `env`…).
struct Place<'a> {
    job: Option<&'a str>,
    step: Option<usize>,
    field: &'a str,
    /// Under `strategy`: the matrix is being defined there, not read.
    in_strategy: bool,
}

impl<'a> Place<'a> {
    fn of(what: &'a str) -> Place<'a> {
        let mut parts = what.split('.');
        let (job, rest): (Option<&str>, Vec<&str>) = match parts.next() {
            Some("jobs") => (parts.next(), parts.collect()),
            first => (None, first.into_iter().chain(parts).collect()),
        };
        let step = rest.first().and_then(|s| {
            s.strip_prefix("steps[")?
                .strip_suffix(']')?
                .parse::<usize>()
                .ok()
        });
        let field = match step {
            Some(_) => rest.get(1).copied().unwrap_or(""),
            None => rest.first().copied().unwrap_or(""),
        };
        Place {
            job,
            step,
            field,
            in_strategy: rest.first() == Some(&"strategy"),
        }
    }
}

/// The `${{ … }}` in `text` as (as written, body); an `if:` without them is one whole.
fn expressions(text: &str, condition: bool) -> Vec<(&str, &str)> {
    let trimmed = text.trim();
    if condition && !trimmed.contains("${{") {
        return vec![(trimmed, trimmed)];
    }
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("${{").map(|i| from + i) {
        let body_start = start + 3;
        let Some(len) = expr::closing(&text[body_start..]) else {
            break;
        };
        out.push((
            &text[start..body_start + len + 2],
            &text[body_start..body_start + len],
        ));
        from = body_start + len + 2;
    }
    out
}

/// Every context chain the expression reads (`matrix.os`, `github.event.commits[0].message`),
/// as keys; an index that is a number or `*` is `*`, one computed at run time is `?`.
fn chains(e: &Expr, out: &mut Vec<Vec<String>>) {
    fn chain(e: &Expr, out: &mut Vec<Vec<String>>) -> Option<Vec<String>> {
        match e {
            Expr::Ctx(name) => Some(vec![name.to_ascii_lowercase()]),
            Expr::Index(a, b) => {
                let mut path = chain(a, out)?;
                path.push(match &**b {
                    Expr::Lit(serde_json::Value::String(s)) => s.to_ascii_lowercase(),
                    Expr::Lit(serde_json::Value::Number(_)) => "*".into(),
                    other => {
                        chains(other, out);
                        "?".into()
                    }
                });
                Some(path)
            }
            Expr::Star(a) => {
                let mut path = chain(a, out)?;
                path.push("*".into());
                Some(path)
            }
            _ => None,
        }
    }
    match e {
        Expr::Ctx(_) | Expr::Index(..) | Expr::Star(_) => match chain(e, out) {
            Some(path) => out.push(path),
            None => {
                if let Expr::Index(a, b) | Expr::Bin(_, a, b) = e {
                    chains(a, out);
                    chains(b, out);
                }
            }
        },
        Expr::Not(a) => chains(a, out),
        Expr::Bin(_, a, b) => {
            chains(a, out);
            chains(b, out);
        }
        Expr::Call(_, args, _) => args.iter().for_each(|a| chains(a, out)),
        Expr::Lit(_) => {}
    }
}

/// A `matrix`, `steps` or `needs` key that the job does not have.
fn context(
    job: Option<&Job>,
    place: &Place,
    path: &[String],
    warn: impl Fn(Finding, String, String) -> Diagnostic,
) -> Option<Diagnostic> {
    let job = job?;
    let key = path.get(1).filter(|k| *k != "*" && *k != "?")?;
    match path[0].as_str() {
        "matrix" if !place.in_strategy => {
            let strategy = job.strategy.as_ref();
            if strategy.is_some_and(|s| s.matrix_expr.is_some() || !s.exprs.is_empty()) {
                return None;
            }
            let keys: Vec<String> = strategy
                .map(|s| {
                    let mut keys: Vec<String> = s.axes.iter().map(|(k, _)| k.clone()).collect();
                    for row in &s.include {
                        keys.extend(
                            row.keys()
                                .filter(|k| !keys.contains(k))
                                .cloned()
                                .collect::<Vec<_>>(),
                        );
                    }
                    keys
                })
                .unwrap_or_default();
            if keys.is_empty() {
                return Some(warn(
                    Finding::new("jobHasNoMatrix")
                        .with("key", key)
                        .with("job", &job.id),
                    format!("`matrix.{key}` is empty: job `{}` has no matrix", job.id),
                    "add `strategy: matrix:` to the job, or remove the reference".into(),
                ));
            }
            (!keys.iter().any(|k| k.eq_ignore_ascii_case(key))).then(|| {
                warn(
                    Finding::new("matrixKeyUnknown")
                        .with("key", key)
                        .with("job", &job.id)
                        .with("keys", keys.join(", ")),
                    format!(
                        "`matrix.{key}` is empty: job `{}`'s matrix has no `{key}`",
                        job.id
                    ),
                    format!("use one of: {}", keys.join(", ")),
                )
            })
        }
        "steps" => {
            let ids: Vec<&str> = job.steps.iter().filter_map(|s| s.id.as_deref()).collect();
            let position = job.steps.iter().position(|s| {
                s.id.as_deref()
                    .is_some_and(|id| id.eq_ignore_ascii_case(key))
            });
            match (position, place.step) {
                (None, _) => Some(warn(
                    Finding::new("stepIdUnknown")
                        .with("step", key)
                        .with("job", &job.id)
                        .with(
                            "ids",
                            if ids.is_empty() {
                                "—".to_owned()
                            } else {
                                ids.join(", ")
                            },
                        ),
                    format!(
                        "`steps.{key}` is empty: no step of job `{}` has `id: {key}`",
                        job.id
                    ),
                    format!(
                        "give the step `id: {key}`, or use one of: {}",
                        ids.join(", ")
                    ),
                )),
                // The steps context holds only the steps that ran before this one.
                (Some(at), Some(here)) if at >= here => Some(warn(
                    Finding::new("stepNotYet").with("step", key),
                    format!("`steps.{key}` is empty here: that step runs after this one"),
                    "read it in a later step, or move that step before this one".into(),
                )),
                _ => None,
            }
        }
        "needs" => {
            let needed: Vec<&str> = job.needs.iter().map(|(n, _)| n.as_str()).collect();
            (!needed.iter().any(|n| n.eq_ignore_ascii_case(key))).then(|| {
                warn(
                    Finding::new("needsNotNeeded")
                        .with("need", key)
                        .with("job", &job.id),
                    format!(
                        "`needs.{key}` is empty: job `{}` does not need `{key}`",
                        job.id
                    ),
                    format!("add `{key}` to the job's `needs`"),
                )
            })
        }
        _ => None,
    }
}

/// The chain reads one of the fields anyone can write.
fn untrusted(path: &[String]) -> bool {
    UNTRUSTED.iter().any(|pattern| {
        let keys: Vec<&str> = pattern.split('.').collect();
        keys.len() == path.len()
            && keys
                .iter()
                .zip(path)
                .all(|(k, p)| *k == "*" || *k == p.as_str())
    })
}

/// `if: ${{ a }} && ${{ b }}`: text outside one `${{ }}` makes the condition a string, and
/// a string that is not empty is true, so the step always runs (GitHub's "Expressions":
/// "you must use `${{ }}` … when the expression is not the whole value").
fn always_true(wf: &Workflow, w: &Written, at: &mut Cursor) -> Option<Diagnostic> {
    let trimmed = w.text.trim();
    let start = trimmed.find("${{")?;
    // An expression left open is an error already.
    let len = expr::closing(&trimmed[start + 3..])?;
    if start == 0 && len + 5 == trimmed.len() {
        return None;
    }
    let (line, col) = at.find(trimmed);
    Some(Diagnostic::line_col(
        &wf.file,
        line,
        col,
        Finding::new("ifAlwaysTrue"),
        "this `if:` is always true: text outside `${{ }}` makes it a string, and a string that is not empty is true",
        "write the whole condition as one expression: `if: ${{ a && b }}`, or leave out `${{ }}`",
    ))
}

/// Finds text of a value in the file, from the value's start on, for an exact line and column.
struct Cursor<'s> {
    lines: &'s [&'s str],
    /// 0-based line and byte column to search from.
    line: usize,
    col: usize,
    fallback: (u32, u32),
}

impl<'s> Cursor<'s> {
    fn new(lines: &'s [&'s str], w: &Written) -> Cursor<'s> {
        let line = (w.pos.line as usize).saturating_sub(1);
        let col = lines.get(line).map_or(0, |l| {
            l.char_indices()
                .nth((w.pos.col as usize).saturating_sub(1))
                .map_or(l.len(), |(i, _)| i)
        });
        Cursor {
            lines,
            line,
            col,
            fallback: (w.pos.line, w.pos.col),
        }
    }

    /// The 1-based line and column of the next `needle` from where the last one was found; the
    /// value's own position when it is not written as it reads (escapes in a quoted string).
    fn find(&mut self, needle: &str) -> (u32, u32) {
        // A value's text spans at most its own lines: stop well before the file's end.
        let first = needle.lines().next().unwrap_or(needle);
        for n in self.line..self.lines.len().min(self.line + 10_000) {
            let from = if n == self.line { self.col } else { 0 };
            let l = self.lines[n];
            if let Some(i) = l.get(from..).and_then(|rest| rest.find(first)) {
                self.line = n;
                self.col = from + i + first.len();
                let col = l[..from + i].chars().count() + 1;
                return ((n + 1) as u32, col as u32);
            }
        }
        self.fallback
    }
}
