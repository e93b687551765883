//! Plan checks: what the backlog holds, after linking the workspace's commits to the items
//! they name.

use std::path::Path;

use super::{Finding, Outcome};
use crate::store::plan::{Column, Item, Sprint};
use crate::store::retro::NoteKind;
use crate::store::Store;

/// What a step asks of the backlog; every condition set must hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct Wants {
    pub in_sprint: bool,
    pub linked: bool,
    pub infra: bool,
    pub retro: bool,
    pub next_round: bool,
}

fn empty_backlog() -> Outcome {
    Outcome::found(
        Finding::new("emptyBacklog"),
        "the backlog is empty: add an item on the Plan page, or `devloop plan add --title \"…\"`",
    )
}

pub fn evaluate(workspace: &Path, database: Option<&Path>, wants: Wants) -> Outcome {
    let Wants {
        in_sprint,
        linked,
        infra,
        retro,
        next_round,
    } = wants;
    let Some(db) = database else {
        return Outcome::error("the backlog is not available here");
    };
    if !db.exists() {
        return empty_backlog();
    }
    let store = match Store::open(db) {
        Ok(s) => s,
        Err(e) => return Outcome::error(e.message),
    };
    let _ = crate::backlog::links::scan(workspace, &store, 1000);
    let items = match store.items() {
        Ok(i) => i,
        Err(e) => return Outcome::error(e.message),
    };
    if items.is_empty() {
        return empty_backlog();
    }
    if in_sprint && !items.iter().any(|i| i.column != Column::Backlog) {
        return Outcome::found(
            Finding::new("nothingInSprint").run("devloop plan move 1 sprint"),
            "no item is in the sprint yet: move one there on the board, or `devloop plan move N sprint`",
        );
    }
    if infra && !items.iter().any(|i| i.infra) {
        return Outcome::found(
            Finding::new("noInfraItem"),
            "no item is marked as infrastructure work: tick it when you add one, or `devloop plan add --infra --title \"…\"`",
        );
    }
    if linked
        && !items
            .iter()
            .any(|i| store.item_commits(i.id).is_ok_and(|c| !c.is_empty()))
    {
        let n = items[0].id;
        return Outcome::found(
            Finding::new("noLinkedCommit")
                .with("item", n)
                .run(format!("git commit --allow-empty -m 'chore: start on #{n}'")),
            format!(
                "no commit names an item yet: mention it in a commit message, e.g. `git commit -m \"feat: … (#{n})\"`"
            ),
        );
    }
    if retro || next_round {
        return rounds(&store, &items, next_round);
    }
    Outcome::Pass
}

/// The retrospective, and with `next_round` the round after it (which needs one).
fn rounds(store: &Store, items: &[Item], next_round: bool) -> Outcome {
    let now = crate::store::now();
    let sprints = match store.sprints() {
        Ok(s) => s,
        Err(e) => return Outcome::error(e.message),
    };
    // The sprints whose retrospective says what went well or not, and what to improve,
    // newest first.
    let held: Vec<&Sprint> = sprints
        .iter()
        .filter(|s| {
            store.notes(s.id).is_ok_and(|notes| {
                notes.iter().any(|n| n.kind != NoteKind::Improve)
                    && notes.iter().any(|n| n.kind == NoteKind::Improve)
            })
        })
        .collect();
    let Some(newest) = held.first() else {
        if sprints.is_empty() {
            return Outcome::found(
                Finding::new("noSprint").run("devloop plan sprint 'Sprint 1' --days 7"),
                "no sprint has begun: a retrospective looks back on one. Start it on the Plan page, or `devloop plan sprint \"Sprint 1\" --days 7`",
            );
        }
        return Outcome::found(
            Finding::new("noRetro"),
            "no retrospective yet: on the Refine page, say what went well or not and one thing to improve, or `devloop retro --well \"…\" --improve \"…\"`",
        );
    };
    if !next_round {
        return Outcome::Pass;
    }
    // Some retrospective has a sprint after it that has begun.
    let after = |h: &Sprint| {
        sprints
            .iter()
            .any(|s| s.id != h.id && s.starts >= h.ends.min(now) && s.starts <= now)
    };
    if !held.iter().any(|h| after(h)) {
        return Outcome::found(
            Finding::new("nextRoundNotBegun")
                .with("sprint", &newest.name)
                .run("devloop plan end-sprint && devloop plan sprint 'Sprint 2' --days 7 && devloop plan carry"),
            format!(
                "the next round has not begun: end \"{}\" and start the next sprint from what it taught, on the Plan page or with `devloop plan end-sprint && devloop plan sprint \"Sprint 2\" --days 7 && devloop plan carry`",
                newest.name
            ),
        );
    }
    if !items
        .iter()
        .any(|i| !i.source.is_empty() && i.column != Column::Backlog)
    {
        return Outcome::found(
            Finding::new("nothingCarried").run("devloop plan carry"),
            "nothing the loop raised is in the new sprint: bring in the retrospective's improvements and the incidents' bugs, by ticking \"start from what the loop raised\" as the sprint starts, with \"Bring them into …\" on the Plan page, or `devloop plan carry`",
        );
    }
    Outcome::Pass
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::retro::carry;
    use crate::store::now;

    fn outcome(db: &Path, wants: Wants) -> Outcome {
        evaluate(Path::new("/nowhere"), Some(db), wants)
    }

    fn says(o: Outcome, text: &str) {
        match o {
            Outcome::Fail { hint, .. } => assert!(hint.contains(text), "{hint}"),
            other => panic!("expected a failure saying {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn the_retro_and_the_next_round_are_checked_from_the_backlog() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("devloop.sqlite");
        let store = Store::open(&db).unwrap();
        let (retro, next) = (
            Wants {
                retro: true,
                ..Wants::default()
            },
            Wants {
                next_round: true,
                ..Wants::default()
            },
        );
        let t = now();
        let one = store.add_sprint("Sprint 1", t - 3 * 86_400, 7).unwrap();
        store
            .add_item(
                &crate::store::plan::NewItem {
                    kind: crate::store::plan::Kind::Feature,
                    title: "Dark mode".into(),
                    description: String::new(),
                    estimate: None,
                    infra: false,
                    source: String::new(),
                },
                t,
            )
            .unwrap();
        says(outcome(&db, retro), "no retrospective yet");
        store
            .add_note(one.id, NoteKind::Improve, "Alert on 404s", t)
            .unwrap();
        says(outcome(&db, retro), "no retrospective yet");
        store
            .add_note(one.id, NoteKind::Well, "One-click deploys", t)
            .unwrap();
        assert_eq!(outcome(&db, retro), Outcome::Pass);

        says(outcome(&db, next), "end \"Sprint 1\"");
        store.end_sprint(t - 60).unwrap();
        store.add_sprint("Sprint 2", t - 30, 7).unwrap();
        says(outcome(&db, next), "nothing the loop raised");
        assert_eq!(carry(&store, t).unwrap().len(), 1);
        assert_eq!(outcome(&db, next), Outcome::Pass);
        // A retrospective of the new sprint too: the round after the first still counts.
        let two = store.current_sprint(t).unwrap().unwrap();
        store
            .add_note(two.id, NoteKind::Well, "Quieter", t)
            .unwrap();
        store
            .add_note(two.id, NoteKind::Improve, "Faster tests", t)
            .unwrap();
        assert_eq!(outcome(&db, next), Outcome::Pass);
    }
}
