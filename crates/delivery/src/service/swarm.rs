//! The service on the swarm target: a deploy handed to Swarm, the stable address routed to the tasks Swarm runs (re-read every quarter second, so a task Swarm stops leaves the traffic before its grace period ends), and what Swarm did (a task replaced) written to the operations log.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use super::{Service, ServiceStatus};
use crate::deploy::proxy::Backend;
use crate::deploy::replica::Replica;
use crate::deploy::rollout::{DeployEvent, Strategy};
use crate::finding::{Finding, Reason};
use crate::record::deploy::{DeployStatus, Target};
use crate::store::ops::OpKind;
use crate::store::{now, Store};
use crate::swarm::service::{self as swarm_service, Outcome};
use crate::swarm::tasks::Task;
use crate::{blocking, Code, Error};
use std::sync::Arc;

/// What the router remembers between looks: the failed tasks it has told of, and when each
/// slot's task failed, to say how long Swarm took to replace it.
#[derive(Debug, Default)]
pub(crate) struct Watch {
    told: std::collections::HashSet<String>,
    down_since: HashMap<u32, (Instant, String, String)>,
}

impl Service {
    /// Where the traffic goes now.
    pub fn target(&self) -> Target {
        *self.target.lock()
    }

    /// The tasks of the app's swarm service (none on the local target).
    pub async fn tasks(&self) -> Vec<Task> {
        if self.target() != Target::Swarm {
            return Vec::new();
        }
        swarm_service::tasks(&self.engine, &self.app)
            .await
            .unwrap_or_default()
    }

    /// One look at the swarm: the proxy sends to exactly the tasks that serve, and a task
    /// Swarm replaced is logged with how long the replacement took. Returns the backends a
    /// switch replaced, whose requests in flight still finish.
    pub async fn route_swarm(&self) -> Result<Vec<Arc<Backend>>, Error> {
        if self.target() != Target::Swarm {
            return Ok(Vec::new());
        }
        let tasks = swarm_service::tasks(&self.engine, &self.app).await?;
        let serving: Vec<(SocketAddr, String)> = tasks
            .iter()
            .filter(|t| t.serving())
            .filter_map(|t| {
                let addr = t.address.as_deref()?.parse().ok()?;
                Some((addr, format!("{} {}", t.version, t.name)))
            })
            .collect();
        let now: Vec<SocketAddr> = self.proxy.backends().iter().map(|b| b.addr).collect();
        let mut wanted: Vec<SocketAddr> = serving.iter().map(|(a, _)| *a).collect();
        let mut had = now.clone();
        wanted.sort();
        had.sort();
        let mut replaced = Vec::new();
        if wanted != had && !serving.is_empty() {
            // Never to none: with no task serving (all of them restarting), the old addresses
            // fail fast and the retry says so, rather than the proxy claiming nothing is live.
            replaced = self.proxy.switch(serving);
        }
        self.tell_replaced(&tasks).await;
        Ok(replaced)
    }

    /// Logs each task that failed, once, and its slot's replacement once it serves.
    async fn tell_replaced(&self, tasks: &[Task]) {
        let mut lines = Vec::new();
        {
            let mut watch = self.swarm_watch.lock();
            for t in tasks.iter().filter(|t| t.state == "failed") {
                if watch.told.insert(t.id.clone()) {
                    watch.down_since.insert(
                        t.slot,
                        (
                            Instant::now(),
                            t.name.clone(),
                            t.error.clone().unwrap_or_default(),
                        ),
                    );
                }
            }
            let mended: Vec<u32> = watch
                .down_since
                .keys()
                .copied()
                .filter(|slot| tasks.iter().any(|t| t.slot == *slot && t.serving()))
                .collect();
            for slot in mended {
                if let Some((since, name, error)) = watch.down_since.remove(&slot) {
                    lines.push((name, error, since.elapsed().as_millis() as i64));
                }
            }
        }
        for (name, error, millis) in lines {
            self.log_op(
                OpKind::Heal,
                Reason::new(
                    Finding::new("opSwarmReplaced")
                        .with("task", &name)
                        .with("error", &error)
                        .with("ms", millis),
                    format!("Swarm replaced task {name} ({error}) in {millis} ms"),
                ),
                Some(millis),
                None,
            )
            .await;
        }
    }

    /// What is live on the swarm, in the shape the pages and Monitor read: each task that
    /// serves as a replica (its container, its address).
    pub(crate) async fn swarm_status(&self) -> ServiceStatus {
        let tasks = self.tasks().await;
        let replicas: Vec<Replica> = tasks
            .iter()
            .filter(|t| t.serving())
            .map(|t| Replica {
                id: t.container.clone().unwrap_or_default(),
                name: t.name.clone(),
                version: t.version.clone(),
                colour: "swarm".into(),
                deploy: t.id.clone(),
                port: 0,
                running: true,
                address: t.address.clone(),
            })
            .collect();
        ServiceStatus {
            app: self.app.clone(),
            url: format!("http://{}", self.proxy.addr()),
            version: replicas.first().map(|r| r.version.clone()),
            replicas,
            removed_at_start: self.removed_at_start.clone(),
            target: Target::Swarm,
            tasks,
        }
    }

    /// Deploys to the swarm. On the first success the traffic moves from this machine's
    /// replicas to the tasks, and the replicas stop.
    pub(crate) async fn deploy_swarm(
        &self,
        version: &str,
        strategy: Strategy,
        replicas: u32,
        sink: &(dyn Fn(DeployEvent) + Send + Sync),
    ) -> Result<ServiceStatus, Error> {
        // Held throughout, as a local deploy holds it: no scale or heal in between.
        let live = self.live.lock().await;
        let db = self.paths.database_file();
        let (app, v) = (self.app.clone(), version.to_owned());
        let id = blocking(move || {
            Store::open(&db)?.start_deploy_to(&app, &v, strategy, replicas, Target::Swarm, now())
        })
        .await?;
        let request = swarm_service::Request {
            app: self.app.clone(),
            version: version.to_owned(),
            strategy,
            replicas,
        };
        let result = swarm_service::deploy(&self.engine, &request, sink).await;
        // Swarm rolled an update back, or a first rollout never ran and its service was
        // removed (there was nothing for Swarm to go back to).
        let (status, code, why, logs) = match result {
            Ok(Outcome::Live) => {
                return self
                    .went_live_on_swarm(live, id, version, strategy, replicas)
                    .await;
            }
            Ok(Outcome::RolledBack { why, logs }) => {
                (DeployStatus::RolledBack, "swarmRolledBack", why, logs)
            }
            Ok(Outcome::Failed { why, logs }) => (DeployStatus::Failed, "swarmNeverRan", why, logs),
            Err(e) => {
                drop(live);
                let detail = e.detail.as_deref().cloned();
                self.record_end(id, DeployStatus::Failed, &e.message, "", detail)
                    .await;
                return Err(e);
            }
        };
        drop(live);
        let cause = Finding::new(code)
            .with("version", version)
            .with("why", &why);
        self.record_end(id, status, &why, &logs, Some(cause.clone()))
            .await;
        let what = if status == DeployStatus::RolledBack {
            "Swarm rolled it back"
        } else {
            "it never ran, so its service was removed"
        };
        self.log_op(
            OpKind::Rollback,
            Reason::new(
                Finding::new("opRolledBack")
                    .with("app", &self.app)
                    .with("version", version)
                    .because(Some(cause.clone())),
                format!(
                    "{} {version} did not go live on the swarm, and {what}: {why}",
                    self.app
                ),
            ),
            None,
            None,
        )
        .await;
        let mut message = format!("{} {version} did not go live on the swarm: {why}", self.app);
        if !logs.trim().is_empty() {
            message.push_str(&format!("\nits last lines:\n{}", logs.trim_end()));
        }
        let still = self.status().await.version;
        Err(Error::said(
            Code::InvalidInput,
            cause.because(Some(match still {
                Some(v) => Finding::new("stillLive").with("version", format!("{} {v}", self.app)),
                None => Finding::new("nothingLiveAfterFailure"),
            })),
            message,
        ))
    }

    /// A swarm deploy went live: the traffic moves to the tasks; the local replicas leave it,
    /// finish what they answer, and stop.
    async fn went_live_on_swarm(
        &self,
        mut live: tokio::sync::MutexGuard<'_, Vec<Replica>>,
        id: u64,
        version: &str,
        strategy: Strategy,
        replicas: u32,
    ) -> Result<ServiceStatus, Error> {
        *self.target.lock() = Target::Swarm;
        let replaced = self.route_swarm().await?;
        let leaving = std::mem::take(&mut *live);
        drop(live);
        self.retire(replaced, leaving).await;
        let done = self.record_live(id, version).await;
        self.log_op(
            OpKind::Deploy,
            Reason::new(
                Finding::new("opSwarmLive")
                    .with("app", &self.app)
                    .with("version", version)
                    .with("strategy", strategy.id())
                    .with("tasks", replicas),
                format!(
                    "{} {version} is live on the swarm ({}, {replicas} tasks)",
                    self.app,
                    strategy.id()
                ),
            ),
            None,
            None,
        )
        .await;
        self.log_items_done(done, version).await;
        Ok(self.swarm_status().await)
    }
}
