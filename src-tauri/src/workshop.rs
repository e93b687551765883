//! Lesson commands: thin wrappers over `devloop_engine::workshop`, plus the live re-check
//! channel and the `devloop-pack://` protocol that serves lesson images from the pack.

use std::path::PathBuf;
use std::sync::Arc;

use devloop_engine::settings::Locale;
use devloop_engine::store::now;
use devloop_engine::workshop::learner::{
    CheckResult, CommandRun, Learner, LessonView, QuizResult, WorkshopOverview,
};
use devloop_engine::workshop::trust::Trust;
use devloop_engine::workshop::watch;
use devloop_engine::Error;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::commands::blocking;
use crate::AppState;

/// The one pack the app teaches for now.
const PACK: &str = "devops-loop";

/// Where the packs are: `DEVLOOP_WORKSHOPS`; in a debug build the source tree, so edits to
/// a lesson show on the next start; else the copy bundled with the app.
fn workshops_dir<R: Runtime>(app: &AppHandle<R>) -> PathBuf {
    if let Some(dir) = std::env::var_os("DEVLOOP_WORKSHOPS") {
        return dir.into();
    }
    let source = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../workshops"));
    if cfg!(debug_assertions) && source.join(PACK).is_dir() {
        return source;
    }
    app.path()
        .resource_dir()
        .map(|dir| dir.join("workshops"))
        .ok()
        .filter(|dir| dir.join(PACK).is_dir())
        .unwrap_or(source)
}

/// The learner, opened on first use: validating the pack and creating the workspace must not
/// hold up the first paint. A failure is returned, not kept: once the learner fixes what the
/// error says (a busy workspace folder, say), the next call tries again.
async fn learner<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> Result<Arc<Learner>, Error> {
    // Held while opening, so two first calls at once open the pack once.
    let mut slot = state.learner.lock().await;
    if let Some(learner) = slot.as_ref() {
        return Ok(Arc::clone(learner));
    }
    let dir = workshops_dir(app).join(PACK);
    let paths = state.devloop.paths().clone();
    let learner =
        tauri::async_runtime::spawn_blocking(move || devloop_engine::workshop::open(&paths, &dir))
            .await
            .map_err(|e| Error::internal(format!("opening the workshop failed: {e}")))??;
    *slot = Some(Arc::clone(&learner));
    // The workspace exists now: pushes to it start `on.push` workflows from here on.
    crate::pipeline::watch_pushes(state);
    Ok(learner)
}

#[tauri::command]
pub async fn workshop_overview<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    locale: Locale,
) -> Result<WorkshopOverview, Error> {
    let l = learner(&app, &state).await?;
    blocking(move || l.overview(locale)).await
}

/// Opens a lesson and starts re-checking its steps whenever the workspace changes; results
/// stream over `on_check` until another lesson is opened.
#[tauri::command]
pub async fn lesson_open<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    lesson: String,
    locale: Locale,
    on_check: Channel<CheckResult>,
) -> Result<LessonView, Error> {
    let l = learner(&app, &state).await?;
    let view = {
        let (l, lesson) = (Arc::clone(&l), lesson.clone());
        blocking(move || l.lesson(&lesson, locale, now())).await?
    };
    let handle = watch::watch(l, lesson, now, move |result| {
        let _ = on_check.send(result);
    })?;
    // Replacing the old handle drops it, which stops the previous lesson's watch.
    *state.watch.lock() = Some(handle);
    Ok(view)
}

/// Stops re-checking: the learner left the lesson, and its checks (which may run commands)
/// run only while it is open.
#[tauri::command]
pub fn lesson_close(state: State<'_, AppState>) {
    state.watch.lock().take();
}

#[tauri::command]
pub async fn step_check<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    lesson: String,
    step: String,
) -> Result<CheckResult, Error> {
    learner(&app, &state)
        .await?
        .check(&lesson, &step, now())
        .await
}

#[tauri::command]
pub async fn quiz_answer<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    lesson: String,
    step: String,
    chosen: Vec<String>,
    locale: Locale,
) -> Result<QuizResult, Error> {
    let l = learner(&app, &state).await?;
    blocking(move || l.answer(&lesson, &step, &chosen, locale, now())).await
}

#[tauri::command]
pub async fn step_solve<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    lesson: String,
    step: String,
) -> Result<CommandRun, Error> {
    learner(&app, &state).await?.solve(&lesson, &step).await
}

#[tauri::command]
pub async fn block_run<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    lesson: String,
    index: usize,
    locale: Locale,
) -> Result<CommandRun, Error> {
    learner(&app, &state)
        .await?
        .run_block(&lesson, index, locale)
        .await
}

#[tauri::command]
pub async fn lesson_reset<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    lesson: String,
) -> Result<(), Error> {
    let l = learner(&app, &state).await?;
    blocking(move || l.reset_lesson(&lesson)).await
}

/// Trusts the pack to run its commands, for the content whose digest the learner was shown
/// with its commands (changed content is refused, to be looked at again).
#[tauri::command]
pub async fn workshop_trust<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    digest: String,
) -> Result<Trust, Error> {
    let l = learner(&app, &state).await?;
    let paths = state.devloop.paths().clone();
    blocking(move || l.grant_trust(&paths, &digest)).await
}

/// Moves the workspace aside (nothing is deleted) and starts it fresh from the demo project.
#[tauri::command]
pub async fn workspace_reset<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Option<String>, Error> {
    let l = learner(&app, &state).await?;
    blocking(move || Ok(l.reset_workspace()?.map(|p| p.display().to_string()))).await
}

/// Serves `devloop-pack://localhost/<lesson>/<path>`: images inside the pack, nothing else.
/// Any other host (`devloop-pack://evil.example/…`) is not the pack, and gets nothing.
pub fn asset<R: Runtime>(
    app: &AppHandle<R>,
    uri: &tauri::http::Uri,
) -> tauri::http::Response<Vec<u8>> {
    let not_found = || {
        tauri::http::Response::builder()
            .status(404)
            .body(Vec::new())
            .unwrap_or_default()
    };
    // `devloop-pack://localhost` on Linux and macOS, `http://devloop-pack.localhost` on Windows.
    if !matches!(uri.host(), Some("localhost" | "devloop-pack.localhost")) {
        return not_found();
    }
    let path = uri.path();
    let state = app.state::<AppState>();
    // Never wait here: while the workshop is still opening, images are simply not there yet.
    let file = state
        .learner
        .try_lock()
        .ok()
        .and_then(|slot| slot.as_ref().and_then(|l| l.asset(path)));
    let mime = |p: &std::path::Path| match p.extension().and_then(|e| e.to_str()) {
        Some("svg") => Some("image/svg+xml"),
        Some("png") => Some("image/png"),
        Some("jpg" | "jpeg") => Some("image/jpeg"),
        Some("gif") => Some("image/gif"),
        Some("webp") => Some("image/webp"),
        _ => None,
    };
    match file.and_then(|f| Some((mime(&f)?, std::fs::read(&f).ok()?))) {
        Some((mime, bytes)) => tauri::http::Response::builder()
            .header("Content-Type", mime)
            // An image, never a document: an SVG opened by itself runs no script, follows no
            // link and loads nothing (`sandbox`), and no type is guessed from the bytes.
            .header(
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            )
            .header("X-Content-Type-Options", "nosniff")
            .body(bytes)
            .unwrap_or_default(),
        None => not_found(),
    }
}
