//! Releases deployed to a real single-node swarm of the test's own dockerd: each strategy is
//! Swarm's own update config, a release that fails its health check is rolled back by Swarm,
//! scaling and a killed task are Swarm's to mend, nothing is published on any address of the
//! machine, and every refusal (no swarm, a drained node, a missing image, an image with no
//! health check, a service of the same name that is not DevLoop's) says what to do.

mod common;
#[path = "common/private_docker.rs"]
mod private_docker;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use devloop_engine::deploy::health::HealthCheck;
use devloop_engine::deploy::rollout::{DeployEvent, Strategy};
use devloop_engine::docker::build::{self, BuildRequest};
use devloop_engine::docker::{Endpoint, Engine};
use devloop_engine::swarm::service::{self, Outcome, Request};
use devloop_engine::swarm::{self, network, tasks};
use private_docker::PrivateDocker;

const APP: &str = "loop-swarm";

/// One swarm at a time: each listens on 127.0.0.1:2377.
static ONE_SWARM: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `APP:version`: busybox httpd serving `body`, with `/health` unless `healthy` is off, and
/// the image's HEALTHCHECK asking it (none at all when `check` is off). `/cgi-bin/slow`
/// answers `slow <body>` only once `/cgi-bin/go` was asked of the same container: a request
/// the test holds in flight as long as it likes.
async fn image(engine: &Engine, version: &str, body: &str, healthy: bool, check: bool) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("/bin/busybox", dir.path().join("busybox")).unwrap();
    std::fs::create_dir(dir.path().join("www")).unwrap();
    std::fs::write(dir.path().join("www/index.html"), body).unwrap();
    if healthy {
        std::fs::write(dir.path().join("www/health"), "ok\n").unwrap();
    }
    let cgi = dir.path().join("www/cgi-bin");
    std::fs::create_dir(&cgi).unwrap();
    let head = "echo 'Content-Type: text/plain'\necho\n";
    for (name, script) in [
        (
            "slow",
            format!(
                "while [ ! -e /go ]; do /bin/busybox sleep 0.1; done\n{head}echo slow {body}\n"
            ),
        ),
        ("go", format!(": > /go\n{head}echo go\n")),
    ] {
        use std::os::unix::fs::PermissionsExt;
        let file = cgi.join(name);
        std::fs::write(&file, format!("#!/bin/busybox sh\n{script}")).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let healthcheck = if check {
        "HEALTHCHECK --interval=1s CMD [\"/bin/busybox\", \"wget\", \"-q\", \"-O\", \"/dev/null\", \"http://127.0.0.1:8080/health\"]\n"
    } else {
        ""
    };
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\n{healthcheck}ENTRYPOINT [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n"
        ),
    )
    .unwrap();
    let req = BuildRequest {
        context: dir.path().into(),
        dockerfile: "Dockerfile".into(),
        tags: vec![format!("{APP}:{version}")],
        build_args: BTreeMap::new(),
        labels: BTreeMap::new(),
    };
    build::build(engine, &req, &|_| {}).await.unwrap();
}

fn request(version: &str, strategy: Strategy, replicas: u32) -> Request {
    Request {
        app: APP.into(),
        version: version.into(),
        strategy,
        replicas,
    }
}

/// What each serving task answers at `/`, by the test's own HTTP client (curl).
fn answers(all: &[tasks::Task]) -> Vec<String> {
    all.iter()
        .filter(|t| t.serving())
        .map(|t| {
            let out = std::process::Command::new("curl")
                .args(["-s", "--max-time", "3"])
                .arg(format!("http://{}/", t.address.as_deref().unwrap()))
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        })
        .collect()
}

/// Every TCP socket listening on this machine, as `/proc` lists them (address and port in hex).
fn listening() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
        for line in std::fs::read_to_string(file)
            .unwrap_or_default()
            .lines()
            .skip(1)
        {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.get(3) == Some(&"0A") {
                found.insert(fields[1].to_owned());
            }
        }
    }
    found
}

async fn spec_of(engine: &Engine) -> bollard::models::ServiceSpec {
    engine
        .client()
        .inspect_service(APP, None)
        .await
        .unwrap()
        .spec
        .unwrap()
}

async fn serving(engine: &Engine) -> Vec<tasks::Task> {
    service::tasks(engine, APP)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.serving())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_release_on_the_swarm_rolls_out_rolls_back_scales_and_heals_through_swarm() {
    let _one = ONE_SWARM.lock().await;
    let docker = PrivateDocker::start_new();
    let socket = docker.host().trim_start_matches("unix://").to_owned();
    let engine = Engine::connect(Endpoint::Unix(socket.into()))
        .await
        .expect("the private dockerd")
        .owned_by("test-devloop-0001");
    let home = tempfile::tempdir().unwrap();
    let paths = devloop_engine::settings::test_paths(home.path());
    image(&engine, "1.0.0", "v1", true, true).await;
    image(&engine, "2.0.0", "v2", true, true).await;
    image(&engine, "3.0.0", "v3", false, true).await;
    image(&engine, "4.0.0", "v4", true, false).await;

    // No swarm yet: said, with the command that makes one.
    let refused = service::deploy(&engine, &request("1.0.0", Strategy::Rolling, 2), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(refused.detail.as_ref().unwrap().code, "swarmInactive");
    assert_eq!(refused.fix.as_deref(), Some("devloop swarm init"));
    swarm::init(&engine, &paths).await.unwrap();
    let sockets_before = listening();

    // Rolling: one task at a time, the old one stopped first.
    let events = std::sync::Mutex::new(Vec::new());
    let outcome = service::deploy(&engine, &request("1.0.0", Strategy::Rolling, 2), &|e| {
        events.lock().unwrap().push(e)
    })
    .await
    .unwrap();
    assert_eq!(outcome, Outcome::Live);
    let told = events.into_inner().unwrap();
    assert_eq!(
        told.iter()
            .filter(|e| matches!(e, DeployEvent::Task { version, .. } if version == "1.0.0"))
            .count(),
        2,
        "each task said as it ran: {told:?}"
    );
    let update = spec_of(&engine).await.update_config.unwrap();
    assert_eq!(
        (
            update.parallelism,
            update.order.unwrap().to_string().as_str()
        ),
        (Some(1), "stop-first")
    );
    assert_eq!(
        update.failure_action.unwrap().to_string(),
        "rollback",
        "Swarm rolls a failed update back"
    );
    assert_eq!(answers(&serving(&engine).await), ["v1", "v1"]);

    // Nothing published: the tasks added no listening socket to this machine, on any address,
    // and the service's endpoint has no port.
    assert_eq!(listening(), sockets_before, "no new socket on the machine");
    let endpoint = engine
        .client()
        .inspect_service(APP, None)
        .await
        .unwrap()
        .endpoint
        .unwrap_or_default();
    assert!(
        endpoint.ports.unwrap_or_default().is_empty(),
        "no published port"
    );
    // Nothing answers the service's port on any of this machine's own addresses but its tasks'
    // (the gateway of their network included).
    let ours: Vec<String> = serving(&engine)
        .await
        .into_iter()
        .filter_map(|t| t.address)
        .collect();
    let out = std::process::Command::new("ip")
        .args(["-4", "-o", "addr", "show"])
        .output()
        .unwrap();
    let addresses: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            l.split_whitespace()
                .nth(3)?
                .split('/')
                .next()
                .map(str::to_owned)
        })
        .filter(|a| !a.starts_with("127."))
        .collect();
    assert!(
        !addresses.is_empty(),
        "this machine has an address besides loopback"
    );
    for a in &addresses {
        let at = format!("{a}:8080");
        if ours.contains(&at) {
            continue;
        }
        let answered =
            std::net::TcpStream::connect_timeout(&at.parse().unwrap(), Duration::from_millis(500));
        assert!(answered.is_err(), "{at} answers");
    }
    let net = engine
        .client()
        .inspect_network(&network::name(&engine), None)
        .await
        .unwrap();
    assert_eq!(
        (net.internal, net.scope.as_deref()),
        (Some(true), Some("swarm")),
        "an internal bridge of the swarm's"
    );

    // Blue-green: every new task starts beside the old ones.
    let outcome = service::deploy(&engine, &request("2.0.0", Strategy::BlueGreen, 2), &|_| {})
        .await
        .unwrap();
    assert_eq!(outcome, Outcome::Live);
    assert_eq!(
        spec_of(&engine)
            .await
            .update_config
            .unwrap()
            .order
            .unwrap()
            .to_string(),
        "start-first"
    );
    assert_eq!(answers(&serving(&engine).await), ["v2", "v2"]);

    // A release that fails its health check: Swarm rolls it back, and says so.
    let outcome = service::deploy(&engine, &request("3.0.0", Strategy::Recreate, 2), &|_| {})
        .await
        .unwrap();
    let Outcome::RolledBack { why, .. } = outcome else {
        panic!("rolled back, not {outcome:?}");
    };
    assert!(
        why.contains("rollback") || why.contains("unhealthy"),
        "{why}"
    );
    let image = spec_of(&engine)
        .await
        .task_template
        .unwrap()
        .container_spec
        .unwrap()
        .image
        .unwrap();
    assert_eq!(image, format!("{APP}:2.0.0"), "the last good spec is back");
    let mut back = Vec::new();
    for _ in 0..40 {
        back = answers(&serving(&engine).await);
        if back == ["v2", "v2"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(back, ["v2", "v2"]);

    // Refusals: no health check, no image.
    let refused = service::deploy(&engine, &request("4.0.0", Strategy::Rolling, 2), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(refused.detail.as_ref().unwrap().code, "swarmNoHealthcheck");
    let refused = service::deploy(&engine, &request("9.9.9", Strategy::Rolling, 2), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(refused.detail.as_ref().unwrap().code, "imageMissing");

    // Scaled: Swarm runs three, and the two already running are left running (the spec
    // sent is the one they run).
    let running: BTreeSet<String> = serving(&engine).await.into_iter().map(|t| t.id).collect();
    service::scale(&engine, APP, 3).await.unwrap();
    tokio::time::sleep(service::MONITOR).await;
    let now: BTreeSet<String> = serving(&engine).await.into_iter().map(|t| t.id).collect();
    assert!(now.is_superset(&running), "{running:?} kept in {now:?}");
    assert_eq!(
        service::live(&engine, APP).await.unwrap(),
        Some(("2.0.0".to_owned(), 3))
    );
    assert_eq!(answers(&serving(&engine).await), ["v2", "v2", "v2"]);

    // A killed task: Swarm replaces it by itself.
    let all = service::tasks(&engine, APP).await.unwrap();
    let killed = tasks::kill(&engine, &all, None).await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..120 {
        seen = service::tasks(&engine, APP).await.unwrap();
        let replaced = seen
            .iter()
            .any(|t| t.slot == killed.slot && t.id != killed.id && t.serving());
        if replaced && seen.iter().filter(|t| t.serving()).count() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let old = seen
        .iter()
        .find(|t| t.id == killed.id)
        .expect("kept in the history");
    assert_eq!(old.state, "failed", "{old:?}");
    assert_eq!(seen.iter().filter(|t| t.serving()).count(), 3, "{seen:?}");

    // A drained node takes no task: said with the command that brings it back.
    let node = docker.docker(&["node", "ls", "-q"]);
    docker.docker(&["node", "update", "--availability", "drain", &node]);
    let refused = service::deploy(&engine, &request("1.0.0", Strategy::Rolling, 1), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(refused.detail.as_ref().unwrap().code, "swarmNodeDrained");
    assert!(
        refused
            .fix
            .as_deref()
            .unwrap()
            .starts_with("docker node update --availability active"),
        "{:?}",
        refused.fix
    );
    docker.docker(&["node", "update", "--availability", "active", &node]);

    // Another's service of the same name is refused and left as it is; so is one of another
    // DevLoop's.
    docker.docker(&["tag", &format!("{APP}:1.0.0"), "theirs:1.0.0"]);
    docker.docker(&[
        "service",
        "create",
        "-d",
        "--name",
        "theirs",
        "--replicas",
        "0",
        "theirs:1.0.0",
    ]);
    let theirs = Request {
        app: "theirs".into(),
        ..request("1.0.0", Strategy::Rolling, 1)
    };
    let refused = service::deploy(&engine, &theirs, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(refused.detail.as_ref().unwrap().code, "swarmServiceNotOurs");
    let other = engine.clone().owned_by("test-devloop-0002");
    let refused = service::remove(&other, APP).await.unwrap_err();
    assert_eq!(refused.detail.as_ref().unwrap().code, "swarmServiceNotOurs");
    assert!(
        service::ours(&engine, APP).await.unwrap().is_some(),
        "untouched"
    );
    assert_eq!(
        docker.docker(&["service", "inspect", "theirs", "--format", "{{.Spec.Name}}"]),
        "theirs"
    );

    // Removed: the service and its network go.
    assert!(service::remove(&engine, APP).await.unwrap());
    assert!(service::ours(&engine, APP).await.unwrap().is_none());
    let net = engine
        .client()
        .inspect_network(&network::name(&engine), None)
        .await;
    assert!(net.is_err(), "the network went with the service");

    // Leaving would take the learner's service down with the swarm: refused until it is gone.
    let refused = swarm::leave(&engine, &paths).await.unwrap_err();
    assert_eq!(refused.detail.as_ref().unwrap().code, "swarmInUse");
    assert_eq!(refused.fix.as_deref(), Some("docker service ls"));
    assert_eq!(
        docker.docker(&["info", "--format", "{{.Swarm.LocalNodeState}}"]),
        "active"
    );
    docker.docker(&["service", "rm", "theirs"]);
    swarm::leave(&engine, &paths).await.unwrap();
}

/// GET `/` through the proxy, by curl.
fn through(proxy: std::net::SocketAddr) -> String {
    get(&format!("{proxy}/"), 3)
}

/// GET `http://<at>` by curl, giving up after `seconds`: the body, trimmed.
fn get(at: &str, seconds: u32) -> String {
    let out = std::process::Command::new("curl")
        .args(["-s", "--max-time", &seconds.to_string()])
        .arg(format!("http://{at}"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

async fn eventually_async<F: std::future::Future<Output = bool>>(what: &str, f: impl Fn() -> F) {
    for _ in 0..160 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("{what} did not happen within 40 s");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_service_moves_to_the_swarm_and_back_and_its_address_follows_the_tasks() {
    use devloop_engine::operate::load::{self, LoadPlan};
    use devloop_engine::record::deploy::Target;
    use devloop_engine::service::host::Slot;
    use devloop_engine::service::Service;
    use devloop_engine::store::plan::Column;
    use devloop_engine::store::Store;

    let _one = ONE_SWARM.lock().await;
    let docker = PrivateDocker::start_new();
    let socket = docker.host().trim_start_matches("unix://").to_owned();
    let engine = Engine::connect(Endpoint::Unix(socket.into()))
        .await
        .expect("the private dockerd");
    let home = tempfile::tempdir().unwrap();
    let paths = devloop_engine::settings::test_paths(home.path());
    for (v, body, healthy) in [
        ("1.0.0", "v1", true),
        ("2.0.0", "v2", true),
        ("3.0.0", "v3", false),
        ("4.0.0", "v4", true),
    ] {
        image(&engine, v, body, healthy, true).await;
    }
    let links_before = links();
    swarm::init(&engine, &paths).await.unwrap();
    // The workspace: 2.0.0 has the commit that fixes item #1; the fix for #2 comes later.
    let (one, two) = common::two_fixes(&paths, &["v1.0.0"], "v2.0.0");
    let store = Store::open(&paths.database_file()).unwrap();
    let column = |id| {
        let items = store.items().unwrap();
        items.iter().find(|i| i.id == id).unwrap().column
    };
    let health = HealthCheck {
        interval_ms: 250,
        start_period_ms: 1000,
        ..HealthCheck::default()
    };
    let start = || {
        Service::start(
            engine.clone(),
            paths.clone(),
            APP.into(),
            "127.0.0.1:0".parse().unwrap(),
        )
    };
    let slot = Slot::default();
    let svc = slot.hold(start().await.unwrap()).await;
    let owned = engine
        .clone()
        .owned_by(&devloop_engine::instance::of(&paths.data_dir).unwrap());
    let ops = || async {
        let since = 0;
        svc.recent_ops(since)
            .into_iter()
            .filter_map(|e| e.what.map(|w| w.code))
            .collect::<Vec<String>>()
    };

    // Live on this machine first, as the Deploy lesson leaves it.
    svc.deploy_to(
        Target::Local,
        "1.0.0",
        Strategy::BlueGreen,
        2,
        health.clone(),
        &|_| {},
    )
    .await
    .unwrap();
    let addr = svc.proxy().addr();
    assert_eq!(through(addr), "v1");

    // To the swarm, under 200 requests a second: the traffic moves to the tasks, the local
    // replicas stop, and no request is lost on the way.
    let plan = LoadPlan {
        path: "/".into(),
        rps: 200,
        duration_ms: 20_000,
        concurrency: 64,
        ramp_ms: 0,
    };
    let load = tokio::spawn(async move { load::run(addr, &plan, &|_| {}).await });
    // A request in flight on this machine's replicas as the traffic moves: it finishes there.
    // It is let go only once the address answers from the swarm, so it is still in flight
    // when the local replicas leave the traffic.
    let local: Vec<u16> = svc.status().await.replicas.iter().map(|r| r.port).collect();
    let in_flight = tokio::task::spawn_blocking(move || {
        let slow = std::thread::spawn(move || get(&format!("{addr}/cgi-bin/slow"), 60));
        private_docker::eventually("the address answering from the swarm", || {
            through(addr) == "v2"
        });
        for port in local {
            get(&format!("127.0.0.1:{port}/cgi-bin/go"), 3);
        }
        slow.join().unwrap()
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = svc
        .deploy_to(
            Target::Swarm,
            "2.0.0",
            Strategy::BlueGreen,
            2,
            health.clone(),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!((status.target, status.replicas.len()), (Target::Swarm, 2));
    assert_eq!(
        in_flight.await.unwrap(),
        "slow v1",
        "a request in flight on a local replica finished there"
    );
    assert!(status
        .replicas
        .iter()
        .all(|r| r.address.is_some() && r.port == 0));
    // The plan follows production on the swarm as on this machine.
    assert_eq!(column(one), Column::Done, "its fix went live on the swarm");
    assert_ne!(column(two), Column::Done, "its fix is not released yet");
    assert!(ops().await.contains(&"opItemDone".to_owned()));
    // A start-first update of the swarm service itself, still under the same load.
    svc.deploy("4.0.0", Strategy::BlueGreen, 2, health.clone(), &|_| {})
        .await
        .unwrap();
    let report = load.await.unwrap();
    assert_eq!(
        (report.failed(), report.sent > 1500),
        (0, true),
        "no request lost from this machine to the swarm and through a start-first update: {report:?}"
    );
    assert_eq!(through(addr), "v4");
    assert!(
        devloop_engine::deploy::replica::list(
            &engine
                .clone()
                .owned_by(&devloop_engine::instance::of(&paths.data_dir).unwrap()),
            APP
        )
        .await
        .unwrap()
        .is_empty(),
        "the local replicas stopped"
    );

    // A broken release: Swarm rolls it back; the address never stops answering v4.
    let refused = svc
        .deploy("3.0.0", Strategy::Rolling, 2, health.clone(), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(
        refused.detail.as_ref().unwrap().code,
        "swarmRolledBack",
        "{refused:?}"
    );
    assert_eq!(through(addr), "v4");
    assert!(ops().await.contains(&"opRolledBack".to_owned()));

    // Scale and chaos: Swarm runs three; a killed task is replaced, and the log says so.
    svc.scale(
        3,
        devloop_engine::finding::Reason::new(
            devloop_engine::finding::Finding::new("byHandFromPage"),
            "by hand",
        ),
    )
    .await
    .unwrap();
    let tasks = svc.status().await.replicas;
    assert_eq!(tasks.len(), 3);
    // Monitor follows the tasks' containers by their task names, and its figures are
    // `docker stats`' own.
    let mut streams = devloop_engine::monitor::containers::Streams::default();
    streams.follow(&engine, &tasks);
    for t in &tasks {
        let memory = || {
            streams.samples().into_iter().find_map(|(k, v)| {
                (k.name == "container.memory"
                    && k.labels.get("name").map(String::as_str) == Some(t.name.as_str()))
                .then_some(v)
            })
        };
        eventually_async("Monitor's reading of each task", || async {
            memory().is_some()
        })
        .await;
        let (_, theirs) = docker.stats(&t.id);
        let mine = memory().unwrap();
        assert!(
            (mine - theirs).abs() < 1.0,
            "{}: Monitor {mine:.2} MiB, docker stats {theirs:.2} MiB",
            t.name
        );
    }
    drop(streams);
    let killed = svc.kill_one().await.unwrap();
    assert!(killed.starts_with(APP), "{killed}");
    eventually_async("Swarm's replacement, in the operations log", || async {
        ops().await.contains(&"opSwarmReplaced".to_owned())
    })
    .await;
    eventually_async("three tasks serving again", || async {
        svc.proxy().backends().len() == 3
    })
    .await;

    // The autoscaler drives the swarm service: 150 requests a second over three tasks is
    // 50 each, over the target of 20, so it asks Swarm for a fourth.
    use devloop_engine::operate::autoscale::{Metric, Policy};
    let policy = Policy {
        min: 3,
        max: 4,
        metric: Metric::Rps,
        target_per_replica: 20.0,
        up_window_ms: 2000,
        down_window_ms: 600_000,
        cooldown_ms: 5000,
    };
    svc.set_autoscaler(true, policy.clone()).unwrap();
    let plan = LoadPlan {
        path: "/".into(),
        rps: 150,
        duration_ms: 8000,
        concurrency: 32,
        ramp_ms: 0,
    };
    let report = load::run(addr, &plan, &|_| {}).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    eventually_async("a fourth task, by the autoscaler", || async {
        service::live(&owned, APP).await.unwrap().map(|l| l.1) == Some(4)
            && svc.proxy().backends().len() == 4
    })
    .await;
    svc.set_autoscaler(false, policy).unwrap();

    // A DevLoop started again finds the traffic on the swarm.
    svc.close().await;
    drop(svc);
    let again = slot.hold(start().await.unwrap()).await;
    assert_eq!(again.target(), Target::Swarm);
    let addr = again.proxy().addr();
    eventually_async("the tasks routed again", || async {
        again.proxy().backends().len() == 4
    })
    .await;
    assert_eq!(through(addr), "v4");

    // The swarm cannot be left while the service runs on it; the fix moves it back.
    let refused = swarm::leave(&engine, &paths).await.unwrap_err();
    assert_eq!(
        refused.fix.as_deref(),
        Some("devloop deploy --target local")
    );

    // Back to this machine: the swarm service goes.
    again
        .deploy_to(
            Target::Local,
            "1.0.0",
            Strategy::BlueGreen,
            1,
            health.clone(),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(through(addr), "v1");
    assert_eq!(again.target(), Target::Local);
    assert!(
        service::ours(&owned, APP).await.unwrap().is_none(),
        "the swarm service is gone"
    );
    again.close().await;
    for r in devloop_engine::deploy::replica::list(&owned, APP)
        .await
        .unwrap()
    {
        devloop_engine::deploy::replica::remove(&owned, &r.id)
            .await
            .unwrap();
    }
    swarm::leave(&engine, &paths).await.unwrap();
    // The machine as it was, down to its network interfaces: no bridge of the swarm's left.
    for _ in 0..20 {
        if links() == links_before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(links(), links_before);
}

/// This machine's bridges that a swarm may make: `docker_gwbridge`, and one per network.
fn links() -> BTreeSet<String> {
    std::fs::read_dir("/sys/class/net")
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n == "docker_gwbridge" || n.starts_with("br-"))
        .collect()
}

/// A swarm of two nodes (two private dockerds, a manager and a worker). On the worker DevLoop
/// neither makes a swarm, nor deploys, nor leaves it, and each refusal says what to do
/// (Docker names no cluster to a worker, which once read as "no swarm"). From the manager,
/// DevLoop keeps its tasks on that node, and a drained manager is refused.
#[tokio::test(flavor = "multi_thread")]
async fn on_a_swarm_of_two_nodes_a_worker_is_refused_and_the_tasks_stay_on_this_node() {
    use devloop_engine::record::deploy::Target;
    use devloop_engine::service::Service;

    let _one = ONE_SWARM.lock().await;
    let connect = |d: &PrivateDocker| {
        let socket = d.host().trim_start_matches("unix://").to_owned();
        Engine::connect(Endpoint::Unix(socket.into()))
    };
    let manager_docker = PrivateDocker::start_new();
    let worker_docker = PrivateDocker::start_new();
    let manager = connect(&manager_docker)
        .await
        .expect("the manager's dockerd");
    let worker = connect(&worker_docker).await.expect("the worker's dockerd");
    let home = tempfile::tempdir().unwrap();
    let paths = devloop_engine::settings::test_paths(home.path());
    // Built on the manager only, as `devloop release` builds on the learner's machine.
    image(&manager, "1.0.0", "v1", true, true).await;

    // The learner's swarm of two.
    manager_docker.learners_swarm();
    worker_docker.join_as_worker(&manager_docker);

    let s = swarm::state(&worker, &paths).await.unwrap();
    assert_eq!((s.node_state.as_str(), s.manager), ("active", false));
    let not_a_manager = |e: devloop_engine::Error, what: &str| {
        assert_eq!(
            e.detail.as_ref().map(|d| d.code.as_str()),
            Some("swarmNotManager"),
            "{what}: {e:?}"
        );
        assert_eq!(e.fix.as_deref(), Some("docker node ls"), "{what}");
    };
    not_a_manager(
        swarm::init(&worker, &paths).await.unwrap_err(),
        "swarm init",
    );
    not_a_manager(
        service::deploy(&worker, &request("1.0.0", Strategy::Rolling, 1), &|_| {})
            .await
            .unwrap_err(),
        "a deploy to the swarm",
    );
    // From the service too, as `devloop deploy --target swarm` on that machine asks it.
    let svc = Service::start(
        worker.clone(),
        paths.clone(),
        APP.into(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    not_a_manager(
        svc.deploy_to(
            Target::Swarm,
            "1.0.0",
            Strategy::Rolling,
            1,
            HealthCheck::default(),
            &|_| {},
        )
        .await
        .unwrap_err(),
        "the service's deploy",
    );
    svc.close().await;
    // Not DevLoop's swarm, so never left by it; the worker is still in it.
    let refused = swarm::leave(&worker, &paths).await.unwrap_err();
    assert_eq!(
        (
            refused.detail.as_ref().map(|d| d.code.as_str()),
            refused.fix.as_deref()
        ),
        (Some("swarmWorkerNotOurs"), Some("docker swarm leave"))
    );
    let s = swarm::state(&worker, &paths).await.unwrap();
    assert!(s.worker());
    assert_eq!(s.node_state.as_str(), "active", "untouched");
    assert!(
        service::ours(&manager, APP).await.unwrap().is_none(),
        "nothing made on the learner's swarm"
    );

    // DevLoop on the manager: its tasks stay on this node, where its image is and its proxy
    // reaches them. Spread over both, one would land on the worker, which has no image.
    let owned = manager.clone().owned_by("test-devloop-0002");
    let outcome = service::deploy(&owned, &request("1.0.0", Strategy::Rolling, 2), &|_| {})
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Live), "{outcome:?}");
    let running = |d: &PrivateDocker| {
        d.docker(&[
            "ps",
            "-q",
            "--filter",
            &format!("label=com.docker.swarm.service.name={APP}"),
        ])
        .lines()
        .count()
    };
    assert_eq!(
        (running(&manager_docker), running(&worker_docker)),
        (2, 0),
        "both tasks on the manager, none on the worker"
    );
    // This node drained: refused, though the worker would take tasks (not DevLoop's).
    let here = manager_docker.docker(&["info", "--format", "{{.Swarm.NodeID}}"]);
    manager_docker.docker(&["node", "update", "--availability", "drain", &here]);
    let refused = service::deploy(&owned, &request("1.0.0", Strategy::Rolling, 3), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(
        refused.detail.as_ref().map(|d| d.code.as_str()),
        Some("swarmNodeDrained"),
        "{refused:?}"
    );
    manager_docker.docker(&["node", "update", "--availability", "active", &here]);
    service::remove(&owned, APP).await.unwrap();
}
