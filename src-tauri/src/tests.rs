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
    assert_eq!(overview["lessons"].as_array().unwrap().len(), 11);
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
        kind: kind.into(),
        message: "m".into(),
        message_ko: "ㅁ".into(),
        millis: None,
        change: None,
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
fn the_stable_address_may_only_move_to_loopback() {
    let shell = shell("main");
    let err = invoke(
        &shell,
        "deploy_address_set",
        json!({"address": "0.0.0.0:8080"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalidInput", "{err}");
    assert_eq!(err["fix"], "use 127.0.0.1:8080", "{err}");
}
