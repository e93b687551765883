//! DevLoop's Tauri shell: wires the engine's operations to commands for the main window.
//!
//! Nothing here decides anything; every command is a thin wrapper over `devloop_engine`,
//! which the `devloop` CLI calls the same way. [`run`] starts the app; [`builder`] is
//! separate so tests can drive the same wiring with Tauri's mock runtime.

mod commands;
mod deploy;
mod guard;
mod monitor;
mod notify;
mod operate;
mod pipeline;
mod plan;
mod refine;
mod release;
mod swarm;
mod terminal;
mod webview;
mod workshop;

use std::sync::Arc;

use parking_lot::Mutex;

use devloop_engine::context::Context;
use devloop_engine::settings::Paths;
use devloop_engine::workshop::learner::Learner;
use devloop_engine::workshop::watch::WatchHandle;
use tauri::{Builder, Manager, Runtime};

/// What every command shares.
#[derive(Debug)]
pub struct AppState {
    /// This DevLoop: its paths, its store, the service and Monitor, as the CLI holds them too.
    pub devloop: Context,
    /// When the process started, for the launch-to-first-paint benchmark.
    pub started: std::time::Instant,
    /// The learner and their pack, opened on first use; emptied when the workspace moves.
    /// An async lock: opening the pack happens under it, on the blocking pool.
    pub learner: tokio::sync::Mutex<Option<Arc<Learner>>>,
    /// The open lesson's workspace watch; replacing it stops the old one.
    pub watch: Mutex<Option<WatchHandle>>,
    /// Starts `on.push` workflows when the learner commits; replaced when the workspace moves.
    pub push_watch: Mutex<Option<devloop_engine::pipeline::push::PushWatch>>,
    /// Where runs started by pushes report (the pipeline page, when it is open).
    pub listener: pipeline::Listener,
    /// Stops the replica log the Operate page follows, when it follows one.
    pub log_follower: Mutex<Option<tokio_util::sync::DropGuard>>,
    /// Tells the learner when a run a push started fails (the window's notifications).
    pub on_push_failed: std::sync::OnceLock<notify::RunFailedListener>,
}

/// The app's wiring, for any runtime (the real window or `tauri::test`'s mock).
pub fn builder<R: Runtime>(builder: Builder<R>, paths: Paths) -> Builder<R> {
    builder
        .manage(AppState {
            devloop: Context::new(paths),
            started: std::time::Instant::now(),
            learner: tokio::sync::Mutex::new(None),
            watch: Mutex::new(None),
            push_watch: Mutex::new(None),
            listener: Default::default(),
            log_follower: Default::default(),
            on_push_failed: Default::default(),
        })
        .register_uri_scheme_protocol(devloop_engine::markdown::ASSET_SCHEME, |ctx, request| {
            workshop::asset(ctx.app_handle(), request.uri())
        })
        .invoke_handler(tauri::generate_handler![
            commands::loop_model,
            commands::settings_get,
            commands::settings_set_locale,
            commands::settings_set_workspace,
            commands::doctor_report,
            commands::first_paint,
            workshop::workshop_overview,
            workshop::lesson_open,
            workshop::lesson_close,
            workshop::step_check,
            workshop::quiz_answer,
            workshop::step_solve,
            workshop::block_run,
            workshop::lesson_reset,
            workshop::workspace_reset,
            workshop::workshop_trust,
            pipeline::pipeline_workflows,
            pipeline::pipeline_run,
            pipeline::pipeline_cancel,
            pipeline::pipeline_runs,
            pipeline::pipeline_subscribe,
            pipeline::pipeline_rerun,
            pipeline::pipeline_shell,
            pipeline::pipeline_detail,
            pipeline::pipeline_log,
            release::release_plan,
            release::release_create,
            release::releases_list,
            deploy::deploy_status,
            deploy::deploy_run,
            deploy::deploy_history,
            deploy::deploy_address_set,
            swarm::swarm_state,
            swarm::swarm_init,
            swarm::swarm_leave,
            monitor::monitor_view,
            monitor::monitor_export,
            monitor::monitor_rules,
            monitor::monitor_rules_set,
            monitor::monitor_probes,
            monitor::monitor_probes_set,
            plan::plan_items,
            plan::plan_add,
            plan::plan_move,
            plan::plan_from_alert,
            plan::plan_from,
            plan::plan_sprints,
            plan::plan_sprint_add,
            plan::plan_item,
            plan::plan_edit,
            plan::plan_sprint_end,
            plan::plan_taught,
            plan::plan_carry,
            refine::retro_view,
            refine::retro_add,
            refine::refine_view,
            refine::loop_state,
            deploy::deploy_mode_set,
            operate::operate_status,
            operate::operate_scale,
            operate::operate_chaos,
            operate::operate_autoscaler,
            operate::operate_load,
            operate::operate_logs,
            operate::operate_logs_stop,
        ])
}

/// Lessons tell learners to type `devloop …`, and "Do it for me" runs the same commands: the
/// CLI that ships beside this binary comes first on the PATH of everything DevLoop starts.
fn put_cli_on_path() {
    let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
    else {
        return;
    };
    if !dir.join("devloop").is_file() {
        return;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let joined = std::env::join_paths(std::iter::once(dir).chain(std::env::split_paths(&path)));
    if let Ok(joined) = joined {
        // Before any thread starts: changing the environment later would race with readers.
        std::env::set_var("PATH", joined);
    }
}

/// Starts DevLoop.
pub fn run() {
    put_cli_on_path();
    let context = tauri::generate_context!();
    // The dev server is the app's origin only in a dev build.
    let dev_url = cfg!(dev)
        .then(|| context.config().build.dev_url.clone())
        .flatten();
    builder(tauri::Builder::default(), Paths::from_env())
        .plugin(guard::plugin(dev_url))
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            webview::tune(app);
            // Every deploy, rollback, scale and heal is announced from the service's first moment.
            let state = app.state::<AppState>();
            tauri::async_runtime::block_on(state.devloop.service().announce_to(notify::announcer(
                app.handle().clone(),
                state.devloop.paths().clone(),
            )));
            // A push run that fails is a red main nobody pressed a button for: say so.
            let _ = state.on_push_failed.set(notify::run_announcer(
                app.handle().clone(),
                state.devloop.paths().clone(),
            ));
            // At start DevLoop takes up the service: what is live is adopted, its leftovers
            // removed, healing begins, and `devloop` in a terminal acts through this app. A
            // failure here (no Docker, a busy port) is shown when a page needs the service.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let state = handle.state::<AppState>();
                let _ = deploy::service(&state).await;
            });
            // Monitoring runs for the app's life; alerts that fire or resolve are announced.
            let on_alert =
                notify::alert_announcer(app.handle().clone(), state.devloop.paths().clone());
            let started = tauri::async_runtime::block_on(async {
                devloop_engine::monitor::collect::Monitor::start(
                    state.devloop.paths().clone(),
                    state.devloop.service().clone(),
                    Some(on_alert),
                )
            });
            state.devloop.watch(started);
            Ok(())
        })
        .run(context)
        .expect("DevLoop could not start its window");
}

#[cfg(test)]
mod tests;
