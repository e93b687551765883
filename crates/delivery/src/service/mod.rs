//! The running service: the proxy on its stable address, the replicas live behind it, and
//! deploys one at a time. At start it reconciles with the daemon from labels: the newest
//! deploy's running replicas are adopted and take traffic, every other container DevLoop
//! started for the app (stopped ones, older deploys' leftovers) is removed, and nothing else
//! is touched. `host.rs` gives it to a process; `control.rs` lets other processes use it;
//! `scale.rs`, `heal.rs` and `autoscale.rs` change its replica count, and `keeper.rs` is the
//! loop that heals and autoscales every second.

use std::net::SocketAddr;
use tokio_util::sync::CancellationToken;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::deploy::health::HealthCheck;
use crate::deploy::proxy::Proxy;
use crate::deploy::replica::{self, Replica};
use crate::deploy::rollout::{self, DeployEvent, Strategy};
use crate::docker::Engine;
use crate::finding::Finding;
use crate::finding::Reason;
use crate::record::deploy::{DeployStatus, Target};
use crate::settings::Paths;
use crate::store::deploys::DeployRecord;
use crate::store::ops::OpKind;
use crate::store::{now, Store};
use crate::{blocking, Code, Error};

pub mod autoscale;
pub mod control;
pub mod heal;
pub mod host;
pub mod keeper;
pub mod scale;
pub mod swarm;

/// Where the service answers: `DEVLOOP_PROXY_ADDR`, else the setting, else 127.0.0.1:8080.
pub fn address(paths: &Paths) -> Result<SocketAddr, Error> {
    paths.proxy_address()
}

/// True when something accepts connections on 127.0.0.1:`port` within a second or two.
async fn listens(port: u16) -> bool {
    for _ in 0..3 {
        let connect = tokio::net::TcpStream::connect(("127.0.0.1", port));
        if let Ok(Ok(_)) =
            tokio::time::timeout(std::time::Duration::from_millis(500), connect).await
        {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

/// The history's deploy id in a replica's deploy label (`<time>-<id>`).
fn deploy_id(label: &str) -> Option<u64> {
    label.rsplit_once('-')?.1.parse().ok()
}

/// What is live now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceStatus {
    pub app: String,
    /// `http://127.0.0.1:8080`
    pub url: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub replicas: Vec<Replica>,
    /// Containers reconcile removed when the service started.
    pub removed_at_start: Vec<String>,
    /// Where the traffic goes: this machine's replicas, or a swarm service's tasks.
    pub target: Target,
    /// On the swarm: every task Swarm keeps of the service, the stopped and failed ones too,
    /// newest first within each slot.
    pub tasks: Vec<crate::swarm::tasks::Task>,
}

#[derive(Debug)]
pub struct Service {
    pub(crate) engine: Engine,
    pub(crate) paths: Paths,
    pub(crate) app: String,
    pub(crate) proxy: Proxy,
    /// The replicas taking traffic. Deploys, scaling and healing hold this lock for their
    /// whole run, so no two of them change the set at once.
    pub(crate) live: tokio::sync::Mutex<Vec<Replica>>,
    removed_at_start: Vec<String>,
    /// Hears every line of the operations log as it is written (the app raises a desktop
    /// notification for each).
    pub(crate) on_op: parking_lot::Mutex<Listener>,
    /// The autoscaler's switch, policy and memory; the keeper loop applies it every second.
    pub(crate) autoscaler: parking_lot::Mutex<crate::operate::autoscale::Autoscaler>,
    /// The control socket's loop and its file, when this process hosts the service.
    pub(crate) control:
        parking_lot::Mutex<Option<(tokio::task::JoinHandle<()>, std::path::PathBuf)>>,
    /// Set by [`Service::close`]; the keeper loop ends when it sees it.
    closed: std::sync::atomic::AtomicBool,
    /// The newest operations, for Monitor's markers and its "restarted" metric.
    pub(crate) recent: parking_lot::Mutex<std::collections::VecDeque<crate::store::ops::OpsEvent>>,
    /// When the live version's replicas were last replaced, to tell a crash loop from a
    /// crash (see `heal.rs`).
    pub(crate) crashes: parking_lot::Mutex<crate::service::heal::Crashes>,
    /// Where the traffic goes (see `swarm.rs`).
    pub(crate) target: parking_lot::Mutex<Target>,
    pub(crate) swarm_watch: parking_lot::Mutex<swarm::Watch>,
}

/// Something that wants to hear about every operation (deploy, rollback, scale, heal, chaos).
pub type OpListener = std::sync::Arc<dyn Fn(&crate::store::ops::OpsEvent) + Send + Sync>;

/// The listener, if any; a type of its own so `Service` can still be `Debug`.
#[derive(Default, Clone)]
pub(crate) struct Listener(pub(crate) Option<OpListener>);

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "listening"
        } else {
            "nobody"
        })
    }
}

impl Service {
    /// Listens on `bind` and reconciles with what the daemon runs for `app`.
    pub async fn start(
        engine: Engine,
        paths: Paths,
        app: String,
        bind: SocketAddr,
    ) -> Result<Service, Error> {
        // Every replica this service makes, adopts or removes is this data folder's own.
        let data = paths.data_dir.clone();
        let owner = blocking(move || crate::instance::of(&data)).await?;
        let engine = engine.owned_by(&owner);
        let proxy = Proxy::start(bind).await?;
        let db = paths.database_file();
        // Deploys of this app that this DevLoop recorded as live, newest first, with the replica
        // count each asked for; a deploy cut short is marked first.
        let of_app = app.clone();
        let went_live: Vec<DeployRecord> = blocking(move || {
            let store = Store::open(&db)?;
            store.mark_deploys_interrupted(now())?;
            Ok(store
                .deploys(1000)?
                .into_iter()
                .filter(|d| d.status == DeployStatus::Live && d.app == of_app)
                .collect())
        })
        .await
        .unwrap_or_default();
        // The newest deploy that went live went to the swarm, and its service is still there:
        // the traffic goes to its tasks, and every local replica of the app is a leftover.
        let on_swarm = went_live.first().is_some_and(|d| d.target == Target::Swarm)
            && crate::swarm::service::live(&engine, &app)
                .await
                .ok()
                .flatten()
                .is_some();
        let target = if on_swarm {
            Target::Swarm
        } else {
            Target::Local
        };
        let went_live: Vec<DeployRecord> = went_live
            .into_iter()
            .filter(|d| d.target == Target::Local && !on_swarm)
            .collect();
        let replicas_of = |label: &str| {
            deploy_id(label)
                .and_then(|id| went_live.iter().find(|d| d.id == id).map(|d| d.replicas))
        };
        let mut found = replica::list(&engine, &app).await?;
        // The live version is the newest deploy the history says went live, among those still
        // running: replicas of a deploy cut short may never have passed their health check.
        // Labels grow.
        let running = |found: &[Replica]| -> Vec<String> {
            found
                .iter()
                .filter(|r| r.running)
                .map(|r| r.deploy.clone())
                .collect()
        };
        let mut newest = running(&found)
            .into_iter()
            .filter(|label| replicas_of(label).is_some())
            .max();
        // None of them runs, yet the history names one: a deploy was cut short after it had
        // taken the old replicas away (a rolling one switches last). What the history says
        // is live is what comes back, so the history stays true; the cut-short deploy's
        // replicas go. Only when that cannot start (its image is gone) does the newest running
        // deploy stay, as it does when there is no history at all.
        if newest.is_none() {
            if let Some(last) = went_live.first() {
                let label = format!("{:012}-{}", now(), last.id);
                let request = rollout::Request {
                    app: app.clone(),
                    version: last.version.clone(),
                    strategy: Strategy::Rolling,
                    replicas: 1,
                    health: HealthCheck::default(),
                    deploy: label.clone(),
                };
                if let Ok(r) =
                    rollout::start_healthy(&engine, &request, &last.version, "rolling", &|_| {})
                        .await
                {
                    found.push(r);
                    newest = Some(label);
                }
            }
        }
        let newest = newest
            .or_else(|| running(&found).into_iter().max())
            .filter(|_| !on_swarm);
        let (candidates, mut orphans): (Vec<Replica>, Vec<Replica>) = found
            .into_iter()
            .partition(|r| r.running && Some(&r.deploy) == newest.as_ref() && r.port != 0);
        // Only those that still listen are adopted: "running" may be a container Docker is
        // already removing (a deploy killed as it took the old replicas away). Listening, not
        // the health path: the history does not keep which path a deploy checked.
        let mut adopt = Vec::new();
        for r in candidates {
            if listens(r.port).await {
                adopt.push(r);
            } else {
                orphans.push(r);
            }
        }
        let mut removed_at_start = Vec::new();
        for o in orphans {
            if replica::remove(&engine, &o.id).await.is_ok() {
                removed_at_start.push(o.name);
            }
        }
        // The deploy the history says went live asked for a replica count: a crash mid-deploy
        // (a rolling one had stopped an old replica) must not leave it with fewer.
        if let (Some(label), Some(first)) = (&newest, adopt.first().cloned()) {
            let intended = replicas_of(label).unwrap_or(0) as usize;
            let request = rollout::Request {
                app: app.clone(),
                version: first.version.clone(),
                strategy: Strategy::Rolling,
                replicas: 1,
                health: HealthCheck::default(),
                deploy: label.clone(),
            };
            while adopt.len() < intended.min(8) {
                match rollout::start_healthy(
                    &engine,
                    &request,
                    &first.version,
                    &first.colour,
                    &|_| {},
                )
                .await
                {
                    Ok(r) => adopt.push(r),
                    Err(_) => break,
                }
            }
        }
        proxy.switch(
            adopt
                .iter()
                .map(|r| {
                    (
                        ([127, 0, 0, 1], r.port).into(),
                        format!("{} {}", r.version, r.name),
                    )
                })
                .collect(),
        );
        Ok(Service {
            engine,
            paths,
            app,
            proxy,
            live: tokio::sync::Mutex::new(adopt),
            removed_at_start,
            on_op: parking_lot::Mutex::new(Listener::default()),
            autoscaler: Default::default(),
            control: Default::default(),
            closed: Default::default(),
            recent: Default::default(),
            crashes: Default::default(),
            target: parking_lot::Mutex::new(target),
            swarm_watch: Default::default(),
        })
    }

    /// Follows the output of one of this service's replicas (see [`replica::follow`]).
    pub async fn follow_logs(
        &self,
        id: &str,
        tail: usize,
        sink: &(dyn Fn(Vec<replica::LogLine>) + Send + Sync),
        cancel: CancellationToken,
    ) -> Result<(), Error> {
        replica::follow(&self.engine, id, tail, sink, cancel).await
    }

    /// `listener` hears every operation from now on.
    pub fn listen(&self, listener: OpListener) {
        *self.on_op.lock() = Listener(Some(listener));
    }

    pub fn proxy(&self) -> &Proxy {
        &self.proxy
    }

    /// The daemon it runs on.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The app it serves.
    pub fn app(&self) -> &str {
        &self.app
    }

    /// Stops serving: the address and the control socket are free when this returns, and the
    /// keeper loop ends. The replicas keep running, for whoever serves this app next to adopt.
    pub async fn close(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        self.proxy.stop().await;
        let control = self.control.lock().take();
        if let Some((task, file)) = control {
            task.abort();
            let _ = task.await;
            let _ = std::fs::remove_file(file);
        }
    }

    /// Operations logged since `since_ms` (unix milliseconds), oldest first.
    pub fn recent_ops(&self, since_ms: i64) -> Vec<crate::store::ops::OpsEvent> {
        self.recent
            .lock()
            .iter()
            .filter(|e| e.at_ms >= since_ms)
            .cloned()
            .collect()
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// What is live, each replica marked running as the daemon says now: during an outage
    /// none is, though the service still means to serve them.
    pub async fn status(&self) -> ServiceStatus {
        if self.target() == Target::Swarm {
            return self.swarm_status().await;
        }
        let mut live = self.live.lock().await.clone();
        if !live.is_empty() {
            // Bounded: a daemon that hangs must not hold up the pages and Monitor asking.
            let seen = tokio::time::timeout(
                std::time::Duration::from_secs(1),
                replica::list(&self.engine, &self.app),
            )
            .await
            .ok()
            .and_then(Result::ok);
            for r in &mut live {
                r.running = seen
                    .as_ref()
                    .is_some_and(|found| found.iter().any(|f| f.id == r.id && f.running));
            }
        }
        ServiceStatus {
            app: self.app.clone(),
            url: format!("http://{}", self.proxy.addr()),
            version: live.first().map(|r| r.version.clone()),
            replicas: live,
            removed_at_start: self.removed_at_start.clone(),
            target: Target::Local,
            tasks: Vec::new(),
        }
    }

    /// Deploys `version` (an image `app:version` on this machine) where the traffic goes now.
    pub async fn deploy(
        &self,
        version: &str,
        strategy: Strategy,
        replicas: u32,
        health: HealthCheck,
        sink: &(dyn Fn(DeployEvent) + Send + Sync),
    ) -> Result<ServiceStatus, Error> {
        self.deploy_to(self.target(), version, strategy, replicas, health, sink)
            .await
    }

    /// Deploys `version` to `target`. A version that fails its health check is rolled back;
    /// the error says why, with the container's last lines. A deploy to the other target
    /// moves the traffic there once it is live, and what served before stops.
    pub async fn deploy_to(
        &self,
        target: Target,
        version: &str,
        strategy: Strategy,
        replicas: u32,
        health: HealthCheck,
        sink: &(dyn Fn(DeployEvent) + Send + Sync),
    ) -> Result<ServiceStatus, Error> {
        if !crate::deploy::REPLICAS.contains(&replicas) {
            return Err(crate::service::scale::replica_range(replicas));
        }
        if target == Target::Swarm {
            // The image's own HEALTHCHECK is the task's (see `swarm::service`).
            return self.deploy_swarm(version, strategy, replicas, sink).await;
        }
        // From the swarm back to this machine: the router stops following the tasks, which
        // keep the traffic until the new replicas take it.
        let from_swarm = self.target() == Target::Swarm;
        *self.target.lock() = Target::Local;
        let result = self
            .deploy_local(version, strategy, replicas, health, sink)
            .await;
        if from_swarm {
            match &result {
                Ok(_) => {
                    let _ = crate::swarm::service::remove(&self.engine, &self.app).await;
                }
                Err(_) => *self.target.lock() = Target::Swarm,
            }
        }
        result
    }

    /// Deploy `id` of `version` went live, on either target: its end is written, its
    /// candidates approved, and the plan follows production (the items a commit in this
    /// release closes move to Done). Returns those items' numbers.
    pub(crate) async fn record_live(&self, id: u64, version: &str) -> Vec<u64> {
        let db = self.paths.database_file();
        let (app, v) = (self.app.clone(), version.to_owned());
        let workspace = self.paths.current_workspace();
        blocking(move || {
            let store = Store::open(&db)?;
            store.finish_deploy(id, DeployStatus::Live, "", "", now())?;
            store.approve_candidates(&app, &v, now())?;
            crate::backlog::links::deployed(&workspace, &store, &app, &v, now())
        })
        .await
        .unwrap_or_default()
    }

    /// Deploy `id` did not go live, on either target: how it ended, and why as a finding.
    pub(crate) async fn record_end(
        &self,
        id: u64,
        status: DeployStatus,
        reason: &str,
        logs: &str,
        detail: Option<Finding>,
    ) {
        let db = self.paths.database_file();
        let (reason, logs) = (reason.to_owned(), logs.to_owned());
        let _ = blocking(move || {
            let store = Store::open(&db)?;
            store.finish_deploy(id, status, &reason, &logs, now())?;
            match detail {
                Some(d) => store.explain_deploy(id, &d),
                None => Ok(()),
            }
        })
        .await;
    }

    /// One line in the operations log for each item `version` finished.
    pub(crate) async fn log_items_done(&self, done: Vec<u64>, version: &str) {
        for n in done {
            self.log_op(
                OpKind::Plan,
                Reason::new(
                    Finding::new("opItemDone")
                        .with("item", n)
                        .with("version", version),
                    format!("#{n} is done: {version} went live with the commit that closes it"),
                ),
                None,
                None,
            )
            .await;
        }
    }

    async fn deploy_local(
        &self,
        version: &str,
        strategy: Strategy,
        replicas: u32,
        health: HealthCheck,
        sink: &(dyn Fn(DeployEvent) + Send + Sync),
    ) -> Result<ServiceStatus, Error> {
        let mut live = self.live.lock().await;
        let db = self.paths.database_file();
        let (app, v) = (self.app.clone(), version.to_owned());
        let id =
            blocking(move || Store::open(&db)?.start_deploy(&app, &v, strategy, replicas, now()))
                .await?;
        let request = rollout::Request {
            app: self.app.clone(),
            version: version.to_owned(),
            strategy,
            replicas,
            health,
            // Grows with time, so the newest deploy is the greatest at reconcile.
            deploy: format!("{:012}-{id}", now()),
        };
        let result = rollout::deploy(&self.engine, &self.proxy, live.clone(), &request, sink).await;
        match result {
            Ok(new) => {
                *live = new;
                let done = self.record_live(id, version).await;
                drop(live);
                self.log_op(
                    OpKind::Deploy,
                    Reason::new(
                        Finding::new("opLive")
                            .with("app", &self.app)
                            .with("version", version)
                            .with("strategy", strategy.id())
                            .with("replicas", replicas),
                        format!(
                            "{} {version} is live ({}, {replicas} replicas)",
                            self.app,
                            strategy.id()
                        ),
                    ),
                    None,
                    None,
                )
                .await;
                self.log_items_done(done, version).await;
                // A new version starts with a clean slate: no crash loop, no pause.
                *self.crashes.lock() = Default::default();
                Ok(self.status().await)
            }
            Err(mut failure) => {
                *live = failure.live.clone();
                // A daemon that went away is the reason, whatever the health check saw.
                let docker_gone = self.engine.client().ping().await.is_err();
                if docker_gone {
                    failure.reason = format!(
                        "the Docker engine stopped answering during the deploy ({})",
                        failure.reason
                    );
                }
                let detail = if docker_gone {
                    Some(Finding::new("deployDockerGone"))
                } else {
                    failure.error.detail.as_deref().cloned()
                };
                let status = if failure.live.is_empty() || docker_gone {
                    DeployStatus::Failed
                } else {
                    DeployStatus::RolledBack
                };
                self.record_end(id, status, &failure.reason, &failure.logs, detail)
                    .await;
                let why = if docker_gone {
                    Reason::new(Finding::new("deployDockerGone"), failure.reason.clone())
                } else {
                    failure.error.reason()
                };
                self.log_op(
                    OpKind::Rollback,
                    Reason::new(
                        Finding::new("opRolledBack")
                            .with("app", &self.app)
                            .with("version", version)
                            .because(Some(why.what)),
                        format!(
                            "{} {version} did not go live and was rolled back: {}",
                            self.app, why.en
                        ),
                    ),
                    None,
                    None,
                )
                .await;
                let mut message = failure.reason;
                if !failure.logs.trim().is_empty() {
                    message.push_str(&format!("\nits last lines:\n{}", failure.logs.trim_end()));
                }
                if docker_gone {
                    return Err(Error::said(
                        Code::DockerUnavailable,
                        Finding::new("dockerGoneDuringDeploy"),
                        format!("{message}\nstart Docker again: DevLoop replaces the stopped replicas once it answers"),
                    )
                    .with_fix(crate::docker::Host::probe().start_daemon_command()));
                }
                // Said: what failed, then what the traffic is on now.
                let still = failure
                    .live
                    .first()
                    .map(|r| format!("{} {}", self.app, r.version));
                let mut detail = failure.error.detail.map(|d| *d).unwrap_or_else(|| {
                    Finding::new("deployFailed").with("cause", &failure.error.message)
                });
                let mut tail = &mut detail;
                while tail.because.is_some() {
                    tail = tail.because.as_deref_mut().expect("checked");
                }
                tail.because = Some(Box::new(match &still {
                    Some(v) => Finding::new("stillLive").with("version", v),
                    None => Finding::new("nothingLiveAfterFailure"),
                }));
                Err(Error::said(Code::InvalidInput, detail, message))
            }
        }
    }
}

/// Everything the Operate page shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OperateStatus {
    pub service: ServiceStatus,
    pub autoscaler: crate::operate::autoscale::AutoscalerView,
    /// The operations log, newest first.
    pub ops: Vec<crate::store::ops::OpsEvent>,
}
