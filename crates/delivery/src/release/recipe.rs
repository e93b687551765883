//! `devloop.toml`'s `[release]` table: the command that turns a clean checkout of the released
//! commit into what the Dockerfile copies (a static binary, say), and the environment it needs.
//!
//! The recipe is read from the commit being released, never from the working folder, so a
//! release is reproducible from its commit alone.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::diagnostic::line_column;
use crate::finding::Finding;
use crate::{Code, Error};

/// The file, at the repository's root.
pub const FILE: &str = "devloop.toml";

/// How a commit becomes the inputs of its image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// Run with `sh -e` in the clean checkout before the image is built; `None` when the
    /// Dockerfile needs only what is committed (or builds everything itself).
    pub build: Option<String>,
    /// Added to the user's environment for `build` (RUSTFLAGS, say).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    release: Recipe,
}

/// The recipe in `checkout`, a clean copy of the commit; the empty recipe when it has no
/// `devloop.toml`. A broken file is refused with its line and column.
pub fn read(checkout: &Path) -> Result<Recipe, Error> {
    let path = checkout.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Recipe::default()),
        Err(e) => {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("fileUnusable")
                    .with("path", FILE)
                    .with("cause", &e),
                format!("{FILE} in the commit cannot be read: {e}"),
            ))
        }
    };
    parse(&text)
}

/// Parses the text of `devloop.toml`.
pub fn parse(text: &str) -> Result<Recipe, Error> {
    toml::from_str::<File>(text)
        .map(|f| f.release)
        .map_err(|e| {
            let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
            Error::said(
                Code::InvalidInput,
                Finding::new("recipeBroken")
                    .with("at", format!("{FILE}:{line}:{column}"))
                    .with("cause", e.message().trim_end()),
                format!(
                    "{FILE}:{line}:{column}: {}; correct it and commit, then release again",
                    e.message().trim_end()
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recipe_names_its_build_and_environment() {
        let r = parse("[release]\nbuild = \"make\"\nenv = { RUSTFLAGS = \"-C x\" }\n").unwrap();
        assert_eq!(r.build.as_deref(), Some("make"));
        assert_eq!(r.env.get("RUSTFLAGS").map(String::as_str), Some("-C x"));
    }

    #[test]
    fn no_release_table_is_the_empty_recipe() {
        assert_eq!(parse("# nothing yet\n").unwrap(), Recipe::default());
    }

    #[test]
    fn a_misspelt_key_is_refused_at_its_line_and_column() {
        let e = parse("[release]\nbiuld = \"make\"\n").unwrap_err();
        assert!(e.message.starts_with("devloop.toml:2:1:"), "{}", e.message);
        assert!(e.message.contains("biuld"), "{}", e.message);
    }
}
