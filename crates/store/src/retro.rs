//! Retrospectives: what a sprint's team says went well, what did not, and what to improve. An
//! improvement is also written into the backlog as an item in the same transaction, so none is
//! only written down and forgotten.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::plan::{Kind, NewItem};
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
#[ts(rename = "NoteKind")]
#[strum(serialize_all = "camelCase")]
pub enum NoteKind {
    /// Went well: keep doing it.
    Well,
    /// Did not go well.
    Not,
    /// To improve: becomes a backlog item.
    Improve,
}

impl NoteKind {
    fn id(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: u64,
    pub sprint: u64,
    pub kind: NoteKind,
    pub text: String,
    /// The backlog item an improvement became.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<u64>,
    pub created_at: i64,
}

impl Store {
    /// Adds a note to sprint `sprint`'s retrospective. An improvement becomes a chore at the
    /// bottom of the backlog, saying which retrospective it came from.
    pub fn add_note(&self, sprint: u64, kind: NoteKind, text: &str, now: i64) -> Result<Note> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 200 {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("noteLength").with("max", 200),
                "a retrospective note is 1 to 200 characters: one point each",
            ));
        }
        let Some(s) = self.sprints()?.into_iter().find(|s| s.id == sprint) else {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("noSuchSprint").with("id", sprint),
                format!("there is no sprint {sprint}"),
            )
            .with_fix("devloop plan list"));
        };
        if s.starts > now {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("sprintNotBegun").with("sprint", &s.name),
                format!("\"{}\" has not begun yet", s.name),
            ));
        }
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        let item = match kind {
            NoteKind::Improve => Some(self.add_item(
                &NewItem {
                    kind: Kind::Chore,
                    title: text.to_owned(),
                    description: String::new(),
                    estimate: None,
                    infra: false,
                    source: format!("retrospective of {}", s.name),
                },
                now,
            )?),
            _ => None,
        };
        tx.execute(
            "INSERT INTO retro_note (sprint, kind, text, item, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            (sprint as i64, kind.id(), text, item.map(|i| i as i64), now),
        )
        .map_err(sql)?;
        let id = tx.last_insert_rowid() as u64;
        tx.commit().map_err(sql)?;
        Ok(Note {
            id,
            sprint,
            kind,
            text: text.to_owned(),
            item,
            created_at: now,
        })
    }

    /// Sprint `sprint`'s retrospective, in the order it was said.
    pub fn notes(&self, sprint: u64) -> Result<Vec<Note>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, sprint, kind, text, item, created_at FROM retro_note
                 WHERE sprint = ?1 ORDER BY id",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([sprint as i64], |r| {
                Ok(Note {
                    id: r.get::<_, i64>(0)? as u64,
                    sprint: r.get::<_, i64>(1)? as u64,
                    kind: super::word(r, 2, "a retrospective note's kind")?,
                    text: r.get(3)?,
                    item: r.get::<_, Option<i64>>(4)?.map(|i| i as u64),
                    created_at: r.get(5)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }
}

fn sql(e: rusqlite::Error) -> Error {
    super::failed("the retrospective", &e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Column;

    #[test]
    fn a_note_of_a_kind_this_devloop_does_not_know_is_refused_not_read_as_went_badly() {
        let s = Store::in_memory().unwrap();
        let sprint = s.add_sprint("Sprint 1", 0, 7).unwrap().id;
        s.add_note(sprint, NoteKind::Well, "pairing", 1).unwrap();
        // A newer DevLoop's kind.
        s.conn
            .execute(
                "INSERT INTO retro_note (sprint, kind, text, created_at) VALUES (?1, 'kudos', 'thanks', 2)",
                [sprint as i64],
            )
            .unwrap();
        let refused = s.notes(sprint).unwrap_err();
        assert!(
            refused
                .message
                .contains("`kudos` is not a retrospective note's kind"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn an_improvement_becomes_a_backlog_item_and_the_other_notes_stay_notes() {
        let s = Store::in_memory().unwrap();
        let sprint = s.add_sprint("Sprint 1", 0, 7).unwrap();
        let well = s
            .add_note(sprint.id, NoteKind::Well, " Deploys took one click ", 10)
            .unwrap();
        assert_eq!(
            (well.text.as_str(), well.item),
            ("Deploys took one click", None)
        );
        let improve = s
            .add_note(sprint.id, NoteKind::Improve, "Alert on 404s", 11)
            .unwrap();
        let item = s.item(improve.item.unwrap()).unwrap();
        assert_eq!(
            (
                item.kind,
                item.column,
                item.title.as_str(),
                item.source.as_str()
            ),
            (
                Kind::Chore,
                Column::Backlog,
                "Alert on 404s",
                "retrospective of Sprint 1"
            )
        );
        assert_eq!(s.notes(sprint.id).unwrap(), [well, improve]);
        assert!(s.notes(sprint.id + 1).unwrap().is_empty());
    }

    #[test]
    fn a_bad_note_is_refused_and_leaves_nothing_behind() {
        let s = Store::in_memory().unwrap();
        let sprint = s.add_sprint("Sprint 1", 100, 7).unwrap();
        let early = s.add_note(sprint.id, NoteKind::Well, "x", 50).unwrap_err();
        assert!(early.message.contains("has not begun"), "{}", early.message);
        assert!(s
            .add_note(sprint.id, NoteKind::Improve, "  ", 200)
            .unwrap_err()
            .message
            .contains("1 to 200"));
        assert!(s
            .add_note(9, NoteKind::Improve, "x", 200)
            .unwrap_err()
            .message
            .contains("no sprint 9"));
        assert!(s.items().unwrap().is_empty(), "no item without its note");
        assert!(s.notes(sprint.id).unwrap().is_empty());
    }
}
