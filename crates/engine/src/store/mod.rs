//! DevLoop's local database (SQLite): learner progress, workflow runs and releases.
//!
//! One file in the app data folder, opened in WAL mode so a crash loses at most the last
//! write and never corrupts what was there. The schema grows by numbered migrations in
//! `migrations.rs`; a database from a newer DevLoop is refused rather than damaged.

pub mod deploys;
pub mod metrics;
mod migrations;
pub mod ops;
pub mod plan;
pub mod progress;
pub mod releases;
pub mod retro;
pub mod runs;

use std::path::Path;

use crate::finding::Finding;
use crate::{Code, Error, Result};

/// The clock the history keeps: unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The same clock in milliseconds, for what happens several times a second.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// An open database. `rusqlite::Connection` is not `Sync`, so callers keep it behind a mutex
/// and use it from the blocking pool.
#[derive(Debug)]
pub struct Store {
    conn: rusqlite::Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| db_error(path, &e.to_string()))?;
        }
        let conn = rusqlite::Connection::open(path).map_err(|e| db_error(path, &e.to_string()))?;
        Self::setup(conn, path)
    }

    /// A private in-memory database, for tests.
    pub fn in_memory() -> Result<Store> {
        let conn = rusqlite::Connection::open_in_memory()
            .map_err(|e| db_error(Path::new(":memory:"), &e.to_string()))?;
        Self::setup(conn, Path::new(":memory:"))
    }

    fn setup(conn: rusqlite::Connection, path: &Path) -> Result<Store> {
        // The wait first: another process may hold the database while this one sets it up.
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .and_then(|_| conn.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|_| conn.pragma_update(None, "foreign_keys", "ON"))
            .map_err(|e| db_error(path, &e.to_string()))?;
        let mut store = Store { conn };
        migrations::apply(&mut store.conn).map_err(|e| db_error(path, &e))?;
        Ok(store)
    }
}

fn db_error(path: &Path, why: &str) -> Error {
    Error::said(
        Code::Store,
        Finding::new("databaseUnusable")
            .with("path", path.display())
            .with("cause", why),
        format!("the database {} cannot be used: {why}", path.display()),
    )
    .with_fix(format!("ls -l {}", path.display()))
}

/// A query that failed: `part` names it for the English log, SQLite's words are the cause.
pub(crate) fn failed(part: &str, e: &rusqlite::Error) -> Error {
    Error::said(
        Code::Store,
        Finding::new("databaseFailed").with("cause", e),
        format!("{part} failed: {e}"),
    )
}
