//! How a new version replaces the live one, three ways:
//!
//! - recreate: stop the old, start the new. Requests fail in between, on purpose: it shows
//!   what the other two avoid.
//! - blue-green: start the new colour beside the old, wait until every new replica is
//!   healthy, switch all traffic at once, let the old finish what it is answering, stop it.
//! - rolling: replace one replica at a time; a new one takes traffic before an old one
//!   leaves, so capacity never drops below the desired count.
//!
//! A new version that fails its health check is rolled back by itself: the traffic goes (or
//! stays) on the old version, the new replicas are removed, and the reason comes back with the
//! failing container's last log lines.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::health::{self, HealthCheck};
use super::proxy::Proxy;
use super::replica::{self, Replica, Spec};
use crate::docker::Engine;
use crate::finding::Finding;

/// How long old replicas may take to finish the requests they have.
const DRAIN: Duration = Duration::from_secs(10);

pub use crate::record::deploy::Strategy;

/// What to deploy.
#[derive(Debug, Clone)]
pub struct Request {
    pub app: String,
    pub version: String,
    pub strategy: Strategy,
    pub replicas: u32,
    pub health: HealthCheck,
    /// Names this deploy on its containers' labels.
    pub deploy: String,
}

/// What a deploy reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum DeployEvent {
    /// Replica `n` of `of` of `version` is starting.
    #[serde(rename_all = "camelCase")]
    Starting { version: String, n: u32, of: u32 },
    #[serde(rename_all = "camelCase")]
    Healthy {
        name: String,
        #[ts(type = "number")]
        millis: u64,
    },
    /// Traffic now goes to these replicas.
    #[serde(rename_all = "camelCase")]
    Switched { version: String, replicas: u32 },
    #[serde(rename_all = "camelCase")]
    Stopped { name: String },
    /// On a swarm: task `name` of `version` runs on `node`, healthy (`n` of `of`).
    #[serde(rename_all = "camelCase")]
    Task {
        name: String,
        version: String,
        node: String,
        n: u32,
        of: u32,
    },
    /// The new version failed; traffic is on `to` again (none when there was no old version).
    #[serde(rename_all = "camelCase")]
    RolledBack {
        reason: String,
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
    },
}

impl DeployEvent {
    /// The event in English, as the CLI and a workflow's log print it.
    pub fn en(&self) -> String {
        match self {
            DeployEvent::Starting { version, n, of } => {
                format!("starting {version} replica {n} of {of}")
            }
            DeployEvent::Healthy { name, millis } => format!("  {name} is healthy ({millis} ms)"),
            DeployEvent::Switched { version, replicas } => {
                format!("traffic → {version} ({replicas} replica(s))")
            }
            DeployEvent::Stopped { name } => format!("  stopped {name}"),
            DeployEvent::Task {
                name,
                version,
                node,
                n,
                of,
            } => format!("  task {name} of {version} runs on {node}, healthy ({n} of {of})"),
            DeployEvent::RolledBack { reason, to } => format!(
                "rolled back{}: {reason}",
                to.as_ref().map(|v| format!(" to {v}")).unwrap_or_default()
            ),
        }
    }
}

/// A deploy that did not go live: why, the failing container's last lines, and what is live
/// now that it was rolled back.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Why, as the error the person who deployed sees (its message is `reason`).
    pub error: crate::Error,
    pub reason: String,
    pub logs: String,
    pub live: Vec<Replica>,
}

type Sink<'a> = &'a (dyn Fn(DeployEvent) + Send + Sync);

pub(crate) fn backends(replicas: &[Replica]) -> Vec<(std::net::SocketAddr, String)> {
    replicas
        .iter()
        .map(|r| {
            (
                ([127, 0, 0, 1], r.port).into(),
                format!("{} {}", r.version, r.name),
            )
        })
        .collect()
}

/// Starts one replica of `version` and waits until it is healthy; removes it when it is not.
pub(crate) async fn start_healthy(
    engine: &Engine,
    req: &Request,
    version: &str,
    colour: &str,
    sink: Sink<'_>,
) -> Result<Replica, (crate::Error, String)> {
    let spec = Spec {
        app: req.app.clone(),
        version: version.to_owned(),
        image: format!("{}:{version}", req.app),
        colour: colour.to_owned(),
        deploy: req.deploy.clone(),
    };
    let r = replica::start(engine, &spec)
        .await
        .map_err(|e| (e, String::new()))?;
    match health::wait(r.port, &req.health).await {
        Ok(took) => {
            sink(DeployEvent::Healthy {
                name: r.name.clone(),
                millis: took.as_millis() as u64,
            });
            Ok(r)
        }
        Err((why, found)) => {
            let logs = replica::logs(engine, &r.id, 20).await;
            let _ = replica::remove(engine, &r.id).await;
            let error = crate::Error::said(
                crate::Code::InvalidInput,
                Finding::new("healthCheckFailed")
                    .with("version", format!("{} {version}", req.app))
                    .with("path", &req.health.path)
                    .because(found),
                format!(
                    "{} {version} failed its health check ({}): {why}",
                    req.app, req.health.path
                ),
            );
            Err((error, logs))
        }
    }
}

pub(crate) async fn remove_all(engine: &Engine, replicas: &[Replica], sink: Sink<'_>) {
    // Side by side: they are drained already, and one at a time would add up.
    let removed =
        futures_util::future::join_all(replicas.iter().map(|r| replica::remove(engine, &r.id)))
            .await;
    for (r, result) in replicas.iter().zip(removed) {
        if result.is_ok() {
            sink(DeployEvent::Stopped {
                name: r.name.clone(),
            });
        }
    }
}

/// Starts `count` replicas of `version`, all healthy, or none.
async fn start_set(
    engine: &Engine,
    req: &Request,
    version: &str,
    colour: &str,
    count: u32,
    sink: Sink<'_>,
) -> Result<Vec<Replica>, (crate::Error, String)> {
    let mut started = Vec::new();
    for n in 1..=count {
        sink(DeployEvent::Starting {
            version: version.to_owned(),
            n,
            of: count,
        });
        match start_healthy(engine, req, version, colour, sink).await {
            Ok(r) => started.push(r),
            Err(e) => {
                remove_all(engine, &started, sink).await;
                return Err(e);
            }
        }
    }
    Ok(started)
}

/// Replaces `live` with `req.version` on `proxy`. Returns the replicas live afterwards.
pub async fn deploy(
    engine: &Engine,
    proxy: &Proxy,
    live: Vec<Replica>,
    req: &Request,
    sink: Sink<'_>,
) -> Result<Vec<Replica>, Failure> {
    let replicas = req.replicas.max(1);
    let old_version = live.first().map(|r| r.version.clone());
    let fail = |(error, logs): (crate::Error, String), live: Vec<Replica>, to: Option<String>| {
        let reason = error.message.clone();
        sink(DeployEvent::RolledBack {
            reason: reason.clone(),
            to,
        });
        Failure {
            error,
            reason,
            logs,
            live,
        }
    };
    match req.strategy {
        Strategy::BlueGreen => {
            let colour = if live.first().is_some_and(|r| r.colour == "blue") {
                "green"
            } else {
                "blue"
            };
            // The old colour keeps all the traffic until every new replica is healthy.
            let new = match start_set(engine, req, &req.version, colour, replicas, sink).await {
                Ok(n) => n,
                Err(e) => return Err(fail(e, live, old_version)),
            };
            let old = proxy.switch(backends(&new));
            sink(DeployEvent::Switched {
                version: req.version.clone(),
                replicas,
            });
            Proxy::drain(&old, DRAIN).await;
            remove_all(engine, &live, sink).await;
            Ok(new)
        }
        Strategy::Rolling => {
            let mut old = live.clone();
            let mut new: Vec<Replica> = Vec::new();
            for n in 1..=replicas {
                sink(DeployEvent::Starting {
                    version: req.version.clone(),
                    n,
                    of: replicas,
                });
                match start_healthy(engine, req, &req.version, "rolling", sink).await {
                    Ok(r) => new.push(r),
                    Err(e) => {
                        // Back to the old version at full strength, then the new ones go.
                        let mut restore = old.clone();
                        if let Some(v) = &old_version {
                            let missing = (live.len() as u32).saturating_sub(old.len() as u32);
                            if missing > 0 {
                                if let Ok(more) =
                                    start_set(engine, req, v, "rolling", missing, sink).await
                                {
                                    restore.extend(more);
                                }
                            }
                        }
                        let gone = proxy.switch(backends(&restore));
                        Proxy::drain(&gone, DRAIN).await;
                        remove_all(engine, &new, sink).await;
                        return Err(fail(e, restore, old_version));
                    }
                }
                // The new replica takes traffic before an old one leaves.
                let leaving = if old.is_empty() {
                    None
                } else {
                    Some(old.remove(0))
                };
                let serving: Vec<Replica> = old.iter().chain(new.iter()).cloned().collect();
                let replaced = proxy.switch(backends(&serving));
                if let Some(leaving) = leaving {
                    let drained: Vec<_> = replaced
                        .into_iter()
                        .filter(|b| b.label.ends_with(&leaving.name))
                        .collect();
                    Proxy::drain(&drained, DRAIN).await;
                    remove_all(engine, std::slice::from_ref(&leaving), sink).await;
                }
            }
            // Old replicas beyond the new count (scaling down while deploying) go last.
            if !old.is_empty() {
                let gone = proxy.switch(backends(&new));
                Proxy::drain(&gone, DRAIN).await;
                remove_all(engine, &old, sink).await;
            }
            sink(DeployEvent::Switched {
                version: req.version.clone(),
                replicas,
            });
            Ok(new)
        }
        Strategy::Recreate => {
            // Nothing answers from here until the new version is healthy: that is the lesson.
            let old = proxy.switch(Vec::new());
            Proxy::drain(&old, DRAIN).await;
            remove_all(engine, &live, sink).await;
            match start_set(engine, req, &req.version, "recreate", replicas, sink).await {
                Ok(new) => {
                    proxy.switch(backends(&new));
                    sink(DeployEvent::Switched {
                        version: req.version.clone(),
                        replicas,
                    });
                    Ok(new)
                }
                Err(e) => {
                    let restored = match &old_version {
                        Some(v) => start_set(engine, req, v, "recreate", live.len() as u32, sink)
                            .await
                            .unwrap_or_default(),
                        None => Vec::new(),
                    };
                    proxy.switch(backends(&restored));
                    Err(fail(e, restored, old_version))
                }
            }
        }
    }
}
