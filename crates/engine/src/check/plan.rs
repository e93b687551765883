//! Plan checks: what the backlog holds, after linking the workspace's commits to the items
//! they name.

use std::path::Path;

use super::Outcome;
use crate::store::plan::Column;
use crate::store::Store;

pub fn evaluate(
    workspace: &Path,
    database: Option<&Path>,
    in_sprint: bool,
    linked: bool,
    infra: bool,
) -> Outcome {
    let Some(db) = database else {
        return Outcome::error("the backlog is not available here");
    };
    if !db.exists() {
        return Outcome::fail("the backlog is empty: add an item on the Plan page, or `devloop plan add --title \"…\"`");
    }
    let store = match Store::open(db) {
        Ok(s) => s,
        Err(e) => return Outcome::error(e.message),
    };
    let _ = crate::plan::links::scan(workspace, &store, 1000);
    let items = match store.items() {
        Ok(i) => i,
        Err(e) => return Outcome::error(e.message),
    };
    if items.is_empty() {
        return Outcome::fail("the backlog is empty: add an item on the Plan page, or `devloop plan add --title \"…\"`");
    }
    if in_sprint && !items.iter().any(|i| i.column != Column::Backlog) {
        return Outcome::fail("no item is in the sprint yet: move one there on the board, or `devloop plan move N sprint`");
    }
    if infra && !items.iter().any(|i| i.infra) {
        return Outcome::fail("no item is marked as infrastructure work: tick it when you add one, or `devloop plan add --infra --title \"…\"`");
    }
    if linked
        && !items
            .iter()
            .any(|i| store.item_commits(i.id).is_ok_and(|c| !c.is_empty()))
    {
        let n = items[0].id;
        return Outcome::fail(format!(
            "no commit names an item yet: mention it in a commit message, e.g. `git commit -m \"feat: … (#{n})\"`"
        ));
    }
    Outcome::Pass
}
