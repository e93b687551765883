//! `make bench-deploy`. Two figures:
//!
//! 1. A cached image rebuild plus a blue-green deploy of two replicas to healthy, through
//!    DevLoop's engine, against the same sequence by hand: `docker build`, two `docker run`s,
//!    a curl loop until both answer, `docker rm -f` of the old pair. Median of several runs,
//!    as a ratio.
//! 2. The proxy's added latency: the same GET, one connection each, sent to the proxy and
//!    straight to a replica; p50 and p99 of each.
//! 3. What a 1.5 GB POST to the stable address costs the process hosting it: its resident
//!    memory before, at its highest during, and after. Sent to the service (busybox refuses a
//!    POST at once), then to a proxy in front of a backend that reads every byte, once with no
//!    length (streamed up to the limit, then 413) and once with its length said (refused
//!    unread).
//!
//! 4. Requests lost through the stable address at 200 a second: during a blue-green deploy
//!    on this machine, and during a start-first update of the same service on a one-node
//!    Docker Swarm (made for the bench and left after it, unless the machine was in one).
//!
//! The service is busybox's httpd in an image built FROM scratch (nothing is pulled); every
//! image, container and swarm service made here is removed at the end.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Parser;
use devloop_engine::deploy::health::HealthCheck;
use devloop_engine::deploy::rollout::Strategy;
use devloop_engine::docker::build::{self, BuildRequest};
use devloop_engine::docker::Engine;
use devloop_engine::operate::load::{self, LoadPlan, LoadReport};
use devloop_engine::record::deploy::Target;
use devloop_engine::release::LABEL_APP;
use devloop_engine::service::host::Slot;
use devloop_engine::service::Service;
use devloop_engine::settings::Paths;
use devloop_engine::swarm::{self, Joined};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Parser)]
struct Args {
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Requests for the latency figures.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
}

const APP: &str = "devloop-bench-deploy";

struct Cleanup;
impl Drop for Cleanup {
    fn drop(&mut self) {
        for args in [
            vec![
                "ps",
                "-aq",
                "--filter",
                "label=dev.devloop.app=devloop-bench-deploy",
            ],
            vec!["ps", "-aq", "--filter", "name=devloop-bench-byhand"],
        ] {
            let ids = Command::new("docker").args(&args).output().expect("docker");
            for id in String::from_utf8_lossy(&ids.stdout).split_whitespace() {
                let _ = Command::new("docker").args(["rm", "-f", id]).output();
            }
        }
        let _ = Command::new("docker").args(["service", "rm", APP]).output();
        let images = Command::new("docker")
            .args(["images", "-q", "--filter", &format!("reference={APP}")])
            .output()
            .expect("docker");
        for id in String::from_utf8_lossy(&images.stdout).split_whitespace() {
            let _ = Command::new("docker").args(["rmi", "-f", id]).output();
        }
    }
}

fn context(dir: &std::path::Path) {
    std::fs::copy("/bin/busybox", dir.join("busybox"))
        .expect("busybox-static (scripts/deps.sh test)");
    std::fs::create_dir_all(dir.join("www")).expect("dir");
    std::fs::write(dir.join("www/index.html"), "ok\n").expect("write");
    std::fs::write(dir.join("www/health"), "ok\n").expect("write");
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nENTRYPOINT [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n",
    )
    .expect("write");
    // Swarm health-checks a task with the image's own HEALTHCHECK.
    std::fs::write(
        dir.join("Dockerfile.swarm"),
        "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nHEALTHCHECK --interval=1s CMD [\"/bin/busybox\", \"wget\", \"-q\", \"-O\", \"/dev/null\", \"http://127.0.0.1:8080/health\"]\nENTRYPOINT [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n",
    )
    .expect("write");
}

/// Deploys `version` to `target` while 200 requests a second go to the stable address; the
/// deploy's time and the load's report.
async fn under_load(
    service: &Service,
    version: &str,
    target: Target,
    health: &HealthCheck,
) -> (f64, LoadReport) {
    let plan = LoadPlan {
        path: "/".into(),
        rps: 200,
        duration_ms: 15_000,
        concurrency: 64,
        ramp_ms: 0,
    };
    let addr = service.proxy().addr();
    let load = tokio::spawn(async move { load::run(addr, &plan, &|_| {}).await });
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let t = Instant::now();
    service
        .deploy_to(
            target,
            version,
            Strategy::BlueGreen,
            2,
            health.clone(),
            &|_| {},
        )
        .await
        .expect("deploy under load");
    let took = t.elapsed().as_secs_f64() * 1000.0;
    (took, load.await.expect("load"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One GET on a new connection, as curl does; its time in microseconds.
async fn get(addr: SocketAddr) -> u64 {
    let t = Instant::now();
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.expect("read");
    assert!(out.starts_with(b"HTTP/1."), "an HTTP answer");
    t.elapsed().as_micros() as u64
}

fn percentile(v: &mut [u64], q: f64) -> f64 {
    v.sort_unstable();
    v[((v.len() as f64 * q) as usize).min(v.len() - 1)] as f64 / 1000.0
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let _cleanup = Cleanup;
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let dir = tempfile::tempdir().expect("temp dir");
    context(dir.path());
    let home = tempfile::tempdir().expect("temp dir");
    let paths = Paths {
        config_dir: home.path().join("config"),
        workspace_override: None,
        default_workspace: home.path().join("ws"),
        data_dir: home.path().join("data"),
    };
    let build_req = |version: &str| BuildRequest {
        context: dir.path().into(),
        dockerfile: "Dockerfile".into(),
        tags: vec![format!("{APP}:{version}")],
        build_args: BTreeMap::new(),
        labels: BTreeMap::from([(LABEL_APP.to_owned(), APP.to_owned())]),
    };
    // Warm the layer cache once, as a learner's second deploy would find it.
    build::build(&engine, &build_req("warm"), &|_| {})
        .await
        .expect("build");

    // Held as the app holds it: its keeper loops run (the swarm target's router among them).
    let slot = Slot::default();
    let service = slot
        .hold(
            Service::start(
                engine.clone(),
                paths.clone(),
                APP.into(),
                "127.0.0.1:0".parse().expect("addr"),
            )
            .await
            .expect("service"),
        )
        .await;
    let health = HealthCheck {
        interval_ms: 50,
        ..HealthCheck::default()
    };
    let mut devloop = Vec::new();
    for run in 0..args.runs {
        let version = format!("1.0.{run}");
        let t = Instant::now();
        build::build(&engine, &build_req(&version), &|_| {})
            .await
            .expect("build");
        service
            .deploy(&version, Strategy::BlueGreen, 2, health.clone(), &|_| {})
            .await
            .expect("deploy");
        devloop.push(t.elapsed().as_secs_f64() * 1000.0);
    }

    // By hand: the same image rebuild, two containers, a curl loop, the old pair removed.
    let docker = |a: &[&str]| -> String {
        let out = Command::new("docker").args(a).output().expect("docker");
        assert!(
            out.status.success(),
            "docker {a:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let mut by_hand = Vec::new();
    let mut old: Vec<String> = Vec::new();
    for run in 0..args.runs {
        let t = Instant::now();
        let tag = format!("{APP}:hand{run}");
        docker(&["build", "-q", "-t", &tag, &dir.path().display().to_string()]);
        let mut new = Vec::new();
        for n in 0..2 {
            let name = format!("devloop-bench-byhand-{run}-{n}");
            docker(&["run", "-d", "--name", &name, "-p", "127.0.0.1::8080", &tag]);
            new.push(name);
        }
        for name in &new {
            let port = docker(&["port", name, "8080/tcp"]);
            let url = format!("http://{}/health", port.lines().next().unwrap_or_default());
            while !Command::new("curl")
                .args(["-sf", "-o", "/dev/null", "--max-time", "1", &url])
                .status()
                .expect("curl")
                .success()
            {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        for name in old.drain(..) {
            docker(&["rm", "-f", &name]);
        }
        old = new;
        by_hand.push(t.elapsed().as_secs_f64() * 1000.0);
    }

    // Latency through the proxy against straight to a replica.
    let status = service.status().await;
    let replica: SocketAddr = ([127, 0, 0, 1], status.replicas[0].port).into();
    let proxy = service.proxy().addr();
    let (mut via, mut direct) = (Vec::new(), Vec::new());
    for _ in 0..args.requests {
        via.push(get(proxy).await);
        direct.push(get(replica).await);
    }

    // A 1.5 GB POST, as any local process or web page could send it.
    let before = rss_mib();
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let watch = {
        let peak = std::sync::Arc::clone(&peak);
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_mib(), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let to_service = post_huge(proxy, false).await;
    let sink = devloop_engine::deploy::proxy::Proxy::start("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("proxy");
    sink.switch(vec![(reads_everything().await, "sink".into())]);
    let chunked = post_huge(sink.addr(), false).await;
    let declared = post_huge(sink.addr(), true).await;
    watch.abort();
    let after = rss_mib();

    // Lost requests at 200 a second: on this machine, then on a one-node swarm.
    let swarm_build = |version: &str| BuildRequest {
        dockerfile: "Dockerfile.swarm".into(),
        ..build_req(version)
    };
    for v in ["2.0.0", "2.0.1", "2.0.2"] {
        build::build(&engine, &swarm_build(v), &|_| {})
            .await
            .expect("build");
    }
    let (local_ms, local_load) = under_load(&service, "2.0.0", Target::Local, &health).await;
    let joined = swarm::init(&engine, &paths).await.expect("swarm init");
    service
        .deploy_to(
            Target::Swarm,
            "2.0.1",
            Strategy::BlueGreen,
            2,
            health.clone(),
            &|_| {},
        )
        .await
        .expect("onto the swarm");
    let (swarm_ms, swarm_load) = under_load(&service, "2.0.2", Target::Swarm, &health).await;
    // Home again: the swarm service goes, and a swarm made here is left.
    service
        .deploy_to(
            Target::Local,
            "2.0.0",
            Strategy::BlueGreen,
            1,
            health.clone(),
            &|_| {},
        )
        .await
        .expect("back to this machine");
    if matches!(joined, Joined::Made { .. }) {
        swarm::leave(&engine, &paths).await.expect("swarm leave");
    }

    let (d, h) = (median(devloop), median(by_hand));
    println!("\n{:<44} {:>10}", "", "median");
    println!(
        "{:<44} {:>8.0}ms",
        "rebuild + blue-green deploy, DevLoop", d
    );
    println!(
        "{:<44} {:>8.0}ms",
        "the same with the docker CLI and curl", h
    );
    println!(
        "ratio DevLoop/by hand: {:.2} (median of {} runs)",
        d / h,
        args.runs
    );
    println!(
        "\nGET latency over {} requests, a new connection each:\n  through the proxy  p50 {:.2} ms  p99 {:.2} ms\n  straight to it     p50 {:.2} ms  p99 {:.2} ms",
        args.requests,
        percentile(&mut via, 0.5),
        percentile(&mut via, 0.99),
        percentile(&mut direct, 0.5),
        percentile(&mut direct, 0.99),
    );
    println!(
        "\n1.5 GB POST: the service answered {to_service}; a backend that reads it all: {chunked} streamed with no length, {declared} with its length said\n  host resident memory: {before} MiB before, {} MiB at most during, {after} MiB after (+{} MiB at most)",
        peak.load(std::sync::atomic::Ordering::Relaxed),
        peak.load(std::sync::atomic::Ordering::Relaxed).saturating_sub(before),
    );
    println!(
        "\n200 requests/s through the stable address during a blue-green deploy of two:\n  this machine           {:>5} sent, {} without a 2xx answer; the deploy took {local_ms:.0} ms\n  swarm, start-first     {:>5} sent, {} without a 2xx answer; the update took {swarm_ms:.0} ms",
        local_load.sent,
        local_load.failed(),
        swarm_load.sent,
        swarm_load.failed(),
    );
}

/// A backend that reads every request to its end, then answers 200.
async fn reads_everything() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                while matches!(s.read(&mut buf).await, Ok(n) if n > 0) {}
                let _ = s
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    addr
}

/// This process's resident memory, from /proc.
fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

/// POSTs 1.5 GB of zeros to `addr` in 1 MiB pieces, with `Content-Length` or chunked; the
/// status of the answer.
async fn post_huge(addr: SocketAddr, declared: bool) -> String {
    const MIB: usize = 1024 * 1024;
    let total = 1536 * MIB;
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = if declared {
        format!(
            "POST / HTTP/1.1\r\nHost: b\r\nConnection: close\r\nContent-Length: {total}\r\n\r\n"
        )
    } else {
        "POST / HTTP/1.1\r\nHost: b\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_owned()
    };
    s.write_all(head.as_bytes()).await.expect("head");
    let piece = vec![0u8; MIB];
    let size = format!("{MIB:x}\r\n");
    for _ in 0..total / MIB {
        // The proxy answers and closes when it refuses; the rest is never sent.
        let sent = if declared {
            s.write_all(&piece).await
        } else {
            match s.write_all(size.as_bytes()).await {
                Ok(()) => match s.write_all(&piece).await {
                    Ok(()) => s.write_all(b"\r\n").await,
                    e => e,
                },
                e => e,
            }
        };
        if sent.is_err() {
            break;
        }
    }
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw).await;
    String::from_utf8_lossy(&raw)
        .split_whitespace()
        .nth(1)
        .unwrap_or("no answer")
        .to_owned()
}
