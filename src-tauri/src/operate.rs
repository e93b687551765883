//! Operate commands: what runs and the autoscaler's state, scaling, chaos, the load generator
//! (progress over a Channel), the operations log. Thin wrappers over `devloop_engine::operate`;
//! the engine's keeper loop heals and autoscales the hosted service.

use devloop_engine::deploy::replica::LogLine;
use devloop_engine::finding::{Finding, Reason};
use devloop_engine::operate::autoscale::Policy;
use devloop_engine::operate::load::{self, LoadPlan, LoadReport};
use devloop_engine::service::OperateStatus;
use devloop_engine::service::ServiceStatus;
use devloop_engine::{Code, Error};
use tauri::ipc::Channel;
use tauri::State;
use tokio_util::sync::CancellationToken;

use crate::commands::blocking;
use crate::AppState;

#[tauri::command]
pub async fn operate_status(state: State<'_, AppState>) -> Result<OperateStatus, Error> {
    let service = crate::deploy::service(&state).await?;
    let ops = state.devloop.store(|s| s.ops(50)).await?;
    Ok(OperateStatus {
        service: service.status().await,
        autoscaler: service.autoscaler(),
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
    let stop = CancellationToken::new();
    // Only one follower at a time, as the page shows one replica's output: the guard it
    // replaces cancels the one before as it drops.
    *state.log_follower.lock() = Some(stop.clone().drop_guard());
    tauri::async_runtime::spawn(async move {
        let _ = service
            .follow_logs(
                &id,
                500,
                &|lines| {
                    let _ = on_lines.send(lines);
                },
                stop,
            )
            .await;
    });
    Ok(())
}

#[tauri::command]
pub fn operate_logs_stop(state: State<'_, AppState>) {
    // Dropping the guard cancels the follower.
    state.log_follower.lock().take();
}

#[tauri::command]
pub async fn operate_scale(
    state: State<'_, AppState>,
    replicas: u32,
) -> Result<ServiceStatus, Error> {
    let service = crate::deploy::service(&state).await?;
    service
        .scale(
            replicas,
            Reason::new(
                Finding::new("byHandFromPage"),
                "by hand, from the Operate page",
            ),
        )
        .await?;
    Ok(service.status().await)
}

/// Kills one replica on purpose; the healing loop replaces it within seconds.
#[tauri::command]
pub async fn operate_chaos(state: State<'_, AppState>) -> Result<String, Error> {
    crate::deploy::service(&state).await?.kill_one().await
}

#[tauri::command]
pub async fn operate_autoscaler(
    state: State<'_, AppState>,
    enabled: bool,
    policy: Policy,
) -> Result<(), Error> {
    crate::deploy::service(&state)
        .await?
        .set_autoscaler(enabled, policy)
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
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("badLoad")
                .with("rps", 2000)
                .with("minutes", 10),
            "choose 1 to 2000 requests a second, at most 10 minutes, and a concurrency above 0",
        ));
    }
    let service = crate::deploy::service(&state).await?;
    let started = std::time::Instant::now();
    let report = load::run(service.proxy().addr(), &plan, &|r| {
        let _ = on_progress.send(r.clone());
    })
    .await;
    let (db, app, done) = (
        state.devloop.paths().database_file(),
        service.status().await.app,
        report.clone(),
    );
    let millis = started.elapsed().as_millis() as i64;
    blocking(move || load::record(&db, &app, &plan, &done, millis)).await?;
    Ok(report)
}
