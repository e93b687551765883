//! Monitor: live charts, values under the pointer, exports, the demo's traffic, and a probe alert that fires, notifies and resolves.

use std::ffi::OsStr;
use std::path::Path;

use crate::steps::*;
use crate::webdriver::{self, Result};

pub(crate) fn the_monitor_page_draws_live_charts_shows_values_under_the_pointer_and_exports(
) -> Result<()> {
    let home = Home::new();
    let app = home.launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    s.click(&s.find("[data-testid=nav-monitor]")?)?;
    // The host's CPU, drawn by plotters, with samples in it after a second or two.
    let drawn = |s: &webdriver::Session| -> Result<Option<String>> {
        let chart = s.find("[data-testid=chart-hostCpu]")?;
        if s.attribute(&chart, "data-empty")?.as_deref() != Some("false") {
            return Ok(None);
        }
        let svg = s.execute(
            "return document.querySelector('[data-testid=chart-hostCpu] svg').outerHTML;",
        )?;
        Ok(svg.as_str().map(str::to_owned))
    };
    let first = s.wait("the host CPU chart with samples", || drawn(s))?;
    check(first.contains("<polyline"), "a line is drawn")?;
    // Once a second the picture moves on.
    let later = s.wait("the chart to move", || {
        Ok(drawn(s)?.filter(|svg| *svg != first))
    })?;
    check(later.starts_with("<svg"), "still an SVG")?;
    // Without a service, its charts say how to get some.
    let requests = s.text(&s.find("[data-testid=chart-requests]")?)?;
    check(
        requests.contains("Nothing is deployed"),
        format!("requests: {requests}"),
    )?;
    // The pointer over the plot shows the time and the value there.
    s.execute(
        "const p = document.querySelector('[data-testid=chart-hostCpu] .plot'); const b = p.getBoundingClientRect(); p.dispatchEvent(new PointerEvent('pointermove', { clientX: b.right - 20, clientY: b.top + 50, bubbles: true }));",
    )?;
    s.wait_text(
        "[data-testid=hover-values]",
        "the values under the pointer",
        |t| t.contains("host.cpu") && t.contains('%'),
    )?;
    if let Some(dir) = std::env::var_os("DEVLOOP_SCREENSHOTS") {
        save(Path::new(&dir), "monitor-en.png", &s.screenshot()?)?;
    }
    // A rule edited to watch a metric DevLoop does not collect is refused, saying what it meant.
    s.find("[data-testid=rule-metric-HostCpuHigh]")?;
    s.execute("const m = document.querySelector('[data-testid=rule-metric-HostCpuHigh]'); m.value = 'host.cpus'; m.dispatchEvent(new Event('input', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=rules-save]")?)?;
    // Said beside the rules, where the learner pressed Save, not at the top of a long page.
    s.wait_text("[data-testid=rules-problem]", "the rule's error", |t| {
        // The names are set as code now, so no backticks show.
        t.contains("host.cpus is not a metric DevLoop collects; did you mean host.cpu?")
    })?;
    // Put right, and a rule of the learner's own added with the form, with its CLI twin.
    s.execute("const m = document.querySelector('[data-testid=rule-metric-HostCpuHigh]'); m.value = 'host.cpu'; m.dispatchEvent(new Event('input', { bubbles: true }));")?;
    let add = |name: &str, metric: &str, threshold: &str| -> Result<()> {
        s.type_text(&s.find("[data-testid=rule-new-name]")?, name)?;
        s.type_text(&s.find("[data-testid=rule-new-metric]")?, metric)?;
        s.type_text(&s.find("[data-testid=rule-new-threshold]")?, threshold)?;
        s.click(&s.find("[data-testid=rule-add]")?)
    };
    add("SlowDeploys", "endpoint.p99", "500")?;
    s.wait_text("[data-testid=rules]", "the new rule and its twin", |t| {
        t.contains("devloop alerts add SlowDeploys --metric endpoint.p99 --above 500 --for 30 --severity warning")
    })?;
    // The same name again is refused, and the table stays as it was.
    add("SlowDeploys", "host.cpu", "90")?;
    s.wait_text(
        "[data-testid=rules-problem]",
        "the duplicate refused",
        |t| t.contains("Two alerts are named SlowDeploys"),
    )?;
    check(
        s.find_all("[data-testid=rule-remove-SlowDeploys]")?.len() == 1,
        "one SlowDeploys rule",
    )?;
    // A terminal removes it; the monitoring app takes the file up, and the page shows it.
    home.cli(&["alerts", "remove", "SlowDeploys"], &[])?;
    s.wait("the page to lose the rule the terminal removed", || {
        s.execute("location.hash = '#/plan';")?;
        s.execute("location.hash = '#/monitor';")?;
        std::thread::sleep(std::time::Duration::from_millis(300));
        Ok((!s
            .find_all("[data-testid=rule-remove-ProbeDown]")?
            .is_empty()
            && s.find_all("[data-testid=rule-remove-SlowDeploys]")?
                .is_empty())
        .then_some(()))
    })?;
    // Export: a real PNG file, and CSV with a time column.
    s.click(&s.find("[data-testid=export-png]")?)?;
    let said = s.wait_text("[data-testid=exported]", "the PNG's path", |t| {
        t.contains(".png")
    })?;
    let path = said.trim_start_matches("Saved to ").trim();
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    check(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000,
        format!("{path}: {} bytes", bytes.len()),
    )?;
    s.click(&s.find("[data-testid=export-csv]")?)?;
    let said = s.wait_text("[data-testid=exported]", "the CSV's path", |t| {
        t.contains(".csv")
    })?;
    let path = said.trim_start_matches("Saved to ").trim();
    let csv = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    check(
        csv.starts_with("time,") && csv.contains(",host.cpu"),
        format!("{path}: {}", &csv[..csv.len().min(200)]),
    )
}

/// A tiny web service this test starts and stops: 200 on any path while it runs.
pub(crate) struct Pingable {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Pingable {
    fn start(port: u16) -> Result<Pingable> {
        let listener =
            std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = std::sync::Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            use std::io::{Read, Write};
            while !stopped.load(std::sync::atomic::Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        let _ = s.set_nonblocking(false);
                        let mut buf = [0u8; 1024];
                        let _ = s.read(&mut buf);
                        let _ = s.write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                        );
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
                }
            }
        });
        Ok(Pingable {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Pingable {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(crate) fn with_the_demo_deployed_monitor_charts_its_traffic_and_a_probe_alert_fires_and_resolves(
) -> Result<()> {
    let bus = NotificationBus::start()?;
    let demo = DemoApp::launch_with(&[("DBUS_SESSION_BUS_ADDRESS", OsStr::new(&bus.address))])?;
    let (home, addr, s) = (&demo.home, demo.addr.as_str(), &demo.app.session);
    release_the_demo(home, s)?;
    home.devloop(addr, &["deploy", "--replicas", "1"])?;
    // The deploy was announced on the desktop.
    s.wait("the deploy's notification", || {
        Ok(bus.said().contains("DevLoop: deployed").then_some(()))
    })?;

    s.click(&s.find("[data-testid=nav-monitor]")?)?;
    let max = |s: &webdriver::Session, chart: &str| -> Result<f64> {
        let el = s.find(&format!("[data-testid=chart-{chart}]"))?;
        Ok(s.attribute(&el, "data-max")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0))
    };
    // The container's memory, read from its stats stream.
    s.wait("the container's memory charted", || {
        Ok((max(s, "containerMemory")? > 0.0).then_some(()))
    })?;
    // Peak traffic shows as requests per second.
    home.devloop(addr, &["load", "--rps", "80", "--duration", "4"])?;
    s.wait("requests/s to rise past 50", || {
        Ok((max(s, "requests")? >= 50.0).then_some(()))
    })?;
    // The replica's own lines beside the charts, filtered by level.
    s.find("[data-testid=logs-replica]")?;
    s.execute("const r = document.querySelector('[data-testid=logs-replica]'); r.value = r.options[1].value; r.dispatchEvent(new Event('change', { bubbles: true }));")?;
    s.wait_text(
        "[data-testid=monitor-logs]",
        "the replica's start-up line",
        |t| t.contains("loop-service 0.1.0 listening on port 8080"),
    )?;
    s.execute("const l = document.querySelector('[data-testid=logs-level]'); l.value = 'error'; l.dispatchEvent(new Event('change', { bubbles: true }));")?;
    s.wait_text(
        "[data-testid=monitor-logs]",
        "info lines filtered out",
        |t| !t.contains("listening on port 8080"),
    )?;
    s.wait("the demo's own /metrics to be read", || {
        Ok(s.find_all("[data-testid=scraped-pick] option")?
            .len()
            .gt(&1)
            .then_some(()))
    })?;

    // A probe of a service the test runs: up, then stopped (ProbeDown fires), then back.
    let port = free_loopback_addr()?
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse::<u16>().ok())
        .ok_or("a free port")?;
    let url = format!("http://127.0.0.1:{port}/health");
    let server = Pingable::start(port)?;
    home.devloop(addr, &["probes", &url])?;
    s.wait("the probe charted as up", || {
        let el = s.find("[data-testid=chart-probes]")?;
        Ok((s.attribute(&el, "data-empty")?.as_deref() == Some("false")).then_some(()))
    })?;
    drop(server);
    s.wait("ProbeDown to fire", || {
        Ok(
            s.find_all("[data-testid=alert-active][data-rule=ProbeDown]")?
                .into_iter()
                .next(),
        )
    })?;
    s.wait("the alert's notification", || {
        Ok(bus
            .said()
            .contains("DevLoop alert: ProbeDown")
            .then_some(()))
    })?;
    // One click makes it a bug item in the plan, carrying what fired and where.
    s.click(&s.find("[data-testid=add-to-plan]")?)?;
    s.wait_text("[data-testid=planned]", "the bug item's number", |t| {
        t.contains("bug #1")
    })?;
    let backlog = home.devloop(addr, &["plan", "list"])?;
    check(
        backlog.contains("#1    bug     ProbeDown on probe.up{url=http://127.0.0.1:")
            && backlog.contains("[from alert ProbeDown on probe.up"),
        backlog.clone(),
    )?;
    let _server = Pingable::start(port)?;
    s.wait("ProbeDown to resolve", || {
        Ok(s.find_all("[data-testid=alert-active]")?
            .is_empty()
            .then_some(()))
    })?;
    s.execute("document.querySelector('[data-testid=alerts] details').open = true;")?;
    // The history comes from the database, where lesson checks read it too.
    s.wait_text(
        "[data-testid=alert-history]",
        "the resolved alert in the history",
        |t| t.contains("ProbeDown") && t.contains("resolved") && t.contains("fired for"),
    )?;
    s.wait("the resolution's notification", || {
        Ok(bus
            .said()
            .contains("DevLoop resolved: ProbeDown")
            .then_some(()))
    })?;
    // Refine reads the same history: one deploy this week, and the lead time of what it shipped.
    s.click(&s.find("[data-testid=nav-refine]")?)?;
    s.wait_text("[data-testid=dora-frequency]", "this week's deploy", |t| {
        t.contains("1 deploy(s) this week")
    })?;
    s.wait_text(
        "[data-testid=dora-lead-time]",
        "the lead time of the release",
        |t| t.contains("median") && t.contains("p90"),
    )
    .map(drop)
}
