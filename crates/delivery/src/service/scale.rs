//! Scaling the live version to N replicas: new ones take traffic once healthy; extra ones
//! leave the traffic first, finish what they answer, then stop.

use super::Service;
use crate::deploy::proxy::Proxy;
use crate::deploy::rollout::{self, backends};
use crate::deploy::REPLICAS;
use crate::finding::{Finding, Reason};
use crate::store::ops::{OpKind, OpsEvent};
use crate::{Code, Error};

impl Service {
    /// Runs `replicas` of the live version at a person's request; `why` (where they asked
    /// from) goes into the operations log.
    pub async fn scale(&self, replicas: u32, why: Reason) -> Result<u32, Error> {
        self.resize(replicas, OpKind::Scale, why).await
    }

    /// Runs `replicas` of the live version; the operations log names `kind` (a person's
    /// `scale` or the `autoscale`r) and says `why`.
    pub(crate) async fn resize(
        &self,
        replicas: u32,
        kind: OpKind,
        why: Reason,
    ) -> Result<u32, Error> {
        if !REPLICAS.contains(&replicas) {
            return Err(replica_range(replicas));
        }
        if self.target() == crate::record::deploy::Target::Swarm {
            return self.resize_swarm(replicas, kind, why).await;
        }
        let mut live = self.live.lock().await;
        let Some(version) = live.first().map(|r| r.version.clone()) else {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("nothingLive"),
                "nothing is live to scale: deploy a release first",
            )
            .with_fix("devloop deploy"));
        };
        let before = live.len() as u32;
        if replicas > before {
            let request = rollout::Request {
                app: self.app.clone(),
                version: version.clone(),
                strategy: rollout::Strategy::Rolling,
                replicas,
                health: Default::default(),
                deploy: live.first().map(|r| r.deploy.clone()).unwrap_or_default(),
            };
            let colour = live.first().map(|r| r.colour.clone()).unwrap_or_default();
            for _ in before..replicas {
                let r = rollout::start_healthy(&self.engine, &request, &version, &colour, &|_| {})
                    .await
                    .map_err(|(error, _)| error)?;
                live.push(r);
                self.proxy.switch(backends(&live));
            }
        } else if replicas < before {
            let leaving = live.split_off(replicas as usize);
            let replaced = self.proxy.switch(backends(&live));
            self.retire(replaced, leaving).await;
        }
        if replicas != before {
            self.log_scaled(kind, &version, (before, replicas), "replicas", why)
                .await;
        }
        Ok(replicas)
    }

    /// Replicas that left the traffic (`replaced` by a switch) finish what they answer, then
    /// stop.
    pub(crate) async fn retire(
        &self,
        replaced: Vec<std::sync::Arc<crate::deploy::proxy::Backend>>,
        leaving: Vec<crate::deploy::replica::Replica>,
    ) {
        if leaving.is_empty() {
            return;
        }
        let gone: Vec<_> = replaced
            .into_iter()
            .filter(|b| leaving.iter().any(|l| b.label.ends_with(&l.name)))
            .collect();
        Proxy::drain(&gone, std::time::Duration::from_secs(10)).await;
        rollout::remove_all(&self.engine, &leaving, &|_| {}).await;
    }

    /// The operations log's line for a change of count: `noun` is replicas, or tasks on the
    /// swarm.
    async fn log_scaled(
        &self,
        kind: OpKind,
        version: &str,
        (before, replicas): (u32, u32),
        noun: &str,
        why: Reason,
    ) {
        self.log_op(
            kind,
            Reason::new(
                Finding::new("opScaled")
                    .with("app", &self.app)
                    .with("version", version)
                    .with("from", before)
                    .with("to", replicas)
                    .because(Some(why.what)),
                format!(
                    "{} {version}: {before} → {replicas} {noun} ({})",
                    self.app, why.en
                ),
            ),
            None,
            Some(i64::from(replicas) - i64::from(before)),
        )
        .await;
    }

    /// Asks Swarm for `replicas` tasks, and waits until that many serve.
    async fn resize_swarm(&self, replicas: u32, kind: OpKind, why: Reason) -> Result<u32, Error> {
        let _deploying = self.live.lock().await;
        let Some((version, before)) = crate::swarm::service::live(&self.engine, &self.app).await?
        else {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("nothingLive"),
                "nothing is live on the swarm to scale: deploy a release to it first",
            )
            .with_fix("devloop deploy --target swarm"));
        };
        if replicas != before {
            crate::swarm::service::scale(&self.engine, &self.app, replicas).await?;
            let _ = self.route_swarm().await;
            self.log_scaled(
                kind,
                &version,
                (before, replicas),
                "tasks on the swarm",
                why,
            )
            .await;
        }
        Ok(replicas)
    }

    /// Writes one line of the operations log (best effort: the log must never stop operating):
    /// what happened as a code and its facts, and in English for the CLI.
    pub async fn log_op(
        &self,
        kind: OpKind,
        what: Reason,
        millis: Option<i64>,
        change: Option<i64>,
    ) {
        let event = OpsEvent {
            at_ms: crate::store::now_ms(),
            app: self.app.clone(),
            kind,
            what: Some(what.what),
            message: what.en,
            message_ko: None,
            millis,
            change,
            reason: None,
        };
        let listener = self.on_op.lock().0.clone();
        if let Some(listener) = listener {
            listener(&event);
        }
        {
            let mut recent = self.recent.lock();
            recent.push_back(event.clone());
            if recent.len() > 100 {
                recent.pop_front();
            }
        }
        let db = self.paths.database_file();
        let _ = crate::blocking(move || crate::store::Store::open(&db)?.record_op(&event)).await;
    }
}

/// The refusal of a replica count outside the range a replica set may have.
pub(crate) fn replica_range(replicas: u32) -> Error {
    Error::said(
        Code::InvalidInput,
        Finding::new("replicaRange")
            .with("replicas", replicas)
            .with("min", REPLICAS.start())
            .with("max", REPLICAS.end()),
        format!(
            "{replicas} replicas: choose {} to {}",
            REPLICAS.start(),
            REPLICAS.end()
        ),
    )
}
