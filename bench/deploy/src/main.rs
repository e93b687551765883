//! `make bench-deploy`. Two figures:
//!
//! 1. A cached image rebuild plus a blue-green deploy of two replicas to healthy, through
//!    DevLoop's engine, against the same sequence by hand: `docker build`, two `docker run`s,
//!    a curl loop until both answer, `docker rm -f` of the old pair. Median of several runs,
//!    as a ratio.
//! 2. The proxy's added latency: the same GET, one connection each, sent to the proxy and
//!    straight to a replica; p50 and p99 of each.
//!
//! The service is busybox's httpd in an image built FROM scratch (nothing is pulled); every
//! image and container made here is removed at the end.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Parser;
use devloop_engine::deploy::health::HealthCheck;
use devloop_engine::deploy::rollout::Strategy;
use devloop_engine::deploy::service::Service;
use devloop_engine::docker::build::{self, BuildRequest};
use devloop_engine::docker::Engine;
use devloop_engine::release::LABEL_APP;
use devloop_engine::settings::Paths;
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

    let service = Service::start(
        engine.clone(),
        paths,
        APP.into(),
        "127.0.0.1:0".parse().expect("addr"),
    )
    .await
    .expect("service");
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
}
