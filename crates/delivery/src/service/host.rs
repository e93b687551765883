//! The service one DevLoop process hosts (the app, or `devloop deploy` in a terminal): started
//! on first use, announced to its listener from the first moment, kept every second (healed,
//! autoscaled), and reachable from other DevLoop processes on the control socket. Only one
//! process per data folder hosts it; the others are told which one does.

use std::sync::Arc;

use parking_lot::Mutex;

use super::control;
use super::{self as service, OpListener, Service};
use crate::docker::Engine;
use crate::finding::Finding;
use crate::settings::Paths;
use crate::{Code, Error};

/// Where a process keeps its service: empty until the Deploy page, a workflow or the CLI first
/// needs it. Clones share the same service.
#[derive(Clone, Default)]
pub struct Slot {
    held: Arc<tokio::sync::Mutex<Option<Arc<Service>>>>,
    listener: Arc<Mutex<Option<OpListener>>>,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Slot")
    }
}

impl Slot {
    /// Every operation of the service, from its start on, is told to `listener` (the app raises
    /// a desktop notification); a service already running hears it from now on.
    pub async fn announce_to(&self, listener: OpListener) {
        *self.listener.lock() = Some(Arc::clone(&listener));
        if let Some(s) = self.held.lock().await.as_ref() {
            s.listen(listener);
        }
    }

    /// The service, when this process hosts one.
    pub async fn current(&self) -> Option<Arc<Service>> {
        self.held.lock().await.clone()
    }

    /// The service this process hosts for `app`, started (control socket bound, proxy bound,
    /// reconciled) if it is not yet; one serving another app is closed first. Refused when
    /// another DevLoop process hosts it.
    pub async fn ensure(&self, paths: &Paths, app: &str) -> Result<Arc<Service>, Error> {
        let mut held = self.held.lock().await;
        if let Some(s) = held.as_ref() {
            if s.app() == app {
                return Ok(Arc::clone(s));
            }
            // The workspace now holds another app (the learner reset or moved it): serve that
            // one instead. The old app's replicas keep running, adopted when it comes back.
            s.close().await;
            *held = None;
        }
        // The socket first: it is what decides who hosts, before any port is taken.
        let listener = control::bind(paths).await?;
        let engine = Engine::connect_here().await?;
        let started = Service::start(
            engine,
            paths.clone(),
            app.to_owned(),
            service::address(paths)?,
        )
        .await?;
        let started = self.adopt(started, listener, paths);
        *held = Some(Arc::clone(&started));
        Ok(started)
    }

    /// Hosts `service`, started elsewhere (tests bind it to a port of their own): no control
    /// socket, but the listener and the keeper loop.
    pub async fn hold(&self, service: Service) -> Arc<Service> {
        let service = self.keep(service);
        *self.held.lock().await = Some(Arc::clone(&service));
        service
    }

    fn adopt(&self, service: Service, socket: control::Bound, paths: &Paths) -> Arc<Service> {
        let service = self.keep(service);
        control::serve(socket, &service, self.clone(), paths.clone());
        service
    }

    /// The listener attached and the keeper loop started, before anything can happen.
    fn keep(&self, service: Service) -> Arc<Service> {
        let service = Arc::new(service);
        if let Some(l) = self.listener.lock().clone() {
            service.listen(l);
        }
        crate::service::keeper::keep(&service);
        service
    }
}

/// Where a deploy went live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// This process hosts the service (it did, or it started to).
    Here,
    /// Another DevLoop process hosts it and did the deploy.
    Elsewhere { pid: u32 },
}

/// Deploys `version` through whichever process hosts the service for `paths`: this one, the
/// one answering on the control socket, or this one after starting it.
#[allow(clippy::too_many_arguments)]
pub async fn deploy(
    slot: &Slot,
    paths: &Paths,
    app: &str,
    version: &str,
    strategy: crate::deploy::rollout::Strategy,
    replicas: u32,
    health: crate::deploy::health::HealthCheck,
    target: Option<crate::record::deploy::Target>,
    sink: &(dyn Fn(crate::deploy::rollout::DeployEvent) + Send + Sync),
) -> Result<(service::ServiceStatus, Via), Error> {
    health.check()?;
    if slot.current().await.is_none() {
        let request = control::Request::Deploy {
            app: app.to_owned(),
            version: version.to_owned(),
            strategy,
            replicas,
            health: health.clone(),
            target,
        };
        if let Some(h) = control::ask(paths, &request, sink).await? {
            return Ok((h.status, Via::Elsewhere { pid: h.pid }));
        }
    }
    match deploy_here(
        slot,
        paths,
        (app, version),
        strategy,
        replicas,
        health.clone(),
        target,
        sink,
    )
    .await
    {
        Ok((status, _)) => Ok((status, Via::Here)),
        // Another DevLoop began hosting between the question and the start (the app opening
        // as a terminal deploys): the deploy goes through it rather than being refused.
        Err(e) if e.code == Code::ServiceElsewhere && slot.current().await.is_none() => {
            let request = control::Request::Deploy {
                app: app.to_owned(),
                version: version.to_owned(),
                strategy,
                replicas,
                health,
                target,
            };
            match control::ask(paths, &request, sink).await? {
                Some(h) => Ok((h.status, Via::Elsewhere { pid: h.pid })),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// Deploys `version` of `app` on this process's service (also for a request on the control
/// socket). A service serving another app switches to `app` only once its release is known
/// to be on this machine, and switches back when the deploy fails with nothing of `app` live,
/// so a mistaken deploy of another project never takes the live service down. The service
/// that serves afterwards comes back with the status.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn deploy_here(
    slot: &Slot,
    paths: &Paths,
    (app, version): (&str, &str),
    strategy: crate::deploy::rollout::Strategy,
    replicas: u32,
    health: crate::deploy::health::HealthCheck,
    target: Option<crate::record::deploy::Target>,
    sink: &(dyn Fn(crate::deploy::rollout::DeployEvent) + Send + Sync),
) -> Result<(service::ServiceStatus, Arc<Service>), Error> {
    health.check()?;
    let before = slot.current().await.filter(|s| s.app() != app);
    if let Some(serving) = &before {
        crate::deploy::replica::image_here(serving.engine(), &format!("{app}:{version}")).await?;
    }
    let service = slot.ensure(paths, app).await?;
    let target = target.unwrap_or_else(|| service.target());
    match service
        .deploy_to(target, version, strategy, replicas, health, sink)
        .await
    {
        Ok(status) => Ok((status, service)),
        Err(e) => {
            if let Some(before) = before {
                if service.status().await.version.is_none() {
                    // Back to the app that served: its replicas ran on, and are adopted again.
                    let _ = slot.ensure(paths, before.app()).await;
                }
            }
            Err(e)
        }
    }
}

/// Deploys the history says are running, while no DevLoop process hosts the service, were
/// cut short (the process was killed): they are marked interrupted before anyone reads them,
/// rather than shown running until some host starts.
pub async fn settle_deploys(paths: &Paths) -> Result<(), Error> {
    if control::ask(paths, &control::Request::Status, &|_| {})
        .await
        .is_ok_and(|h| h.is_none())
    {
        let db = paths.database_file();
        crate::blocking(move || {
            crate::store::Store::open(&db)?.mark_deploys_interrupted(crate::store::now())
        })
        .await?;
    }
    Ok(())
}

/// The error for a process that may not host because `pid` does.
pub(crate) fn elsewhere(pid: u32, url: &str) -> Error {
    let who = if pid == std::process::id() {
        "this DevLoop".to_owned()
    } else {
        format!("another DevLoop (process {pid})")
    };
    Error::said(
        Code::ServiceElsewhere,
        Finding::new(if pid == std::process::id() {
            "serviceHere"
        } else {
            "serviceElsewhere"
        })
        .with("pid", pid)
        .with("url", url),
        format!("{who} already runs the service at {url}; only one may run it at a time: use that one (the app's Deploy page, or devloop deploy/scale, which go through it), or stop it"),
    )
    .with_fix(format!("kill {pid}"))
}
