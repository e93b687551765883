//! Deploys against the real daemon, under load: blue-green and rolling lose no request while
//! 200 requests a second go through the proxy, recreate shows its downtime, and a version that
//! fails its health check is rolled back by itself with nothing left behind. The service is
//! busybox's httpd in an image built FROM scratch; nothing is pulled, and everything the test
//! makes is removed at the end.

mod common;

use common::Leftovers;

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use devloop_engine::deploy::health::HealthCheck;
use devloop_engine::deploy::proxy::Proxy;
use devloop_engine::deploy::replica::{self, Replica};
use devloop_engine::deploy::rollout::{self, Request, Strategy};
use devloop_engine::docker::build::{self, BuildRequest};
use devloop_engine::docker::Engine;
use devloop_engine::operate::load::{self, LoadPlan, LoadReport};
use devloop_engine::release::LABEL_APP;

/// `app:version`: busybox httpd serving `body` at `/`, and `/health` unless `healthy` is off.
async fn image(engine: &Engine, app: &str, version: &str, body: &str, healthy: bool) {
    image_running(engine, app, version, body, healthy, HTTPD).await;
}

const HTTPD: &str = r#"["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]"#;
/// The same server, beside a loop that keeps one core as busy as the replica may.
const BUSY_HTTPD: &str = r#"["/bin/busybox", "sh", "-c", "while :; do :; done & exec /bin/busybox httpd -f -p 8080 -h /www"]"#;

async fn image_running(
    engine: &Engine,
    app: &str,
    version: &str,
    body: &str,
    healthy: bool,
    entrypoint: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("/bin/busybox", dir.path().join("busybox")).unwrap();
    std::fs::create_dir(dir.path().join("www")).unwrap();
    std::fs::write(dir.path().join("www/index.html"), body).unwrap();
    if healthy {
        std::fs::write(dir.path().join("www/health"), "ok\n").unwrap();
    }
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nENTRYPOINT {entrypoint}\n"
        ),
    )
    .unwrap();
    let req = BuildRequest {
        context: dir.path().into(),
        dockerfile: "Dockerfile".into(),
        tags: vec![format!("{app}:{version}")],
        build_args: BTreeMap::new(),
        labels: BTreeMap::from([(LABEL_APP.to_owned(), app.to_owned())]),
    };
    build::build(engine, &req, &|_| {}).await.unwrap();
}

async fn body(proxy: &Proxy) -> String {
    let out = Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "3",
            &format!("http://{}/", proxy.addr()),
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn request(app: &str, version: &str, strategy: Strategy, replicas: u32) -> Request {
    Request {
        app: app.into(),
        version: version.into(),
        strategy,
        replicas,
        health: HealthCheck {
            start_period_ms: 2000,
            ..HealthCheck::default()
        },
        deploy: format!("{version}-{}", strategy.id()),
    }
}

/// Deploys while 200 requests a second go through the proxy; returns what is live and the load.
async fn under_load(
    engine: &Engine,
    proxy: &Proxy,
    live: Vec<Replica>,
    req: Request,
) -> (Result<Vec<Replica>, rollout::Failure>, LoadReport) {
    let target = proxy.addr();
    let plan = LoadPlan {
        path: "/".into(),
        rps: 200,
        duration_ms: 4000,
        concurrency: 64,
        ramp_ms: 0,
    };
    let load = tokio::spawn(async move { load::run(target, &plan, &|_| {}).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let result = rollout::deploy(engine, proxy, live, &req, &|_| {}).await;
    (result, load.await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn deploys_keep_answering_except_recreate_and_a_failing_version_rolls_back() {
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let app = format!("devloop-test-deploy-{}", std::process::id());
    let _cleanup = Leftovers(app.clone());
    image(&engine, &app, "1.0.0", "v1\n", true).await;
    image(&engine, &app, "2.0.0", "v2\n", true).await;
    image(&engine, &app, "3.0.0", "v3\n", false).await;
    let proxy = Proxy::start("127.0.0.1:0".parse().unwrap()).await.unwrap();

    let live = rollout::deploy(
        &engine,
        &proxy,
        Vec::new(),
        &request(&app, "1.0.0", Strategy::BlueGreen, 2),
        &|_| {},
    )
    .await
    .unwrap_or_else(|f| panic!("{} {}", f.reason, f.logs));
    assert_eq!(body(&proxy).await, "v1\n");

    let (result, report) = under_load(
        &engine,
        &proxy,
        live,
        request(&app, "2.0.0", Strategy::BlueGreen, 2),
    )
    .await;
    let live = result.unwrap_or_else(|f| panic!("{}", f.reason));
    assert!(report.sent > 600, "{report:?}");
    assert_eq!(report.failed(), 0, "blue-green lost requests: {report:?}");
    assert_eq!(body(&proxy).await, "v2\n");
    assert!(live.iter().all(|r| r.colour == "green"));

    let (result, report) = under_load(
        &engine,
        &proxy,
        live,
        request(&app, "1.0.0", Strategy::Rolling, 2),
    )
    .await;
    let live = result.unwrap_or_else(|f| panic!("{}", f.reason));
    assert_eq!(report.failed(), 0, "rolling lost requests: {report:?}");
    assert_eq!(body(&proxy).await, "v1\n");

    let (result, report) = under_load(
        &engine,
        &proxy,
        live,
        request(&app, "2.0.0", Strategy::Recreate, 1),
    )
    .await;
    let live = result.unwrap_or_else(|f| panic!("{}", f.reason));
    assert!(
        report.failed() > 0,
        "recreate shows its downtime: {report:?}"
    );
    assert_eq!(body(&proxy).await, "v2\n");

    // 3.0.0 has no /health: it never takes traffic, and nothing of it is left.
    let failure = rollout::deploy(
        &engine,
        &proxy,
        live.clone(),
        &request(&app, "3.0.0", Strategy::BlueGreen, 1),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(
        failure
            .reason
            .contains("3.0.0 failed its health check (/health)"),
        "{}",
        failure.reason
    );
    assert_eq!(failure.live, live);
    assert_eq!(body(&proxy).await, "v2\n");
    let left = replica::list(&engine, &app).await.unwrap();
    assert!(left.iter().all(|r| r.version == "2.0.0"), "{left:?}");
    assert!(left.iter().all(|r| r.running));
}

#[tokio::test(flavor = "multi_thread")]
async fn containers_are_loopback_only_and_a_foreign_container_is_never_removed() {
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let app = format!("devloop-test-replica-{}", std::process::id());
    let _cleanup = Leftovers(app.clone());
    image(&engine, &app, "1.0.0", "v1\n", true).await;
    let spec = replica::Spec {
        app: app.clone(),
        version: "1.0.0".into(),
        image: format!("{app}:1.0.0"),
        colour: "blue".into(),
        deploy: "t".into(),
    };
    let r = replica::start(&engine, &spec).await.unwrap();
    let bound = Command::new("docker")
        .args(["port", &r.id, "8080/tcp"])
        .output()
        .unwrap();
    let bound = String::from_utf8_lossy(&bound.stdout);
    assert!(
        bound.trim().lines().all(|l| l.starts_with("127.0.0.1:")),
        "{bound}"
    );
    let limits = Command::new("docker")
        .args([
            "inspect",
            "--format",
            "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}",
            &r.id,
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&limits.stdout).trim(),
        "268435456 500000000"
    );

    // A container someone else made, from the same image, is left alone.
    let foreign = format!("devloop-test-foreign-{}", std::process::id());
    let made = Command::new("docker")
        .args(["create", "--name", &foreign, &format!("{app}:1.0.0")])
        .output()
        .unwrap();
    assert!(made.status.success());
    let e = replica::remove(&engine, &foreign).await.unwrap_err();
    assert!(
        e.message.contains("was not started by DevLoop"),
        "{}",
        e.message
    );
    let still = Command::new("docker")
        .args(["inspect", &foreign])
        .output()
        .unwrap();
    let _ = Command::new("docker").args(["rm", "-f", &foreign]).output();
    assert!(
        still.status.success(),
        "the foreign container is still there"
    );

    replica::remove(&engine, &r.id).await.unwrap();
    assert!(replica::list(&engine, &app).await.unwrap().is_empty());

    // A missing image is said plainly, before anything is created.
    let e = replica::start(
        &engine,
        &replica::Spec {
            image: format!("{app}:9.9.9"),
            ..spec
        },
    )
    .await
    .unwrap_err();
    assert!(
        e.message.contains("is not on this machine"),
        "{}",
        e.message
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restarted_devloop_adopts_the_live_replicas_and_removes_only_its_own_leftovers() {
    use devloop_engine::service::Service;
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let app = format!("devloop-test-service-{}", std::process::id());
    let _cleanup = Leftovers(app.clone());
    image(&engine, &app, "1.0.0", "v1\n", true).await;
    let home = tempfile::tempdir().unwrap();
    let paths = common::paths(home.path());
    let first = Service::start(
        engine.clone(),
        paths.clone(),
        app.clone(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let status = first
        .deploy(
            "1.0.0",
            Strategy::BlueGreen,
            2,
            HealthCheck::default(),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(status.version.as_deref(), Some("1.0.0"));
    assert_eq!(status.replicas.len(), 2);
    // DevLoop dies (the service is dropped, its containers stay); meanwhile one replica stops,
    // and someone runs the release image by hand.
    drop(first);
    let stopped = &status.replicas[0];
    Command::new("docker")
        .args(["stop", "-t", "1", &stopped.id])
        .output()
        .unwrap();
    let by_hand = format!("devloop-test-by-hand-{}", std::process::id());
    assert!(Command::new("docker")
        .args(["run", "-d", "--name", &by_hand, &format!("{app}:1.0.0")])
        .output()
        .unwrap()
        .status
        .success());

    let second = Service::start(
        engine.clone(),
        paths,
        app.clone(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let now = second.status().await;
    assert_eq!(now.version.as_deref(), Some("1.0.0"));
    // The running one is adopted, the stopped one goes, and one more brings back the two the
    // deploy asked for.
    assert_eq!(now.replicas.len(), 2);
    assert!(now.replicas.iter().any(|r| r.id == status.replicas[1].id));
    assert!(now.replicas.iter().all(|r| r.id != stopped.id));
    assert_eq!(now.removed_at_start, vec![stopped.name.clone()]);
    assert_eq!(body(second.proxy()).await, "v1\n");
    let hand = Command::new("docker")
        .args(["inspect", &by_hand])
        .output()
        .unwrap();
    let _ = Command::new("docker").args(["rm", "-f", &by_hand]).output();
    assert!(
        hand.status.success(),
        "a container DevLoop did not start is left alone"
    );
    let history = devloop_engine::store::Store::open(&home.path().join("data/devloop.sqlite"))
        .unwrap()
        .deploys(10)
        .unwrap();
    assert_eq!(
        history[0].status,
        devloop_engine::record::deploy::DeployStatus::Live
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_replica_is_replaced_and_load_makes_the_autoscaler_add_replicas() {
    use devloop_engine::operate::autoscale::{Metric, Policy};
    use devloop_engine::service::Service;
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let app = format!("devloop-test-operate-{}", std::process::id());
    let _cleanup = Leftovers(app.clone());
    image(&engine, &app, "1.0.0", "v1\n", true).await;
    let home = tempfile::tempdir().unwrap();
    let paths = common::paths(home.path());
    let svc = Service::start(
        engine.clone(),
        paths,
        app.clone(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    // What the app turns into desktop notifications.
    let heard: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let ear = std::sync::Arc::clone(&heard);
    svc.listen(std::sync::Arc::new(move |e| {
        ear.lock().unwrap().push(e.kind.as_str().to_owned())
    }));
    svc.deploy(
        "1.0.0",
        Strategy::BlueGreen,
        2,
        HealthCheck::default(),
        &|_| {},
    )
    .await
    .unwrap();

    // Chaos: a replica dies; the next look replaces it, and requests kept succeeding.
    let killed = svc.kill_one().await.unwrap();
    assert_eq!(
        body(svc.proxy()).await,
        "v1\n",
        "the other replica answers meanwhile"
    );
    let incidents = svc.heal_once().await.unwrap();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].died, killed);
    let now = svc.status().await;
    assert_eq!(now.replicas.len(), 2);
    assert!(now.replicas.iter().all(|r| r.name != killed));

    // Scaling by hand, then the autoscaler under 150 requests a second. The reason names the
    // autoscaler, yet a person scaled: the log's kind comes from who acted, not from words.
    svc.scale(
        1,
        devloop_engine::finding::Reason::new(
            devloop_engine::finding::Finding::new("byHandFromPage"),
            "autoscaler was off, so by hand",
        ),
    )
    .await
    .unwrap();
    assert_eq!(svc.status().await.replicas.len(), 1);
    let policy = Policy {
        min: 1,
        max: 3,
        metric: Metric::Rps,
        target_per_replica: 40.0,
        up_window_ms: 2_000,
        down_window_ms: 60_000,
        cooldown_ms: 1_000,
    };
    svc.set_autoscaler(true, policy).unwrap();
    let target = svc.proxy().addr();
    let load = tokio::spawn(async move {
        let plan = LoadPlan {
            path: "/".into(),
            rps: 150,
            duration_ms: 6_000,
            concurrency: 64,
            ramp_ms: 0,
        };
        load::run(target, &plan, &|_| {}).await
    });
    let mut most = 1;
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(6) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let d = svc
            .autoscale_tick()
            .await
            .unwrap()
            .expect("the autoscaler is on");
        most = most.max(d.replicas);
    }
    let report = load.await.unwrap();
    assert!(most >= 2, "the autoscaler added a replica (most {most})");
    assert_eq!(report.failed(), 0, "scaling up lost nothing: {report:?}");
    let log = devloop_engine::store::Store::open(&home.path().join("data/devloop.sqlite"))
        .unwrap()
        .ops(50)
        .unwrap();
    let kinds: Vec<&str> = log.iter().map(|e| e.kind.as_str()).collect();
    assert!(
        kinds.contains(&"chaos") && kinds.contains(&"heal"),
        "{kinds:?}"
    );
    assert!(
        log.iter().any(|e| e.kind.as_str() == "autoscale"
            && e.message.contains("autoscaler")
            // What happened, for the catalogs: the scale, and under it the autoscaler's
            // reason with its facts.
            && e.what.as_ref().is_some_and(|w| w.code == "opScaled"
                && w.because.as_ref().is_some_and(|b| b.code == "byAutoscaler"
                    && b.because.as_ref().is_some_and(|d| d.code == "scaleBusy")))
            && e.change.is_some_and(|c| c > 0)),
        "{log:#?}"
    );
    assert!(
        log.iter()
            .any(|e| e.kind.as_str() == "scale" && e.message.contains("so by hand")),
        "{log:#?}"
    );
    assert!(!svc.autoscaler().decisions.is_empty());
    let heard = heard.lock().unwrap().clone();
    for kind in ["deploy", "chaos", "heal", "scale", "autoscale"] {
        assert!(
            heard.iter().any(|k| k == kind),
            "{kind} was announced: {heard:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_devloop_killed_mid_deploy_comes_back_to_the_version_that_was_live() {
    use devloop_engine::service::Service;
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let app = format!("devloop-test-killed-{}", std::process::id());
    let _cleanup = Leftovers(app.clone());
    image(&engine, &app, "1.0.0", "v1\n", true).await;
    image(&engine, &app, "2.0.0", "v2\n", true).await;
    let home = tempfile::tempdir().unwrap();
    let paths = common::paths(home.path());
    let first = std::sync::Arc::new(
        Service::start(
            engine.clone(),
            paths.clone(),
            app.clone(),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap(),
    );
    first
        .deploy(
            "1.0.0",
            Strategy::BlueGreen,
            2,
            HealthCheck::default(),
            &|_| {},
        )
        .await
        .unwrap();
    // 2.0.0 starts; DevLoop dies as its first replica comes up (the task is dropped where it
    // stands, as a kill would leave it: nothing cleans up).
    let svc = std::sync::Arc::clone(&first);
    let deploying = tokio::spawn(async move {
        let slow = HealthCheck {
            start_period_ms: 60_000,
            path: "/never".into(),
            ..HealthCheck::default()
        };
        let _ = svc
            .deploy("2.0.0", Strategy::BlueGreen, 2, slow, &|_| {})
            .await;
    });
    let started = std::time::Instant::now();
    // Listed as the service sees them: its own replicas, by its instance id.
    let ours = first.engine().clone();
    while replica::list(&ours, &app)
        .await
        .unwrap()
        .iter()
        .all(|r| r.version != "2.0.0")
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "2.0.0 never started"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    deploying.abort();
    let _ = deploying.await;
    drop(first);

    let again = Service::start(
        engine.clone(),
        paths.clone(),
        app.clone(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let now = again.status().await;
    assert_eq!(now.version.as_deref(), Some("1.0.0"), "{now:?}");
    assert_eq!(now.replicas.len(), 2);
    assert_eq!(body(again.proxy()).await, "v1\n");
    let left = replica::list(&ours, &app).await.unwrap();
    assert!(left.iter().all(|r| r.version == "1.0.0"), "{left:?}");
    let history = devloop_engine::store::Store::open(&paths.database_file())
        .unwrap()
        .deploys(10)
        .unwrap();
    assert_eq!(
        history
            .iter()
            .map(|d| d.status.as_str())
            .collect::<Vec<_>>(),
        ["interrupted", "live"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_container_that_exits_at_once_is_said_with_its_output_and_left_nowhere() {
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let app = format!("devloop-test-exits-{}", std::process::id());
    let _cleanup = Leftovers(app.clone());
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("/bin/busybox", dir.path().join("busybox")).unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT [\"/bin/busybox\", \"sh\", \"-c\", \"echo config file missing >&2; exit 3\"]\n",
    )
    .unwrap();
    let req = BuildRequest {
        context: dir.path().into(),
        dockerfile: "Dockerfile".into(),
        tags: vec![format!("{app}:1.0.0")],
        build_args: BTreeMap::new(),
        labels: BTreeMap::from([(LABEL_APP.to_owned(), app.clone())]),
    };
    build::build(&engine, &req, &|_| {}).await.unwrap();
    let proxy = Proxy::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let failure = rollout::deploy(
        &engine,
        &proxy,
        Vec::new(),
        &request(&app, "1.0.0", Strategy::BlueGreen, 1),
        &|_| {},
    )
    .await
    .unwrap_err();
    // Either it was seen stopped at once, or its health check never answered: both say why.
    assert!(
        failure.reason.contains("stopped as soon as it started")
            || failure.reason.contains("failed its health check"),
        "{}",
        failure.reason
    );
    assert!(
        format!("{}{}", failure.reason, failure.logs).contains("config file missing"),
        "its output is shown: {} / {}",
        failure.reason,
        failure.logs
    );
    assert!(
        replica::list(&engine, &app).await.unwrap().is_empty(),
        "nothing is left behind"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn busy_replicas_make_the_cpu_autoscaler_add_replicas_and_idle_ones_read_near_zero() {
    use devloop_engine::operate::autoscale::{Metric, Policy};
    use devloop_engine::service::Service;
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let app = format!("devloop-test-cpu-{}", std::process::id());
    let _cleanup = Leftovers(app.clone());
    image(&engine, &app, "1.0.0", "idle\n", true).await;
    image_running(&engine, &app, "2.0.0", "busy\n", true, BUSY_HTTPD).await;
    let home = tempfile::tempdir().unwrap();
    let svc = Service::start(
        engine.clone(),
        common::paths(home.path()),
        app.clone(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();

    // Docker's counters, read twice a second apart, as `docker stats` does.
    let percent = |version: &'static str| {
        let (svc, engine) = (&svc, &engine);
        async move {
            svc.deploy(
                version,
                Strategy::Recreate,
                1,
                HealthCheck::default(),
                &|_| {},
            )
            .await
            .unwrap();
            let live = svc.status().await.replicas;
            let mut seen = Default::default();
            assert_eq!(replica::cpu_total(engine, &live, &mut seen).await, None);
            tokio::time::sleep(Duration::from_secs(1)).await;
            replica::cpu_total(engine, &live, &mut seen).await.unwrap()
        }
    };
    let idle = percent("1.0.0").await;
    assert!(idle < 5.0, "an idle httpd uses {idle:.1} % of a core");
    let busy = percent("2.0.0").await;
    // The loop wants a whole core; the replica's limit gives it half.
    assert!(
        (35.0..=60.0).contains(&busy),
        "a spinning replica uses {busy:.1} % of a core"
    );

    svc.set_autoscaler(
        true,
        Policy {
            min: 1,
            max: 2,
            metric: Metric::Cpu,
            target_per_replica: 30.0,
            up_window_ms: 2_000,
            down_window_ms: 60_000,
            cooldown_ms: 1_000,
        },
    )
    .unwrap();
    let started = std::time::Instant::now();
    while svc.status().await.replicas.len() < 2 && started.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        svc.autoscale_tick().await.unwrap();
    }
    assert_eq!(
        svc.status().await.replicas.len(),
        2,
        "{:#?}",
        svc.autoscaler()
    );
    let why = &svc.autoscaler().decisions[0].decision.reason;
    assert!(why.contains("% CPU"), "{why:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slot_follows_the_workspace_app_onto_the_same_address_and_socket() {
    use devloop_engine::service::control::{self, Request};
    use devloop_engine::service::host::Slot;
    let home = tempfile::tempdir().unwrap();
    let paths = common::paths(home.path());
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    paths.set_proxy_address(&free.to_string()).unwrap();
    let (a, b) = (
        format!("devloop-test-slot-a-{}", std::process::id()),
        format!("devloop-test-slot-b-{}", std::process::id()),
    );
    let slot = Slot::default();
    let first = slot.ensure(&paths, &a).await.unwrap();
    assert_eq!(first.proxy().addr(), free, "the address from the settings");
    let asked = control::ask(&paths, &Request::Status, &|_| {})
        .await
        .unwrap()
        .expect("this process answers on the socket");
    assert_eq!(
        (asked.status.app.as_str(), asked.pid),
        (a.as_str(), std::process::id())
    );

    // The socket is its owner's alone, and what is not a request is answered, not obeyed.
    use std::os::unix::fs::PermissionsExt;
    let socket = control::socket(&paths);
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
        let mut raw = tokio::net::UnixStream::connect(&socket).await.unwrap();
        raw.write_all(b"{\"op\": \"rm -rf /\"}\n").await.unwrap();
        let mut answer = String::new();
        tokio::io::BufReader::new(raw)
            .read_line(&mut answer)
            .await
            .unwrap();
        let reply: control::Reply = serde_json::from_str(&answer).unwrap();
        assert!(
            matches!(&reply, control::Reply::Failed(e) if e.message.contains("not a request")),
            "{answer}"
        );
    }

    // The same app again is the same service; another app replaces it on the same address.
    assert!(std::sync::Arc::ptr_eq(
        &first,
        &slot.ensure(&paths, &a).await.unwrap()
    ));
    let second = slot.ensure(&paths, &b).await.unwrap();
    assert!(first.is_closed());
    assert_eq!(second.proxy().addr(), free);
    let asked = control::ask(&paths, &Request::Status, &|_| {})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(asked.status.app, b);

    // A terminal deploying a version of app `a` that is not on this machine is refused before
    // the host switches: `b` goes on serving.
    let refused = control::ask(
        &paths,
        &Request::Deploy {
            app: a.clone(),
            version: "9.9.9".into(),
            strategy: Strategy::BlueGreen,
            replicas: 1,
            health: HealthCheck::default(),
            target: None,
        },
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(
        refused.message.contains("is not on this machine"),
        "{}",
        refused.message
    );
    let asked = control::ask(&paths, &Request::Status, &|_| {})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(asked.status.app, b);
    assert!(!second.is_closed());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deploy_of_the_release_that_fixes_an_item_moves_it_to_done() {
    use devloop_engine::service::Service;
    use devloop_engine::store::plan::Column;
    use devloop_engine::store::Store;
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let app = format!("devloop-test-plan-{}", std::process::id());
    let _cleanup = Leftovers(app.clone());
    let home = tempfile::tempdir().unwrap();
    let paths = common::paths(home.path());
    // The workspace: "fix #1" is in 1.0.0.
    let (one, two) = common::two_fixes(&paths, &[], "v1.0.0");
    let store = Store::open(&paths.database_file()).unwrap();

    image(&engine, &app, "1.0.0", "v1\n", true).await;
    let svc = Service::start(
        engine,
        paths.clone(),
        app.clone(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    svc.deploy(
        "1.0.0",
        Strategy::Rolling,
        1,
        HealthCheck::default(),
        &|_| {},
    )
    .await
    .unwrap();
    let items = store.items().unwrap();
    let column = |id| items.iter().find(|i| i.id == id).unwrap().column;
    assert_eq!(column(one), Column::Done, "its fix went live");
    assert_ne!(column(two), Column::Done, "its fix is not released yet");
    let ops = store.ops(10).unwrap();
    assert!(
        ops.iter()
            .any(|e| e.kind.as_str() == "plan" && e.message.starts_with("#1 is done")),
        "{ops:#?}"
    );
}

/// Two DevLoops (two data folders) on one daemon, serving an app of the same name: neither
/// adopts, heals away or removes the other's replicas, and a lesson check counts only its own.
#[tokio::test(flavor = "multi_thread")]
async fn two_devloops_on_one_daemon_never_touch_each_others_replicas() {
    use devloop_engine::service::Service;
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let app = format!("devloop-test-two-{}", std::process::id());
    let _cleanup = Leftovers(app.clone());
    image(&engine, &app, "1.0.0", "v1\n", true).await;
    let (home_a, home_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let start = |home: &tempfile::TempDir| {
        Service::start(
            engine.clone(),
            common::paths(home.path()),
            app.clone(),
            "127.0.0.1:0".parse().unwrap(),
        )
    };
    let a = start(&home_a).await.unwrap();
    a.deploy(
        "1.0.0",
        Strategy::Rolling,
        2,
        HealthCheck::default(),
        &|_| {},
    )
    .await
    .unwrap();
    let ids = |s: &devloop_engine::service::ServiceStatus| {
        s.replicas.iter().map(|r| r.id.clone()).collect::<Vec<_>>()
    };
    let a_ids = ids(&a.status().await);

    // B starts beside it: nothing of A's is adopted, and nothing of A's is a leftover to it.
    let b = start(&home_b).await.unwrap();
    let b_start = b.status().await;
    assert!(b_start.replicas.is_empty(), "{b_start:?}");
    assert!(b_start.removed_at_start.is_empty(), "{b_start:?}");
    b.deploy(
        "1.0.0",
        Strategy::Rolling,
        1,
        HealthCheck::default(),
        &|_| {},
    )
    .await
    .unwrap();
    let b_ids = ids(&b.status().await);
    assert!(b_ids.iter().all(|id| !a_ids.contains(id)), "B made its own");

    // A looks after its service: B's replica, running or stopped, is not A's to heal or remove.
    assert!(a.heal_once().await.unwrap().is_empty());
    Command::new("docker")
        .args(["stop", "-t", "1", &b_ids[0]])
        .output()
        .unwrap();
    assert!(a.heal_once().await.unwrap().is_empty());
    let state = |id: &str| {
        let out = Command::new("docker")
            .args(["inspect", "-f", "{{.State.Status}}", id])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    assert_eq!(state(&b_ids[0]), "exited", "left for B to heal");
    assert_eq!(ids(&a.status().await), a_ids);
    assert!(a_ids.iter().all(|id| state(id) == "running"));
    // B heals its own.
    assert_eq!(b.heal_once().await.unwrap().len(), 1);
    // Neither may remove the other's by id either.
    let b_now = ids(&b.status().await);
    assert!(replica::remove(a.engine(), &b_now[0]).await.is_err());
    assert!(replica::remove(b.engine(), &a_ids[0]).await.is_err());
    assert_eq!(state(&b_now[0]), "running");
}

/// A version that passes its health check and dies a few seconds later is replaced a bounded
/// number of times, then the service goes back to the last version that went live, saying so.
#[tokio::test(flavor = "multi_thread")]
async fn a_crash_looping_version_is_rolled_back_to_the_last_good_one() {
    use devloop_engine::service::host::Slot;
    use devloop_engine::service::Service;
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let app = format!("devloop-test-loop-{}", std::process::id());
    let _cleanup = Leftovers(app.clone());
    image(&engine, &app, "1.0.0", "v1\n", true).await;
    // Serves, then exits 3 s later: healthy at first, every time.
    let dying =
        r#"["/bin/busybox", "sh", "-c", "/bin/busybox httpd -p 8080 -h /www; sleep 3; exit 1"]"#;
    image_running(&engine, &app, "2.0.0", "v2\n", true, dying).await;
    let home = tempfile::tempdir().unwrap();
    let service = Service::start(
        engine.clone(),
        common::paths(home.path()),
        app.clone(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let slot = Slot::default();
    let service = slot.hold(service).await;
    let ops: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let heard = std::sync::Arc::clone(&ops);
    service.listen(std::sync::Arc::new(move |e| {
        heard
            .lock()
            .unwrap()
            .push(format!("{}: {}", e.kind.as_str(), e.message))
    }));
    for version in ["1.0.0", "2.0.0"] {
        service
            .deploy(
                version,
                Strategy::Rolling,
                1,
                HealthCheck::default(),
                &|_| {},
            )
            .await
            .unwrap();
    }
    let started = std::time::Instant::now();
    while service.status().await.version.as_deref() != Some("1.0.0") {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never went back: {:?}",
            ops.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let said = ops.lock().unwrap().join("\n");
    assert!(
        said.contains("2.0.0 keeps crashing (3 replacements in 60 s): going back to 1.0.0"),
        "{said}"
    );
    let heals = said.lines().filter(|l| l.starts_with("heal:")).count();
    assert!(heals <= 3, "replaced {heals} times:\n{said}");
    assert_eq!(body(service.proxy()).await, "v1\n");
}

/// DevLoop killed in the middle of a rolling deploy, after it had taken one old replica away:
/// the next start brings back the deploy the history says went live, with all its replicas.
#[tokio::test(flavor = "multi_thread")]
async fn a_restart_restores_the_live_deploys_replica_count() {
    use devloop_engine::service::Service;
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let app = format!("devloop-test-count-{}", std::process::id());
    let _cleanup = Leftovers(app.clone());
    image(&engine, &app, "1.0.0", "v1\n", true).await;
    let home = tempfile::tempdir().unwrap();
    let paths = common::paths(home.path());
    let start = || {
        Service::start(
            engine.clone(),
            paths.clone(),
            app.clone(),
            "127.0.0.1:0".parse().unwrap(),
        )
    };
    let first = start().await.unwrap();
    first
        .deploy(
            "1.0.0",
            Strategy::Rolling,
            2,
            HealthCheck::default(),
            &|_| {},
        )
        .await
        .unwrap();
    let gone = first.status().await.replicas[0].id.clone();
    drop(first);
    Command::new("docker")
        .args(["rm", "-f", &gone])
        .output()
        .unwrap();

    let again = start().await.unwrap();
    let now = again.status().await;
    assert_eq!(now.version.as_deref(), Some("1.0.0"));
    assert_eq!(now.replicas.len(), 2, "{now:?}");
    assert_eq!(body(again.proxy()).await, "v1\n");
}
