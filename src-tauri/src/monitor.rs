//! Monitor commands: the dashboard for a window (charts as SVG with the values behind them,
//! alerts, the sources' status), exports to PNG and CSV, and the alert rules. Thin wrappers
//! over `devloop_engine::monitor`; the engine's collectors run from the app's start.

use std::sync::Arc;

use devloop_engine::monitor::alert::Rule;
use devloop_engine::monitor::collect::Monitor;
use devloop_engine::monitor::view::{self, MonitorView, Window};
use devloop_engine::{Code, Error};
use tauri::State;

use crate::commands::blocking;
use crate::AppState;

pub(crate) fn monitor(state: &AppState) -> Result<Arc<Monitor>, Error> {
    state
        .devloop
        .monitor()
        .map(|running| Arc::clone(running.monitor()))
        .ok_or_else(|| Error::internal("monitoring has not started in this window"))
}

/// The dashboard for `window`, each chart `width` × `height` pixels.
#[tauri::command]
pub async fn monitor_view(
    state: State<'_, AppState>,
    window: Window,
    width: u32,
    height: u32,
    dark: bool,
    utc_offset_min: i64,
    scraped: Option<String>,
) -> Result<MonitorView, Error> {
    if !(200..=2000).contains(&width) || !(100..=1000).contains(&height) {
        // The page asks for these sizes; any other is a bug in it.
        return Err(Error::internal(
            "a chart is 200 to 2000 pixels wide and 100 to 1000 high",
        ));
    }
    let m = monitor(&state)?;
    let history = state.devloop.store(|s| s.alerts(30)).await?;
    let (replicas, tasks) = match state.devloop.service().current().await {
        Some(s) => {
            let status = s.status().await;
            (status.replicas, status.tasks)
        }
        None => Default::default(),
    };
    blocking(move || {
        let board = m.board.lock();
        let now = devloop_engine::store::now() - 1;
        Ok(MonitorView {
            charts: view::dashboard(
                &board,
                window,
                now,
                (width, height),
                dark,
                utc_offset_min.clamp(-14 * 60, 14 * 60) * 60,
                scraped.as_deref(),
            )?,
            scraped: view::scraped_names(&board),
            replicas,
            tasks,
            markers: board.markers(now - window.seconds(), now),
            active: board.active(),
            history,
            status: m.status.lock().clone(),
        })
    })
    .await
}

/// Writes the dashboard (`png`) or its data (`csv`) for `window` into the exports folder;
/// returns the file's path.
#[tauri::command]
pub async fn monitor_export(
    state: State<'_, AppState>,
    window: Window,
    format: String,
    utc_offset_min: i64,
    titles: Option<std::collections::HashMap<String, String>>,
) -> Result<String, Error> {
    let m = monitor(&state)?;
    let dir = state.devloop.paths().data_dir.join("exports");
    blocking(move || {
        std::fs::create_dir_all(&dir).map_err(|e| Error::file(Code::Store, &dir, &e))?;
        let now = devloop_engine::store::now() - 1;
        let stamp = view::iso(now).replace(':', "-");
        let board = m.board.lock();
        let path = match format.as_str() {
            "png" => {
                let path = dir.join(format!("monitor-{stamp}.png"));
                let offset = utc_offset_min.clamp(-14 * 60, 14 * 60) * 60;
                view::export_png(
                    &board,
                    window,
                    now,
                    offset,
                    &titles.unwrap_or_default(),
                    &path,
                )?;
                path
            }
            "csv" => {
                let path = dir.join(format!("monitor-{stamp}.csv"));
                view::export_csv(&board, window, now, &path)?;
                path
            }
            other => {
                return Err(Error::internal(format!(
                    "`{other}` is not an export format; use png or csv"
                )))
            }
        };
        Ok(path.display().to_string())
    })
    .await
}

#[tauri::command]
pub fn monitor_rules(state: State<'_, AppState>) -> Result<Vec<Rule>, Error> {
    Ok(monitor(&state)?.board.lock().rules())
}

/// Replaces the alert rules; every rule is checked first, and nothing changes on an error.
#[tauri::command]
pub async fn monitor_rules_set(
    state: State<'_, AppState>,
    rules: Vec<Rule>,
) -> Result<Vec<Rule>, Error> {
    let m = monitor(&state)?;
    blocking(move || {
        m.set_rules(rules)?;
        Ok(m.board.lock().rules())
    })
    .await
}

#[tauri::command]
pub fn monitor_probes(state: State<'_, AppState>) -> Vec<String> {
    state
        .devloop
        .paths()
        .load()
        .ok()
        .and_then(|s| s.probes)
        .unwrap_or_default()
}

/// The addresses probed beside the service's own, replacing those before; each is checked.
#[tauri::command]
pub async fn monitor_probes_set(
    state: State<'_, AppState>,
    urls: Vec<String>,
) -> Result<Vec<String>, Error> {
    let paths = state.devloop.paths().clone();
    blocking(move || paths.set_probes(&urls)).await
}
