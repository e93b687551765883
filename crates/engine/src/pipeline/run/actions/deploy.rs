//! `devloop/deploy@v1`: a release made live from a workflow, with the gate that separates
//! Continuous Delivery from Continuous Deployment. A run started by a person (Run, a
//! workflow_dispatch) deploys: the click was the gate. A run started by a push deploys by
//! itself only when Continuous Deployment is on; otherwise the release is offered on the
//! Deploy page, where a person decides when it goes live.

use super::{Action, Context, Done};
use crate::deploy::health::HealthCheck;
use crate::deploy::rollout::Strategy;
use crate::release;
use crate::service::host;
use crate::store::{now, Store};

pub struct Deploy;

impl Action for Deploy {
    fn name(&self) -> &'static str {
        "devloop/deploy"
    }

    fn run(&self, cx: &Context) -> Result<Done, String> {
        let (Some(paths), Some(slot)) = (cx.paths.clone(), cx.service.clone()) else {
            return Err(
                "deploys need DevLoop's running service, which this run was not given".into(),
            );
        };
        let app = cx
            .input("app")
            .map(str::to_owned)
            .unwrap_or_else(|| release::app_name(&cx.repo));
        let strategy_text = cx.input("strategy").unwrap_or("blue-green");
        let strategy = Strategy::parse(strategy_text).ok_or_else(|| {
            format!("`strategy: {strategy_text}` is not one of blue-green, rolling, recreate")
        })?;
        let replicas: u32 = cx.input("replicas").unwrap_or("2").parse().map_err(|_| {
            let range = crate::deploy::REPLICAS;
            format!(
                "`replicas` is a number from {} to {}",
                range.start(),
                range.end()
            )
        })?;
        let db = paths.database_file();
        let version = match cx.input("version") {
            Some(v) => v.to_owned(),
            None => Store::open(&db)
                .and_then(|s| s.releases())
                .map_err(|e| e.message)?
                .into_iter()
                .find(|r| r.app == app)
                .map(|r| r.version)
                .ok_or_else(|| {
                    format!("{app} has no release to deploy: release it first (devloop/release@v1)")
                })?,
        };
        let by_a_person = cx.event == "workflow_dispatch";
        if !by_a_person && !cx.continuous_deployment {
            let why = format!(
                "run #{}, {}: waiting for a person to deploy",
                cx.run_number, cx.event
            );
            Store::open(&db)
                .and_then(|s| {
                    let detail = crate::finding::Finding::new("deployWaiting")
                        .with("number", cx.run_number)
                        .with("event", &cx.event);
                    s.offer_candidate(&app, &version, strategy, replicas, (&why, &detail), now())
                })
                .map_err(|e| e.message)?;
            cx.log(format!(
                "Continuous Delivery: {app} {version} is ready, and a person decides when it goes live: the Deploy page, or `devloop deploy --version {version}`. (With Continuous Deployment on, this run would have deployed it.)"
            ));
            return Ok(Done::success()
                .output("deployed", "false")
                .output("version", version));
        }
        let health = HealthCheck {
            path: cx.input("health-path").unwrap_or("/health").to_owned(),
            ..HealthCheck::default()
        };
        let log = cx.clone();
        let (status, via) = tokio::runtime::Handle::current()
            .block_on(host::deploy(
                &slot,
                &paths,
                &app,
                &version,
                strategy,
                replicas,
                health,
                // Where the traffic goes now: a workflow deploys to the target the learner chose.
                None,
                &move |e| log.log(e.en().trim_start().to_owned()),
            ))
            .map_err(super::said)?;
        if let host::Via::Elsewhere { pid } = via {
            cx.log(format!(
                "deployed through the DevLoop that runs the service (process {pid})"
            ));
        }
        cx.log(format!(
            "{app} {version} is live at {} ({})",
            status.url,
            if by_a_person {
                "deployed by a person's run"
            } else {
                "Continuous Deployment"
            }
        ));
        Ok(Done::success()
            .output("deployed", "true")
            .output("version", version)
            .output("url", status.url))
    }
}
