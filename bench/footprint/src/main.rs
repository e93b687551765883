//! Measures a Tauri app as a user meets it: time from launch to its first painted screen, then,
//! after it has sat idle, the RSS and PSS of its process plus every WebKit child process.
//!
//! PSS (proportional set size) shares the libraries the processes have in common fairly
//! between them, so adding it up across the tree does not count WebKit's libraries three times
//! the way RSS does. Both apps are launched the same way and asked for the same window size.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Debug, Parser)]
struct Args {
    /// DevLoop's release binary.
    #[arg(long)]
    app: PathBuf,
    /// The bare window's release binary.
    #[arg(long)]
    bare: PathBuf,
    /// Launches per app; medians are reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Seconds idle before memory is read.
    #[arg(long, default_value_t = 10)]
    idle: u64,
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    /// Spawn to the UI's "painted" message, measured from outside the process.
    paint_ms: f64,
    rss_kib: u64,
    pss_kib: u64,
    processes: usize,
}

fn main() {
    let args = Args::parse();
    let mut rows = Vec::new();
    for (name, binary) in [("bare Tauri window", &args.bare), ("DevLoop", &args.app)] {
        let mut samples = Vec::new();
        for run in 1..=args.runs {
            match measure(binary, Duration::from_secs(args.idle)) {
                Ok(s) => {
                    eprintln!(
                        "{name} run {run}: paint {:.0} ms, PSS {:.1} MiB, RSS {:.1} MiB, {} processes",
                        s.paint_ms,
                        mib(s.pss_kib),
                        mib(s.rss_kib),
                        s.processes
                    );
                    samples.push(s);
                }
                Err(e) => {
                    eprintln!("{name} run {run}: {e}");
                    std::process::exit(1);
                }
            }
        }
        rows.push((name, median(&samples)));
    }

    println!(
        "\n{:<20} {:>16} {:>12} {:>12} {:>10}",
        "", "first paint (ms)", "PSS (MiB)", "RSS (MiB)", "processes"
    );
    for (name, s) in &rows {
        println!(
            "{name:<20} {:>16.0} {:>12.1} {:>12.1} {:>10}",
            s.paint_ms,
            mib(s.pss_kib),
            mib(s.rss_kib),
            s.processes
        );
    }
    let (bare, app) = (rows[0].1, rows[1].1);
    println!(
        "\nDevLoop / bare PSS: {:.2} (target ≤ 1.25); DevLoop first paint {:.0} ms (target < 1000 ms); medians of {} runs, {} s idle",
        app.pss_kib as f64 / bare.pss_kib as f64,
        app.paint_ms,
        args.runs,
        args.idle
    );
}

fn measure(binary: &Path, idle: Duration) -> Result<Sample, String> {
    let config = tempfile::tempdir().map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut child = Command::new(binary)
        .env("DEVLOOP_FOOTPRINT", "1")
        .env("DEVLOOP_CONFIG_DIR", config.path())
        .env("DEVLOOP_WORKSPACE", config.path().join("DevLoop"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        // Its own process group, so the whole tree (WebKit children too) is stopped together.
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let pid = child.id();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("devloop-first-paint-ms") {
                let _ = tx.send(start.elapsed());
            }
        }
    });
    let painted = rx.recv_timeout(Duration::from_secs(30));
    let result = match painted {
        Ok(paint) => {
            std::thread::sleep(idle);
            let tree = descendants(pid);
            let (rss, pss) = tree
                .iter()
                .map(|p| memory(*p))
                .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
            Ok(Sample {
                paint_ms: paint.as_secs_f64() * 1000.0,
                rss_kib: rss,
                pss_kib: pss,
                processes: tree.len(),
            })
        }
        Err(_) => Err(format!(
            "{} did not report a first paint within 30 s",
            binary.display()
        )),
    };
    let _ = Command::new("kill")
        .args(["-TERM", "--", &format!("-{pid}")])
        .status();
    let _ = child.wait();
    result
}

/// `root` and every process below it, from /proc.
fn descendants(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name may hold spaces and parentheses: the parent pid follows the last ')'.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        out.extend(children.get(&out[i]).into_iter().flatten());
        i += 1;
    }
    out
}

/// (RSS, PSS) in KiB of one process.
fn memory(pid: u32) -> (u64, u64) {
    let field = |text: &str, name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    (field(&rollup, "Rss:"), field(&rollup, "Pss:"))
}

fn median(samples: &[Sample]) -> Sample {
    let pick = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Sample {
        paint_ms: pick(samples.iter().map(|s| s.paint_ms).collect()),
        rss_kib: pick(samples.iter().map(|s| s.rss_kib as f64).collect()) as u64,
        pss_kib: pick(samples.iter().map(|s| s.pss_kib as f64).collect()) as u64,
        processes: samples[samples.len() / 2].processes,
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
