//! The shell's wiring through Tauri's mock runtime and the real capability files:
//! commands answer with engine data, and nothing outside DevLoop's commands is granted.

use devloop_engine::settings::Paths;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

struct Shell {
    _app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

/// The app as `run` wires it, with settings in a temporary folder and a window called `label`.
fn shell(label: &str) -> Shell {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths {
        config_dir: dir.path().join("config"),
        workspace_override: Some(dir.path().join("DevLoop")),
        default_workspace: dir.path().join("DevLoop"),
        data_dir: dir.path().join("data"),
    };
    let app = crate::builder(mock_builder(), paths)
        .build(tauri::generate_context!())
        .unwrap();
    let window = WebviewWindowBuilder::new(&app, label, Default::default())
        .build()
        .unwrap();
    Shell {
        _app: app,
        window,
        _dir: dir,
    }
}

fn invoke(shell: &Shell, cmd: &str, args: Value) -> Result<Value, Value> {
    invoke_from(shell, "tauri://localhost", cmd, args)
}

fn invoke_from(shell: &Shell, origin: &str, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        &shell.window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: origin.parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

#[test]
fn the_loop_model_crosses_the_bridge_in_order() {
    let shell = shell("main");
    let model = invoke(&shell, "loop_model", json!({})).unwrap();
    assert_eq!(
        model["stages"],
        json!(["plan", "code", "build", "test", "release", "deploy", "operate", "monitor"])
    );
    assert_eq!(model["practices"][1]["manualGate"], "deploy");
}

#[test]
fn a_chosen_language_is_stored_and_reported_as_chosen() {
    let shell = shell("main");
    let settings = invoke(&shell, "settings_set_locale", json!({"locale": "ko"})).unwrap();
    assert_eq!(settings["locale"], "ko");
    assert_eq!(settings["localeSource"], "chosen");
    let again = invoke(&shell, "settings_get", json!({})).unwrap();
    assert_eq!(again["locale"], "ko");
}

#[test]
fn an_unknown_language_is_refused_and_nothing_is_stored() {
    let shell = shell("main");
    let err = invoke(&shell, "settings_set_locale", json!({"locale": "fr"})).unwrap_err();
    assert!(err.to_string().contains("fr"), "{err}");
    let settings = invoke(&shell, "settings_get", json!({})).unwrap();
    assert_eq!(settings["localeSource"], "system");
}

#[test]
fn the_main_window_gets_no_core_or_plugin_permissions() {
    let shell = shell("main");
    for cmd in [
        "plugin:window|close",
        "plugin:event|listen",
        "plugin:path|resolve_directory",
    ] {
        let err = invoke(&shell, cmd, json!({})).unwrap_err();
        assert!(err.to_string().contains("not allowed"), "{cmd}: {err}");
    }
}

#[test]
fn a_window_that_is_not_main_may_call_nothing() {
    let shell = shell("intruder");
    let err = invoke(&shell, "loop_model", json!({})).unwrap_err();
    assert!(err.to_string().contains("not allowed"), "{err}");
}

#[test]
fn remote_pages_may_call_nothing_even_in_the_main_window() {
    let shell = shell("main");
    let err = invoke_from(&shell, "https://example.com", "doctor_report", json!({})).unwrap_err();
    assert!(err.to_string().contains("not allowed"), "{err}");
}

#[test]
fn the_workshop_opens_on_first_use_and_checks_the_real_workspace() {
    let shell = shell("main");
    let overview = invoke(&shell, "workshop_overview", json!({"locale": "ko"})).unwrap();
    assert_eq!(overview["lessons"].as_array().unwrap().len(), 12);
    assert_eq!(overview["title"], "데브옵스 루프 한 바퀴");
    let workspace = std::path::PathBuf::from(overview["workspace"].as_str().unwrap());
    assert!(
        workspace.join(".git").is_dir(),
        "the workspace is a git repository"
    );

    let result = invoke(
        &shell,
        "step_check",
        json!({"lesson": "intro", "step": "workspace"}),
    )
    .unwrap();
    assert_eq!(result["outcome"]["status"], "pass");
    assert!(result["progress"]["passedAt"].is_i64());
}

#[test]
fn only_runnable_blocks_run_and_unknown_lessons_are_refused_with_a_code() {
    let shell = shell("main");
    let err = invoke(
        &shell,
        "block_run",
        json!({"lesson": "intro", "index": 99, "locale": "en"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalidInput", "{err}");
    let err = invoke(
        &shell,
        "step_check",
        json!({"lesson": "../etc", "step": "x"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalidInput", "{err}");
}

#[test]
fn moving_the_workspace_is_refused_while_the_environment_decides_it() {
    let shell = shell("main");
    let err = invoke(
        &shell,
        "settings_set_workspace",
        json!({"path": "/tmp/elsewhere"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalidInput", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("DEVLOOP_WORKSPACE"),
        "{err}"
    );
}

#[test]
fn notifications_are_titled_in_the_learners_language_and_chaos_is_not_one() {
    use devloop_engine::settings::Locale;
    use devloop_engine::store::ops::OpsEvent;
    let op = |kind: &str| OpsEvent {
        at_ms: 0,
        app: "svc".into(),
        kind: devloop_engine::store::ops::OpKind::parse(kind).expect("a known kind"),
        what: None,
        message: "m".into(),
        message_ko: Some("ㅁ".into()),
        millis: None,
        change: None,
        reason: None,
    };
    assert_eq!(
        crate::notify::title(&op("autoscale"), Locale::Ko),
        Some("DevLoop: 레플리카 수 변경")
    );
    assert_eq!(
        crate::notify::title(&op("heal"), Locale::En),
        Some("DevLoop: healed")
    );
    // The learner pressed those buttons: what follows is the news.
    assert_eq!(crate::notify::title(&op("chaos"), Locale::Ko), None);
    assert_eq!(crate::notify::title(&op("load"), Locale::En), None);
}

#[test]
fn a_notification_in_korean_says_the_facts_never_the_english_sentence() {
    use devloop_engine::finding::Finding;
    use devloop_engine::settings::Locale;
    use devloop_engine::store::ops::{OpKind, OpsEvent};
    let scaled = OpsEvent {
        at_ms: 0,
        app: "svc".into(),
        kind: OpKind::Autoscale,
        what: Some(
            Finding::new("opScaled")
                .with("app", "svc")
                .with("version", "0.2.0")
                .with("from", 2)
                .with("to", 3),
        ),
        message: "svc 0.2.0: 2 → 3 replicas (autoscaler: busy)".into(),
        message_ko: None,
        millis: None,
        change: Some(1),
        reason: None,
    };
    assert_eq!(crate::notify::body(&scaled, Locale::Ko), "svc 0.2.0: 2 → 3");
    assert_eq!(crate::notify::body(&scaled, Locale::En), scaled.message);
}

#[test]
fn a_failed_push_run_is_announced_once_with_its_first_red_job() {
    use devloop_engine::pipeline::run::{Result as Outcome, RunEvent};
    use devloop_engine::settings::Locale;
    let seen: std::sync::Arc<std::sync::Mutex<Vec<crate::notify::FailedRun>>> = Default::default();
    let into = std::sync::Arc::clone(&seen);
    let watch = crate::pipeline::failure_watch(
        ".github/workflows/ci.yml".into(),
        7,
        Some(crate::notify::RunFailedListener(std::sync::Arc::new(
            move |r: &crate::notify::FailedRun| into.lock().unwrap().push(r.clone()),
        ))),
    );
    let job = |job: &str, result| RunEvent::JobFinished {
        job: job.into(),
        result,
        millis: 1,
    };
    watch(&[
        job("build", Outcome::Success),
        job("test", Outcome::Failure),
    ]);
    assert!(seen.lock().unwrap().is_empty(), "not before the run ends");
    watch(&[
        job("lint", Outcome::Failure),
        RunEvent::RunFinished {
            result: Outcome::Failure,
            millis: 2,
            problem: None,
        },
    ]);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].job.as_deref(), Some("test"));
    let (title, body) = crate::notify::run_failed_text(&seen[0], Locale::Ko);
    assert_eq!(title, "DevLoop: 푸시 실행 실패");
    assert!(body.contains("test 작업에서 실패"), "{body}");
    let (title, body) = crate::notify::run_failed_text(&seen[0], Locale::En);
    assert_eq!(title, "DevLoop: a push run failed");
    assert_eq!(
        body,
        ".github/workflows/ci.yml run #7 failed at job test. Open the Pipeline page to see why."
    );
}

#[test]
fn a_green_push_run_is_not_announced() {
    use devloop_engine::pipeline::run::{Result as Outcome, RunEvent};
    let called = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&called);
    let watch = crate::pipeline::failure_watch(
        "ci.yml".into(),
        1,
        Some(crate::notify::RunFailedListener(std::sync::Arc::new(
            move |_: &crate::notify::FailedRun| {
                flag.store(true, std::sync::atomic::Ordering::SeqCst)
            },
        ))),
    );
    watch(&[RunEvent::RunFinished {
        result: Outcome::Success,
        millis: 1,
        problem: None,
    }]);
    assert!(!called.load(std::sync::atomic::Ordering::SeqCst));
}

#[test]
fn the_stable_address_may_only_move_to_loopback() {
    let shell = shell("main");
    let err = invoke(
        &shell,
        "deploy_address_set",
        json!({"address": "0.0.0.0:8080"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalidInput", "{err}");
    assert_eq!(err["fix"], "devloop proxy 127.0.0.1:8080", "{err}");
}
