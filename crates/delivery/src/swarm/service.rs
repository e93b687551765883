//! A release as a Swarm service: made or updated through the Engine API, each strategy as Swarm's own update config, the image's own HEALTHCHECK as the task's, and a failed update rolled back by Swarm itself, which DevLoop then reports.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use bollard::models::{
    EndpointSpec, EndpointSpecModeEnum, Limit, NetworkAttachmentConfig, ServiceSpec,
    ServiceSpecMode, ServiceSpecModeReplicated, ServiceSpecRollbackConfig,
    ServiceSpecRollbackConfigFailureActionEnum, ServiceSpecRollbackConfigOrderEnum,
    ServiceSpecUpdateConfig, ServiceSpecUpdateConfigFailureActionEnum,
    ServiceSpecUpdateConfigOrderEnum, ServiceUpdateStatusStateEnum, TaskSpec,
    TaskSpecContainerSpec, TaskSpecPlacement, TaskSpecResources,
};
use bollard::query_parameters::UpdateServiceOptions;

use super::tasks::{self, Task};
use super::{network, LABEL_SWARM};
use crate::deploy::replica::{self, MEMORY_BYTES, NANO_CPUS, SERVICE_PORT};
use crate::deploy::rollout::{DeployEvent, Strategy};
use crate::docker::{DockerError, Engine, Host};
use crate::finding::Finding;
use crate::instance::LABEL_INSTANCE;
use crate::release::{LABEL_APP, LABEL_VERSION};
use crate::{Code, Error};

/// How long Swarm watches each updated task before it counts the update a success; a task that
/// fails within it rolls the update back.
pub const MONITOR: Duration = Duration::from_secs(3);
/// A stopped task gets this long after SIGTERM: the proxy stops sending to it within a quarter
/// second, and a service that ignores SIGTERM (PID 1 without a handler) is not waited on for 10.
pub const STOP_GRACE: Duration = Duration::from_secs(2);
/// The longest a deploy waits for Swarm to finish (a slow image start, several slots in turn).
const DEADLINE: Duration = Duration::from_secs(180);

fn api(e: bollard::errors::Error) -> Error {
    DockerError::Api(e).into_error(Host::probe())
}

fn nanos(d: Duration) -> i64 {
    d.as_nanos() as i64
}

/// What to deploy.
#[derive(Debug, Clone)]
pub struct Request {
    pub app: String,
    pub version: String,
    pub strategy: Strategy,
    pub replicas: u32,
}

/// How a deploy to the swarm ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every task of the version runs, healthy, and stayed so for [`MONITOR`].
    Live,
    /// A task of the new version failed; Swarm put the previous spec back. `why` is Swarm's
    /// own message and the failing task's error; `logs` its container's last lines.
    RolledBack { why: String, logs: String },
    /// A first deploy whose tasks never ran: there was nothing to go back to, so the service
    /// was removed.
    Failed { why: String, logs: String },
}

/// The update config a strategy is on Swarm. Rolling replaces one task at a time, stopping the
/// old one first; blue-green starts every new task beside the old ones, which stop once their
/// replacement runs; recreate stops every old task, then starts the new ones. Any of them
/// rolls back by itself when a new task fails within [`MONITOR`].
pub fn update_config(strategy: Strategy) -> ServiceSpecUpdateConfig {
    let (parallelism, order) = match strategy {
        Strategy::Rolling => (1, ServiceSpecUpdateConfigOrderEnum::STOP_FIRST),
        // 0: all at once.
        Strategy::BlueGreen => (0, ServiceSpecUpdateConfigOrderEnum::START_FIRST),
        Strategy::Recreate => (0, ServiceSpecUpdateConfigOrderEnum::STOP_FIRST),
    };
    ServiceSpecUpdateConfig {
        parallelism: Some(parallelism),
        delay: Some(0),
        failure_action: Some(ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK),
        monitor: Some(nanos(MONITOR)),
        max_failure_ratio: Some(0.0),
        order: Some(order),
    }
}

/// Going back is always start-first, all at once: the old version is known to work, and the
/// users should not wait for it.
fn rollback_config() -> ServiceSpecRollbackConfig {
    ServiceSpecRollbackConfig {
        parallelism: Some(0),
        delay: Some(0),
        failure_action: Some(ServiceSpecRollbackConfigFailureActionEnum::PAUSE),
        monitor: Some(nanos(MONITOR)),
        max_failure_ratio: Some(0.0),
        order: Some(ServiceSpecRollbackConfigOrderEnum::START_FIRST),
    }
}

/// The refusal when this daemon is in no swarm.
fn inactive() -> Error {
    Error::said(
        Code::InvalidInput,
        Finding::new("swarmInactive"),
        "this Docker daemon is not in a swarm: make one first",
    )
    .with_fix("devloop swarm init")
}

/// Refuses a daemon that cannot take a service now: in no swarm, a worker, or this node
/// drained (Swarm would keep the tasks pending for ever). Returns this node's id: DevLoop's
/// tasks run here, where its images were built and its proxy reaches them; on a swarm of
/// several nodes, another node has neither (see the lesson's "What a real cluster adds").
pub async fn ready(engine: &Engine) -> Result<String, Error> {
    let info = engine.client().info().await.map_err(api)?;
    let swarm = info.swarm.unwrap_or_default();
    let manager = swarm.control_available.unwrap_or(false);
    // Before the cluster: Docker names none to a worker, which is in a swarm all the same.
    if swarm.local_node_state == Some(bollard::models::LocalNodeState::ACTIVE) && !manager {
        return Err(super::not_a_manager());
    }
    if swarm
        .cluster
        .and_then(|c| c.id)
        .is_none_or(|id| id.is_empty())
    {
        return Err(inactive());
    }
    if !manager {
        return Err(super::not_a_manager());
    }
    let here = swarm.node_id.unwrap_or_default();
    let node = engine.client().inspect_node(&here).await.map_err(api)?;
    let ready =
        node.status.as_ref().and_then(|s| s.state) == Some(bollard::models::NodeState::READY);
    let active = node.spec.as_ref().and_then(|s| s.availability)
        == Some(bollard::models::NodeSpecAvailabilityEnum::ACTIVE);
    if !(ready && active) {
        let name = node
            .description
            .and_then(|d| d.hostname)
            .unwrap_or_else(|| here.clone());
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("swarmNodeDrained").with("node", &name),
            format!(
                "this node of the swarm takes no tasks: {name} is drained (or paused, or down), so every task would wait for ever"
            ),
        )
        .with_fix(format!("docker node update --availability active {name}")));
    }
    Ok(here)
}

/// The service named `app`, when this DevLoop made it; none when there is none; refused when
/// someone else's has the name.
pub async fn ours(engine: &Engine, app: &str) -> Result<Option<bollard::models::Service>, Error> {
    let found = match engine.client().inspect_service(app, None).await {
        Ok(s) => s,
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => return Ok(None),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 503, ..
        }) => return Err(inactive()),
        Err(e) => return Err(api(e)),
    };
    let labels = found
        .spec
        .as_ref()
        .and_then(|s| s.labels.clone())
        .unwrap_or_default();
    let mine = labels.contains_key(LABEL_SWARM)
        && labels.get(LABEL_INSTANCE).map(String::as_str) == Some(engine.owner())
        // Prefix filters: `app` must be the service's whole name.
        && found.spec.as_ref().and_then(|s| s.name.as_deref()) == Some(app);
    if !mine {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("swarmServiceNotOurs").with("service", app),
            format!(
                "the swarm already has a service called {app} that this DevLoop did not make, so DevLoop leaves it as it is"
            ),
        )
        .with_fix(format!("docker service inspect {app}")));
    }
    Ok(Some(found))
}

/// Refuses an image with no health check of its own: Swarm's rollback depends on it.
async fn health_test(engine: &Engine, image: &str) -> Result<(), Error> {
    let test = engine
        .client()
        .inspect_image(image)
        .await
        .map_err(api)?
        .config
        .and_then(|c| c.healthcheck)
        .and_then(|h| h.test)
        .unwrap_or_default();
    if test.is_empty() || test.first().map(String::as_str) == Some("NONE") {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("swarmNoHealthcheck").with("image", image),
            format!(
                "{image} has no HEALTHCHECK: Swarm could not tell a broken task from a working one, so it could never roll back; add one to the Dockerfile"
            ),
        ));
    }
    Ok(())
}

/// On the service: the strategy it was deployed with, so a later change (a scale) can send
/// Swarm the whole spec again, unchanged but for what it changes.
const LABEL_STRATEGY: &str = "dev.devloop.strategy";

/// The whole spec of the service for `request`. DevLoop always builds it whole: bollard
/// drops fields the daemon spells differently (`Healthcheck`), so a spec read back and sent
/// again would differ from the tasks', and Swarm would replace every one of them.
///
/// The task's health check is the image's own HEALTHCHECK, as Docker runs it anywhere: it
/// runs inside every task for as long as the task lives, so DevLoop's quick polling of a
/// deploy (every quarter second) would be an exec storm on a laptop.
///
/// Its tasks are placed on `node`, this one (see [`ready`]).
fn spec(request: &Request, owner: &str, network: &str, node: &str) -> ServiceSpec {
    let image = format!("{}:{}", request.app, request.version);
    let mut labels = HashMap::from([
        (LABEL_APP.to_owned(), request.app.clone()),
        (LABEL_SWARM.to_owned(), "1".to_owned()),
        (LABEL_INSTANCE.to_owned(), owner.to_owned()),
    ]);
    let mut task_labels = labels.clone();
    task_labels.insert(LABEL_VERSION.to_owned(), request.version.clone());
    labels.insert(LABEL_STRATEGY.to_owned(), request.strategy.id().to_owned());
    ServiceSpec {
        name: Some(request.app.clone()),
        labels: Some(labels),
        task_template: Some(TaskSpec {
            container_spec: Some(TaskSpecContainerSpec {
                image: Some(image),
                labels: Some(task_labels),
                env: Some(vec![format!("PORT={SERVICE_PORT}")]),
                stop_grace_period: Some(nanos(STOP_GRACE)),
                ..Default::default()
            }),
            resources: Some(TaskSpecResources {
                limits: Some(Limit {
                    nano_cpus: Some(NANO_CPUS),
                    memory_bytes: Some(MEMORY_BYTES),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            networks: Some(vec![NetworkAttachmentConfig {
                target: Some(network.to_owned()),
                ..Default::default()
            }]),
            placement: Some(TaskSpecPlacement {
                constraints: Some(vec![format!("node.id=={node}")]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        mode: Some(ServiceSpecMode {
            replicated: Some(ServiceSpecModeReplicated {
                replicas: Some(i64::from(request.replicas)),
            }),
            ..Default::default()
        }),
        update_config: Some(update_config(request.strategy)),
        rollback_config: Some(rollback_config()),
        // Nothing published: no port on any of this machine's addresses (see `network`). And
        // no virtual IP: DevLoop's proxy spreads the requests, and Swarm's balancer needs the
        // kernel's IPVS; without it, every task added or removed reprograms every task's
        // namespace in vain, and requests on their way stall for seconds.
        endpoint_spec: Some(EndpointSpec {
            mode: Some(EndpointSpecModeEnum::DNSRR),
            ports: None,
        }),
        ..Default::default()
    }
}

/// The tasks of this DevLoop's service `app`, checked to be its own; none without one.
pub async fn tasks(engine: &Engine, app: &str) -> Result<Vec<Task>, Error> {
    if ours(engine, app).await?.is_none() {
        return Ok(Vec::new());
    }
    tasks::list(engine, app, &network::name(engine)).await
}

/// Deploys `request` to the swarm, and waits until Swarm has made it live or rolled it back.
/// `sink` hears each task of the new version as it runs, and Swarm's rollback.
pub async fn deploy(
    engine: &Engine,
    request: &Request,
    sink: &(dyn Fn(DeployEvent) + Send + Sync),
) -> Result<Outcome, Error> {
    let node = ready(engine).await?;
    let existing = ours(engine, &request.app).await?;
    let image = format!("{}:{}", request.app, request.version);
    replica::image_here(engine, &image).await?;
    health_test(engine, &image).await?;
    let net = network::ensure(engine).await?;
    let spec = spec(request, engine.owner(), &net, &node);
    let started = Instant::now();
    let Some(existing) = existing else {
        engine
            .client()
            .create_service(spec, None)
            .await
            .map_err(api)?;
        return first_rollout(engine, request, &net, sink).await;
    };
    let before = existing
        .update_status
        .as_ref()
        .and_then(|u| u.started_at.clone());
    let version = existing.version.and_then(|v| v.index).unwrap_or(0);
    let options = UpdateServiceOptions {
        version: version as i32,
        ..Default::default()
    };
    engine
        .client()
        .update_service(&request.app, spec, options, None)
        .await
        .map_err(api)?;
    let mut heard = HashSet::new();
    let mut rolling_back = false;
    loop {
        if started.elapsed() > DEADLINE {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("swarmTooSlow").with("secs", DEADLINE.as_secs()),
                format!(
                    "Swarm did not finish the update within {} s",
                    DEADLINE.as_secs()
                ),
            )
            .with_fix(format!("docker service ps {}", request.app)));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        let all = tasks::list(engine, &request.app, &net).await?;
        tell_running(&all, &request.version, &mut heard, request.replicas, sink);
        let Some(service) = ours(engine, &request.app).await? else {
            return Err(gone(&request.app));
        };
        let status = service.update_status.unwrap_or_default();
        if status.started_at.is_none() || status.started_at == before {
            // Swarm has not taken the update up yet: an unchanged spec never updates at all.
            if status.started_at == before && spec_is_running(&all, request) {
                return Ok(Outcome::Live);
            }
            continue;
        }
        let message = status.message.unwrap_or_default();
        match status.state {
            Some(ServiceUpdateStatusStateEnum::COMPLETED) => return Ok(Outcome::Live),
            Some(ServiceUpdateStatusStateEnum::ROLLBACK_STARTED) if !rolling_back => {
                rolling_back = true;
                sink(DeployEvent::RolledBack {
                    reason: message.clone(),
                    to: None,
                });
            }
            Some(
                ServiceUpdateStatusStateEnum::ROLLBACK_COMPLETED
                | ServiceUpdateStatusStateEnum::PAUSED
                | ServiceUpdateStatusStateEnum::ROLLBACK_PAUSED,
            ) => {
                let (why, logs) = failed_task(engine, &all, &request.version, &message).await;
                return Ok(Outcome::RolledBack { why, logs });
            }
            _ => {}
        }
    }
}

/// True when every slot runs a task of the request's version (a deploy of what is live).
fn spec_is_running(all: &[Task], request: &Request) -> bool {
    all.iter()
        .filter(|t| t.serving() && t.version == request.version)
        .count()
        >= request.replicas as usize
}

/// Tells `sink` of each task of `version` that runs, once.
fn tell_running(
    all: &[Task],
    version: &str,
    heard: &mut HashSet<String>,
    of: u32,
    sink: &(dyn Fn(DeployEvent) + Send + Sync),
) {
    for t in all.iter().filter(|t| t.serving() && t.version == version) {
        if heard.insert(t.id.clone()) {
            sink(DeployEvent::Task {
                name: t.name.clone(),
                version: version.to_owned(),
                node: t.node.clone(),
                n: heard.len() as u32,
                of,
            });
        }
    }
}

/// A new service's first tasks: live once each slot runs, healthy; removed again when its
/// tasks keep failing, since there is no earlier version for Swarm to go back to.
async fn first_rollout(
    engine: &Engine,
    request: &Request,
    net: &str,
    sink: &(dyn Fn(DeployEvent) + Send + Sync),
) -> Result<Outcome, Error> {
    let started = Instant::now();
    let mut heard = HashSet::new();
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let all = tasks::list(engine, &request.app, net).await?;
        tell_running(&all, &request.version, &mut heard, request.replicas, sink);
        if spec_is_running(&all, request) {
            return Ok(Outcome::Live);
        }
        let failures = all
            .iter()
            .filter(|t| matches!(t.state.as_str(), "failed" | "rejected"))
            .count();
        if failures >= request.replicas as usize || started.elapsed() > DEADLINE {
            let (why, logs) = failed_task(engine, &all, &request.version, "").await;
            remove(engine, &request.app).await?;
            return Ok(Outcome::Failed { why, logs });
        }
    }
}

/// Why the version's tasks failed, in Swarm's words (its update message, then the task's
/// error), and the failed container's last lines.
async fn failed_task(
    engine: &Engine,
    all: &[Task],
    version: &str,
    message: &str,
) -> (String, String) {
    let failed = all.iter().find(|t| {
        t.version == version
            && (t.error.is_some() || matches!(t.state.as_str(), "failed" | "rejected"))
    });
    let mut why = message.to_owned();
    if let Some(e) = failed.and_then(|t| t.error.as_deref()) {
        if !why.contains(e) {
            if !why.is_empty() {
                why.push_str(": ");
            }
            why.push_str(e);
        }
    }
    let logs = match failed.and_then(|t| t.container.as_deref()) {
        Some(id) => replica::logs(engine, id, 20).await,
        None => String::new(),
    };
    (why, logs)
}

fn gone(app: &str) -> Error {
    Error::said(
        Code::InvalidInput,
        Finding::new("swarmServiceGone").with("service", app),
        format!("the service {app} was removed while DevLoop updated it"),
    )
    .with_fix("devloop deploy --target swarm")
}

/// The request the service now runs (after a rollback, the one Swarm went back to).
fn request_of(app: &str, service: &bollard::models::Service) -> Option<Request> {
    let spec = service.spec.as_ref()?;
    let labels = spec.labels.as_ref()?;
    let container = spec.task_template.as_ref()?.container_spec.as_ref()?;
    Some(Request {
        app: app.to_owned(),
        version: container.labels.as_ref()?.get(LABEL_VERSION)?.clone(),
        strategy: Strategy::parse(labels.get(LABEL_STRATEGY)?)?,
        replicas: spec.mode.as_ref()?.replicated.as_ref()?.replicas? as u32,
    })
}

/// The version and replica count the service now runs, when this DevLoop made it.
pub async fn live(engine: &Engine, app: &str) -> Result<Option<(String, u32)>, Error> {
    Ok(ours(engine, app)
        .await?
        .and_then(|s| request_of(app, &s))
        .map(|r| (r.version, r.replicas)))
}

/// Runs `replicas` tasks of the service; returns once that many serve (or Swarm says why not).
pub async fn scale(engine: &Engine, app: &str, replicas: u32) -> Result<(), Error> {
    let Some(service) = ours(engine, app).await? else {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("nothingLive"),
            "nothing is live on the swarm to scale: deploy a release to it first",
        )
        .with_fix("devloop deploy --target swarm"));
    };
    let Some(mut request) = request_of(app, &service) else {
        return Err(Error::internal(format!(
            "the service {app} carries no DevLoop deploy of its own"
        )));
    };
    request.replicas = replicas;
    let node = ready(engine).await?;
    let spec = spec(&request, engine.owner(), &network::name(engine), &node);
    let options = UpdateServiceOptions {
        version: service.version.and_then(|v| v.index).unwrap_or(0) as i32,
        ..Default::default()
    };
    engine
        .client()
        .update_service(app, spec, options, None)
        .await
        .map_err(api)?;
    let net = network::name(engine);
    let started = Instant::now();
    while started.elapsed() < DEADLINE {
        let now = tasks::list(engine, app, &net).await?;
        let serving = now.iter().filter(|t| t.serving()).count();
        let all_desired = now.iter().filter(|t| t.desired == "running").count();
        if serving == replicas as usize && all_desired == replicas as usize {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err(Error::said(
        Code::InvalidInput,
        Finding::new("swarmTooSlow").with("secs", DEADLINE.as_secs()),
        format!(
            "Swarm did not run {replicas} tasks within {} s",
            DEADLINE.as_secs()
        ),
    )
    .with_fix(format!("docker service ps {app}")))
}

/// Removes this DevLoop's service `app` and, when its tasks are gone, its network; nothing
/// when there is none.
pub async fn remove(engine: &Engine, app: &str) -> Result<bool, Error> {
    if ours(engine, app).await?.is_none() {
        return Ok(false);
    }
    engine.client().delete_service(app).await.map_err(api)?;
    // The network is in use until Swarm has removed the service's last task.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        let filters = HashMap::from([("service".to_owned(), vec![app.to_owned()])]);
        let left = engine
            .client()
            .list_tasks(Some(bollard::query_parameters::ListTasksOptions {
                filters: Some(filters),
            }))
            .await;
        // A service gone from the store is not found even as a filter.
        if left.map_or(true, |l| l.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    network::remove(engine).await;
    Ok(true)
}
