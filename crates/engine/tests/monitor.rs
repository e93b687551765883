//! Monitor's collectors when things break, against real daemons: a container that disappears
//! mid-stream leaves a gap and nothing panics; a dockerd that stops and comes back stops the
//! streams, and they resume by themselves once its containers run again. A private dockerd is
//! used, so the machine's daemon is never stopped.

mod common;
#[path = "common/private_docker.rs"]
mod private_docker;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use devloop_engine::deploy::replica::Replica;
use devloop_engine::docker::build::{self, BuildRequest};
use devloop_engine::docker::Endpoint;
use devloop_engine::docker::Engine;
use devloop_engine::monitor::containers::Streams;
use private_docker::PrivateDocker;

fn replica(id: &str, name: &str) -> Replica {
    Replica {
        id: id.into(),
        name: name.into(),
        version: "1".into(),
        colour: "rolling".into(),
        deploy: "test".into(),
        port: 0,
        running: true,
        address: None,
    }
}

/// `tag`: busybox alone, FROM scratch, with `entrypoint` (JSON).
async fn busybox(engine: &Engine, tag: &str, entrypoint: &str) {
    let ctx = tempfile::tempdir().unwrap();
    std::fs::copy("/bin/busybox", ctx.path().join("busybox")).unwrap();
    std::fs::write(
        ctx.path().join("Dockerfile"),
        format!("FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT {entrypoint}\n"),
    )
    .unwrap();
    build::build(
        engine,
        &BuildRequest {
            context: ctx.path().into(),
            dockerfile: "Dockerfile".into(),
            tags: vec![tag.into()],
            build_args: BTreeMap::new(),
            labels: BTreeMap::new(),
        },
        &|_| {},
    )
    .await
    .unwrap();
}

/// Waits until the streams' samples do (`true`) or do not (`false`) mention `name`.
async fn until(streams: &Streams, name: &str, present: bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        let has = streams
            .samples()
            .iter()
            .any(|(k, _)| k.labels.get("name").map(String::as_str) == Some(name));
        if has == present {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what} did not happen within 15 s");
}

#[tokio::test(flavor = "multi_thread")]
async fn streams_leave_gaps_when_containers_or_the_daemon_go_and_resume_by_themselves() {
    let mut docker = PrivateDocker::start_new();
    let socket = docker.host().trim_start_matches("unix://").to_owned();
    let engine = Engine::connect(Endpoint::Unix(socket.into()))
        .await
        .expect("the private dockerd");
    busybox(
        &engine,
        "mon-test:1",
        r#"["/bin/busybox", "sleep", "3600"]"#,
    )
    .await;
    let a = docker.docker(&["run", "-d", "--name", "mon-a", "mon-test:1"]);
    let b = docker.docker(&["run", "-d", "--name", "mon-b", "mon-test:1"]);
    assert!(!a.is_empty() && !b.is_empty(), "containers started");

    let mut streams = Streams::default();
    streams.follow(&engine, &[replica(&a, "mon-a"), replica(&b, "mon-b")]);
    until(&streams, "mon-a", true, "mon-a's first reading").await;
    until(&streams, "mon-b", true, "mon-b's first reading").await;
    let memory = streams
        .samples()
        .into_iter()
        .find(|(k, _)| k.name == "container.memoryLimit")
        .map(|(_, v)| v);
    assert!(memory.is_some_and(|v| v > 0.0), "{memory:?}");

    // mon-a disappears mid-stream: its samples stop, mon-b's go on.
    docker.docker(&["rm", "-f", "mon-a"]);
    until(&streams, "mon-a", false, "mon-a's gap").await;
    until(&streams, "mon-b", true, "mon-b still read").await;

    // The daemon stops: every stream ends, and nothing panics.
    docker.stop();
    until(
        &streams,
        "mon-b",
        false,
        "mon-b's gap while dockerd is down",
    )
    .await;
    streams.follow(&engine, &[replica(&b, "mon-b")]);

    // Back, with mon-b started again: the next follow starts a fresh stream.
    docker.start();
    docker.docker(&["start", "mon-b"]);
    streams.follow(&engine, &[replica(&b, "mon-b")]);
    until(
        &streams,
        "mon-b",
        true,
        "mon-b read again after the restart",
    )
    .await;
    streams.follow(&engine, &[]);
    assert!(
        streams.is_empty(),
        "nothing followed once the replicas are gone"
    );
}

/// A probe whose address accepts and never answers delays only its own next look: the
/// answering one is still sampled about every second.
#[tokio::test(flavor = "multi_thread")]
async fn a_probe_that_hangs_delays_only_itself() {
    use devloop_engine::monitor::metric::Key;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hang_url = format!("http://{}/", hang.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = hang.accept().await {
            held.push(s);
        }
    });
    let good = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let good_url = format!("http://{}/", good.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut s, _)) = good.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                let _ = s
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
            });
        }
    });
    let home = tempfile::tempdir().unwrap();
    let paths = common::paths(home.path());
    paths
        .set_probes(&[good_url.clone(), hang_url.clone()])
        .unwrap();
    let monitor = devloop_engine::monitor::collect::Monitor::start(
        paths,
        devloop_engine::service::host::Slot::default(),
        None,
    );
    tokio::time::sleep(Duration::from_secs(10)).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let board = monitor.board.lock();
    let count = |url: &str| {
        board
            .points(&Key::new("probe.up").with("url", url), now - 8, now)
            .iter()
            .filter(|(_, v)| v.is_some())
            .count()
    };
    let (good, hung) = (count(&good_url), count(&hang_url));
    assert!(
        // About 8 when it works; at most 4 when a hanging probe holds every look to its 2 s.
        good >= 5,
        "the answering probe was sampled {good} times in 8 s"
    );
    assert!(
        hung <= 4,
        "the hanging one is looked at no more than its timeout allows: {hung}"
    );
}

/// Dropping Monitor's handle stops it: no sample is taken afterwards, by the host thread or
/// the loop, even while a reader still holds the monitor itself.
#[tokio::test(flavor = "multi_thread")]
async fn dropping_the_monitors_handle_stops_collecting() {
    use devloop_engine::monitor::metric::Key;
    let home = tempfile::tempdir().unwrap();
    let running = devloop_engine::monitor::collect::Monitor::start(
        common::paths(home.path()),
        devloop_engine::service::host::Slot::default(),
        None,
    );
    let kept = std::sync::Arc::clone(running.monitor());
    let newest = || {
        let board = kept.board.lock();
        let now = devloop_engine::store::now();
        board
            .points(&Key::new("host.cpu"), now - 60, now + 1)
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(t, _)| *t)
            .max()
    };
    let started = Instant::now();
    while newest().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no host sample"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(running);
    // The host thread notices at its next second.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let last = newest();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        newest(),
        last,
        "a sample was taken after the handle dropped"
    );
}

/// The figures Monitor charts for each container against `docker stats` reading the same
/// containers: one that wrote a 40 MiB file (page cache the kernel may drop, which
/// `docker stats` leaves out) and one spinning on half a core.
#[tokio::test(flavor = "multi_thread")]
async fn container_figures_agree_with_docker_stats() {
    let docker = PrivateDocker::start_new();
    let socket = docker.host().trim_start_matches("unix://").to_owned();
    let engine = Engine::connect(Endpoint::Unix(socket.into()))
        .await
        .expect("the private dockerd");
    busybox(&engine, "mon-stats:1", r#"["/bin/busybox"]"#).await;
    let writer = docker.docker(&[
        "run",
        "-d",
        "--name",
        "mon-writer",
        "mon-stats:1",
        "sh",
        "-c",
        "dd if=/dev/zero of=/f bs=1M count=40 && exec sleep 3600",
    ]);
    let spinner = docker.docker(&[
        "run",
        "-d",
        "--cpus",
        "0.5",
        "--name",
        "mon-spinner",
        "mon-stats:1",
        "sh",
        "-c",
        "while :; do :; done",
    ]);
    let mut streams = Streams::default();
    streams.follow(
        &engine,
        &[
            replica(&writer, "mon-writer"),
            replica(&spinner, "mon-spinner"),
        ],
    );
    until(&streams, "mon-writer", true, "the writer's first reading").await;
    until(&streams, "mon-spinner", true, "the spinner's first reading").await;
    // A few seconds in: the file is written, and both sides have a one-second CPU delta.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let ours = |name: &str, metric: &str| {
        streams
            .samples()
            .into_iter()
            .find(|(k, _)| {
                k.name == metric && k.labels.get("name").map(String::as_str) == Some(name)
            })
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no {metric} for {name}"))
    };
    let (_, theirs) = docker.stats("mon-writer");
    let mine = ours("mon-writer", "container.memory");
    assert!(
        (mine - theirs).abs() < 1.0,
        "the writer's memory: Monitor {mine:.2} MiB, docker stats {theirs:.2} MiB"
    );
    let (theirs, _) = docker.stats("mon-spinner");
    let mine = ours("mon-spinner", "container.cpu");
    assert!(
        (mine - theirs).abs() < 10.0 && (25.0..=60.0).contains(&mine),
        "the spinner's CPU: Monitor {mine:.1} %, docker stats {theirs:.1} %"
    );
}
