//! `make bench-monitor`, the whole-process half (the chart's speed is `benches/chart.rs`):
//!
//! - the memory 24 hours of 50 series hold (a day of minutes and an hour of seconds each),
//!   counted by the board and seen in this process's resident memory; target under 20 MiB;
//! - the collector's CPU at 1 Hz with 10 containers running: the host sampler, a stats stream
//!   per container, their /metrics read every fifth second, the board and the alert rules,
//!   as a percentage of one core over a minute (from /proc); target under 2 %.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use devloop_engine::deploy::replica::{self, Replica, Spec};
use devloop_engine::docker::build::{self, BuildRequest};
use devloop_engine::docker::Engine;
use devloop_engine::monitor::alert;
use devloop_engine::monitor::board::Board;
use devloop_engine::monitor::containers::Streams;
use devloop_engine::monitor::host::Host;
use devloop_engine::monitor::metric::Key;
use devloop_engine::monitor::scrape;
use devloop_engine::monitor::series::Minute;

const CONTAINERS: usize = 10;
const SECONDS: u64 = 60;

/// Resident memory of this process, in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// CPU time process `pid` (`self` for this one) used so far (user + system), in seconds.
fn cpu_seconds_of(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 here; 100 ticks a second.
    (ticks(11) + ticks(12)) / 100.0
}

fn cpu_seconds() -> f64 {
    cpu_seconds_of("self")
}

/// dockerd's process id, to count what serving the stats streams costs it.
fn dockerd() -> Option<String> {
    let out = std::process::Command::new("pgrep")
        .args(["-xo", "dockerd"])
        .output()
        .ok()?;
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (!pid.is_empty()).then_some(pid)
}

fn memory() {
    let before = rss();
    let mut board = Board::default();
    for i in 0..50 {
        let key = Key::new("container.cpu").with("name", &format!("replica-{i}"));
        for m in 0..(24 * 60) {
            board.restore(
                key.clone(),
                Minute {
                    at: m * 60,
                    min: 0.0,
                    max: 1.0,
                    avg: 0.5,
                },
            );
        }
        for t in 0..3600 {
            board.record(86_400 + t, vec![(key.clone(), 1.0)]);
        }
    }
    let counted = board.footprint() as f64 / 1024.0 / 1024.0;
    let resident = rss().saturating_sub(before) as f64 / 1024.0 / 1024.0;
    println!(
        "memory: 24 h of 50 series: {counted:.1} MiB counted, {resident:.1} MiB more resident (target < 20 MiB)"
    );
    drop(board);
}

async fn image(engine: &Engine) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("/bin/busybox", dir.path().join("busybox")).expect("busybox-static");
    std::fs::create_dir(dir.path().join("www")).unwrap();
    std::fs::write(dir.path().join("www/index.html"), "ok\n").unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nENTRYPOINT [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n",
    )
    .unwrap();
    let tag = format!("devloop-bench-monitor:{}", std::process::id());
    build::build(
        engine,
        &BuildRequest {
            context: dir.path().into(),
            dockerfile: "Dockerfile".into(),
            tags: vec![tag.clone()],
            build_args: BTreeMap::new(),
            labels: BTreeMap::new(),
        },
        &|_| {},
    )
    .await
    .expect("the bench image builds");
    tag
}

async fn collector() {
    let engine = Engine::connect_here().await.expect("a running dockerd");
    let tag = image(&engine).await;
    let app = format!("devloop-bench-monitor-{}", std::process::id());
    let mut replicas: Vec<Replica> = Vec::new();
    for i in 0..CONTAINERS {
        let r = replica::start(
            &engine,
            &Spec {
                app: app.clone(),
                version: "1".into(),
                image: tag.clone(),
                colour: "rolling".into(),
                deploy: format!("bench-{i}"),
            },
        )
        .await
        .expect("a container starts");
        replicas.push(r);
    }
    println!("{CONTAINERS} containers running; measuring the collector for {SECONDS} s …");

    let mut board = Board::new(alert::defaults());
    let mut host = Host::new().expect("this machine's statistics");
    let mut streams = Streams::default();
    streams.follow(&engine, &replicas);
    // Settle: the first look lists the processes, streams send their first message.
    host.sample();
    tokio::time::sleep(Duration::from_secs(2)).await;

    let daemon = dockerd();
    let daemon0 = daemon.as_deref().map(cpu_seconds_of);
    let (cpu0, wall0) = (cpu_seconds(), Instant::now());
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    for n in 0..SECONDS {
        tick.tick().await;
        let t = devloop_engine::store::now();
        // The host sampler blocks; it has its own thread in the app.
        let mut samples = tokio::task::block_in_place(|| host.sample());
        streams.follow(&engine, &replicas);
        samples.extend(streams.samples());
        if n % 5 == 0 {
            for r in &replicas {
                if let Ok(found) = scrape::fetch(&format!("127.0.0.1:{}", r.port))
                    .await
                    .and_then(|b| scrape::parse(&b, &r.name))
                {
                    samples.extend(found);
                }
            }
        }
        board.record(t, samples);
        board.evaluate(t);
    }
    let used = cpu_seconds() - cpu0;
    let wall = wall0.elapsed().as_secs_f64();
    println!(
        "collector: {:.2} % of one core at 1 Hz with {CONTAINERS} containers ({used:.2} s of CPU in {wall:.0} s; target < 2 %)",
        used / wall * 100.0
    );
    if let (Some(pid), Some(d0)) = (daemon.as_deref(), daemon0) {
        println!(
            "dockerd meanwhile: {:.2} % of one core (serving the stats streams, among its other work)",
            (cpu_seconds_of(pid) - d0) / wall * 100.0
        );
    }
    drop(streams);
    for r in &replicas {
        let _ = replica::remove(&engine, &r.id).await;
    }
    let _ = engine
        .client()
        .remove_image(
            &tag,
            None::<bollard::query_parameters::RemoveImageOptions>,
            None,
        )
        .await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    memory();
    collector().await;
}
