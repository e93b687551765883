//! Desktop notifications: every deploy, rollback, scale and heal of the running service is
//! announced, so a learner on another page (or another window) sees production change. Sent
//! from Rust through the notification plugin; the window itself is granted nothing for it.

use std::sync::Arc;

use devloop_engine::monitor::board::AlertEvent;
use devloop_engine::service::OpListener;
use devloop_engine::settings::{self, Locale, Paths};
use devloop_engine::store::ops::OpsEvent;
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

/// The notification's title for an operation in `locale`, or `None` for ones not worth
/// interrupting for.
pub fn title(e: &OpsEvent, locale: Locale) -> Option<&'static str> {
    let ko = locale == Locale::Ko;
    Some(match (e.kind.as_str(), ko) {
        ("deploy", false) => "DevLoop: deployed",
        ("deploy", true) => "DevLoop: 배포됨",
        ("rollback", false) => "DevLoop: rolled back",
        ("rollback", true) => "DevLoop: 롤백됨",
        ("scale" | "autoscale", false) => "DevLoop: scaled",
        ("scale" | "autoscale", true) => "DevLoop: 레플리카 수 변경",
        ("heal", false) => "DevLoop: healed",
        ("heal", true) => "DevLoop: 자가 치유",
        // The learner pressed the button (chaos, a load run): what follows is the news.
        _ => return None,
    })
}

/// The notification's text: the English sentence, or in another language the facts of what
/// happened, which read the same in any language (the UI's catalogs have the sentences;
/// Rust has none but English).
pub fn body(e: &OpsEvent, locale: Locale) -> String {
    if locale == Locale::En {
        return e.message.clone();
    }
    if let Some(ko) = e.message_ko.as_ref().filter(|_| locale == Locale::Ko) {
        // An entry from before `what`, with its own Korean.
        return ko.clone();
    }
    let Some(what) = &e.what else {
        return e.message.clone();
    };
    let fact = |k: &str| what.params.get(k).map(String::as_str).unwrap_or("");
    let app = format!("{} {}", fact("app"), fact("version"));
    match what.code.as_str() {
        "opLive" => format!("{app} · {} · ×{}", fact("strategy"), fact("replicas")),
        "opScaled" => format!("{app}: {} → {}", fact("from"), fact("to")),
        "opHealed" => format!("{} → {} · {} ms", fact("gone"), fact("new"), fact("ms")),
        "opCrashLoopBack" => format!("{app} → {}", fact("good")),
        _ => app.trim().to_owned(),
    }
}

/// What announces the service's operations, in the learner's language at that moment.
pub fn announcer<R: Runtime>(app: AppHandle<R>, paths: Paths) -> OpListener {
    Arc::new(move |e: &OpsEvent| {
        let locale = paths.resolve(settings::system_locale().as_deref()).locale;
        if let Some(title) = title(e, locale) {
            let body = body(e, locale);
            // No notification daemon (a bare Xvfb, CI) is not an error worth more than this.
            let _ = app.notification().builder().title(title).body(body).show();
        }
    })
}

/// What announces alerts that fire or resolve, in the learner's language at that moment.
pub fn alert_announcer<R: Runtime>(
    app: AppHandle<R>,
    paths: Paths,
) -> devloop_engine::monitor::collect::AlertListener {
    Arc::new(move |e: &AlertEvent| {
        let ko = paths.resolve(settings::system_locale().as_deref()).locale == Locale::Ko;
        let title = match (e.state.as_str(), ko) {
            ("firing", false) => format!("DevLoop alert: {}", e.rule),
            ("firing", true) => format!("DevLoop 경보: {}", e.rule),
            (_, false) => format!("DevLoop resolved: {}", e.rule),
            (_, true) => format!("DevLoop 해소: {}", e.rule),
        };
        let _ = app
            .notification()
            .builder()
            .title(title)
            // Facts, not the English sentence: the series and the value that crossed the line.
            .body(match e.value {
                Some(v) => format!(
                    "{}: {}",
                    e.series,
                    devloop_engine::monitor::chart::format_value(v)
                ),
                None => e.series.clone(),
            })
            .show();
    })
}

/// A run a push started that failed: nobody pressed anything, so nobody is watching it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRun {
    /// The workflow file, as the Pipeline page shows it.
    pub file: String,
    pub number: u64,
    /// The first job that failed, when one did (a run can fail before any job starts).
    pub job: Option<String>,
}

/// What announces a failed push run.
#[derive(Clone)]
pub struct RunFailedListener(pub Arc<dyn Fn(&FailedRun) + Send + Sync>);

impl std::fmt::Debug for RunFailedListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RunFailedListener")
    }
}

/// The title and body for `run` in `locale`.
pub fn run_failed_text(run: &FailedRun, locale: Locale) -> (String, String) {
    let ko = locale == Locale::Ko;
    let title = if ko {
        "DevLoop: 푸시 실행 실패"
    } else {
        "DevLoop: a push run failed"
    };
    let body = match (&run.job, ko) {
        (Some(job), false) => format!(
            "{} run #{} failed at job {job}. Open the Pipeline page to see why.",
            run.file, run.number
        ),
        (Some(job), true) => format!(
            "{} 실행 #{}이 {job} 작업에서 실패했습니다. 파이프라인 페이지에서 이유를 보세요.",
            run.file, run.number
        ),
        (None, false) => format!(
            "{} run #{} failed. Open the Pipeline page to see why.",
            run.file, run.number
        ),
        (None, true) => format!(
            "{} 실행 #{}이 실패했습니다. 파이프라인 페이지에서 이유를 보세요.",
            run.file, run.number
        ),
    };
    (title.to_owned(), body)
}

/// What announces failed push runs, in the learner's language at that moment.
pub fn run_announcer<R: Runtime>(app: AppHandle<R>, paths: Paths) -> RunFailedListener {
    RunFailedListener(Arc::new(move |run: &FailedRun| {
        let locale = paths.resolve(settings::system_locale().as_deref()).locale;
        let (title, body) = run_failed_text(run, locale);
        let _ = app.notification().builder().title(title).body(body).show();
    }))
}
