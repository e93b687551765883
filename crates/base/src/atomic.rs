//! Files replaced whole or not at all: written beside their place under a unique name, then renamed over it (tempfile's persist), so a crash or a second DevLoop never leaves half a file.

use std::path::Path;

/// Replaces `path` with `bytes`.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_with(path, |tmp| std::fs::write(tmp, bytes), |e| e)
}

/// Replaces `path` with what `fill` writes at the temporary path it is given (which keeps
/// `path`'s extension, for writers that pick a format by it). When `fill` fails, `path` is
/// left as it was and the temporary file is removed.
pub fn write_with<E>(
    path: &Path,
    fill: impl FnOnce(&Path) -> Result<(), E>,
    io: impl Fn(std::io::Error) -> E,
) -> Result<(), E> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let suffix = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let tmp = tempfile::Builder::new()
        .prefix(".devloop-")
        .suffix(&suffix)
        .tempfile_in(dir)
        .map_err(&io)?;
    fill(tmp.path())?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_a_failed_write_leaves_the_old_one_and_no_litter() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.json");
        write(&file, b"one").unwrap();
        write(&file, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "two");
        let failed = write_with(
            &file,
            |tmp| {
                assert_eq!(tmp.extension().unwrap(), "json");
                std::fs::write(tmp, b"half")?;
                Err(std::io::Error::other("the disk filled up"))
            },
            |e| e,
        );
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "only the file itself: {names:?}");
    }

    #[test]
    fn writers_at_once_never_share_a_temporary_file() {
        // One fixed `.tmp` name made a writer rename away another's half-written file, or
        // fail when the other had renamed it first.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.json");
        std::thread::scope(|s| {
            for t in 0..8 {
                let file = &file;
                s.spawn(move || {
                    let text = format!("{t}").repeat(10_000);
                    for _ in 0..50 {
                        write(file, text.as_bytes()).unwrap();
                    }
                });
            }
        });
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(text.len(), 10_000);
        assert!(
            text.chars().all(|c| c == text.chars().next().unwrap()),
            "one writer's whole text"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
