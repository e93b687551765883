//! The load generator ("simulate peak traffic"): GET requests at a steady rate, reached by a
//! linear ramp, with at most `concurrency` on their way at once, for a while; every answer is
//! counted by status and timed. Deploy tests use it to prove that a blue-green switch loses no
//! request, and Operate uses it to make the autoscaler work.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LoadPlan {
    pub path: String,
    pub rps: u32,
    #[ts(type = "number")]
    pub duration_ms: u64,
    pub concurrency: u32,
    /// The rate grows from zero to `rps` over this long.
    #[ts(type = "number")]
    pub ramp_ms: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LoadReport {
    #[ts(type = "number")]
    pub sent: u64,
    /// Answers by status code; 0 counts requests that got no HTTP answer at all.
    #[ts(type = "Record<string, number>")]
    pub statuses: BTreeMap<u16, u64>,
    /// Ticks skipped because `concurrency` requests were already on their way.
    #[ts(type = "number")]
    pub skipped: u64,
    #[ts(type = "number")]
    pub p50_micros: u64,
    #[ts(type = "number")]
    pub p99_micros: u64,
}

impl LoadReport {
    /// Requests that did not get a 2xx answer.
    pub fn failed(&self) -> u64 {
        self.statuses
            .iter()
            .filter(|(s, _)| !(200..300).contains(*s))
            .map(|(_, n)| n)
            .sum()
    }
}

/// Writes a finished load run into the operations log: when it ran (it ended at `at_ms`, and
/// lasted `millis`), so lesson checks can ask what the autoscaler did meanwhile.
pub fn record(
    db: &std::path::Path,
    app: &str,
    plan: &LoadPlan,
    report: &LoadReport,
    millis: i64,
) -> crate::Result<()> {
    let (p99, failed) = (report.p99_micros as f64 / 1000.0, report.failed());
    let secs = plan.duration_ms / 1000;
    crate::store::Store::open(db)?.record_op(&crate::store::ops::OpsEvent {
        at_ms: crate::store::now_ms(),
        app: app.to_owned(),
        kind: crate::store::ops::OpKind::Load,
        what: Some(
            crate::finding::Finding::new("opLoad")
                .with("rps", plan.rps)
                .with("secs", secs)
                .with("sent", report.sent)
                .with("failed", failed)
                .with("p99", format!("{p99:.1}")),
        ),
        message: format!(
            "simulated peak traffic: {} requests/s for {secs} s; {} sent, {failed} failed, p99 {p99:.1} ms",
            plan.rps, report.sent
        ),
        message_ko: None,
        millis: Some(millis),
        change: None,
        reason: None,
    })
}

/// The gap before the next request at `elapsed` into a ramp to `rps` over `ramp`.
pub fn gap(elapsed: Duration, rps: u32, ramp: Duration) -> Duration {
    let full = f64::from(rps.max(1));
    let rate = if ramp.is_zero() || elapsed >= ramp {
        full
    } else {
        // Never below 1 request a second, so a ramp always starts.
        (full * elapsed.as_secs_f64() / ramp.as_secs_f64()).max(1.0)
    };
    Duration::from_secs_f64(1.0 / rate)
}

/// Runs `plan` against `target`; `progress` hears the report so far about every 250 ms.
pub async fn run(
    target: SocketAddr,
    plan: &LoadPlan,
    progress: &(dyn Fn(&LoadReport) + Send + Sync),
) -> LoadReport {
    let report = Arc::new(Mutex::new(LoadReport::default()));
    let latencies = Arc::new(Mutex::new(Vec::<u64>::new()));
    let slots = Arc::new(tokio::sync::Semaphore::new(plan.concurrency.max(1) as usize));
    let started = Instant::now();
    let (duration, ramp) = (
        Duration::from_millis(plan.duration_ms),
        Duration::from_millis(plan.ramp_ms),
    );
    let mut next = started;
    let mut last_progress = started;
    let mut tasks = tokio::task::JoinSet::new();
    while started.elapsed() < duration {
        next += gap(started.elapsed(), plan.rps, ramp);
        tokio::time::sleep_until(next.into()).await;
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            report.lock().skipped += 1;
            continue;
        };
        report.lock().sent += 1;
        let (counts, latencies, path) = (
            Arc::clone(&report),
            Arc::clone(&latencies),
            plan.path.clone(),
        );
        tasks.spawn(async move {
            let t = Instant::now();
            let status = get(target, &path).await.unwrap_or(0);
            latencies.lock().push(t.elapsed().as_micros() as u64);
            *counts.lock().statuses.entry(status).or_default() += 1;
            drop(slot);
        });
        // Finished tasks are collected as we go, so a long run does not pile them up.
        while tasks.try_join_next().is_some() {}
        if last_progress.elapsed() >= Duration::from_millis(250) {
            last_progress = Instant::now();
            progress(&report.lock().clone());
        }
    }
    while tasks.join_next().await.is_some() {}
    let mut out = report.lock().clone();
    let latencies = latencies.lock().clone();
    (out.p50_micros, out.p99_micros) = percentiles(latencies);
    progress(&out);
    out
}

/// p50 and p99 of the latencies, as Monitor computes them (0 with none).
fn percentiles(mut latencies: Vec<u64>) -> (u64, u64) {
    latencies.sort_unstable();
    let at = |q| crate::stats::nearest_rank(&latencies, q).unwrap_or(0);
    (at(0.5), at(0.99))
}

/// One GET through the engine's one HTTP client; the status code, or `None` when no HTTP
/// answer came within 5 s. The body is read (up to 1 MiB) so the server is not cut off
/// mid-answer.
async fn get(target: SocketAddr, path: &str) -> Option<u16> {
    let slash = if path.starts_with('/') { "" } else { "/" };
    let url = format!("http://{target}{slash}{path}");
    crate::http::get(&url, Duration::from_secs(5), 1024 * 1024)
        .await
        .ok()
        .map(|answer| answer.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_runs_percentiles_are_monitors_nearest_rank() {
        // The old formula here read index n·q: p50 51 and p99 100 for these, where Monitor
        // said 50 and 99 for the same requests.
        let latencies: Vec<u64> = (1..=100).rev().collect();
        assert_eq!(percentiles(latencies), (50, 99));
        assert_eq!(percentiles(Vec::new()), (0, 0));
    }

    #[test]
    fn the_ramp_grows_the_rate_to_its_target() {
        let ramp = Duration::from_secs(10);
        assert_eq!(gap(Duration::ZERO, 200, ramp), Duration::from_secs(1));
        assert_eq!(
            gap(Duration::from_secs(5), 200, ramp),
            Duration::from_millis(10)
        );
        assert_eq!(
            gap(Duration::from_secs(20), 200, ramp),
            Duration::from_millis(5)
        );
        assert_eq!(
            gap(Duration::ZERO, 200, Duration::ZERO),
            Duration::from_millis(5)
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_answer_whose_status_line_arrives_in_pieces_is_still_counted() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf).await;
            // A slow or busy server: the status line a few bytes at a time.
            for piece in ["HTT", "P/1.1 2", "00 OK\r\nContent-Length: 2\r\n\r\nok"] {
                s.write_all(piece.as_bytes()).await.unwrap();
                s.flush().await.unwrap();
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
        });
        assert_eq!(get(addr, "/").await, Some(200));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_steady_rate_is_sent_and_every_answer_counted() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((mut s, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let mut buf = [0u8; 512];
                    let _ = s.read(&mut buf).await;
                    let _ = s
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                        .await;
                });
            }
        });
        let plan = LoadPlan {
            path: "/".into(),
            rps: 200,
            duration_ms: 1000,
            concurrency: 50,
            ramp_ms: 0,
        };
        let report = run(addr, &plan, &|_| {}).await;
        assert!((170..=210).contains(&report.sent), "{report:?}");
        assert_eq!(report.statuses.get(&200), Some(&report.sent));
        assert_eq!(report.failed(), 0);
        assert!(report.p50_micros > 0 && report.p99_micros >= report.p50_micros);
    }
}
