//! The autoscaler's decision, as a pure function of the policy, the traffic samples and the
//! time (so it is tested without sleeping): scale up when the requests per replica stayed
//! above target for the whole up window, down when they stayed well below it for the whole
//! down window, never outside min..=max, and not again until the cooldown has passed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub min: u32,
    pub max: u32,
    /// Requests a second one replica should take.
    pub target_rps_per_replica: f64,
    #[ts(type = "number")]
    pub up_window_ms: u64,
    #[ts(type = "number")]
    pub down_window_ms: u64,
    #[ts(type = "number")]
    pub cooldown_ms: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min: 1,
            max: 4,
            target_rps_per_replica: 50.0,
            up_window_ms: 3_000,
            down_window_ms: 10_000,
            cooldown_ms: 5_000,
        }
    }
}

/// A decision that changed the replica count, with when (unix milliseconds).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DecisionAt {
    #[ts(type = "number")]
    pub at_ms: i64,
    pub decision: Decision,
}

/// One measurement: requests a second through the proxy at `at_ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub at_ms: u64,
    pub rps: f64,
}

/// What to do, and why, in words a learner reads in the operations log.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// The replica count wanted; equal to the current one means stay.
    pub replicas: u32,
    pub reason: String,
}

/// Decides at `now_ms` for `current` replicas, the last change having been at `last_change_ms`.
pub fn decide(
    policy: &Policy,
    samples: &[Sample],
    current: u32,
    now_ms: u64,
    last_change_ms: Option<u64>,
) -> Decision {
    let stay = |reason: String| Decision {
        replicas: current,
        reason,
    };
    if current < policy.min {
        return Decision {
            replicas: policy.min,
            reason: format!("below the minimum of {}", policy.min),
        };
    }
    if let Some(last) = last_change_ms {
        if now_ms < last + policy.cooldown_ms {
            return stay(format!(
                "cooling down for {} ms after the last change",
                last + policy.cooldown_ms - now_ms
            ));
        }
    }
    let per_replica = |s: &Sample| s.rps / f64::from(current.max(1));
    let window = |ms: u64| -> Vec<&Sample> {
        samples
            .iter()
            .filter(|s| s.at_ms + ms >= now_ms && s.at_ms <= now_ms)
            .collect()
    };
    // A window counts only when the samples cover it: a burst of one second is not a trend.
    let covers = |w: &[&Sample], ms: u64| {
        w.iter()
            .map(|s| s.at_ms)
            .min()
            .is_some_and(|first| first + ms <= now_ms + 1_000)
    };
    let up = window(policy.up_window_ms);
    if covers(&up, policy.up_window_ms)
        && up
            .iter()
            .all(|s| per_replica(s) > policy.target_rps_per_replica)
    {
        if current >= policy.max {
            return stay(format!(
                "busy, but already at the maximum of {}",
                policy.max
            ));
        }
        let load = up.iter().map(|s| s.rps).sum::<f64>() / up.len() as f64;
        let wanted =
            ((load / policy.target_rps_per_replica).ceil() as u32).clamp(current + 1, policy.max);
        return Decision {
            replicas: wanted,
            reason: format!(
                "{load:.0} requests/s for {} s is over {} per replica: {current} → {wanted}",
                policy.up_window_ms / 1000,
                policy.target_rps_per_replica
            ),
        };
    }
    let down = window(policy.down_window_ms);
    // Half the target, so one scale-down does not immediately call for the next scale-up.
    if current > policy.min
        && covers(&down, policy.down_window_ms)
        && down
            .iter()
            .all(|s| s.rps / f64::from(current - 1) < policy.target_rps_per_replica / 2.0)
    {
        return Decision {
            replicas: current - 1,
            reason: format!(
                "quiet for {} s: {current} → {}",
                policy.down_window_ms / 1000,
                current - 1
            ),
        };
    }
    stay("within the target".into())
}

/// Requests a second through `proxy`, one sample a second, over the last `span_ms`.
pub fn samples(proxy: &crate::deploy::proxy::Proxy, span_ms: u64) -> (u64, Vec<Sample>) {
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
            rps: *per_second.get(&sec).unwrap_or(&0) as f64,
        })
        .collect();
    (now, samples)
}

impl crate::deploy::service::Service {
    /// One look at the traffic; scales when the policy says so. `last_change_ms` is the
    /// autoscaler's memory between ticks (on the proxy's clock).
    pub async fn autoscale_tick(
        &self,
        policy: &Policy,
        last_change_ms: &mut Option<u64>,
    ) -> Result<Decision, crate::Error> {
        let span = policy.up_window_ms.max(policy.down_window_ms) + 1000;
        let (now, samples) = samples(self.proxy(), span);
        let current = self.live.lock().await.len() as u32;
        if current == 0 {
            return Ok(Decision {
                replicas: 0,
                reason: "nothing is live".into(),
            });
        }
        let decision = decide(policy, &samples, current, now, *last_change_ms);
        if decision.replicas != current {
            self.scale(
                decision.replicas,
                &format!("autoscaler: {}", decision.reason),
            )
            .await?;
            *last_change_ms = Some(self.proxy().now_ms());
        }
        Ok(decision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steady(rps: f64, from: u64, to: u64) -> Vec<Sample> {
        (from..=to)
            .step_by(1000)
            .map(|at_ms| Sample { at_ms, rps })
            .collect()
    }

    #[test]
    fn sustained_load_scales_up_and_a_single_burst_does_not() {
        let p = Policy::default();
        let busy = steady(180.0, 0, 4_000);
        let d = decide(&p, &busy, 1, 4_000, None);
        assert_eq!(d.replicas, 4, "{}", d.reason);
        assert!(d.reason.contains("180 requests/s"), "{}", d.reason);
        let burst = vec![Sample {
            at_ms: 4_000,
            rps: 500.0,
        }];
        assert_eq!(
            decide(&p, &burst, 1, 4_000, None).replicas,
            1,
            "one second is not a trend"
        );
    }

    #[test]
    fn quiet_scales_down_one_at_a_time_never_below_min_and_cooldown_holds() {
        let p = Policy::default();
        let quiet = steady(5.0, 0, 10_000);
        assert_eq!(decide(&p, &quiet, 3, 10_000, None).replicas, 2);
        assert_eq!(decide(&p, &quiet, 1, 10_000, None).replicas, 1);
        let d = decide(&p, &quiet, 3, 10_000, Some(8_000));
        assert_eq!(d.replicas, 3);
        assert!(d.reason.contains("cooling down"), "{}", d.reason);
        assert_eq!(
            decide(&p, &[], 0, 0, None).replicas,
            1,
            "below min: up to min"
        );
    }

    #[test]
    fn the_maximum_holds_under_any_load() {
        let p = Policy::default();
        let d = decide(&p, &steady(10_000.0, 0, 4_000), 4, 4_000, None);
        assert_eq!(d.replicas, 4);
        assert!(d.reason.contains("maximum"));
    }
}
