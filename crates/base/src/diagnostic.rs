//! A problem in a file the learner or an instructor wrote (a lesson pack, a workflow), pointing at file:line:col and saying how to fix it.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use crate::finding::Finding;

/// One thing wrong with a file, as an editor would want it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// The file, relative to the folder the learner knows (the workshops folder, the repo).
    pub file: String,
    /// 1-based; 0 when the problem is the file as a whole (for example, it is missing).
    pub line: u32,
    pub column: u32,
    /// The problem as a code and its facts: the UI's `diagnostics` catalogs say it, and how to
    /// fix it, in the learner's language.
    pub finding: Finding,
    /// The problem in English, for the CLI and editors.
    pub message: String,
    /// What to change, in English words.
    pub fix: String,
}

impl Diagnostic {
    /// A problem with a whole file.
    pub fn file(
        file: &Path,
        finding: Finding,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::line_col(file, 0, 0, finding, message, fix)
    }

    /// A problem at a known 1-based line and column of `file`.
    pub fn line_col(
        file: &Path,
        line: u32,
        column: u32,
        finding: Finding,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            file: file.display().to_string(),
            line,
            column,
            finding,
            message: message.into(),
            fix: fix.into(),
        }
    }

    /// A problem at byte offset `at` of `text`, the contents of `file`.
    pub fn at(
        file: &Path,
        text: &str,
        at: usize,
        finding: Finding,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        let (line, column) = line_column(text, at);
        Self::line_col(file, line, column, finding, message, fix)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )?;
        }
        write!(f, "\n  fix: {}", self.fix)
    }
}

impl Finding {
    /// A refusal because of the problems in a file: how many there are, and where the first
    /// is, followed by what it is (`because`), each in the learner's language.
    pub fn refusal(code: &str, problems: &[&Diagnostic]) -> Finding {
        let first = problems.first();
        Finding::new(code)
            .with("count", problems.len())
            .with(
                "at",
                first.map_or_else(String::new, |d| {
                    if d.line == 0 {
                        d.file.clone()
                    } else {
                        format!("{}:{}:{}", d.file, d.line, d.column)
                    }
                }),
            )
            .because(first.map(|d| d.finding.clone()))
    }
}

/// 1-based line and column (in characters) of byte offset `at` in `text`.
pub fn line_column(text: &str, at: usize) -> (u32, u32) {
    let at = at.min(text.len());
    let at = (0..=at)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before, |i| &before[i + 1..])
        .chars()
        .count()
        + 1;
    (line as u32, column as u32)
}

/// `path` relative to `base` for messages, or as it is when outside it.
pub fn shown(path: &Path, base: &Path) -> PathBuf {
    path.strip_prefix(base)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_one_based_lines_and_character_columns() {
        let text = "a = 1\n한글 = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        // "한글 " is 7 bytes but 3 characters.
        assert_eq!(line_column(text, 6 + 7), (2, 4));
        assert_eq!(line_column(text, 10_000), (3, 1));
    }

    #[test]
    fn display_leads_with_the_position_and_ends_with_the_fix() {
        let d = Diagnostic::at(
            Path::new("p/workshop.toml"),
            "x\ny",
            2,
            Finding::new("bad"),
            "bad",
            "do this",
        );
        assert_eq!(d.to_string(), "p/workshop.toml:2:1: bad\n  fix: do this");
    }
}
