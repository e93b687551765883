//! Is DevLoop's own data usable: the database, the settings and the alert rules.
//!
//! The database must open, be writable and not have just been found damaged. A learner's
//! progress lives here, so a problem is said before it costs them anything.

use serde::Serialize;
use ts_rs::TS;

use super::Status;
use crate::finding::Finding;
use crate::settings::Paths;
use crate::store::{self, Store};
use crate::{Code, Error};

/// How long a database set aside as damaged is mentioned.
const RECOVERED_FOR_SECS: i64 = 7 * 86_400;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DataCheck {
    pub status: Status,
    /// The data folder.
    pub path: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Error>,
}

pub(super) fn check(paths: &Paths) -> DataCheck {
    let (status, problem) = verdict(paths);
    DataCheck {
        status,
        path: paths.data_dir.display().to_string(),
        problem,
    }
}

/// The worst of what is wrong, first.
fn verdict(paths: &Paths) -> (Status, Option<Error>) {
    let db = paths.database_file();
    let shown = paths.data_dir.display().to_string();
    let store = match Store::open(&db) {
        Ok(s) => s,
        Err(e) => return (Status::Fail, Some(e)),
    };
    if !store.writable() {
        return (
            Status::Fail,
            Some(
                Error::said(
                    Code::Store,
                    Finding::new("dataReadOnly").with("path", &shown),
                    format!("{shown} may not be written: progress and history cannot be saved"),
                )
                .with_fix(format!(
                    "ls -ld {}",
                    shlex::try_quote(&shown).unwrap_or_default()
                )),
            ),
        );
    }
    if let Some(r) = store::recovered(&db).filter(|r| store::now() - r.at < RECOVERED_FOR_SECS) {
        let moved = r.moved_to.display().to_string();
        return (
            Status::Warn,
            Some(Error::said(
                Code::Store,
                Finding::new("databaseRecovered")
                    .with("movedTo", &moved)
                    .with("cause", &r.why),
                format!("the database was damaged ({}); it was moved to {moved} and a fresh one started", r.why),
            )),
        );
    }
    if let Err(e) = paths.load() {
        return (Status::Warn, Some(e));
    }
    if let Err(e) = crate::monitor::rules::load(paths) {
        return (Status::Warn, Some(e));
    }
    (Status::Pass, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::settings::test_paths as paths;

    #[test]
    fn a_damaged_database_is_set_aside_said_and_replaced_and_broken_files_warn() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        assert_eq!(verdict(&p).0, Status::Pass);
        // Truncated mid-file, as a full disk or a killed copy leaves it.
        let db = p.database_file();
        Store::open(&db)
            .unwrap()
            .add_item(
                &crate::store::plan::NewItem {
                    kind: crate::store::plan::Kind::Bug,
                    title: "kept?".into(),
                    description: String::new(),
                    estimate: None,
                    infra: false,
                    source: String::new(),
                },
                1,
            )
            .unwrap();
        let _ = std::fs::remove_file(db.with_extension("sqlite-wal"));
        std::fs::write(&db, b"SQLite format 3\0 and then nothing useful").unwrap();
        let (status, problem) = verdict(&p);
        assert_eq!(status, Status::Warn);
        let problem = problem.unwrap();
        assert_eq!(problem.detail.unwrap().code, "databaseRecovered");
        // The fresh database works, and the damaged one is kept for whoever wants it.
        assert!(Store::open(&db).unwrap().items().unwrap().is_empty());
        let aside = store::recovered(&db).unwrap().moved_to;
        assert!(aside.exists(), "{aside:?}");

        std::fs::remove_file(format!("{}.recovered", db.display())).unwrap();
        std::fs::create_dir_all(&p.config_dir).unwrap();
        std::fs::write(p.config_dir.join("alerts.json"), [0xff, 0xfe, 0x00, 0x01]).unwrap();
        let (status, problem) = verdict(&p);
        assert_eq!(status, Status::Warn, "{problem:?}");
    }
}
