//! `devloop deploy`, `deploys`, `service`, `scale`, `autoscale`, `load`, `mode` and `proxy`: a
//! release of the workspace's app made live behind 127.0.0.1:8080 with a strategy, and the
//! service operated. When the app (or another `devloop deploy`) already runs the service, these
//! act through it on its control socket; otherwise `devloop deploy` runs it until Ctrl+C.

use std::path::PathBuf;
use std::process::ExitCode;

use devloop_engine::context::Context;
use devloop_engine::deploy::health::HealthCheck;
use devloop_engine::deploy::rollout::{DeployEvent, Strategy};
use devloop_engine::operate::autoscale::{Metric, Policy};
use devloop_engine::record::deploy::Target;
use devloop_engine::release;
use devloop_engine::service;
use devloop_engine::service::control;
use devloop_engine::service::host::{self, Slot};
use devloop_engine::settings::{self, Paths};

use crate::exit::REFUSED;

/// Says why the command was refused, and the fix when there is one; exit code 3.
pub(crate) fn fail(message: &str, fix: Option<&str>) -> ExitCode {
    eprintln!("devloop: {message}");
    if let Some(fix) = fix {
        eprintln!("  fix: {fix}");
    }
    ExitCode::from(REFUSED)
}

/// The options of `devloop deploy`.
#[derive(Debug)]
pub struct Options {
    pub repo: Option<PathBuf>,
    pub version: Option<String>,
    pub strategy: String,
    pub replicas: u32,
    pub health: String,
    /// Deploy, then exit instead of serving.
    pub no_serve: bool,
    /// `local` or `swarm`; none: where the traffic goes now.
    pub target: Option<String>,
}

fn shown(e: DeployEvent) {
    println!("{}", e.en());
}

pub async fn deploy(devloop: &Context, opts: Options) -> ExitCode {
    let Some(strategy) = Strategy::parse(&opts.strategy) else {
        return fail(
            &format!("`{}` is not a strategy", opts.strategy),
            Some("use blue-green, rolling or recreate"),
        );
    };
    let target = match opts.target.as_deref().map(|t| (t, Target::parse(t))) {
        None => None,
        Some((_, Some(t))) => Some(t),
        Some((word, None)) => {
            return fail(
                &format!("`{word}` is not a deploy target"),
                Some("use local or swarm"),
            )
        }
    };
    let paths = devloop.paths();
    let repo = crate::release::repo(devloop, opts.repo.clone());
    let app = release::app_name(&repo);
    let version = match opts.version.clone() {
        Some(v) => v,
        None => match devloop.store_now(|s| s.releases()) {
            Ok(all) => match all.into_iter().find(|r| r.app == app) {
                Some(r) => r.version,
                None => {
                    return fail(
                        &format!("{app} has no release yet"),
                        Some("devloop release"),
                    )
                }
            },
            Err(e) => return fail(&e.message, e.fix.as_deref()),
        },
    };
    let health = HealthCheck {
        path: opts.health.clone(),
        ..HealthCheck::default()
    };
    println!(
        "deploying {app} {version} ({}, {} replica(s))",
        strategy.id(),
        opts.replicas,
    );
    let slot = Slot::default();
    let (status, via) = match host::deploy(
        &slot,
        paths,
        &app,
        &version,
        strategy,
        opts.replicas,
        health,
        target,
        &shown,
    )
    .await
    {
        Ok(done) => done,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
    if let Some(svc) = slot.current().await {
        for name in svc.status().await.removed_at_start {
            println!("removed a leftover container of an earlier deploy: {name}");
        }
    }
    println!(
        "\n{app} {} is live at {} ({} {})",
        status.version.as_deref().unwrap_or("?"),
        status.url,
        status.replicas.len(),
        match status.target {
            Target::Swarm => "task(s) on the swarm: `devloop swarm status` lists them",
            Target::Local => "replica(s)",
        }
    );
    if let host::Via::Elsewhere { pid } = via {
        println!(
            "deployed through the DevLoop that runs the service (process {pid}); it keeps serving"
        );
        return ExitCode::SUCCESS;
    }
    if opts.no_serve {
        println!("not serving (--no-serve): the containers keep running, and the app adopts them when it starts");
        return ExitCode::SUCCESS;
    }
    let _monitor = monitor(paths, &slot);
    println!(
        "serving until Ctrl+C, healing stopped replicas and monitoring; try: curl {}\n(devloop scale and devloop autoscale act on this service meanwhile)",
        status.url
    );
    crate::signals::stop_asked().await;
    println!("\nstopped serving {}; the containers keep running, and the next deploy or the app adopts them", status.url);
    ExitCode::SUCCESS
}

/// Monitoring while this process serves, as the app does: alerts go to the history (lesson
/// checks read it) and are printed here.
fn monitor(paths: &Paths, slot: &Slot) -> devloop_engine::monitor::collect::Running {
    devloop_engine::monitor::collect::Monitor::start(
        paths.clone(),
        slot.clone(),
        Some(std::sync::Arc::new(
            |e: &devloop_engine::monitor::board::AlertEvent| {
                println!("alert {} {}: {}", e.rule, e.state, e.series);
            },
        )),
    )
}

/// `devloop serve`: runs the service here until Ctrl+C (what the app does while it is open):
/// the stable address, what is live adopted from the labels, healing, autoscaling, the
/// control socket `devloop deploy`/`scale`/`autoscale` go through, and monitoring with its
/// alerts.
pub async fn serve(devloop: &Context, repo: Option<PathBuf>) -> ExitCode {
    let paths = devloop.paths();
    let app = release::app_name(&crate::release::repo(devloop, repo));
    let slot = Slot::default();
    let svc = match slot.ensure(paths, &app).await {
        Ok(s) => s,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
    let _monitor = monitor(paths, &slot);
    let status = svc.status().await;
    for name in &status.removed_at_start {
        println!("removed a leftover container of an earlier deploy: {name}");
    }
    println!(
        "serving {app} at {} ({}) until Ctrl+C; process {}",
        status.url,
        match &status.version {
            Some(v) => format!("{v} live on {} replica(s)", status.replicas.len()),
            None => "nothing live yet: devloop deploy".into(),
        },
        std::process::id()
    );
    crate::signals::stop_asked().await;
    println!(
        "\nstopped serving {}; the containers keep running",
        status.url
    );
    ExitCode::SUCCESS
}

/// Sends `request` to the DevLoop that runs the service, or says how to start one.
async fn through_host(
    devloop: &Context,
    request: control::Request,
) -> Result<control::Hosted, ExitCode> {
    let paths = devloop.paths();
    match control::ask(paths, &request, &shown).await {
        Ok(Some(h)) => Ok(h),
        Ok(None) => Err(fail(
            "no DevLoop runs the service now, so there is nothing to act on",
            Some("open the app's Deploy page, or run `devloop deploy` (it serves until Ctrl+C)"),
        )),
        Err(e) => Err(fail(&e.message, e.fix.as_deref())),
    }
}

fn print_hosted(h: &control::Hosted) {
    let s = &h.status;
    let running = s.replicas.iter().filter(|r| r.running).count();
    println!(
        "{} {} at {} ({} replica(s){}), run by DevLoop process {}",
        s.app,
        s.version.as_deref().unwrap_or("(nothing live)"),
        s.url,
        s.replicas.len(),
        if running == s.replicas.len() {
            String::new()
        } else {
            format!(", {running} running")
        },
        h.pid
    );
    for r in &s.replicas {
        println!(
            "  {:<40} {:<6} 127.0.0.1:{}{}",
            r.name,
            r.colour,
            r.port,
            if r.running { "" } else { "  not running" }
        );
    }
    let a = &h.autoscaler;
    if a.enabled {
        let p = &a.policy;
        println!(
            "autoscaler on: {}..={} replicas, {} {} per replica",
            p.min,
            p.max,
            p.target_per_replica,
            match p.metric {
                Metric::Rps => "requests/s",
                Metric::Cpu => "% CPU",
            }
        );
    } else {
        println!("autoscaler off");
    }
    for d in a.decisions.iter().take(5) {
        println!("  {}", d.decision.reason);
    }
}

/// `devloop service`: what runs, and which process runs it.
/// `devloop service`: exits 0 only when what is live answers (all its replicas run).
pub async fn status(devloop: &Context) -> ExitCode {
    match through_host(devloop, control::Request::Status).await {
        Ok(h) => {
            print_hosted(&h);
            if h.status.replicas.iter().all(|r| r.running) {
                ExitCode::SUCCESS
            } else {
                eprintln!("devloop: not every live replica runs: the service is not answering as it should (is the Docker engine running? `devloop doctor` says)");
                ExitCode::FAILURE
            }
        }
        Err(code) => code,
    }
}

/// `devloop scale N`.
pub async fn scale(devloop: &Context, replicas: u32) -> ExitCode {
    match through_host(devloop, control::Request::Scale { replicas }).await {
        Ok(h) => {
            print_hosted(&h);
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// `devloop autoscale`: on with a policy, or off.
pub async fn autoscale(devloop: &Context, enabled: bool, policy: Policy) -> ExitCode {
    if let Err(e) = policy.check() {
        return fail(&e.message, e.fix.as_deref());
    }
    match through_host(devloop, control::Request::Autoscale { enabled, policy }).await {
        Ok(h) => {
            print_hosted(&h);
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// `devloop probes [URL…]`: the addresses Monitor calls every second (replacing the list), or
/// with none, the list.
pub fn probes(devloop: &Context, urls: &[String]) -> ExitCode {
    let paths = devloop.paths();
    let list = if urls.is_empty() {
        Ok(paths.load().ok().and_then(|s| s.probes).unwrap_or_default())
    } else {
        paths.set_probes(urls)
    };
    match list {
        Ok(list) if list.is_empty() => {
            println!("no probes besides the service's own health address");
            ExitCode::SUCCESS
        }
        Ok(list) => {
            for url in list {
                println!("{url}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.message, e.fix.as_deref()),
    }
}

/// `devloop proxy [ADDRESS]`: where the service answers, from its next start.
pub fn proxy(devloop: &Context, set: Option<&str>) -> ExitCode {
    let paths = devloop.paths();
    if let Some(text) = set {
        if let Err(e) = paths.set_proxy_address(text) {
            return fail(&e.message, e.fix.as_deref());
        }
    }
    match paths.proxy_address() {
        Ok(addr) => {
            println!("the service answers at http://{addr} (from its next start)");
            if std::env::var_os(settings::PROXY_ADDR_ENV).is_some() {
                println!(
                    "{} is set in this shell, and it decides",
                    settings::PROXY_ADDR_ENV
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.message, e.fix.as_deref()),
    }
}

pub async fn list(devloop: &Context) -> ExitCode {
    let paths = devloop.paths();
    // A deploy whose process was killed is said as interrupted, not running.
    let _ = devloop_engine::service::host::settle_deploys(paths).await;
    let deploys = match devloop.store(|s| s.deploys(50)).await {
        Ok(d) => d,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
    if deploys.is_empty() {
        println!("No deploys yet: `devloop deploy` after `devloop release`.");
        return ExitCode::SUCCESS;
    }
    println!(
        "{:>4}  {:<14} {:<9} {:<11} {:>3}  {:<12} reason",
        "#", "app", "version", "strategy", "n", "status"
    );
    for d in deploys {
        println!(
            "{:>4}  {:<14} {:<9} {:<11} {:>3}  {:<12} {}",
            d.id,
            d.app,
            d.version,
            d.strategy,
            d.replicas,
            d.status,
            d.reason.lines().next().unwrap_or("")
        );
    }
    ExitCode::SUCCESS
}

pub fn mode(devloop: &Context, set: Option<&str>) -> ExitCode {
    let paths = devloop.paths();
    if let Some(set) = set {
        if let Err(e) = paths.set_continuous_deployment(set == "deployment") {
            return fail(&e.message, e.fix.as_deref());
        }
    }
    let on = paths
        .load()
        .ok()
        .and_then(|s| s.continuous_deployment)
        .unwrap_or(false);
    if on {
        println!("Continuous Deployment: a green run started by a push deploys by itself.");
    } else {
        println!("Continuous Delivery: a green run's release waits; a person deploys it (the Deploy page, or devloop deploy).");
    }
    ExitCode::SUCCESS
}

/// `devloop load`: simulated peak traffic against the service's stable address.
pub async fn load(
    devloop: &Context,
    rps: u32,
    duration_s: u64,
    concurrency: u32,
    ramp_s: u64,
    path: String,
) -> ExitCode {
    let paths = devloop.paths();
    let target = match service::address(paths) {
        Ok(a) => a,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
    let started = std::time::Instant::now();
    let plan = devloop_engine::operate::load::LoadPlan {
        path,
        rps,
        duration_ms: duration_s * 1000,
        concurrency,
        ramp_ms: ramp_s * 1000,
    };
    println!("{rps} requests/s to http://{target}{} for {duration_s} s (ramp {ramp_s} s, at most {concurrency} at once)", plan.path);
    let report = devloop_engine::operate::load::run(target, &plan, &|r| {
        eprint!("\rsent {}  failed {}   ", r.sent, r.failed());
    })
    .await;
    eprintln!();
    let app = release::app_name(&crate::release::repo(devloop, None));
    let millis = started.elapsed().as_millis() as i64;
    if let Err(e) =
        devloop_engine::operate::load::record(&paths.database_file(), &app, &plan, &report, millis)
    {
        eprintln!(
            "devloop: the load run was not written to the operations log: {}",
            e.message
        );
    }
    let statuses: Vec<String> = report
        .statuses
        .iter()
        .map(|(s, n)| {
            if *s == 0 {
                format!("no answer: {n}")
            } else {
                format!("{s}: {n}")
            }
        })
        .collect();
    println!(
        "sent {}, {}; p50 {:.1} ms, p99 {:.1} ms{}",
        report.sent,
        statuses.join(", "),
        report.p50_micros as f64 / 1000.0,
        report.p99_micros as f64 / 1000.0,
        if report.skipped > 0 {
            format!("; {} skipped at the concurrency cap", report.skipped)
        } else {
            String::new()
        }
    );
    if report.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
