//! Alert rules in the shape people know from Prometheus (a metric, a comparison, a threshold,
//! how long it must hold, a severity, words for the person paged) and the state each rule is
//! in for each series it matches: inactive, pending (the condition holds, not yet for long
//! enough), firing, and resolved when it stops holding. Evaluation is a pure function of the
//! rule, the state, the value and the time, so it is tested without waiting.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::metric::{self, Key};
use crate::{Code, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum Comparator {
    #[serde(rename = ">")]
    Above,
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = "<")]
    Below,
    #[serde(rename = "<=")]
    AtMost,
}

impl Comparator {
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparator::Above => value > threshold,
            Comparator::AtLeast => value >= threshold,
            Comparator::Below => value < threshold,
            Comparator::AtMost => value <= threshold,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Above => ">",
            Comparator::AtLeast => ">=",
            Comparator::Below => "<",
            Comparator::AtMost => "<=",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    /// A metric name, with labels to narrow it: `host.cpu`, `endpoint.errorRate{service=app}`.
    /// Without labels it matches every series of that name, each alerting on its own.
    pub metric: String,
    pub comparator: Comparator,
    pub threshold: f64,
    /// Seconds the condition must hold before the alert fires; 0 fires at once.
    #[ts(type = "number")]
    pub for_s: u64,
    pub severity: Severity,
    pub description: String,
}

impl Rule {
    /// The rule's problems, each saying what to change; `Ok` when it can be evaluated.
    pub fn check(&self) -> Result<Key, Error> {
        let bad = |m: String| {
            Err(Error::new(
                Code::InvalidInput,
                format!("alert `{}`: {m}", self.name),
            ))
        };
        if self.name.trim().is_empty() || self.name.len() > 80 {
            return Err(Error::new(
                Code::InvalidInput,
                "an alert needs a name of 1 to 80 characters",
            ));
        }
        let key = Key::parse(&self.metric)
            .map_err(|m| Error::new(Code::InvalidInput, format!("alert `{}`: {m}", self.name)))?;
        let Some(known) = metric::describe(&key.name) else {
            let near = metric::nearest(&key.name)
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            return bad(format!(
                "`{}` is not a metric DevLoop collects{near} (the Monitor page lists them)",
                key.name
            ));
        };
        if !self.threshold.is_finite() {
            return bad("the threshold must be a number".into());
        }
        if let Some((lo, hi)) = known.range {
            if !(lo..=hi).contains(&self.threshold) {
                return bad(format!(
                    "{} is measured in {}, from {lo} to {hi}; {} is outside that",
                    key.name, known.unit, self.threshold
                ));
            }
        }
        if self.for_s > 24 * 3600 {
            return bad("`for` is at most a day (86400 seconds)".into());
        }
        Ok(key)
    }
}

/// Where a rule stands for one series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "camelCase")]
#[ts(rename = "AlertState")]
pub enum State {
    #[default]
    Inactive,
    #[serde(rename_all = "camelCase")]
    Pending {
        #[ts(type = "number")]
        since: i64,
    },
    #[serde(rename_all = "camelCase")]
    Firing {
        #[ts(type = "number")]
        since: i64,
    },
}

/// A change worth telling someone about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Pending,
    Firing,
    /// Stopped holding after firing since the given second.
    Resolved {
        fired_at: i64,
    },
}

/// The next state of `rule` for a series at second `now`, seeing `value` (`None`: no sample,
/// which holds nothing: a series that stopped is not an alert by itself; probes say "down"
/// with a value of 0).
pub fn step(rule: &Rule, state: State, value: Option<f64>, now: i64) -> (State, Option<Change>) {
    let holds = value.is_some_and(|v| rule.comparator.holds(v, rule.threshold));
    match (state, holds) {
        (State::Inactive, false) => (State::Inactive, None),
        (State::Pending { .. }, false) => (State::Inactive, None),
        (State::Firing { since }, false) => {
            (State::Inactive, Some(Change::Resolved { fired_at: since }))
        }
        (State::Firing { since }, true) => (State::Firing { since }, None),
        (State::Inactive, true) if rule.for_s == 0 => {
            (State::Firing { since: now }, Some(Change::Firing))
        }
        (State::Inactive, true) => (State::Pending { since: now }, Some(Change::Pending)),
        (State::Pending { since }, true) if now - since >= rule.for_s as i64 => {
            (State::Firing { since: now }, Some(Change::Firing))
        }
        (pending @ State::Pending { .. }, true) => (pending, None),
    }
}

/// The rules DevLoop starts with.
pub fn defaults() -> Vec<Rule> {
    let rule =
        |name: &str, metric: &str, comparator, threshold, for_s, severity, description: &str| {
            Rule {
                name: name.into(),
                metric: metric.into(),
                comparator,
                threshold,
                for_s,
                severity,
                description: description.into(),
            }
        };
    use Comparator::*;
    use Severity::*;
    vec![
        rule("HostCpuHigh", "host.cpu", Above, 80.0, 30, Warning, "The machine's CPU has been above 80% for 30 seconds: something is busy, and everything on it slows down."),
        rule("HostMemoryHigh", "host.memory", Above, 90.0, 0, Warning, "More than 90% of the memory is in use: the kernel may soon kill a process to free some."),
        rule("HostDiskFull", "host.disk", Above, 90.0, 0, Critical, "A disk is more than 90% full: writes, builds and logs will start to fail."),
        rule("ServiceErrors", "endpoint.errorRate", Above, 1.0, 30, Critical, "More than 1% of the service's requests have failed for 30 seconds: users see errors."),
        rule("ServiceSlow", "endpoint.p95", Above, 300.0, 30, Warning, "The slowest 5% of requests have taken over 300 ms for 30 seconds: users wait."),
        rule("ContainerRestarted", "container.restarted", Above, 0.0, 0, Warning, "A container of the service restarted in the last minute: it crashed, or was killed."),
        rule("ProbeDown", "probe.up", Below, 1.0, 0, Critical, "A probed address does not answer with success: whoever uses it sees it down."),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu(for_s: u64) -> Rule {
        Rule {
            name: "HostCpuHigh".into(),
            metric: "host.cpu".into(),
            comparator: Comparator::Above,
            threshold: 80.0,
            for_s,
            severity: Severity::Warning,
            description: String::new(),
        }
    }

    #[test]
    fn pending_then_firing_after_for_then_resolved_with_when_it_fired() {
        let r = cpu(30);
        let (s, c) = step(&r, State::Inactive, Some(95.0), 100);
        assert_eq!(
            (s, c),
            (State::Pending { since: 100 }, Some(Change::Pending))
        );
        let (s, c) = step(&r, s, Some(95.0), 129);
        assert_eq!(
            (s, c),
            (State::Pending { since: 100 }, None),
            "29 s is not 30"
        );
        let (s, c) = step(&r, s, Some(95.0), 130);
        assert_eq!((s, c), (State::Firing { since: 130 }, Some(Change::Firing)));
        let (s, c) = step(&r, s, Some(50.0), 200);
        assert_eq!(
            (s, c),
            (State::Inactive, Some(Change::Resolved { fired_at: 130 }))
        );
    }

    #[test]
    fn a_dip_while_pending_starts_over_and_a_gap_holds_nothing() {
        let r = cpu(30);
        let (s, _) = step(&r, State::Inactive, Some(95.0), 100);
        let (s, c) = step(&r, s, Some(10.0), 110);
        assert_eq!(
            (s, c),
            (State::Inactive, None),
            "pending never fired, so nothing resolves"
        );
        let (s, _) = step(&r, s, Some(95.0), 120);
        assert_eq!(s, State::Pending { since: 120 });
        assert_eq!(step(&r, s, None, 121).0, State::Inactive);
    }

    #[test]
    fn for_zero_fires_at_once() {
        assert_eq!(
            step(&cpu(0), State::Inactive, Some(81.0), 5),
            (State::Firing { since: 5 }, Some(Change::Firing))
        );
    }

    #[test]
    fn the_default_rules_are_valid_and_bad_ones_say_what_to_fix() {
        for r in defaults() {
            r.check()
                .unwrap_or_else(|e| panic!("{}: {}", r.name, e.message));
        }
        let e = Rule {
            metric: "host.cpus".into(),
            ..cpu(0)
        }
        .check()
        .unwrap_err();
        assert!(
            e.message.contains("did you mean `host.cpu`"),
            "{}",
            e.message
        );
        let e = Rule {
            threshold: 180.0,
            ..cpu(0)
        }
        .check()
        .unwrap_err();
        assert!(e.message.contains("from 0 to 100"), "{}", e.message);
        let e = Rule {
            threshold: f64::NAN,
            ..cpu(0)
        }
        .check()
        .unwrap_err();
        assert!(e.message.contains("a number"), "{}", e.message);
        let e = Rule {
            metric: "host.cpu{core=".into(),
            ..cpu(0)
        }
        .check()
        .unwrap_err();
        assert!(e.message.contains("HostCpuHigh"), "{}", e.message);
    }
}
