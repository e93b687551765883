//! Operate commands: what runs and the autoscaler's state, scaling, chaos, the load generator
//! (progress over a Channel), the operations log; and the loop that heals the service every
//! second and, when switched on, lets the autoscaler decide. Thin wrappers over
//! `devloop_engine::operate`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use devloop_engine::deploy::replica::LogLine;
use devloop_engine::deploy::service::{ServiceStatus, Slot};
use devloop_engine::operate::autoscale::{DecisionAt, Policy};
use devloop_engine::operate::load::{self, LoadPlan, LoadReport};
use devloop_engine::operate::OperateStatus;
use devloop_engine::store::Store;
use devloop_engine::{Code, Error};
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::blocking;
use crate::AppState;

/// The autoscaler as the app runs it.
#[derive(Debug, Default)]
pub struct Autoscaler {
    pub enabled: bool,
    pub policy: Policy,
    /// The newest decisions that changed something, newest last.
    pub decisions: VecDeque<DecisionAt>,
    last_change_ms: Option<u64>,
}

pub type Shared = Arc<Mutex<Autoscaler>>;

/// Heals every second, and autoscales when on; announces the service's operations from the
/// moment it starts (whoever started it: the Deploy page or a workflow). Runs for the app's life.
pub fn watch(app: tauri::AppHandle, slot: Slot, autoscaler: Shared) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut announced: Option<usize> = None;
        loop {
            tick.tick().await;
            let Some(service) = slot.lock().await.clone() else {
                continue;
            };
            // A service is started once per app; attach the notifications the first time.
            let id = Arc::as_ptr(&service) as usize;
            if announced != Some(id) {
                crate::notify::attach(&app, &service);
                announced = Some(id);
            }
            let _ = service.heal_once().await;
            let (enabled, policy, mut last) = {
                let a = autoscaler.lock().unwrap_or_else(|p| p.into_inner());
                (a.enabled, a.policy.clone(), a.last_change_ms)
            };
            if !enabled {
                continue;
            }
            let before = service.status().await.replicas.len() as u32;
            if let Ok(decision) = service.autoscale_tick(&policy, &mut last).await {
                let mut a = autoscaler.lock().unwrap_or_else(|p| p.into_inner());
                a.last_change_ms = last;
                if decision.replicas != before {
                    a.decisions.push_back(DecisionAt {
                        at_ms: now_ms(),
                        decision,
                    });
                    if a.decisions.len() > 50 {
                        a.decisions.pop_front();
                    }
                }
            }
        }
    });
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[tauri::command]
pub async fn operate_status(state: State<'_, AppState>) -> Result<OperateStatus, Error> {
    let service = crate::deploy::service(&state).await?.status().await;
    let file = state.paths.database_file();
    let ops = blocking(move || Store::open(&file)?.ops(50)).await?;
    let a = state.autoscaler.lock().unwrap_or_else(|p| p.into_inner());
    Ok(OperateStatus {
        service,
        autoscaler: a.enabled,
        policy: a.policy.clone(),
        decisions: a.decisions.iter().rev().cloned().collect(),
        ops,
    })
}

/// Follows replica `id`'s output over `on_lines`; a new call replaces the one before.
#[tauri::command]
pub async fn operate_logs(
    state: State<'_, AppState>,
    id: String,
    on_lines: Channel<Vec<LogLine>>,
) -> Result<(), Error> {
    let service = crate::deploy::service(&state).await?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    // Only one follower at a time: the page shows one replica's output.
    if let Some(previous) = state
        .log_follower
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .replace(tx)
    {
        let _ = previous.send(true);
    }
    tauri::async_runtime::spawn(async move {
        let _ = service
            .follow_logs(
                &id,
                500,
                &|lines| {
                    let _ = on_lines.send(lines);
                },
                rx,
            )
            .await;
    });
    Ok(())
}

#[tauri::command]
pub fn operate_logs_stop(state: State<'_, AppState>) {
    if let Some(tx) = state
        .log_follower
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
    {
        let _ = tx.send(true);
    }
}

#[tauri::command]
pub async fn operate_scale(
    state: State<'_, AppState>,
    replicas: u32,
) -> Result<ServiceStatus, Error> {
    let service = crate::deploy::service(&state).await?;
    service
        .scale(replicas, "by hand, from the Operate page")
        .await?;
    Ok(service.status().await)
}

/// Kills one replica on purpose; the healing loop replaces it within seconds.
#[tauri::command]
pub async fn operate_chaos(state: State<'_, AppState>) -> Result<String, Error> {
    crate::deploy::service(&state).await?.kill_one().await
}

#[tauri::command]
pub fn operate_autoscaler(
    state: State<'_, AppState>,
    enabled: bool,
    policy: Policy,
) -> Result<(), Error> {
    if policy.min == 0
        || policy.min > policy.max
        || policy.max > 8
        || policy.target_rps_per_replica <= 0.0
    {
        return Err(Error::new(
            Code::InvalidInput,
            "the autoscaler needs 1 ≤ min ≤ max ≤ 8 and a target above 0",
        ));
    }
    let mut a = state.autoscaler.lock().unwrap_or_else(|p| p.into_inner());
    a.enabled = enabled;
    a.policy = policy;
    Ok(())
}

/// Simulates peak traffic against the service's stable address; progress over `on_progress`.
#[tauri::command]
pub async fn operate_load(
    state: State<'_, AppState>,
    plan: LoadPlan,
    on_progress: Channel<LoadReport>,
) -> Result<LoadReport, Error> {
    if plan.rps == 0
        || plan.rps > 2000
        || plan.duration_ms > 10 * 60 * 1000
        || plan.concurrency == 0
    {
        return Err(Error::new(
            Code::InvalidInput,
            "choose 1 to 2000 requests a second, at most 10 minutes, and a concurrency above 0",
        ));
    }
    let target = crate::deploy::service(&state).await?.proxy().addr();
    Ok(load::run(target, &plan, &|r| {
        let _ = on_progress.send(r.clone());
    })
    .await)
}
