//! Self-healing: a live replica that stopped (crashed, killed, out of memory) is noticed and
//! replaced by a healthy one of the same version, and the incident is logged with how long the
//! recovery took. Requests meanwhile go to the other replicas (the proxy retries elsewhere).
//! Chaos kills a replica on purpose, to watch it happen.

use std::time::{Duration, Instant};

use bollard::query_parameters::KillContainerOptions;
use serde::Serialize;
use ts_rs::TS;

use super::Service;
use crate::deploy::replica;
use crate::deploy::rollout::{self, backends};
use crate::docker::{DockerError, Host};
use crate::finding::Finding;
use crate::finding::Reason;
use crate::store::ops::OpKind;
use crate::Error;

/// Replacements of one version this close together are a crash loop, not a crash: the
/// version itself is broken (it passes its health check, then dies), and replacing it again
/// only keeps the learner's users failing.
pub const CRASH_LOOP_HEALS: usize = 3;
pub const CRASH_LOOP_WINDOW: Duration = Duration::from_secs(60);
/// With no earlier version to go back to, a crash-looping one is replaced at most this often.
pub const CRASH_LOOP_BACKOFF: Duration = Duration::from_secs(30);

/// The replicas healing started lately, how many of them died again, and the pause a crash
/// loop imposed. Only a replacement dying again counts: a daemon outage that stops every
/// replica at once is one incident, not a loop.
#[derive(Debug, Default)]
pub struct Crashes {
    /// Replacements, by container name, with when they started.
    young: Vec<(Instant, String)>,
    /// When replacements died again, within the window.
    repeats: Vec<Instant>,
    paused_until: Option<Instant>,
}

/// One replica replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Incident {
    pub died: String,
    pub replacement: String,
    /// From noticing to the replacement taking traffic.
    #[ts(type = "number")]
    pub recovered_ms: u64,
}

impl Service {
    /// Looks once; replaces every live replica that is no longer running, and removes this
    /// app's stopped leftovers.
    pub async fn heal_once(&self) -> Result<Vec<Incident>, Error> {
        // On the swarm, Swarm replaces its tasks itself; the router says when it has.
        if self.target() == crate::record::deploy::Target::Swarm {
            return Ok(Vec::new());
        }
        let paused = self
            .crashes
            .lock()
            .paused_until
            .is_some_and(|until| Instant::now() < until);
        if paused {
            return Ok(Vec::new());
        }
        let (incidents, looping) = self.replace_stopped().await?;
        if let Some(version) = looping {
            self.leave_crash_loop(&version).await;
        }
        Ok(incidents)
    }

    /// Notes that replica `name` died; true when it is a crash loop: the replacements healing
    /// started have died again [`CRASH_LOOP_HEALS`] times within [`CRASH_LOOP_WINDOW`].
    fn died(&self, name: &str) -> bool {
        let mut c = self.crashes.lock();
        let now = Instant::now();
        c.young
            .retain(|(at, _)| now.duration_since(*at) < CRASH_LOOP_WINDOW);
        c.repeats
            .retain(|at| now.duration_since(*at) < CRASH_LOOP_WINDOW);
        if c.young.iter().any(|(_, n)| n == name) {
            c.repeats.push(now);
        }
        c.repeats.len() >= CRASH_LOOP_HEALS
    }

    /// A crash loop of `version`: back to the last version that went live, or, with none, a
    /// pause in replacing it; the operations log (and its notification) says which.
    async fn leave_crash_loop(&self, version: &str) {
        *self.crashes.lock() = Crashes::default();
        let (db, app, current) = (
            self.paths.database_file(),
            self.app.clone(),
            version.to_owned(),
        );
        // The last version that went live, and as many replicas as the looping deploy asked for.
        let (last_good, replicas) = crate::blocking(move || {
            let deploys = crate::store::Store::open(&db)?.deploys(500)?;
            let ours = deploys
                .iter()
                .filter(|d| d.app == app && d.status == crate::record::deploy::DeployStatus::Live);
            let replicas = ours
                .clone()
                .find(|d| d.version == current)
                .map(|d| d.replicas);
            let good = ours
                .clone()
                .find(|d| d.version != current)
                .map(|d| d.version.clone());
            Ok((good, replicas.unwrap_or(1)))
        })
        .await
        .unwrap_or((None, 1));
        let window = CRASH_LOOP_WINDOW.as_secs();
        // What both outcomes say first: this version, and how often it died how quickly.
        let crashing = |code: &str| {
            Finding::new(code)
                .with("app", &self.app)
                .with("version", version)
                .with("heals", CRASH_LOOP_HEALS)
                .with("secs", window)
        };
        match last_good {
            Some(good) => {
                self.log_op(
                    OpKind::Rollback,
                    Reason::new(
                        crashing("opCrashLoopBack").with("good", &good),
                        format!("{} {version} keeps crashing ({CRASH_LOOP_HEALS} replacements in {window} s): going back to {good}, the last version that went live", self.app),
                    ),
                    None,
                    None,
                )
                .await;
                let health = crate::deploy::health::HealthCheck::default();
                let _ = self
                    .deploy(&good, rollout::Strategy::Rolling, replicas, health, &|_| {})
                    .await;
            }
            None => {
                self.crashes.lock().paused_until = Some(Instant::now() + CRASH_LOOP_BACKOFF);
                let pause = CRASH_LOOP_BACKOFF.as_secs();
                self.log_op(
                    OpKind::Heal,
                    Reason::new(
                        crashing("opCrashLoopWait").with("pause", pause),
                        format!("{} {version} keeps crashing ({CRASH_LOOP_HEALS} replacements in {window} s) and no earlier version went live: replacing it waits {pause} s; fix it and deploy again", self.app),
                    ),
                    None,
                    None,
                )
                .await;
            }
        }
    }

    /// Replaces every live replica that is no longer running, and removes stopped leftovers.
    async fn replace_stopped(&self) -> Result<(Vec<Incident>, Option<String>), Error> {
        let mut live = self.live.lock().await;
        if live.is_empty() {
            return Ok((Vec::new(), None));
        }
        let found = replica::list(&self.engine, &self.app).await?;
        // Stopped containers of this app that take no traffic are leftovers: a replica a
        // deploy could not remove while the daemon was down, say. Running ones that are not
        // ours to serve may be another DevLoop's, so they stay.
        for f in &found {
            if !f.running && !live.iter().any(|r| r.id == f.id) {
                let _ = replica::remove(&self.engine, &f.id).await;
            }
        }
        let dead: Vec<_> = live
            .iter()
            .filter(|r| !found.iter().any(|f| f.id == r.id && f.running))
            .cloned()
            .collect();
        let mut incidents = Vec::new();
        for gone in dead {
            let noticed = Instant::now();
            // Out of the traffic at once; the proxy already retries it elsewhere.
            live.retain(|r| r.id != gone.id);
            self.proxy.switch(backends(&live));
            // A replacement dying again once too often: the version is broken, and the rest
            // is left to the way out of a crash loop.
            if self.died(&gone.name) {
                let _ = replica::remove(&self.engine, &gone.id).await;
                return Ok((incidents, Some(gone.version)));
            }
            let request = rollout::Request {
                app: self.app.clone(),
                version: gone.version.clone(),
                strategy: rollout::Strategy::Rolling,
                replicas: 1,
                health: Default::default(),
                deploy: gone.deploy.clone(),
            };
            let logs = replica::logs(&self.engine, &gone.id, 10).await;
            let _ = replica::remove(&self.engine, &gone.id).await;
            match rollout::start_healthy(
                &self.engine,
                &request,
                &gone.version,
                &gone.colour,
                &|_| {},
            )
            .await
            {
                Ok(new) => {
                    let recovered_ms = noticed.elapsed().as_millis() as u64;
                    live.push(new.clone());
                    self.proxy.switch(backends(&live));
                    let last = logs.trim().lines().last().map(str::to_owned);
                    self.log_op(
                        OpKind::Heal,
                        Reason::new(
                            Finding::new("opHealed")
                                .with("gone", &gone.name)
                                .with("new", &new.name)
                                .with("ms", recovered_ms)
                                .because(
                                    last.as_ref()
                                        .map(|line| Finding::new("lastLine").with("line", line)),
                                ),
                            format!(
                                "{} stopped; {} replaced it in {recovered_ms} ms{}",
                                gone.name,
                                new.name,
                                last.as_ref()
                                    .map(|l| format!(" (its last line: {l})"))
                                    .unwrap_or_default()
                            ),
                        ),
                        Some(recovered_ms as i64),
                        None,
                    )
                    .await;
                    self.crashes
                        .lock()
                        .young
                        .push((Instant::now(), new.name.clone()));
                    incidents.push(Incident {
                        died: gone.name,
                        replacement: new.name,
                        recovered_ms,
                    });
                }
                Err((error, _)) => {
                    self.log_op(
                        OpKind::Heal,
                        {
                            let why = error.reason();
                            Reason::new(
                                Finding::new("opNotReplaced")
                                    .with("gone", &gone.name)
                                    .because(Some(why.what)),
                                format!(
                                    "{} stopped and could not be replaced: {}",
                                    gone.name, why.en
                                ),
                            )
                        },
                        None,
                        None,
                    )
                    .await;
                }
            }
        }
        Ok((incidents, None))
    }

    /// Chaos: kills one live replica (the first), as a crash would. Returns its name.
    pub async fn kill_one(&self) -> Result<String, Error> {
        if self.target() == crate::record::deploy::Target::Swarm {
            let task = crate::swarm::tasks::kill(&self.engine, &self.tasks().await, None).await?;
            self.log_op(
                OpKind::Chaos,
                Reason::new(
                    Finding::new("opKilled").with("name", &task.name),
                    format!("killed task {} on purpose; Swarm replaces it", task.name),
                ),
                None,
                None,
            )
            .await;
            return Ok(task.name);
        }
        let victim = self.live.lock().await.first().cloned().ok_or_else(|| {
            Error::said(
                crate::Code::InvalidInput,
                Finding::new("nothingLive"),
                "nothing is live to kill: deploy a release first",
            )
            .with_fix("devloop deploy")
        })?;
        self.engine
            .client()
            .kill_container(
                &victim.id,
                Some(KillContainerOptions {
                    signal: "SIGKILL".into(),
                }),
            )
            .await
            .map_err(|e| DockerError::Api(e).into_error(Host::probe()))?;
        self.log_op(
            OpKind::Chaos,
            Reason::new(
                Finding::new("opKilled").with("name", &victim.name),
                format!("killed {} on purpose", victim.name),
            ),
            None,
            None,
        )
        .await;
        Ok(victim.name)
    }
}
