//! The system check against this machine's real Docker daemon, git and disk (`make test` starts dockerd).

use devloop_engine::docker::{Endpoint, Engine, MIN_API_VERSION};
use devloop_engine::doctor::{self, Status};
use devloop_engine::settings::Paths;

fn paths(dir: &std::path::Path) -> Paths {
    Paths {
        config_dir: dir.join("config"),
        workspace_override: Some(dir.join("DevLoop")),
        default_workspace: dir.join("DevLoop"),
        data_dir: dir.join("data"),
    }
}

#[tokio::test]
async fn the_real_daemon_answers_with_a_negotiated_api_version() {
    let endpoint = Endpoint::discover().expect("DOCKER_HOST is usable");
    let engine = Engine::connect(endpoint.clone())
        .await
        .unwrap_or_else(|e| panic!("dockerd must run for this test (make test starts it): {e}"));
    let version = engine.version().await.unwrap();
    assert!(!version.version.is_empty());
    let (major, minor) = version.api_version.split_once('.').unwrap();
    let (min_major, min_minor) = MIN_API_VERSION.split_once('.').unwrap();
    assert!(
        (major.parse::<u32>().unwrap(), minor.parse::<u32>().unwrap())
            >= (min_major.parse().unwrap(), min_minor.parse().unwrap()),
        "negotiated {}",
        version.api_version
    );
    assert_eq!(engine.endpoint(), &endpoint);
}

#[tokio::test]
async fn on_a_ready_machine_every_check_passes_and_the_workspace_is_not_created_by_checking() {
    let dir = tempfile::tempdir().unwrap();
    let report = doctor::run(&paths(dir.path())).await;
    assert_eq!(report.docker.status, Status::Pass, "{:?}", report.docker);
    assert!(report.docker.version.is_some());
    assert_ne!(report.git.status, Status::Fail, "{:?}", report.git);
    assert_eq!(report.workspace.status, Status::Pass);
    assert!(!report.workspace.exists);
    assert!(
        !dir.path().join("DevLoop").exists(),
        "a check never creates the workspace"
    );
    assert!(report.disk.total_bytes > 0);
    assert!(report.passed());
}

#[tokio::test]
async fn the_report_serialises_in_camel_case_for_the_ui() {
    let dir = tempfile::tempdir().unwrap();
    let json = serde_json::to_value(doctor::run(&paths(dir.path())).await).unwrap();
    assert!(
        json["docker"]["version"]["apiVersion"].is_string(),
        "{json}"
    );
    assert!(json["disk"]["freeBytes"].is_u64(), "{json}");
    assert!(json["git"]["libgit2Version"].is_string(), "{json}");
}
