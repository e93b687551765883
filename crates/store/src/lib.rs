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
pub mod reserve;
pub mod retro;
pub mod runs;

use std::path::Path;

use devloop_base::finding::{self, Finding};
use devloop_base::{record, Code, Error, Result};

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

/// Why a database would not open for writing.
enum Fault {
    /// Not a database, or damaged: it is set aside and a fresh one started.
    Corrupt(String),
    /// This user may not write it (a read-only folder or file): it is read as it is.
    ReadOnly(String),
    Other(Error),
}

impl Fault {
    fn of(path: &Path, e: rusqlite::Error) -> Fault {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::NotADatabase | C::DatabaseCorrupt) => Fault::Corrupt(e.to_string()),
            Some(C::ReadOnly | C::CannotOpen | C::PermissionDenied) if path.exists() => {
                Fault::ReadOnly(e.to_string())
            }
            _ => Fault::Other(db_error(path, &e.to_string())),
        }
    }
}

/// The databases this process has checked for damage (once each: the check reads every page).
static CHECKED: parking_lot::Mutex<Vec<std::path::PathBuf>> = parking_lot::Mutex::new(Vec::new());

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// A damaged one is set aside (`devloop.sqlite.corrupt-<time>`, said by [`recovered`]) and
    /// a fresh one started, so DevLoop works again; one this user may not write is opened
    /// read-only, so the history can still be read while writes say why they fail.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            if !dir.is_dir() {
                std::fs::create_dir_all(dir).map_err(|e| db_error(path, &e.to_string()))?;
            }
        }
        match Self::open_writable(path) {
            Ok(store) => {
                if let Some(dir) = path.parent() {
                    reserve::keep(dir);
                }
                Ok(store)
            }
            Err(Fault::Corrupt(why)) => {
                set_aside(path, &why)?;
                Self::open_writable(path).map_err(|f| match f {
                    Fault::Other(e) => e,
                    Fault::Corrupt(why) | Fault::ReadOnly(why) => db_error(path, &why),
                })
            }
            Err(Fault::ReadOnly(_)) => Self::open_read_only(path),
            Err(Fault::Other(e)) => Err(e),
        }
    }

    fn open_writable(path: &Path) -> std::result::Result<Store, Fault> {
        let conn = rusqlite::Connection::open(path).map_err(|e| Fault::of(path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .and_then(|_| conn.pragma_update(None, "journal_mode", "WAL"))
            .map_err(|e| Fault::of(path, e))?;
        let first = {
            let mut checked = CHECKED.lock();
            let first = !checked.iter().any(|c| c == path);
            if first {
                checked.push(path.to_path_buf());
            }
            first
        };
        if first {
            let verdict: String = conn
                .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
                .map_err(|e| Fault::of(path, e))?;
            if verdict != "ok" {
                CHECKED.lock().retain(|c| c != path);
                return Err(Fault::Corrupt(verdict));
            }
        }
        Self::setup(conn, path).map_err(Fault::Other)
    }

    /// The database as it is, for reading: its folder or file may not be written.
    fn open_read_only(path: &Path) -> Result<Store> {
        use rusqlite::OpenFlags as F;
        let flags = F::SQLITE_OPEN_READ_ONLY | F::SQLITE_OPEN_URI | F::SQLITE_OPEN_NO_MUTEX;
        // Read-only WAL needs its shared-memory file; `immutable` reads without it.
        let conn = rusqlite::Connection::open_with_flags(path, flags)
            .and_then(|c| {
                c.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
                Ok(c)
            })
            .or_else(|_| {
                rusqlite::Connection::open_with_flags(
                    format!("file:{}?immutable=1", path.display()),
                    flags,
                )
            })
            .map_err(|e| db_error(path, &e.to_string()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| db_error(path, &e.to_string()))?;
        Ok(Store { conn })
    }

    /// False when the database could only be opened for reading.
    pub fn writable(&self) -> bool {
        !self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true)
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
/// Column `i` as the enum its word names (`what`, as "an item kind").
pub(crate) fn word<T: std::str::FromStr>(
    r: &rusqlite::Row,
    i: usize,
    what: &str,
) -> rusqlite::Result<T> {
    parsed(&r.get::<_, String>(i)?, i, what)
}

/// `text`, read from column `i`, as the enum it names. A word this DevLoop does not know
/// (a newer one wrote it) is refused, rather than read as something it is not.
pub(crate) fn parsed<T: std::str::FromStr>(
    text: &str,
    i: usize,
    what: &str,
) -> rusqlite::Result<T> {
    text.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!(
                "`{text}` is not {what} this DevLoop knows; a newer DevLoop may have written it"
            )
            .into(),
        )
    })
}

pub(crate) fn failed(part: &str, e: &rusqlite::Error) -> Error {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::ReadOnly) => Error::said(
            Code::Store,
            Finding::new("databaseReadOnly"),
            format!("{part} failed: the data folder may not be written, so nothing can be saved"),
        ),
        Some(C::DiskFull) => Error::said(
            Code::DiskLow,
            Finding::new("databaseDiskFull"),
            format!("{part} failed: the disk is full"),
        ),
        _ => Error::said(
            Code::Store,
            Finding::new("databaseFailed").with("cause", e),
            format!("{part} failed: {e}"),
        ),
    }
}

/// Where a damaged database went, and when, kept beside it as `<file>.recovered`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    pub moved_to: std::path::PathBuf,
    pub why: String,
    /// Unix seconds.
    pub at: i64,
}

fn marker(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".recovered");
    name.into()
}

/// Moves a damaged database (and its WAL files) aside, and says so in its marker.
fn set_aside(path: &Path, why: &str) -> Result<()> {
    let at = now();
    let aside = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    let moved_to = aside(&format!(".corrupt-{at}"));
    match std::fs::rename(path, &moved_to) {
        Ok(()) => {}
        // Another DevLoop set it aside a moment ago.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::file(Code::Store, path, &e)),
    }
    for wal in ["-wal", "-shm"] {
        let _ = std::fs::rename(aside(wal), aside(&format!(".corrupt-{at}{wal}")));
    }
    let said = serde_json::json!({"movedTo": moved_to, "why": why, "at": at});
    let _ = std::fs::write(marker(path), said.to_string());
    Ok(())
}

/// The last time the database at `path` was found damaged and set aside, if it was.
pub fn recovered(path: &Path) -> Option<Recovered> {
    let text = std::fs::read_to_string(marker(path)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(Recovered {
        moved_to: v["movedTo"].as_str()?.into(),
        why: v["why"].as_str().unwrap_or_default().to_owned(),
        at: v["at"].as_i64()?,
    })
}
