//! Which DevLoop made a container: one id per data folder, kept in `<data>/instance`.
//!
//! Several DevLoops on one Docker daemon (a classroom machine, CI, two workspaces) never adopt,
//! heal or remove each other's replicas.

use std::io::Write;
use std::path::Path;

use crate::{Code, Error};

/// The label a replica carries with its maker's id.
pub const LABEL_INSTANCE: &str = "dev.devloop.instance";

/// On a swarm service, its network and its tasks' containers: DevLoop's swarm target made it
/// (with [`LABEL_INSTANCE`], which DevLoop did). Its tasks are Swarm's to stop and replace.
pub const LABEL_SWARM: &str = "dev.devloop.swarm";

const FILE: &str = "instance";

/// The id of the DevLoop whose data folder is `data_dir`, made on first use. Two processes
/// asking at once get the same one: the file is created exclusively, and the loser reads it.
pub fn of(data_dir: &Path) -> Result<String, Error> {
    let file = data_dir.join(FILE);
    if let Some(id) = read(data_dir) {
        return Ok(id);
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| Error::file(Code::WorkspaceUnusable, data_dir, &e))?;
    let id = uuid::Uuid::new_v4().simple().to_string();
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&file)
    {
        Ok(mut f) => {
            f.write_all(id.as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(|e| Error::file(Code::WorkspaceUnusable, &file, &e))?;
            Ok(id)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            // Another process made it a moment ago; it may still be writing.
            for _ in 0..50 {
                if let Some(id) = read(data_dir) {
                    return Ok(id);
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(Error::file(Code::WorkspaceUnusable, &file, &e))
        }
        Err(e) => Err(Error::file(Code::WorkspaceUnusable, &file, &e)),
    }
}

/// The id, when this data folder has one already (readers never make one).
pub fn read(data_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(data_dir.join(FILE)).ok()?;
    let id = text.trim();
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_folder_keeps_one_id_and_another_folder_has_its_own() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let first = of(a.path()).unwrap();
        assert_eq!(of(a.path()).unwrap(), first, "kept");
        assert_eq!(read(a.path()), Some(first.clone()));
        assert_ne!(of(b.path()).unwrap(), first);
        assert_eq!(read(&a.path().join("none")), None, "reading makes none");
    }

    #[test]
    fn processes_asking_at_once_agree() {
        let dir = tempfile::tempdir().unwrap();
        let ids: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| of(dir.path()).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
    }
}
