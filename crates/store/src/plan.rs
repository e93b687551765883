//! The backlog: items (their id is the `#N` commits mention), where each stands (backlog,
//! sprint, doing, done), and the commits that name them. Moves are checked here, so the board,
//! the CLI and the automatic "done when deployed" all obey the same rules.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Store;
use crate::finding::Finding;
use crate::{Code, Error, Result};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ItemKind")]
#[strum(serialize_all = "camelCase")]
pub enum Kind {
    Feature,
    Bug,
    Chore,
}

impl Kind {
    /// The word the database, the CLI and the UI use.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// `None` for a word that is no kind: never a feature by default.
    pub fn parse(word: &str) -> Option<Kind> {
        word.parse().ok()
    }
}

/// The board's columns, in order.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PlanColumn")]
#[strum(serialize_all = "camelCase")]
pub enum Column {
    Backlog,
    Sprint,
    Doing,
    Done,
}

impl Column {
    fn id(self) -> &'static str {
        self.into()
    }

    /// The column a word names (`backlog`, `sprint`, `doing`, `done`).
    pub fn parse(text: &str) -> Option<Column> {
        text.parse().ok()
    }
}

/// What a new item says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewItem {
    pub kind: Kind,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub estimate: Option<u32>,
    #[serde(default)]
    pub infra: bool,
    /// What raised it (an alert, a failed run, …), shown with it.
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub id: u64,
    pub kind: Kind,
    pub title: String,
    pub description: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<u32>,
    pub column: Column,
    pub infra: bool,
    pub position: f64,
    pub source: String,
    pub created_at: i64,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_at: Option<i64>,
    /// How many commits name it.
    pub commits: u32,
}

/// A commit that names an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ItemCommit {
    pub item: u64,
    pub sha: String,
    pub closes: bool,
    pub committed_at: i64,
}

fn no_item(id: u64) -> Error {
    Error::said(
        Code::InvalidInput,
        Finding::new("noItem").with("id", id),
        format!("there is no item #{id}"),
    )
    .with_fix("devloop plan list")
}

/// The item's title, trimmed, once what it says fits.
fn checked(item: &NewItem) -> Result<&str> {
    let title = item.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("itemTitle").with("max", 200),
            "an item needs a title of 1 to 200 characters",
        ));
    }
    if item.description.len() > 20_000 {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("descriptionTooLong").with("max", "20,000"),
            "a description is at most 20,000 characters; link to a longer text instead",
        ));
    }
    Ok(title)
}

impl Store {
    /// Adds an item at the bottom of the backlog; its number comes back.
    /// Adds `item` at the bottom of the backlog and reads it back as the board shows it.
    pub fn create_item(&self, item: &NewItem, now: i64) -> Result<Item> {
        let id = self.add_item(item, now)?;
        self.item(id)
    }

    pub fn add_item(&self, item: &NewItem, now: i64) -> Result<u64> {
        let title = checked(item)?;
        // The bottom is read in the same statement that writes: SQLite runs it under its write
        // lock, so two terminals adding at once never take the same place.
        self.conn
            .execute(
                "INSERT INTO plan_item (kind, title, description, estimate, infra, position, source, created_at)
                 SELECT ?1, ?2, ?3, ?4, ?5, COALESCE(MAX(position), 0) + 1, ?6, ?7
                 FROM plan_item WHERE state = 'backlog'",
                (
                    item.kind.as_str(),
                    title,
                    &item.description,
                    item.estimate,
                    item.infra,
                    &item.source,
                    now,
                ),
            )
            .map_err(sql)?;
        Ok(self.conn.last_insert_rowid() as u64)
    }

    /// Rewrites item `id`'s kind, title, description, estimate and infrastructure flag (where it
    /// came from and where it stands stay).
    pub fn edit_item(&self, id: u64, item: &NewItem) -> Result<Item> {
        let title = checked(item)?;
        let changed = self
            .conn
            .execute(
                "UPDATE plan_item SET kind = ?2, title = ?3, description = ?4, estimate = ?5, infra = ?6
                 WHERE id = ?1",
                (
                    id as i64,
                    item.kind.as_str(),
                    title,
                    &item.description,
                    item.estimate,
                    item.infra,
                ),
            )
            .map_err(sql)?;
        if changed == 0 {
            return Err(no_item(id));
        }
        self.item(id)
    }

    /// Moves item `id` to `column` at `position` (the board passes a value between its new
    /// neighbours'). Done is stamped with `now`; leaving Done clears it.
    pub fn move_item(&self, id: u64, column: Column, position: f64, now: i64) -> Result<Item> {
        if !position.is_finite() {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("positionNotANumber"),
                "a position is a number",
            ));
        }
        let changed = self
            .conn
            .execute(
                "UPDATE plan_item SET state = ?2, position = ?3,
                   done_at = CASE WHEN ?2 = 'done' THEN COALESCE(done_at, ?4) ELSE NULL END
                 WHERE id = ?1",
                (id as i64, column.id(), position, now),
            )
            .map_err(sql)?;
        if changed == 0 {
            return Err(no_item(id));
        }
        self.item(id)
    }

    /// Moves item `id` to the bottom of `column`, below every other item in it. One statement,
    /// so two processes moving items at once never pick the same place.
    pub fn move_to_bottom(&self, id: u64, column: Column, now: i64) -> Result<Item> {
        let changed = self
            .conn
            .execute(
                "UPDATE plan_item SET state = ?2,
                   position = (SELECT COALESCE(MAX(MAX(position), 0), 0) + 1 FROM plan_item
                               WHERE state = ?2 AND id != ?1),
                   done_at = CASE WHEN ?2 = 'done' THEN COALESCE(done_at, ?3) ELSE NULL END
                 WHERE id = ?1",
                (id as i64, column.id(), now),
            )
            .map_err(sql)?;
        if changed == 0 {
            return Err(no_item(id));
        }
        self.item(id)
    }

    pub fn item(&self, id: u64) -> Result<Item> {
        self.items_where("WHERE id = ?1", [id as i64])?
            .pop()
            .ok_or_else(|| no_item(id))
    }

    /// Every item, by column then position.
    pub fn items(&self) -> Result<Vec<Item>> {
        self.items_where(
            "ORDER BY CASE state WHEN 'backlog' THEN 0 WHEN 'sprint' THEN 1 WHEN 'doing' THEN 2 ELSE 3 END, position",
            [],
        )
    }

    fn items_where<P: rusqlite::Params>(&self, tail: &str, params: P) -> Result<Vec<Item>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT id, kind, title, description, estimate, state, infra, position, source, created_at, done_at,
                   (SELECT COUNT(*) FROM item_commit WHERE item_commit.item = plan_item.id)
                 FROM plan_item {tail}"
            ))
            .map_err(sql)?;
        let rows = stmt
            .query_map(params, |r| {
                Ok(Item {
                    id: r.get::<_, i64>(0)? as u64,
                    kind: super::word(r, 1, "an item kind")?,
                    title: r.get(2)?,
                    description: r.get(3)?,
                    estimate: r.get(4)?,
                    column: super::word(r, 5, "a column")?,
                    infra: r.get(6)?,
                    position: r.get(7)?,
                    source: r.get(8)?,
                    created_at: r.get(9)?,
                    done_at: r.get(10)?,
                    commits: r.get(11)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }

    /// Records that commit `sha` names item `item`; a commit naming an item that does not exist
    /// is ignored (`false`), as GitHub ignores `#999` with no such issue.
    pub fn link_commit(&self, c: &ItemCommit) -> Result<bool> {
        let exists: bool = self
            .conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM plan_item WHERE id = ?1)",
                [c.item as i64],
                |r| r.get(0),
            )
            .map_err(sql)?;
        if exists {
            self.conn
                .execute(
                    "INSERT INTO item_commit (item, sha, closes, committed_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (item, sha) DO UPDATE SET closes = closes OR excluded.closes",
                    (c.item as i64, &c.sha, c.closes, c.committed_at),
                )
                .map_err(sql)?;
        }
        Ok(exists)
    }

    /// The commits that name item `id`, oldest first.
    pub fn item_commits(&self, id: u64) -> Result<Vec<ItemCommit>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT item, sha, closes, committed_at FROM item_commit WHERE item = ?1 ORDER BY committed_at",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([id as i64], |r| {
                Ok(ItemCommit {
                    item: r.get::<_, i64>(0)? as u64,
                    sha: r.get(1)?,
                    closes: r.get(2)?,
                    committed_at: r.get(3)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }
}

/// A sprint: a name and the days it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Sprint {
    pub id: u64,
    pub name: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub starts: i64,
    #[ts(type = "number")]
    pub ends: i64,
}

impl Store {
    /// Starts a sprint of `days` days at `starts`; refused when it would overlap another.
    pub fn add_sprint(&self, name: &str, starts: i64, days: u32) -> Result<Sprint> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("sprintName").with("max", 80),
                "a sprint needs a name of 1 to 80 characters",
            ));
        }
        if !(1..=60).contains(&days) {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("sprintDays")
                    .with("days", days)
                    .with("max", 60),
                format!("{days} days: a sprint lasts 1 to 60 days (most teams choose 7 or 14)"),
            ));
        }
        let ends = starts + i64::from(days) * 86_400;
        // Asking again for the sprint that is running is not an overlap: the lesson's "do it
        // for me" may start one the learner already started.
        if let Some(running) = self
            .current_sprint(starts)?
            .filter(|s| s.name == name && s.starts <= starts)
        {
            return Ok(running);
        }
        if let Some(other) = self
            .sprints()?
            .into_iter()
            .find(|s| s.starts < ends && starts < s.ends)
        {
            return Err(Error::said(Code::InvalidInput, Finding::new("sprintOverlap").with("sprint", &other.name), format!(
                    "it would overlap the sprint \"{}\": start it when that sprint ends, or make it shorter",
                    other.name
                )));
        }
        self.conn
            .execute(
                "INSERT INTO sprint (name, starts, ends) VALUES (?1, ?2, ?3)",
                (name, starts, ends),
            )
            .map_err(sql)?;
        Ok(Sprint {
            id: self.conn.last_insert_rowid() as u64,
            name: name.to_owned(),
            starts,
            ends,
        })
    }

    /// Every sprint, newest first.
    pub fn sprints(&self) -> Result<Vec<Sprint>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, starts, ends FROM sprint ORDER BY starts DESC, id DESC")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Sprint {
                    id: r.get::<_, i64>(0)? as u64,
                    name: r.get(1)?,
                    starts: r.get(2)?,
                    ends: r.get(3)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }

    /// Ends the sprint running at `now` there, early: what is left in it waits for the next
    /// one, and its retrospective can be held.
    pub fn end_sprint(&self, now: i64) -> Result<Sprint> {
        let Some(mut sprint) = self.current_sprint(now)? else {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("noSprintRunning"),
                "no sprint is running: start one on the Plan page",
            )
            .with_fix("devloop plan sprint 'Sprint 1' --days 7"));
        };
        self.conn
            .execute(
                "UPDATE sprint SET ends = ?2 WHERE id = ?1",
                (sprint.id as i64, now),
            )
            .map_err(sql)?;
        sprint.ends = now;
        Ok(sprint)
    }

    /// The sprint running at `now`, if any.
    pub fn current_sprint(&self, now: i64) -> Result<Option<Sprint>> {
        Ok(self
            .sprints()?
            .into_iter()
            .find(|s| s.starts <= now && now < s.ends))
    }
}

fn sql(e: rusqlite::Error) -> Error {
    super::failed("the backlog", &e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bug(title: &str) -> NewItem {
        NewItem {
            kind: Kind::Bug,
            title: title.into(),
            description: String::new(),
            estimate: Some(2),
            infra: false,
            source: String::new(),
        }
    }

    #[test]
    fn items_added_at_once_from_many_processes_each_get_their_own_place() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("devloop.sqlite");
        Store::open(&db).unwrap();
        std::thread::scope(|s| {
            for t in 0..8 {
                let db = &db;
                s.spawn(move || {
                    let store = Store::open(db).unwrap();
                    for i in 0..25 {
                        store.add_item(&bug(&format!("{t}-{i}")), 1).unwrap();
                    }
                });
            }
        });
        let items = Store::open(&db).unwrap().items().unwrap();
        let mut places: Vec<i64> = items.iter().map(|i| i.position as i64).collect();
        places.sort_unstable();
        places.dedup();
        assert_eq!(places.len(), 200, "every item has a place of its own");
    }

    #[test]
    fn a_kind_or_column_this_devloop_does_not_know_is_refused_not_read_as_a_feature() {
        let s = Store::in_memory().unwrap();
        let id = s.add_item(&bug("Flaky probe"), 10).unwrap();
        s.conn
            .execute(
                "UPDATE plan_item SET kind = 'epic' WHERE id = ?1",
                [id as i64],
            )
            .unwrap();
        let refused = s.items().unwrap_err();
        assert!(
            refused.message.contains("`epic` is not an item kind"),
            "{}",
            refused.message
        );
        s.conn
            .execute(
                "UPDATE plan_item SET kind = 'bug', state = 'icebox' WHERE id = ?1",
                [id as i64],
            )
            .unwrap();
        let refused = s.items().unwrap_err();
        assert!(
            refused.message.contains("`icebox` is not a column"),
            "{}",
            refused.message
        );
        assert_eq!(Kind::parse("feature"), Some(Kind::Feature));
        assert_eq!(Kind::parse("Feature"), None);
    }

    #[test]
    fn to_the_bottom_is_below_every_other_item_of_the_column_from_the_cli_and_the_page_alike() {
        let s = Store::in_memory().unwrap();
        let ids: Vec<u64> = (0..4)
            .map(|i| s.add_item(&bug(&format!("item {i}")), 10).unwrap())
            .collect();
        s.move_item(ids[0], Column::Sprint, 2.5, 11).unwrap();
        s.move_item(ids[1], Column::Sprint, -3.0, 11).unwrap();
        let moved = s.move_to_bottom(ids[2], Column::Sprint, 12).unwrap();
        assert_eq!((moved.column, moved.position), (Column::Sprint, 3.5));
        // The bottom item moved to the bottom again stays where it is, below the rest.
        assert_eq!(
            s.move_to_bottom(ids[2], Column::Sprint, 13)
                .unwrap()
                .position,
            3.5
        );
        let done = s.move_to_bottom(ids[3], Column::Done, 14).unwrap();
        assert_eq!((done.position, done.done_at), (1.0, Some(14)));
        assert!(s.move_to_bottom(99, Column::Done, 15).is_err());
    }

    #[test]
    fn items_are_numbered_ordered_moved_and_done_is_stamped() {
        let s = Store::in_memory().unwrap();
        let one = s.add_item(&bug("Health check flaps"), 10).unwrap();
        let two = s.add_item(&bug("Slow search"), 11).unwrap();
        assert_eq!((one, two), (1, 2));
        let moved = s.move_item(two, Column::Doing, 0.5, 20).unwrap();
        assert_eq!((moved.column, moved.done_at), (Column::Doing, None));
        let done = s.move_item(two, Column::Done, 1.0, 30).unwrap();
        assert_eq!(done.done_at, Some(30));
        // Reordering within Done keeps when it was done; leaving Done clears it.
        assert_eq!(
            s.move_item(two, Column::Done, 2.0, 40).unwrap().done_at,
            Some(30)
        );
        assert_eq!(
            s.move_item(two, Column::Sprint, 1.0, 50).unwrap().done_at,
            None
        );
        let columns: Vec<Column> = s.items().unwrap().iter().map(|i| i.column).collect();
        assert_eq!(columns, [Column::Backlog, Column::Sprint]);
    }

    #[test]
    fn an_edit_rewrites_what_the_item_says_and_keeps_where_it_stands() {
        let s = Store::in_memory().unwrap();
        let mut from_alert = bug("ProbeDown on probe.up");
        from_alert.source = "alert ProbeDown".into();
        let id = s.add_item(&from_alert, 10).unwrap();
        s.move_item(id, Column::Doing, 1.0, 20).unwrap();
        let edit = NewItem {
            kind: Kind::Chore,
            title: "  Probe the replica, not the proxy ".into(),
            description: "Seen **twice**.".into(),
            estimate: Some(3),
            infra: true,
            source: String::new(),
        };
        let edited = s.edit_item(id, &edit).unwrap();
        assert_eq!(edited.title, "Probe the replica, not the proxy");
        assert_eq!(
            (edited.kind, edited.estimate, edited.infra, edited.column),
            (Kind::Chore, Some(3), true, Column::Doing)
        );
        assert_eq!(edited.source, "alert ProbeDown", "where it came from stays");
        let blank = NewItem {
            title: " ".into(),
            ..edit.clone()
        };
        assert!(s
            .edit_item(id, &blank)
            .unwrap_err()
            .message
            .contains("title"));
        assert_eq!(
            s.item(id).unwrap().title,
            "Probe the replica, not the proxy",
            "nothing lost"
        );
        assert!(s.edit_item(99, &edit).unwrap_err().message.contains("#99"));
    }

    #[test]
    fn bad_items_and_moves_say_what_is_wrong() {
        let s = Store::in_memory().unwrap();
        assert!(s
            .add_item(&bug("  "), 0)
            .unwrap_err()
            .message
            .contains("title"));
        let long = NewItem {
            description: "x".repeat(20_001),
            ..bug("t")
        };
        assert!(s.add_item(&long, 0).unwrap_err().message.contains("20,000"));
        assert!(s
            .move_item(9, Column::Done, 0.0, 0)
            .unwrap_err()
            .message
            .contains("no item #9"));
        let id = s.add_item(&bug("t"), 0).unwrap();
        assert!(s.move_item(id, Column::Done, f64::NAN, 0).is_err());
    }

    #[test]
    fn sprints_run_for_their_days_and_never_overlap() {
        let s = Store::in_memory().unwrap();
        let day = 86_400;
        let one = s.add_sprint("Sprint 1", 0, 14).unwrap();
        assert_eq!(one.ends, 14 * day);
        assert_eq!(s.current_sprint(13 * day).unwrap(), Some(one.clone()));
        assert_eq!(s.current_sprint(14 * day).unwrap(), None, "it has ended");
        let e = s.add_sprint("Overlap", 10 * day, 7).unwrap_err();
        assert!(
            e.message.contains("overlap the sprint \"Sprint 1\""),
            "{}",
            e.message
        );
        assert!(s.add_sprint("Sprint 2", 14 * day, 0).is_err());
        assert!(s.add_sprint(" ", 14 * day, 7).is_err());
        s.add_sprint("Sprint 2", 14 * day, 7).unwrap();
        assert_eq!(s.sprints().unwrap()[0].name, "Sprint 2", "newest first");
    }

    #[test]
    fn a_sprint_ends_early_once_and_asking_for_the_running_one_again_is_no_overlap() {
        let s = Store::in_memory().unwrap();
        let day = 86_400;
        let one = s.add_sprint("Sprint 1", 0, 14).unwrap();
        assert_eq!(s.add_sprint("Sprint 1", day, 14).unwrap(), one);
        assert!(s.add_sprint("Sprint 9", day, 14).is_err());
        let ended = s.end_sprint(3 * day).unwrap();
        assert_eq!((ended.id, ended.ends), (one.id, 3 * day));
        assert_eq!(s.current_sprint(3 * day).unwrap(), None);
        let again = s.end_sprint(3 * day).unwrap_err();
        assert_eq!(
            again.detail.map(|d| d.code).as_deref(),
            Some("noSprintRunning")
        );
        let two = s.add_sprint("Sprint 2", 3 * day, 7).unwrap();
        assert_eq!(two.starts, 3 * day, "the next starts where it ended");
    }

    #[test]
    fn commits_link_to_items_that_exist_and_closing_sticks() {
        let s = Store::in_memory().unwrap();
        let id = s.add_item(&bug("t"), 0).unwrap();
        let c = |sha: &str, closes| ItemCommit {
            item: id,
            sha: sha.into(),
            closes,
            committed_at: 5,
        };
        assert!(s.link_commit(&c("aaa", true)).unwrap());
        assert!(s.link_commit(&c("aaa", false)).unwrap(), "seen again");
        assert!(!s
            .link_commit(&ItemCommit {
                item: 99,
                ..c("bbb", false)
            })
            .unwrap());
        assert_eq!(s.item_commits(id).unwrap(), [c("aaa", true)]);
        assert_eq!(s.item(id).unwrap().commits, 1, "the board counts it");
    }
}
