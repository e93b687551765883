//! Plan commands: the backlog's items, one in full, a new one, an edit, a move on the board,
//! sprints, and what went wrong made into a bug item. Thin wrappers over
//! `devloop_engine::store::plan`, `devloop_engine::plan` and the Monitor's board.

use devloop_engine::finding::Finding;
use devloop_engine::plan::detail::{self, ItemDetail};
use devloop_engine::plan::drafts::{self, Source};
use devloop_engine::plan::retro;
use devloop_engine::release;
use devloop_engine::store::now;
use devloop_engine::store::plan::{Column, Item, NewItem, Sprint};
use devloop_engine::{Code, Error};
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn plan_items(state: State<'_, AppState>) -> Result<Vec<Item>, Error> {
    state.devloop.store(move |s| s.items()).await
}

#[tauri::command]
pub async fn plan_add(state: State<'_, AppState>, item: NewItem) -> Result<Item, Error> {
    state
        .devloop
        .store(move |store| store.create_item(&item, now()))
        .await
}

#[tauri::command]
pub async fn plan_move(
    state: State<'_, AppState>,
    id: u64,
    column: Column,
    position: Option<f64>,
) -> Result<Item, Error> {
    state
        .devloop
        .store(move |store| {
            match position {
                Some(position) => store.move_item(id, column, position, now()),
                // No place asked for: the bottom of the column, as `devloop plan move` does.
                None => store.move_to_bottom(id, column, now()),
            }
        })
        .await
}

/// The active alert `rule` on `series`, as a bug item in the backlog.
#[tauri::command]
pub async fn plan_from_alert(
    state: State<'_, AppState>,
    rule: String,
    series: String,
) -> Result<Item, Error> {
    let monitor = crate::monitor::monitor(&state)?;
    let draft = monitor
        .board
        .lock()
        .plan_draft(&rule, &series)
        .ok_or_else(|| {
            Error::said(
                Code::InvalidInput,
                Finding::new("alertEnded")
                    .with("rule", &rule)
                    .with("series", &series),
                format!("{rule} on {series} is no longer pending or firing"),
            )
        })?;
    state
        .devloop
        .store(move |store| store.create_item(&draft, now()))
        .await
}

/// A failed run, a rolled-back deploy or a heal, as a bug item carrying its context.
#[tauri::command]
pub async fn plan_from(state: State<'_, AppState>, source: Source) -> Result<Item, Error> {
    state
        .devloop
        .store(move |store| {
            let draft = drafts::draft(store, &source)?;
            store.create_item(&draft, now())
        })
        .await
}

/// Every sprint, newest first.
#[tauri::command]
pub async fn plan_sprints(state: State<'_, AppState>) -> Result<Vec<Sprint>, Error> {
    state.devloop.store(move |s| s.sprints()).await
}

/// Starts a sprint of `days` days now.
#[tauri::command]
pub async fn plan_sprint_add(
    state: State<'_, AppState>,
    name: String,
    days: u32,
) -> Result<Sprint, Error> {
    state
        .devloop
        .store(move |s| s.add_sprint(&name, now(), days))
        .await
}

/// Item `id` in full: its description rendered, and what was done about it.
#[tauri::command]
pub async fn plan_item(state: State<'_, AppState>, id: u64) -> Result<ItemDetail, Error> {
    let repo = state.devloop.workspace();
    state
        .devloop
        .store(move |store| detail::detail(store, &repo, &release::app_name(&repo), id))
        .await
}

#[tauri::command]
pub async fn plan_edit(state: State<'_, AppState>, id: u64, item: NewItem) -> Result<Item, Error> {
    state.devloop.store(move |s| s.edit_item(id, &item)).await
}

/// Ends the running sprint now.
#[tauri::command]
pub async fn plan_sprint_end(state: State<'_, AppState>) -> Result<Sprint, Error> {
    state.devloop.store(move |s| s.end_sprint(now())).await
}

/// What the loop raised that still waits in the backlog.
#[tauri::command]
pub async fn plan_taught(state: State<'_, AppState>) -> Result<Vec<Item>, Error> {
    state.devloop.store(retro::taught).await
}

/// Moves what the loop raised into the sprint; their numbers come back.
#[tauri::command]
pub async fn plan_carry(state: State<'_, AppState>) -> Result<Vec<u64>, Error> {
    state.devloop.store(move |s| retro::carry(s, now())).await
}
