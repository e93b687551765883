//! Deploy commands: the live service (started on first use: the proxy on its stable address,
//! reconciled with the daemon), a deploy streamed over a Channel, and the deploy history.
//! Thin wrappers over `devloop_engine::deploy`; `devloop deploy` does the same.

use std::sync::Arc;

use devloop_engine::deploy::health::HealthCheck;
use devloop_engine::deploy::rollout::{DeployEvent, Strategy};
use devloop_engine::finding::Finding;
use devloop_engine::record::deploy::Target;
use devloop_engine::service::host;
use devloop_engine::service::{Service, ServiceStatus};
use devloop_engine::settings::{self, Settings};
use devloop_engine::store::deploys::DeployRecord;
use devloop_engine::{Code, Error};
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::blocking;
use crate::AppState;

/// The service, started the first time the Deploy page or a workflow needs it.
pub(crate) async fn service(state: &AppState) -> Result<Arc<Service>, Error> {
    state
        .devloop
        .service()
        .ensure(state.devloop.paths(), &state.devloop.app())
        .await
}

#[tauri::command]
pub async fn deploy_status(state: State<'_, AppState>) -> Result<ServiceStatus, Error> {
    Ok(service(&state).await?.status().await)
}

/// Deploys `version` with `strategy`; progress over `on_event`, what is live at the end as the
/// answer (or the rollback's reason as the error).
#[tauri::command]
pub async fn deploy_run(
    state: State<'_, AppState>,
    version: String,
    strategy: Strategy,
    replicas: u32,
    health: HealthCheck,
    target: Option<Target>,
    on_event: Channel<DeployEvent>,
) -> Result<ServiceStatus, Error> {
    if version.trim().is_empty() {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("chooseRelease"),
            "choose a release to deploy",
        ));
    }
    // Through whichever DevLoop runs the service: this app, or `devloop deploy` in a terminal.
    host::deploy(
        state.devloop.service(),
        state.devloop.paths(),
        &state.devloop.app(),
        &version,
        strategy,
        replicas,
        health,
        target,
        &|e| {
            let _ = on_event.send(e);
        },
    )
    .await
    .map(|(status, _)| status)
}

/// Continuous Deployment on or off; the settings in force come back.
#[tauri::command]
pub async fn deploy_mode_set(state: State<'_, AppState>, on: bool) -> Result<Settings, Error> {
    let paths = state.devloop.paths().clone();
    blocking(move || {
        paths.set_continuous_deployment(on)?;
        Ok(paths.resolve(settings::system_locale().as_deref()))
    })
    .await
}

/// Moves the service's stable address (a loopback one), from the service's next start.
#[tauri::command]
pub async fn deploy_address_set(
    state: State<'_, AppState>,
    address: String,
) -> Result<Settings, Error> {
    let paths = state.devloop.paths().clone();
    blocking(move || {
        paths.set_proxy_address(&address)?;
        Ok(paths.resolve(settings::system_locale().as_deref()))
    })
    .await
}

#[tauri::command]
pub async fn deploy_history(state: State<'_, AppState>) -> Result<Vec<DeployRecord>, Error> {
    state.devloop.store(move |s| s.deploys(50)).await
}
