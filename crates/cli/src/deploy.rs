//! `devloop deploy` and `devloop deploys`: a release of the workspace's app made live behind
//! 127.0.0.1:8080 with a strategy, served until Ctrl+C, and the deploy history.

use std::path::PathBuf;
use std::process::ExitCode;

use devloop_engine::deploy::health::HealthCheck;
use devloop_engine::deploy::rollout::{DeployEvent, Strategy};
use devloop_engine::deploy::service::{self, Service};
use devloop_engine::docker::Engine;
use devloop_engine::release;
use devloop_engine::settings::Paths;
use devloop_engine::store::Store;

use crate::workflow::REFUSED;

fn fail(message: &str, fix: Option<&str>) -> ExitCode {
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
}

pub async fn deploy(opts: Options) -> ExitCode {
    let Some(strategy) = Strategy::parse(&opts.strategy) else {
        return fail(
            &format!("`{}` is not a strategy", opts.strategy),
            Some("use blue-green, rolling or recreate"),
        );
    };
    let paths = Paths::from_env();
    let repo = crate::release::repo(opts.repo.clone());
    let app = release::app_name(&repo);
    let version = match opts.version.clone() {
        Some(v) => v,
        None => match Store::open(&paths.database_file()).and_then(|s| s.releases()) {
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
    let bind = match service::address() {
        Ok(a) => a,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
    let engine = match Engine::connect_here().await {
        Ok(e) => e,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
    let svc = match Service::start(engine, paths, app.clone(), bind).await {
        Ok(s) => s,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
    let before = svc.status().await;
    for name in &before.removed_at_start {
        println!("removed a leftover container of an earlier deploy: {name}");
    }
    println!(
        "deploying {app} {version} ({}, {} replica(s)); live now: {}",
        strategy.id(),
        opts.replicas,
        before.version.as_deref().unwrap_or("nothing")
    );
    let health = HealthCheck {
        path: opts.health.clone(),
        ..HealthCheck::default()
    };
    let shown = |e: DeployEvent| match e {
        DeployEvent::Starting { version, n, of } => {
            println!("starting {version} replica {n} of {of}")
        }
        DeployEvent::Healthy { name, millis } => println!("  {name} is healthy ({millis} ms)"),
        DeployEvent::Switched { version, replicas } => {
            println!("traffic → {version} ({replicas} replica(s))")
        }
        DeployEvent::Stopped { name } => println!("  stopped {name}"),
        DeployEvent::RolledBack { reason, to } => println!(
            "rolled back{}: {reason}",
            to.map(|v| format!(" to {v}")).unwrap_or_default()
        ),
    };
    let status = match svc
        .deploy(&version, strategy, opts.replicas, health, &shown)
        .await
    {
        Ok(s) => s,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
    println!(
        "\n{app} {} is live at {} ({} replica(s))",
        status.version.as_deref().unwrap_or("?"),
        status.url,
        status.replicas.len()
    );
    if opts.no_serve {
        println!("not serving (--no-serve): the containers keep running, and the app adopts them when it starts");
        return ExitCode::SUCCESS;
    }
    println!("serving until Ctrl+C; try: curl {}", status.url);
    let _ = tokio::signal::ctrl_c().await;
    println!("\nstopped serving {}; the containers keep running, and the next deploy or the app adopts them", status.url);
    ExitCode::SUCCESS
}

pub fn list() -> ExitCode {
    let paths = Paths::from_env();
    let deploys = match Store::open(&paths.database_file()).and_then(|s| s.deploys(50)) {
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

pub fn mode(set: Option<&str>) -> ExitCode {
    let paths = Paths::from_env();
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
    rps: u32,
    duration_s: u64,
    concurrency: u32,
    ramp_s: u64,
    path: String,
) -> ExitCode {
    let target = match service::address() {
        Ok(a) => a,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
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
