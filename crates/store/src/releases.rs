//! Release history: every version made, with its image, archive and notes.

use super::Store;
use crate::record::release::ReleaseRecord;
use crate::{Error, Result};

impl Store {
    pub fn record_release(&self, r: &ReleaseRecord) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO release (app, version, sha, image_id, image_bytes, archive, notes, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                (
                    &r.app,
                    &r.version,
                    &r.sha,
                    &r.image_id,
                    r.image_bytes as i64,
                    &r.archive,
                    &r.notes,
                    r.created_at,
                ),
            )
            .map(drop)
            .map_err(sql)
    }

    /// Every release, newest first.
    pub fn releases(&self) -> Result<Vec<ReleaseRecord>> {
        let mut stmt = self
            .conn
            .prepare(
                // Live: the version of the app's newest deploy that went live (a later one that
                // was rolled back left it live).
                "SELECT app, version, sha, image_id, image_bytes, archive, notes, created_at,
                        version IS (SELECT d.version FROM deploy d
                                    WHERE d.app = release.app AND d.status = 'live'
                                    ORDER BY d.id DESC LIMIT 1)
                 FROM release ORDER BY created_at DESC, rowid DESC",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ReleaseRecord {
                    app: r.get(0)?,
                    version: r.get(1)?,
                    sha: r.get(2)?,
                    image_id: r.get(3)?,
                    image_bytes: r.get::<_, i64>(4)? as u64,
                    archive: r.get(5)?,
                    notes: r.get(6)?,
                    created_at: r.get(7)?,
                    live: r.get(8)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }
}

fn sql(e: rusqlite::Error) -> Error {
    super::failed("the release history", &e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::deploy::{DeployStatus, Strategy};

    #[test]
    fn releases_are_kept_newest_first_and_a_version_is_made_once() {
        let s = Store::in_memory().unwrap();
        let r = |v: &str, at: i64| ReleaseRecord {
            app: "svc".into(),
            version: v.into(),
            sha: "abc".into(),
            image_id: "sha256:1".into(),
            image_bytes: 10,
            archive: "/x.tar".into(),
            notes: "# n".into(),
            created_at: at,
            live: false,
        };
        s.record_release(&r("0.1.0", 1)).unwrap();
        s.record_release(&r("0.2.0", 2)).unwrap();
        assert!(
            s.record_release(&r("0.2.0", 3)).is_err(),
            "one record per version"
        );
        let all = s.releases().unwrap();
        assert_eq!(
            all.iter().map(|r| r.version.as_str()).collect::<Vec<_>>(),
            ["0.2.0", "0.1.0"]
        );
        assert!(all.iter().all(|r| !r.live), "nothing deployed yet");

        // 0.1.0 goes live, 0.2.0 fails and is rolled back: 0.1.0 is still the live one.
        let one = s
            .start_deploy("svc", "0.1.0", Strategy::BlueGreen, 2, 10)
            .unwrap();
        s.finish_deploy(one, DeployStatus::Live, "", "", 11)
            .unwrap();
        let two = s
            .start_deploy("svc", "0.2.0", Strategy::BlueGreen, 2, 12)
            .unwrap();
        s.finish_deploy(two, DeployStatus::RolledBack, "health", "", 13)
            .unwrap();
        let live: Vec<_> = s
            .releases()
            .unwrap()
            .into_iter()
            .filter(|r| r.live)
            .map(|r| r.version)
            .collect();
        assert_eq!(live, ["0.1.0"]);
    }
}
