//! One DevLoop as its callers hold it: where it keeps things, its one store, the running service, Monitor and the runs going; the CLI and the desktop shell both go through it.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use parking_lot::{MappedMutexGuard, Mutex, MutexGuard};

use crate::monitor::collect::Running;
use crate::pipeline::in_flight::InFlight;
use crate::service::host::Slot;
use crate::settings::Paths;
use crate::store::Store;
use crate::{blocking, Code, Result};

/// The open store, and the file it opened.
#[derive(Debug)]
struct Held {
    store: Store,
    file: Option<FileId>,
}

/// Which file is at a path: another DevLoop may set a damaged database aside and make a new
/// one there, and a connection to the old file would then write where nobody reads.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct FileId(u64, u64);

impl FileId {
    fn of(path: &std::path::Path) -> Option<FileId> {
        let m = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(FileId(m.dev(), m.ino()))
        }
        #[cfg(not(unix))]
        {
            // No inode here: the creation time tells a new file from the old.
            let made = m
                .created()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?;
            Some(FileId(made.as_secs(), u64::from(made.subsec_nanos())))
        }
    }
}

/// The store while a caller holds it ([`Context::lock_store`]).
pub type StoreGuard<'a> = MappedMutexGuard<'a, Store>;

/// A DevLoop. Cloning it is cheap, and every clone is the same DevLoop.
#[derive(Debug, Clone)]
pub struct Context(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    paths: Paths,
    /// Opened on first use and kept: a command does not pay for opening and migrating the
    /// database each time. A failed open keeps nothing, so the next call tries again (after
    /// the learner frees the disk, say).
    store: Mutex<Option<Held>>,
    service: Slot,
    monitor: OnceLock<Running>,
    runs: InFlight,
}

impl Context {
    pub fn new(paths: Paths) -> Context {
        Context(Arc::new(Inner {
            paths,
            store: Default::default(),
            service: Slot::default(),
            monitor: OnceLock::new(),
            runs: InFlight::default(),
        }))
    }

    /// The DevLoop of this user, as `DEVLOOP_*` variables and the platform's folders say.
    pub fn from_env() -> Context {
        Context::new(Paths::from_env())
    }

    pub fn paths(&self) -> &Paths {
        &self.0.paths
    }

    /// The learner's project: the workspace in force now (it moves when the learner picks
    /// another folder).
    pub fn workspace(&self) -> PathBuf {
        self.0.paths.current_workspace()
    }

    /// The name the workspace's releases and deploys go by.
    pub fn app(&self) -> String {
        crate::release::app_name(&self.workspace())
    }

    /// `f` with the store, on the blocking pool, so the runtime's threads never wait on disk.
    pub async fn store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let this = self.clone();
        blocking(move || this.store_now(f)).await
    }

    /// `f` with the store, on this thread: for callers already off the runtime (the CLI's
    /// plain commands, or work inside [`blocking`]).
    ///
    /// A store error closes the connection, so the next call opens the database afresh, and
    /// finds and sets aside a damaged one, as a new process would.
    pub fn store_now<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let mut slot = self.open()?;
        let out = f(&slot.as_ref().expect("opened").store);
        if out.as_ref().is_err_and(|e| e.code == Code::Store) {
            *slot = None;
        }
        out
    }

    /// The store, held until the guard drops: for a command that reads and writes in turns
    /// on one thread. Others wait meanwhile, so never hold it across an `.await`.
    pub fn lock_store(&self) -> Result<StoreGuard<'_>> {
        Ok(MutexGuard::map(self.open()?, |s| {
            &mut s.as_mut().expect("opened").store
        }))
    }

    /// The slot with a store open on the file at the database's path now.
    fn open(&self) -> Result<MutexGuard<'_, Option<Held>>> {
        let path = self.0.paths.database_file();
        let mut slot = self.0.store.lock();
        let now = FileId::of(&path);
        if slot
            .as_ref()
            .is_some_and(|h| h.file.is_none() || h.file != now)
        {
            *slot = None;
        }
        if slot.is_none() {
            let store = Store::open(&path)?;
            *slot = Some(Held {
                store,
                file: FileId::of(&path),
            });
        }
        Ok(slot)
    }

    /// The deployed service (the proxy and its replicas), once something has used it.
    pub fn service(&self) -> &Slot {
        &self.0.service
    }

    /// The workflow runs going now, each cancellable by its number.
    pub fn runs(&self) -> &InFlight {
        &self.0.runs
    }

    /// Monitor, once [`Context::watch`] has started it.
    pub fn monitor(&self) -> Option<&Running> {
        self.0.monitor.get()
    }

    /// Keeps `running` as this DevLoop's Monitor; a second one is refused and stops when
    /// dropped, so one DevLoop never collects twice.
    pub fn watch(&self, running: Running) -> bool {
        self.0.monitor.set(running).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clone_shares_one_store_opened_once() {
        let home = tempfile::tempdir().unwrap();
        let ctx = Context::new(crate::settings::test_paths(home.path()));
        let a = ctx.clone();
        a.store_now(|s| s.add_sprint("Sprint 1", 0, 7).map(drop))
            .unwrap();
        // The same connection: what one clone wrote the other reads, and only one database
        // file was made.
        let sprints = ctx.store_now(|s| s.sprints()).unwrap();
        assert_eq!(sprints.len(), 1);
        assert!(Arc::ptr_eq(&a.0, &ctx.0));
        assert!(ctx.0.store.lock().is_some());
    }

    #[test]
    fn a_database_another_devloop_set_aside_is_left_for_the_new_one_at_its_path() {
        let home = tempfile::tempdir().unwrap();
        let paths = crate::settings::test_paths(home.path());
        let ctx = Context::new(paths.clone());
        ctx.store_now(|s| s.add_sprint("Old", 0, 7).map(drop))
            .unwrap();
        // Another process moves the file away and makes a new database where it was.
        let db = paths.database_file();
        let mut aside = db.clone().into_os_string();
        aside.push(".corrupt-1");
        std::fs::rename(&db, &aside).unwrap();
        for wal in ["-wal", "-shm"] {
            let (mut from, mut to) = (db.clone().into_os_string(), aside.clone());
            from.push(wal);
            to.push(wal);
            let _ = std::fs::rename(from, to);
        }
        Store::open(&db).unwrap().add_sprint("New", 0, 7).unwrap();
        // This DevLoop now reads and writes the new file, not the one set aside.
        let names: Vec<String> = ctx
            .store_now(|s| s.sprints())
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["New"]);
    }

    #[test]
    fn a_store_error_closes_the_connection_and_another_error_does_not() {
        let home = tempfile::tempdir().unwrap();
        let ctx = Context::new(crate::settings::test_paths(home.path()));
        let fail = |code| {
            move |_: &Store| -> Result<()> {
                Err(crate::Error::said(
                    code,
                    crate::finding::Finding::new("test"),
                    "failed",
                ))
            }
        };
        assert!(ctx.store_now(fail(Code::InvalidInput)).is_err());
        assert!(ctx.0.store.lock().is_some(), "a refusal keeps it open");
        assert!(ctx.store_now(fail(Code::Store)).is_err());
        assert!(ctx.0.store.lock().is_none(), "opened afresh next time");
    }

    #[test]
    fn a_store_that_cannot_open_is_not_kept_and_the_next_call_tries_again() {
        let home = tempfile::tempdir().unwrap();
        let paths = crate::settings::test_paths(home.path());
        // The data folder is a file: the database cannot be made.
        std::fs::create_dir_all(paths.database_file().parent().unwrap().parent().unwrap()).unwrap();
        std::fs::write(paths.database_file().parent().unwrap(), "not a folder").unwrap();
        let ctx = Context::new(paths.clone());
        assert!(ctx.store_now(|s| s.sprints()).is_err());
        assert!(ctx.0.store.lock().is_none());
        std::fs::remove_file(paths.database_file().parent().unwrap()).unwrap();
        assert_eq!(ctx.store_now(|s| s.sprints()).unwrap().len(), 0);
    }
}
