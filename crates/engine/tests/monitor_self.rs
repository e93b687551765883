//! Monitor's "DevLoop itself" against an independent measure: the kernel's own figures for
//! this process (`/proc/self/status`), with threads that must not count as processes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use devloop_engine::monitor::host::Host;

fn value(sample: &[(devloop_engine::monitor::metric::Key, f64)], name: &str) -> f64 {
    sample
        .iter()
        .find(|(k, _)| k.name == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("{name} in {sample:?}"))
}

/// VmRSS of this process in MiB, as the kernel reports it (what `ps -o rss` shows).
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap();
    kib / 1024.0
}

#[test]
fn devloop_s_own_memory_and_cpu_count_each_process_once_not_each_thread() {
    // Twelve idle threads and one that spins: a process like the app, with its many threads.
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    for _ in 0..12 {
        let stop = Arc::clone(&stop);
        threads.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }));
    }
    {
        let stop = Arc::clone(&stop);
        threads.push(std::thread::spawn(move || {
            let mut x = 0u64;
            while !stop.load(Ordering::Relaxed) {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        }));
    }
    let mut host = Host::new().unwrap();
    // The first look finds the family; CPU is a difference between two later looks, taken
    // apart as Monitor takes them (sysinfo ignores CPU refreshes closer than 200 ms).
    host.sample();
    std::thread::sleep(Duration::from_millis(300));
    host.sample();
    let started = Instant::now();
    std::thread::sleep(Duration::from_millis(1000));
    let sample = host.sample();
    let elapsed = started.elapsed();
    let (memory, cpu) = (
        value(&sample, "devloop.memory"),
        value(&sample, "devloop.cpu"),
    );
    let rss = rss_mib();
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    assert!(
        (memory / rss - 1.0).abs() < 0.25,
        "Monitor says {memory:.1} MiB, the kernel {rss:.1} MiB"
    );
    // One spinning thread is one core's worth, in percent of one core.
    assert!(
        (25.0..=150.0).contains(&cpu),
        "one busy thread read as {cpu:.0}% of a core over {elapsed:?}"
    );
}
