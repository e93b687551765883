//! A little disk space held back in the data folder, so a run that fills the disk can still record that it failed, and why.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Enough for SQLite to finish a run's record (a few pages of write-ahead log) many times over.
pub const SIZE: u64 = 1024 * 1024;

fn file(data_dir: &Path) -> PathBuf {
    data_dir.join("space.reserve")
}

/// Makes sure the reserve is there, written out (a sparse file would hold nothing back). Best
/// effort: on a disk too full for it, DevLoop works on without one.
pub fn keep(data_dir: &Path) {
    let path = file(data_dir);
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == SIZE) {
        return;
    }
    let written = std::fs::File::create(&path).and_then(|mut f| {
        f.write_all(&vec![0u8; SIZE as usize])?;
        f.sync_all()
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&path);
    }
}

/// Gives the reserve back to the disk; true when there was one. The next [`keep`] (the next
/// time the database opens with room to spare) makes it again.
pub fn release(data_dir: &Path) -> bool {
    std::fs::remove_file(file(data_dir)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reserve_is_real_space_and_is_given_back_once() {
        let dir = tempfile::tempdir().unwrap();
        keep(dir.path());
        let meta = std::fs::metadata(file(dir.path())).unwrap();
        // Blocks really held, not a hole.
        assert!(
            std::os::unix::fs::MetadataExt::blocks(&meta) * 512 >= SIZE,
            "{meta:?}"
        );
        assert!(release(dir.path()));
        assert!(!release(dir.path()));
        keep(dir.path());
        assert_eq!(std::fs::metadata(file(dir.path())).unwrap().len(), SIZE);
    }
}
