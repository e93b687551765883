//! `hashFiles(...)`: a SHA-256 over the workspace files matching glob patterns, as cache keys use.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::glob::{Dialect, Glob};

/// Hex digest of the matching files' contents in path order; empty when nothing matches, as on
/// GitHub. A digest of each file's SHA-256, so the result is stable and cheap to recompute.
pub fn hash(workspace: Option<&Path>, patterns: &[String]) -> String {
    let Some(root) = workspace else {
        return String::new();
    };
    let mut files = Vec::new();
    collect(root, root, &mut files);
    files.sort();
    let globs: Vec<Glob> = patterns
        .iter()
        .filter_map(|p| Glob::new(p, Dialect::Path))
        .collect();
    let matching: Vec<&String> = files
        .iter()
        .filter(|f| globs.iter().any(|g| g.is_match(f)))
        .collect();
    if matching.is_empty() {
        return String::new();
    }
    let mut all = Sha256::new();
    for f in matching {
        if let Ok(bytes) = std::fs::read(root.join(f)) {
            all.update(Sha256::digest(&bytes));
        }
    }
    hex(&all.finalize())
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name();
        if name == ".git" || name == "target" {
            continue;
        }
        match e.file_type() {
            Ok(t) if t.is_dir() => collect(root, &path, out),
            Ok(t) if t.is_file() => {
                if let Ok(rel) = path.strip_prefix(root) {
                    out.push(rel.to_string_lossy().into_owned());
                }
            }
            _ => {}
        }
    }
}

/// The SHA-256 of `bytes` in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(&[b'a'; 1000]),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        );
    }

    #[test]
    fn hash_changes_with_content_and_is_empty_without_matches() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.lock"), "a").unwrap();
        let pats = vec!["**/Cargo.lock".to_owned()];
        let first = hash(Some(dir.path()), &pats);
        assert_eq!(first.len(), 64);
        std::fs::write(dir.path().join("Cargo.lock"), "b").unwrap();
        assert_ne!(hash(Some(dir.path()), &pats), first);
        assert_eq!(hash(Some(dir.path()), &["*.nothing".to_owned()]), "");
    }
}
