//! The autoscaler's decision, as a pure function of the policy, the traffic samples and the
//! time (so it is tested without sleeping): scale up when the requests per replica stayed
//! above target for the whole up window, down when they stayed well below it for the whole
//! down window, never outside min..=max, and not again until the cooldown has passed.

//! The autoscaler's decision, as a pure function of the policy, the samples and the time (so
//! it is tested without sleeping): scale up when the load per replica stayed above target for
//! the whole up window, down when it stayed well below it for the whole down window, never
//! outside min..=max, and not again until the cooldown has passed. The load is requests a
//! second through the proxy, or the replicas' CPU (percent of one core, from Docker's stats).
//! Also here: the autoscaler's state, which the service keeps; `service::autoscale` applies it.

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::finding::Finding;

/// What the autoscaler watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Metric {
    /// Requests a second per replica, through the proxy.
    #[default]
    Rps,
    /// CPU per replica, in percent of one core.
    Cpu,
}

impl Metric {
    /// The word a finding carries (`{metric}`), which the catalogs turn into a unit.
    fn id(self) -> &'static str {
        match self {
            Metric::Rps => "rps",
            Metric::Cpu => "cpu",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Metric::Rps => "requests/s",
            Metric::Cpu => "% CPU",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub min: u32,
    pub max: u32,
    #[serde(default)]
    pub metric: Metric,
    /// What one replica should carry: requests a second, or percent of one core.
    pub target_per_replica: f64,
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
            metric: Metric::Rps,
            target_per_replica: 50.0,
            up_window_ms: 3_000,
            down_window_ms: 10_000,
            cooldown_ms: 5_000,
        }
    }
}

impl Policy {
    /// The policy's problem, if it has one, in words that say how to fix it.
    pub fn check(&self) -> Result<(), crate::Error> {
        let cpu_cap = match self.metric {
            Metric::Rps => f64::MAX,
            // A replica is limited to half a core (see replica.rs): a target above it never trips.
            Metric::Cpu => 50.0,
        };
        let range = crate::deploy::REPLICAS;
        let fits = range.contains(&self.min)
            && self.min <= self.max
            && range.contains(&self.max)
            && self.target_per_replica > 0.0
            && self.target_per_replica <= cpu_cap;
        if !fits {
            return Err(crate::Error::said(
                crate::Code::InvalidInput,
                crate::finding::Finding::new(match self.metric {
                    Metric::Rps => "badRpsPolicy",
                    Metric::Cpu => "badCpuPolicy",
                })
                .with("min", range.start())
                .with("max", range.end()),
                format!(
                    "the autoscaler needs {} ≤ min ≤ max ≤ {} and {}",
                    range.start(),
                    range.end(),
                    match self.metric {
                        Metric::Rps => "a target above 0 requests/s",
                        Metric::Cpu =>
                            "a CPU target from 1 to 50 % (a replica may use half a core)",
                    }
                ),
            ));
        }
        Ok(())
    }
}

/// A decision that changed the replica count, with when (unix milliseconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DecisionAt {
    #[ts(type = "number")]
    pub at_ms: i64,
    pub decision: Decision,
}

/// One measurement at `at_ms`: the load of all replicas together (requests a second, or the
/// sum of their CPU percentages).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub at_ms: u64,
    pub total: f64,
}

/// What to do, and why: as a code and its facts for the UI's catalogs, and in English for
/// `devloop autoscale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// The replica count wanted; equal to the current one means stay.
    pub replicas: u32,
    pub why: Finding,
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
    let to = |replicas: u32, why: Finding, reason: String| Decision {
        replicas,
        why,
        reason,
    };
    let stay = |why: Finding, reason: String| to(current, why, reason);
    let unit = policy.metric.unit();
    if current < policy.min {
        return to(
            policy.min,
            Finding::new("scaleBelowMin").with("min", policy.min),
            format!("below the minimum of {}", policy.min),
        );
    }
    if let Some(last) = last_change_ms {
        if now_ms < last + policy.cooldown_ms {
            let left = last + policy.cooldown_ms - now_ms;
            return stay(
                Finding::new("scaleCooling").with("ms", left),
                format!("cooling down for {left} ms after the last change"),
            );
        }
    }
    let per_replica = |s: &Sample| s.total / f64::from(current.max(1));
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
    let target = policy.target_per_replica;
    let up = window(policy.up_window_ms);
    if covers(&up, policy.up_window_ms) && up.iter().all(|s| per_replica(s) > target) {
        if current >= policy.max {
            return stay(
                Finding::new("scaleAtMax").with("max", policy.max),
                format!("busy, but already at the maximum of {}", policy.max),
            );
        }
        let load = up.iter().map(|s| s.total).sum::<f64>() / up.len() as f64;
        let wanted = ((load / target).ceil() as u32).clamp(current + 1, policy.max);
        let secs = policy.up_window_ms / 1000;
        return to(
            wanted,
            Finding::new("scaleBusy")
                .with("load", format!("{load:.0}"))
                .with("metric", policy.metric.id())
                .with("secs", secs)
                .with("target", target)
                .with("from", current)
                .with("to", wanted),
            format!(
                "{load:.0} {unit} for {secs} s is over {target} per replica: {current} → {wanted}"
            ),
        );
    }
    let down = window(policy.down_window_ms);
    // Half the target, so one scale-down does not immediately call for the next scale-up.
    if current > policy.min
        && covers(&down, policy.down_window_ms)
        && down
            .iter()
            .all(|s| s.total / f64::from(current - 1) < target / 2.0)
    {
        let secs = policy.down_window_ms / 1000;
        return to(
            current - 1,
            Finding::new("scaleQuiet")
                .with("secs", secs)
                .with("from", current)
                .with("to", current - 1),
            format!("quiet for {secs} s: {current} → {}", current - 1),
        );
    }
    stay(Finding::new("scaleWithin"), "within the target".to_owned())
}

/// The autoscaler as a service keeps it: the switch, the policy, its memory between ticks.
#[derive(Debug, Default)]
pub struct Autoscaler {
    pub enabled: bool,
    pub policy: Policy,
    /// The newest decisions that changed something, newest last.
    pub decisions: VecDeque<DecisionAt>,
    /// When the count last changed, on the proxy's clock.
    pub(crate) last_change_ms: Option<u64>,
    /// CPU samples (the proxy keeps the requests itself).
    pub(crate) cpu: VecDeque<Sample>,
    /// Each replica's previous CPU counters, for the difference to the next ones.
    pub(crate) cpu_seen: HashMap<String, crate::deploy::replica::CpuCounters>,
}

/// What the Operate page and `devloop autoscale` show of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AutoscalerView {
    pub enabled: bool,
    pub policy: Policy,
    /// Newest first.
    pub decisions: Vec<DecisionAt>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steady(total: f64, from: u64, to: u64) -> Vec<Sample> {
        (from..=to)
            .step_by(1000)
            .map(|at_ms| Sample { at_ms, total })
            .collect()
    }

    #[test]
    fn sustained_load_scales_up_and_a_single_burst_does_not() {
        let p = Policy::default();
        let busy = steady(180.0, 0, 4_000);
        let d = decide(&p, &busy, 1, 4_000, None);
        assert_eq!(d.replicas, 4, "{:?}", d.reason);
        assert!(d.reason.contains("180 requests/s"), "{:?}", d.reason);
        // The UI's catalogs word it from the facts.
        assert_eq!(d.why.code, "scaleBusy");
        assert_eq!(
            (
                d.why.params["load"].as_str(),
                d.why.params["metric"].as_str()
            ),
            ("180", "rps")
        );
        let burst = vec![Sample {
            at_ms: 4_000,
            total: 500.0,
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
        assert!(d.reason.contains("cooling down"), "{:?}", d.reason);
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

    #[test]
    fn cpu_is_the_same_arithmetic_on_percent_of_a_core() {
        let p = Policy {
            metric: Metric::Cpu,
            target_per_replica: 30.0,
            ..Policy::default()
        };
        // Two replicas together at 140 % of a core: 70 each, over 30, so ceil(140 / 30) = 5,
        // held to the maximum of 4.
        let d = decide(&p, &steady(140.0, 0, 4_000), 2, 4_000, None);
        assert_eq!(d.replicas, 4, "{:?}", d.reason);
        assert!(d.reason.contains("140 % CPU"), "{:?}", d.reason);
        // 20 % over two replicas would be 20 on one: under half the target of 30? No (15), so stay.
        assert_eq!(
            decide(&p, &steady(20.0, 0, 10_000), 2, 10_000, None).replicas,
            2
        );
        assert_eq!(
            decide(&p, &steady(10.0, 0, 10_000), 2, 10_000, None).replicas,
            1
        );
    }

    #[test]
    fn a_policy_out_of_range_is_refused_with_what_is_allowed() {
        assert!(Policy::default().check().is_ok());
        let e = Policy {
            metric: Metric::Cpu,
            target_per_replica: 80.0,
            ..Policy::default()
        }
        .check()
        .unwrap_err();
        assert!(e.message.contains("half a core"), "{}", e.message);
        assert!(Policy {
            min: 3,
            max: 2,
            ..Policy::default()
        }
        .check()
        .is_err());
    }
}
