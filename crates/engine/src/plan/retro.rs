//! A sprint's retrospective beside its figures (the four DORA metrics over the sprint's days,
//! and the sprint before's to compare; what was finished, what is left, what the loop raised
//! meanwhile), and what the last round taught, which the next sprint starts from.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::dora::Dora;
use crate::finding::Finding;
use crate::store::plan::{Column, Item, Sprint};
use crate::store::retro::Note;
use crate::store::Store;
use crate::{Code, Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Retro {
    pub sprint: Sprint,
    pub notes: Vec<Note>,
    /// Over the sprint's days (to now, while it runs).
    pub metrics: Dora,
    /// The sprint before, to compare with.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<(String, Dora)>,
    /// Items finished during the sprint.
    pub done: u32,
    /// Items in the Sprint or Doing column now; only for the newest sprint, since the board
    /// keeps no record of what an earlier sprint had left.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<u32>,
    /// Items the loop raised during the sprint (from alerts, runs, deploys, heals, retros).
    pub raised: u32,
}

/// Sprint `id`'s retrospective, or, with none given, the running sprint's or else the newest
/// that has begun.
pub fn view(store: &Store, repo: &Path, app: &str, id: Option<u64>, now: i64) -> Result<Retro> {
    let sprints = store.sprints()?;
    let begun: Vec<&Sprint> = sprints.iter().filter(|s| s.starts <= now).collect();
    let sprint = match id {
        Some(id) => begun.iter().find(|s| s.id == id).copied().ok_or_else(|| {
            Error::said(
                Code::InvalidInput,
                Finding::new("noSuchSprint").with("id", id),
                format!("sprint {id} does not exist or has not begun"),
            )
            .with_fix("devloop plan list")
        })?,
        None => begun.first().copied().ok_or_else(|| {
            Error::said(
                Code::InvalidInput,
                Finding::new("noSprintYet"),
                "no sprint has begun yet: a retrospective looks back on a sprint, so start one on the Plan page first",
            )
            .with_fix("devloop plan sprint 'Sprint 1' --days 7")
        })?,
    };
    // Newest first, so the one before is the next in the list.
    let before = begun
        .iter()
        .skip_while(|s| s.id != sprint.id)
        .nth(1)
        .map(|s| -> Result<(String, Dora)> {
            Ok((
                s.name.clone(),
                super::history::dora_between(store, repo, app, s.starts, s.ends.min(now))?,
            ))
        })
        .transpose()?;
    let to = sprint.ends.min(now + 1);
    let items = store.items()?;
    // A sprint's end is the next one's start, so an ended sprint stops short of it; a running
    // one takes in this very second, or what just happened would not count yet.
    let running = sprint.ends > now;
    let during = |t: i64| t >= sprint.starts && if running { t <= now } else { t < sprint.ends };
    Ok(Retro {
        notes: store.notes(sprint.id)?,
        metrics: super::history::dora_between(store, repo, app, sprint.starts, to)?,
        before,
        done: items
            .iter()
            .filter(|i| i.done_at.is_some_and(during))
            .count() as u32,
        left: (begun.first().map(|s| s.id) == Some(sprint.id)).then(|| {
            items
                .iter()
                .filter(|i| matches!(i.column, Column::Sprint | Column::Doing))
                .count() as u32
        }),
        raised: items
            .iter()
            .filter(|i| !i.source.is_empty() && during(i.created_at))
            .count() as u32,
        sprint: sprint.clone(),
    })
}

/// What the loop taught that is still waiting: backlog items raised by an alert, a failed run
/// or deploy, a heal or a retrospective, oldest first.
pub fn taught(store: &Store) -> Result<Vec<Item>> {
    let mut items: Vec<Item> = store
        .items()?
        .into_iter()
        .filter(|i| i.column == Column::Backlog && !i.source.is_empty())
        .collect();
    items.sort_by_key(|i| i.id);
    Ok(items)
}

/// Moves what the loop taught into the Sprint column, in the order it was raised; their
/// numbers come back.
pub fn carry(store: &Store, now: i64) -> Result<Vec<u64>> {
    let mut bottom = store
        .items()?
        .iter()
        .filter(|i| i.column == Column::Sprint)
        .map(|i| i.position)
        .fold(0.0, f64::max);
    let mut moved = Vec::new();
    for item in taught(store)? {
        bottom += 1.0;
        store.move_item(item.id, Column::Sprint, bottom, now)?;
        moved.push(item.id);
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::deploy::{DeployStatus, Strategy};
    use crate::store::plan::{Kind, NewItem};
    use crate::store::retro::NoteKind;

    const DAY: i64 = 86_400;

    fn item(title: &str, source: &str) -> NewItem {
        NewItem {
            kind: Kind::Bug,
            title: title.into(),
            description: String::new(),
            estimate: None,
            infra: false,
            source: source.into(),
        }
    }

    #[test]
    fn a_retro_shows_its_sprints_figures_beside_the_one_before() {
        let s = Store::in_memory().unwrap();
        let repo = Path::new("/nowhere");
        assert!(view(&s, repo, "svc", None, 0)
            .unwrap_err()
            .message
            .contains("no sprint has begun"));
        let one = s.add_sprint("Sprint 1", 0, 7).unwrap();
        // Two live deploys in sprint 1, one in sprint 2.
        for at in [DAY, 2 * DAY, 8 * DAY] {
            let d = s
                .start_deploy("svc", "0.1.0", Strategy::Rolling, 1, at)
                .unwrap();
            s.finish_deploy(d, DeployStatus::Live, "", "", at).unwrap();
        }
        let fixed = s
            .add_item(&item("Flapping probe", "alert ProbeDown"), DAY)
            .unwrap();
        s.move_item(fixed, Column::Done, 1.0, 3 * DAY).unwrap();
        s.add_item(&item("Slow page", ""), 2 * DAY).unwrap();
        s.add_note(one.id, NoteKind::Improve, "Alert on 404s", 6 * DAY)
            .unwrap();
        let two = s.add_sprint("Sprint 2", 7 * DAY, 7).unwrap();
        s.add_note(two.id, NoteKind::Well, "Quieter", 9 * DAY)
            .unwrap();

        let r = view(&s, repo, "svc", Some(one.id), 10 * DAY).unwrap();
        assert_eq!(r.sprint.name, "Sprint 1");
        assert_eq!(r.notes.len(), 1);
        assert_eq!(r.metrics.deploys, 2);
        assert!((r.metrics.deploys_per_day - 2.0 / 7.0).abs() < 1e-9);
        assert_eq!(
            (r.done, r.raised),
            (1, 2),
            "the alert's bug and the retro's chore"
        );
        assert_eq!(r.left, None, "an earlier sprint's leftovers are not known");
        assert_eq!(r.before, None);

        // What is done in the very second the running sprint's retrospective is asked for counts.
        let now_done = s.add_item(&item("Just now", ""), 8 * DAY).unwrap();
        s.move_item(now_done, Column::Done, 2.0, 9 * DAY).unwrap();
        assert_eq!(view(&s, repo, "svc", None, 9 * DAY).unwrap().done, 1);
        s.move_item(now_done, Column::Backlog, 2.0, 9 * DAY)
            .unwrap();
        // By default, the running sprint; halfway through, its figures run to now.
        let r = view(&s, repo, "svc", None, 9 * DAY).unwrap();
        assert_eq!(r.sprint.id, two.id);
        assert_eq!(r.left, Some(0));
        assert_eq!(r.metrics.deploys, 1);
        // Two days, to the end of this second.
        assert!((r.metrics.deploys_per_day - 0.5).abs() < 1e-4);
        let (name, before) = r.before.unwrap();
        assert_eq!((name.as_str(), before.deploys), ("Sprint 1", 2));
        assert!(view(&s, repo, "svc", Some(99), 9 * DAY).is_err());
        // A deploy that finished in the very second the retrospective is asked for counts.
        let d = s
            .start_deploy("svc", "0.2.0", Strategy::Rolling, 1, 10 * DAY)
            .unwrap();
        s.finish_deploy(d, DeployStatus::Live, "", "", 10 * DAY)
            .unwrap();
        assert_eq!(
            view(&s, repo, "svc", None, 10 * DAY)
                .unwrap()
                .metrics
                .deploys,
            2
        );
    }

    #[test]
    fn the_next_sprint_starts_from_what_the_loop_raised_and_nothing_else() {
        let s = Store::in_memory().unwrap();
        let sprint = s.add_sprint("Sprint 1", 0, 7).unwrap();
        let from_alert = s
            .add_item(&item("ProbeDown", "alert ProbeDown"), 1)
            .unwrap();
        let plain = s.add_item(&item("Dark mode", ""), 2).unwrap();
        let improve = s
            .add_note(sprint.id, NoteKind::Improve, "Alert on 404s", 3)
            .unwrap()
            .item
            .unwrap();
        let done = s.add_item(&item("Old bug", "run 3 failed"), 4).unwrap();
        s.move_item(done, Column::Done, 1.0, 5).unwrap();
        assert_eq!(
            taught(&s).unwrap().iter().map(|i| i.id).collect::<Vec<_>>(),
            [from_alert, improve]
        );
        assert_eq!(carry(&s, 10).unwrap(), [from_alert, improve]);
        assert_eq!(s.item(improve).unwrap().column, Column::Sprint);
        assert_eq!(s.item(plain).unwrap().column, Column::Backlog);
        assert!(carry(&s, 11).unwrap().is_empty(), "nothing twice");
    }
}
