//! Refine commands: the DORA metrics of the workspace's app, now and week by week; a sprint's
//! retrospective and a note for it; and what each stage of the home loop shows. Thin wrappers
//! over `devloop_engine::plan`.

use devloop_engine::plan::refine::{self, RefineView};
use devloop_engine::plan::retro::{self, Retro};
use devloop_engine::plan::state::{self, LoopState};
use devloop_engine::release;
use devloop_engine::store::now;
use devloop_engine::store::retro::{Note, NoteKind};
use devloop_engine::Error;
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn refine_view(
    state: State<'_, AppState>,
    weeks: i64,
    width: u32,
    dark: bool,
    utc_offset_min: i64,
) -> Result<RefineView, Error> {
    if !(1..=52).contains(&weeks) || !(200..=2000).contains(&width) {
        // The page offers only these; any other is a bug in it.
        return Err(Error::internal(
            "choose 1 to 52 weeks and a chart 200 to 2000 pixels wide",
        ));
    }
    let repo = state.devloop.workspace();
    state
        .devloop
        .store(move |store| {
            refine::view(
                store,
                &repo,
                &release::app_name(&repo),
                now(),
                weeks,
                (width, 160),
                dark,
                utc_offset_min.clamp(-14 * 60, 14 * 60) * 60,
            )
        })
        .await
}

/// Each stage's state for the home loop: the history's and the workspace's parts, what is live
/// (when this app runs the service), and the alerts firing.
#[tauri::command]
pub async fn loop_state(state: State<'_, AppState>) -> Result<LoopState, Error> {
    let repo = state.devloop.workspace();
    let mut now_state = state
        .devloop
        .store(move |store| Ok(state::gather(store, &repo)))
        .await?;
    if let Some(service) = state.devloop.service().current().await {
        let status = service.status().await;
        now_state.live_version = status.version;
        now_state.replicas = status.replicas.len() as u32;
    }
    if let Some(monitor) = state.devloop.monitor() {
        now_state.alerts_firing = monitor
            .board
            .lock()
            .active()
            .iter()
            .filter(|a| {
                matches!(
                    a.state,
                    devloop_engine::monitor::alert::State::Firing { .. }
                )
            })
            .count() as u32;
    }
    Ok(now_state)
}

/// Sprint `sprint`'s retrospective (the running or newest sprint's when none is given).
#[tauri::command]
pub async fn retro_view(state: State<'_, AppState>, sprint: Option<u64>) -> Result<Retro, Error> {
    let repo = state.devloop.workspace();
    state
        .devloop
        .store(move |store| retro::view(store, &repo, &release::app_name(&repo), sprint, now()))
        .await
}

/// A note for sprint `sprint`'s retrospective; an improvement becomes a backlog item.
#[tauri::command]
pub async fn retro_add(
    state: State<'_, AppState>,
    sprint: u64,
    kind: NoteKind,
    text: String,
) -> Result<Note, Error> {
    state
        .devloop
        .store(move |s| s.add_note(sprint, kind, &text, now()))
        .await
}
