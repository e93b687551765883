//! The autoscaler applied to the running service: its switch and policy, the samples it reads (requests through the proxy, or the replicas' CPU) and the tick that scales.

use crate::deploy::proxy::Proxy;
use crate::finding::{Finding, Reason};
use crate::operate::autoscale::{
    decide, AutoscalerView, Decision, DecisionAt, Metric, Policy, Sample,
};
use crate::store::ops::OpKind;

use super::Service;

/// Requests a second through `proxy`, one sample a second, over the last `span_ms`.
pub fn rps_samples(proxy: &Proxy, span_ms: u64) -> (u64, Vec<Sample>) {
    let now = proxy.now_ms();
    let since = now.saturating_sub(span_ms);
    let mut per_second = std::collections::BTreeMap::<u64, u64>::new();
    for r in proxy.requests(since) {
        *per_second.entry(r.at_ms / 1000).or_default() += 1;
    }
    // Seconds with no request are samples of zero: quiet is a measurement too.
    let samples = (since / 1000..now / 1000)
        .map(|sec| Sample {
            at_ms: sec * 1000 + 999,
            total: *per_second.get(&sec).unwrap_or(&0) as f64,
        })
        .collect();
    (now, samples)
}

impl Service {
    /// The autoscaler's switch, policy and recent decisions.
    pub fn autoscaler(&self) -> AutoscalerView {
        let a = self.autoscaler.lock();
        AutoscalerView {
            enabled: a.enabled,
            policy: a.policy.clone(),
            decisions: a.decisions.iter().rev().cloned().collect(),
        }
    }

    /// Switches the autoscaler on or off with `policy` (checked first).
    pub fn set_autoscaler(&self, enabled: bool, policy: Policy) -> Result<(), crate::Error> {
        policy.check()?;
        let mut a = self.autoscaler.lock();
        if a.policy.metric != policy.metric {
            a.cpu.clear();
        }
        a.enabled = enabled;
        a.policy = policy;
        Ok(())
    }

    /// One look at the load, when the autoscaler is on; scales when the policy says so.
    pub async fn autoscale_tick(&self) -> Result<Option<Decision>, crate::Error> {
        let policy = {
            let a = self.autoscaler.lock();
            if !a.enabled {
                return Ok(None);
            }
            a.policy.clone()
        };
        // On the swarm, the count is what Swarm is asked to run, not the tasks serving at
        // this instant: a task between states must not read as one too few, and a "back to
        // the minimum" that changes nothing must not start a cooldown.
        let (live, current) = if self.target() == crate::record::deploy::Target::Swarm {
            let asked = crate::swarm::service::live(&self.engine, &self.app)
                .await?
                .map_or(0, |(_, replicas)| replicas);
            (self.swarm_status().await.replicas, asked)
        } else {
            let live = self.live.lock().await.clone();
            let n = live.len() as u32;
            (live, n)
        };
        if current == 0 {
            return Ok(None);
        }
        let span = policy.up_window_ms.max(policy.down_window_ms) + 1000;
        let now = self.proxy().now_ms();
        let samples = match policy.metric {
            Metric::Rps => rps_samples(self.proxy(), span).1,
            Metric::Cpu => {
                let mut seen = std::mem::take(&mut self.autoscaler.lock().cpu_seen);
                let total = crate::deploy::replica::cpu_total(&self.engine, &live, &mut seen).await;
                let mut a = self.autoscaler.lock();
                a.cpu_seen = seen;
                if let Some(total) = total {
                    a.cpu.push_back(Sample { at_ms: now, total });
                }
                while a.cpu.front().is_some_and(|s| s.at_ms + span < now) {
                    a.cpu.pop_front();
                }
                a.cpu.iter().copied().collect()
            }
        };
        let last = self.autoscaler.lock().last_change_ms;
        let decision = decide(&policy, &samples, current, now, last);
        if decision.replicas != current {
            self.resize(
                decision.replicas,
                OpKind::Autoscale,
                Reason::new(
                    Finding::new("byAutoscaler").because(Some(decision.why.clone())),
                    format!("autoscaler: {}", decision.reason),
                ),
            )
            .await?;
            let mut a = self.autoscaler.lock();
            a.last_change_ms = Some(self.proxy().now_ms());
            // CPU measured on the old count says nothing about the new one.
            a.cpu.clear();
            a.decisions.push_back(DecisionAt {
                at_ms: crate::store::now_ms(),
                decision: decision.clone(),
            });
            if a.decisions.len() > 50 {
                a.decisions.pop_front();
            }
        }
        Ok(Some(decision))
    }
}
