//! A pack's content as one SHA-256 over every file's path inside the pack and its bytes, in path order, so the same content digests the same wherever it lies (also used by the build script).

use std::path::Path;

use sha2::{Digest, Sha256};

/// The hex digest of everything under `root`. A symbolic link counts as its target's text,
/// never followed: what a pack is, not what it points at.
pub fn of(root: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    walk(root, root, &mut files)?;
    files.sort();
    let mut hash = Sha256::new();
    for rel in files {
        let path = root.join(&rel);
        let meta = std::fs::symlink_metadata(&path)?;
        let bytes = if meta.file_type().is_symlink() {
            std::fs::read_link(&path)?
                .to_string_lossy()
                .into_owned()
                .into_bytes()
        } else {
            std::fs::read(&path)?
        };
        // Lengths first, so no path and content can pass for another pair.
        hash.update((rel.len() as u64).to_le_bytes());
        hash.update(rel.as_bytes());
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            // `/` on every system, so a digest made at build time matches one made anywhere.
            let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}
