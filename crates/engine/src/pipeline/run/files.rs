//! The files a step writes to talk back to the runner: `$GITHUB_OUTPUT`, `$GITHUB_ENV`
//! (both `name=value` or `name<<DELIMITER` blocks), `$GITHUB_PATH` (one folder a line).

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Writes `text` to `path` (replacing it), readable and writable by this user alone.
pub fn private(path: &Path, text: &str) -> std::io::Result<()> {
    let _ = std::fs::remove_file(path);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(text.as_bytes())
}

/// A step's scratch files, removed when it is dropped: when the step is done, failed, timed
/// out or was cancelled.
#[derive(Debug)]
pub struct Scratch(pub Vec<PathBuf>);

impl Drop for Scratch {
    fn drop(&mut self) {
        for f in &self.0 {
            let _ = std::fs::remove_file(f);
        }
    }
}

/// Parses `name=value` lines and `name<<EOF … EOF` blocks, as GitHub does.
pub fn key_values(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim().is_empty() {
            continue;
        }
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            let mut closed = false;
            for l in lines.by_ref() {
                if l == delimiter {
                    closed = true;
                    break;
                }
                value.push(l);
            }
            if !closed {
                return Err(format!(
                    "`{name}<<{delimiter}` is never closed by a line `{delimiter}`"
                ));
            }
            out.insert(name.to_owned(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_owned(), value.to_owned());
        } else {
            return Err(format!(
                "`{line}` is neither `name=value` nor `name<<DELIMITER`"
            ));
        }
    }
    Ok(out)
}

/// Folders added with `$GITHUB_PATH`, in order.
pub fn paths(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_and_multiline_values() {
        let kv =
            key_values("version=1.2.0\nnotes<<EOF\nline one\nline two\nEOF\nempty=\n").unwrap();
        assert_eq!(kv["version"], "1.2.0");
        assert_eq!(kv["notes"], "line one\nline two");
        assert_eq!(kv["empty"], "");
    }

    #[test]
    fn an_unclosed_block_or_a_stray_line_is_an_error() {
        assert!(key_values("notes<<EOF\nline\n")
            .unwrap_err()
            .contains("never closed"));
        assert!(key_values("just words\n").is_err());
    }
}
