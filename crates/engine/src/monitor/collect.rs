//! Collection, once a second: the host on a thread of its own (sysinfo blocks), and on tokio
//! the service's endpoints (from the proxy's request log), its containers (Docker's stats
//! streams), a probe of its health address, the markers of its deploys and rollbacks, and then
//! the alert rules. Minutes and alert changes go to the database; alert changes also to the
//! listener (the app's notifications). A source that fails (Docker restarting, a container
//! gone mid-read) leaves a gap and says so in the status, and the next second tries again.

use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use super::alert::Rule;
use super::board::{AlertEvent, Board};
use super::chart::Marker;
use super::host::Host;
use super::metric::Key;
use crate::service::host::Slot;
use crate::settings::Paths;
use crate::store::ops::OpKind;
use crate::store::Store;
use tokio_util::sync::{CancellationToken, DropGuard};

/// A probed address that has not answered in this long counts as down.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Hears every alert change (the app raises a desktop notification on firing and resolving).
pub type AlertListener = Arc<dyn Fn(&AlertEvent) + Send + Sync>;

/// How each source is doing, for the page's status line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SourceStatus {
    /// Empty when fine; otherwise what went wrong, in a sentence.
    pub host: String,
    pub containers: String,
    /// The service's `/metrics`, when it could not be read.
    pub scrape: String,
    /// Set when a collector failed (a bug) and was started again.
    pub collector: String,
    /// Set when `alerts.json` could not be used: why, and that the defaults are in force.
    pub rules: String,
    /// Seconds the wall clock jumped at the last look, when it did (samples keep their order;
    /// the time axis follows the new clock).
    #[ts(type = "number")]
    pub clock_jump_s: i64,
}

/// Monitor as a process runs it.
pub struct Monitor {
    pub board: Arc<Mutex<Board>>,
    pub status: Arc<Mutex<SourceStatus>>,
    paths: Paths,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Monitor")
    }
}

fn unix_now() -> i64 {
    crate::store::now()
}

/// Monitor while it runs: it dereferences to the [`Monitor`], and dropping it stops
/// collecting (the loop at once, the host thread within a second).
#[derive(Debug)]
pub struct Running {
    monitor: Arc<Monitor>,
    _stop: DropGuard,
}

impl Running {
    /// The monitor itself, for readers that outlive this borrow (a clone does not keep it
    /// collecting).
    pub fn monitor(&self) -> &Arc<Monitor> {
        &self.monitor
    }
}

impl std::ops::Deref for Running {
    type Target = Monitor;
    fn deref(&self) -> &Monitor {
        &self.monitor
    }
}

impl Monitor {
    /// Starts collecting until the returned handle drops; `slot` is where the service is.
    pub fn start(paths: Paths, slot: Slot, on_alert: Option<AlertListener>) -> Running {
        let status = SourceStatus::default();
        let monitor = Arc::new(Monitor {
            board: Arc::new(Mutex::new(Board::default())),
            status: Arc::new(Mutex::new(status)),
            paths,
        });
        let stop = CancellationToken::new();
        monitor.host_thread(stop.clone());
        let m = Arc::clone(&monitor);
        let stopped = stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = stopped.cancelled() => {}
                () = m.service_loop(slot, on_alert) => {}
            }
        });
        Running {
            monitor,
            _stop: stop.drop_guard(),
        }
    }

    /// Replaces the rules (each checked; the first bad one is the error) and saves them.
    pub fn set_rules(&self, rules: Vec<Rule>) -> Result<(), crate::Error> {
        super::rules::check(&rules)?;
        super::rules::save(&self.paths, &rules)?;
        self.status.lock().rules = String::new();
        self.board.lock().set_rules(rules);
        Ok(())
    }

    fn record(&self, t: i64, samples: Vec<(Key, f64)>) {
        let closed = self.board.lock().record(t, samples);
        if !closed.is_empty() {
            let rows: Vec<_> = closed
                .into_iter()
                .map(|(k, m)| (k.to_string(), m))
                .collect();
            let _ =
                Store::open(&self.paths.database_file()).and_then(|s| s.record_minutes(&rows, t));
        }
    }

    /// The rules in force (the defaults when `alerts.json` cannot be used, saying why), and
    /// the minutes of the last day from the database.
    fn restore(&self) {
        let rules = super::rules::load(&self.paths).unwrap_or_else(|e| {
            self.status.lock().rules = format!("{}; the default rules are in force", e.message);
            super::alert::defaults()
        });
        let minutes = Store::open(&self.paths.database_file())
            .and_then(|s| {
                // The alerts a previous monitor left firing start over on this board.
                s.unwatch_alerts(unix_now())?;
                s.minutes_since(unix_now())
            })
            .unwrap_or_default();
        let mut board = self.board.lock();
        board.set_rules(rules);
        for (series, m) in minutes {
            if let Ok(key) = Key::parse(&series) {
                board.restore(key, m);
            }
        }
    }

    fn rules_modified(&self) -> Option<std::time::SystemTime> {
        std::fs::metadata(super::rules::file(&self.paths))
            .and_then(|m| m.modified())
            .ok()
    }

    /// Takes `alerts.json` up again when it changed on disk (a terminal's `devloop alerts`, or
    /// an editor) while this process monitors. Alerts of rules that stay keep their state; a
    /// file that no longer reads is said, and the rules before it stay in force.
    fn follow_rules(&self, seen: &mut Option<std::time::SystemTime>) {
        let modified = self.rules_modified();
        if modified == *seen {
            return;
        }
        *seen = modified;
        match super::rules::load(&self.paths) {
            Ok(rules) => {
                self.status.lock().rules = String::new();
                self.board.lock().set_rules(rules);
            }
            Err(e) => {
                self.status.lock().rules =
                    format!("{}; the rules before it stay in force", e.message);
            }
        }
    }

    fn host_thread(self: &Arc<Self>, stop: CancellationToken) {
        let weak = Arc::downgrade(self);
        let _ = std::thread::Builder::new()
            .name("devloop-monitor-host".into())
            .spawn(move || {
                // Files and SQLite first, here, off the async threads: the rules, and the last
                // day of minutes.
                let mut rules_seen = None;
                if let Some(m) = weak.upgrade() {
                    rules_seen = m.rules_modified();
                    m.restore();
                }
                let mut host = match Host::new() {
                    Ok(h) => h,
                    Err(e) => {
                        if let Some(m) = weak.upgrade() {
                            m.status.lock().host = e.message;
                        }
                        return;
                    }
                };
                let mut last = unix_now();
                loop {
                    // On the second, so every source's samples line up.
                    let ms = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.subsec_millis());
                    std::thread::sleep(Duration::from_millis(u64::from(1000 - ms.min(999))));
                    if stop.is_cancelled() {
                        return;
                    }
                    let Some(m) = weak.upgrade() else { return };
                    let t = unix_now();
                    // A clock that jumped is said, not hidden; the series take the new time
                    // (samples before it stay where they were, a jump back drops older ones).
                    if (t - last - 1).abs() > 2 {
                        m.status.lock().clock_jump_s = t - last - 1;
                    }
                    last = t;
                    m.follow_rules(&mut rules_seen);
                    m.record(t, host.sample());
                }
            });
    }

    async fn service_loop(self: Arc<Self>, slot: Slot, on_alert: Option<AlertListener>) {
        use futures_util::FutureExt;
        loop {
            // A bug in one look must not end monitoring: say so, and start over afresh.
            let looks = Arc::clone(&self).looks(slot.clone(), on_alert.clone());
            if let Err(panic) = std::panic::AssertUnwindSafe(looks).catch_unwind().await {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                self.status.lock().collector =
                    format!("a collector failed and was restarted: {why}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }

    async fn looks(self: Arc<Self>, slot: Slot, on_alert: Option<AlertListener>) {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut streams = super::containers::Streams::default();
        // The proxy's clock starts with each service: remember whose clock it was.
        let mut last_proxy: Option<(usize, u64)> = None;
        let mut last_op_ms = crate::store::now_ms();
        let mut ticks: u64 = 0;
        // Each probe on its own: one that hangs delays its own next look, never the second's
        // samples of everything else.
        let mut probing: std::collections::HashMap<
            String,
            tokio::task::JoinHandle<(bool, Duration)>,
        > = std::collections::HashMap::new();
        loop {
            tick.tick().await;
            ticks += 1;
            let t = unix_now();
            let mut samples = Vec::new();
            let mut probes: Vec<String> = Vec::new();
            if let Some(svc) = slot.current().await.filter(|s| !s.is_closed()) {
                let app = svc.app().to_owned();
                // Endpoints: the last second of the proxy's log.
                let proxy = svc.proxy();
                let now_ms = proxy.now_ms();
                let whose = Arc::as_ptr(&svc) as usize;
                let since = match last_proxy {
                    Some((w, ms)) if w == whose && ms <= now_ms => ms,
                    _ => now_ms.saturating_sub(1000),
                };
                last_proxy = Some((whose, now_ms));
                let requests = proxy.requests(since);
                let window_s = (now_ms.saturating_sub(since) as f64 / 1000.0).max(0.001);
                let key = |name: &str| Key::new(name).with("service", &app);
                let status = svc.status().await;
                if status.version.is_some() || !requests.is_empty() {
                    samples.push((key("endpoint.rps"), requests.len() as f64 / window_s));
                }
                if !requests.is_empty() {
                    let failed = requests
                        .iter()
                        .filter(|r| r.status == 0 || r.status >= 500)
                        .count();
                    samples.push((
                        key("endpoint.errorRate"),
                        failed as f64 / requests.len() as f64 * 100.0,
                    ));
                    let mut ms: Vec<f64> =
                        requests.iter().map(|r| r.micros as f64 / 1000.0).collect();
                    ms.sort_by(f64::total_cmp);
                    let at = |q: f64| crate::stats::nearest_rank(&ms, q).unwrap_or(0.0);
                    samples.push((key("endpoint.p50"), at(0.50)));
                    samples.push((key("endpoint.p95"), at(0.95)));
                    samples.push((key("endpoint.p99"), at(0.99)));
                }
                // Containers: their stats streams, started and stopped as replicas come and go.
                streams.follow(svc.engine(), &status.replicas);
                let from_streams = streams.samples();
                let missing = streams.len()
                    - from_streams
                        .iter()
                        .filter(|(k, _)| k.name == "container.memory")
                        .count();
                self.status.lock().containers = if missing > 0 && ticks > 3 {
                    format!("no fresh statistics for {missing} container(s); Docker may be busy or restarting")
                } else {
                    String::new()
                };
                samples.extend(from_streams);
                // Deploys, rollbacks and heals since the last look.
                let ops = svc.recent_ops(last_op_ms);
                if let Some(newest) = ops.last() {
                    last_op_ms = newest.at_ms + 1;
                }
                let healed_lately = svc
                    .recent_ops(crate::store::now_ms() - 60_000)
                    .iter()
                    .any(|e| e.kind == OpKind::Heal);
                samples.push((
                    Key::new("container.restarted").with("app", &app),
                    if healed_lately { 1.0 } else { 0.0 },
                ));
                {
                    let mut board = self.board.lock();
                    for e in ops
                        .iter()
                        .filter(|e| matches!(e.kind, OpKind::Deploy | OpKind::Rollback))
                    {
                        board.mark(Marker {
                            at: e.at_ms / 1000,
                            kind: e.kind.as_str().to_owned(),
                            label: e.message.clone(),
                        });
                    }
                }
                // The service's own metrics, every fifth second, from each replica.
                if ticks.is_multiple_of(5) {
                    let mut problem = String::new();
                    for r in &status.replicas {
                        let addr = r
                            .address
                            .clone()
                            .unwrap_or_else(|| format!("127.0.0.1:{}", r.port));
                        match super::scrape::fetch(&addr)
                            .await
                            .and_then(|t| super::scrape::parse(&t, &r.name))
                        {
                            Ok(found) => samples.extend(found),
                            Err(why) => problem = format!("{}: {why}", r.name),
                        }
                    }
                    self.status.lock().scrape = problem;
                }
                if status.version.is_some() {
                    probes.push(format!("{}/health", status.url));
                }
            }
            // Probes, as a user would call them: the service's health address and any the
            // learner added. In parallel, so one that hangs does not hold up the others.
            let paths = self.paths.clone();
            probes.extend(
                crate::blocking(move || Ok(paths.load().ok().and_then(|s| s.probes)))
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
            );
            probes.sort();
            probes.dedup();
            // Probes no longer asked for stop; finished ones give their result, and start again.
            probing.retain(|url, h| {
                let keep = probes.contains(url);
                if !keep {
                    h.abort();
                }
                keep
            });
            let mut results = Vec::new();
            for url in probes.drain(..) {
                if let Some(h) = probing.get(&url) {
                    if !h.is_finished() {
                        continue;
                    }
                    if let Some(h) = probing.remove(&url) {
                        if let Ok((up, took)) = h.await {
                            results.push((url.clone(), up, took));
                        }
                    }
                }
                let target = url.clone();
                probing.insert(
                    url,
                    tokio::spawn(async move {
                        let started = std::time::Instant::now();
                        let answer = crate::http::get(&target, PROBE_TIMEOUT, 0).await;
                        let up = answer.is_ok_and(|a| a.status == 200);
                        (up, started.elapsed())
                    }),
                );
            }
            for (url, up, took) in results {
                let k = |name: &str| Key::new(name).with("url", &url);
                samples.push((k("probe.up"), if up { 1.0 } else { 0.0 }));
                if up {
                    samples.push((k("probe.ms"), took.as_secs_f64() * 1000.0));
                }
            }
            let me = Arc::clone(&self);
            let flush = ticks.is_multiple_of(5);
            let events = tokio::task::spawn_blocking(move || {
                me.record(t, samples);
                if flush {
                    let open: Vec<_> = me
                        .board
                        .lock()
                        .open_minutes()
                        .into_iter()
                        .map(|(k, m)| (k.to_string(), m))
                        .collect();
                    let _ = Store::open(&me.paths.database_file())
                        .and_then(|s| s.record_minutes(&open, t));
                }
                let events = me.board.lock().evaluate(t);
                if !events.is_empty() {
                    if let Ok(store) = Store::open(&me.paths.database_file()) {
                        for e in &events {
                            let _ = store.record_alert(e);
                        }
                    }
                }
                events
            })
            .await
            .unwrap_or_default();
            if let Some(listener) = &on_alert {
                for e in events
                    .iter()
                    .filter(|e| e.state != super::board::AlertChange::Pending)
                {
                    listener(e);
                }
            }
        }
    }
}
