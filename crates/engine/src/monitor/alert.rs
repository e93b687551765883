//! Alert rules in the shape people know from Prometheus (a metric, a comparison, a threshold,
//! how long it must hold, a severity, words for the person paged) and the state each rule is
//! in for each series it matches: inactive, pending (the condition holds, not yet for long
//! enough), firing, and resolved when it stops holding. Evaluation is a pure function of the
//! rule, the state, the value and the time, so it is tested without waiting.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::metric::{self, Key};
use crate::finding::Finding;
pub use crate::record::alert::Severity;
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
        // Said with the rule's name, as the rules form shows them all at once.
        let bad = |found: Finding, m: String| {
            Err(Error::said(
                Code::InvalidInput,
                Finding::new("inRule")
                    .with("rule", &self.name)
                    .because(Some(found)),
                format!("alert `{}`: {m}", self.name),
            ))
        };
        if self.name.trim().is_empty() || self.name.len() > 80 {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("ruleName").with("max", 80),
                "an alert needs a name of 1 to 80 characters",
            ));
        }
        let key = match Key::parse(&self.metric) {
            Ok(key) => key,
            Err((found, m)) => return bad(found, m),
        };
        let Some(known) = metric::describe(&key.name) else {
            let nearest = metric::nearest(&key.name);
            let near = nearest
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            return bad(
                match nearest {
                    Some(n) => Finding::new("unknownMetricNear")
                        .with("metric", &key.name)
                        .with("near", n),
                    None => Finding::new("unknownMetric").with("metric", &key.name),
                },
                format!(
                    "`{}` is not a metric DevLoop collects{near} (the Monitor page lists them)",
                    key.name
                ),
            );
        };
        if !self.threshold.is_finite() {
            return bad(
                Finding::new("thresholdNotANumber"),
                "the threshold must be a number".into(),
            );
        }
        if let Some((lo, hi)) = known.range {
            if !(lo..=hi).contains(&self.threshold) {
                return bad(
                    Finding::new("thresholdOutside")
                        .with("metric", &key.name)
                        .with("unit", known.unit)
                        .with("low", lo)
                        .with("high", hi)
                        .with("threshold", self.threshold),
                    format!(
                        "{} is measured in {}, from {lo} to {hi}; {} is outside that",
                        key.name, known.unit, self.threshold
                    ),
                );
            }
        }
        if self.for_s > 24 * 3600 {
            return bad(
                Finding::new("forTooLong").with("max", 86_400),
                "`for` is at most a day (86400 seconds)".into(),
            );
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

/// The rules DevLoop starts with. Their descriptions are empty: each is said from its name,
/// threshold and duration, by the UI's catalogs in the learner's language and by [`described`]
/// in English, so a changed threshold is never described with the old one.
pub fn defaults() -> Vec<Rule> {
    let rule = |name: &str, metric: &str, comparator, threshold, for_s, severity| Rule {
        name: name.into(),
        metric: metric.into(),
        comparator,
        threshold,
        for_s,
        severity,
        description: String::new(),
    };
    use Comparator::*;
    use Severity::*;
    vec![
        rule("HostCpuHigh", "host.cpu", Above, 80.0, 30, Warning),
        rule("HostMemoryHigh", "host.memory", Above, 90.0, 0, Warning),
        rule("HostDiskFull", "host.disk", Above, 90.0, 0, Critical),
        rule(
            "ServiceErrors",
            "endpoint.errorRate",
            Above,
            1.0,
            30,
            Critical,
        ),
        rule("ServiceSlow", "endpoint.p95", Above, 300.0, 30, Warning),
        rule(
            "ContainerRestarted",
            "container.restarted",
            Above,
            0.0,
            0,
            Warning,
        ),
        rule("ProbeDown", "probe.up", Below, 1.0, 0, Critical),
    ]
}

/// What the built-in rules said before they were said from their figures: a rules file that
/// still carries one of these untouched gets the figures' sentence instead.
const FIXED_DESCRIPTIONS: [(&str, &str); 7] = [
    ("HostCpuHigh", "The machine's CPU has been above 80% for 30 seconds: something is busy, and everything on it slows down."),
    ("HostMemoryHigh", "More than 90% of the memory is in use: the kernel may soon kill a process to free some."),
    ("HostDiskFull", "A disk is more than 90% full: writes, builds and logs will start to fail."),
    ("ServiceErrors", "More than 1% of the service's requests have failed for 30 seconds: users see errors."),
    ("ServiceSlow", "The slowest 5% of requests have taken over 300 ms for 30 seconds: users wait."),
    ("ContainerRestarted", "A container of the service restarted in the last minute: it crashed, or was killed."),
    ("ProbeDown", "A probed address does not answer with success: whoever uses it sees it down."),
];

/// Empties a built-in rule's description when it is the fixed text it used to have.
pub fn unfix(rule: &mut Rule) {
    if FIXED_DESCRIPTIONS
        .iter()
        .any(|(name, text)| *name == rule.name && *text == rule.description)
    {
        rule.description.clear();
    }
}

/// The rule's description in English: its own, or a built-in's, said from its figures.
pub fn described(rule: &Rule) -> String {
    if !rule.description.is_empty() {
        return rule.description.clone();
    }
    // 80, not 80.0; 0.5 stays 0.5.
    let t = if rule.threshold.fract() == 0.0 {
        format!("{:.0}", rule.threshold)
    } else {
        rule.threshold.to_string()
    };
    let s = rule.for_s;
    let lasting = if s > 0 {
        format!(" for {s} seconds")
    } else {
        String::new()
    };
    match rule.name.as_str() {
        "HostCpuHigh" => format!("The machine's CPU has been above {t}%{lasting}: something is busy, and everything on it slows down."),
        "HostMemoryHigh" => format!("More than {t}% of the memory is in use{lasting}: the kernel may soon kill a process to free some."),
        "HostDiskFull" => format!("A disk is more than {t}% full{lasting}: writes, builds and logs will start to fail."),
        "ServiceErrors" => format!("More than {t}% of the service's requests have failed{lasting}: users see errors."),
        "ServiceSlow" => format!("The slowest 5% of requests have taken over {t} ms{lasting}: users wait."),
        "ContainerRestarted" => "A container of the service restarted in the last minute: it crashed, or was killed.".to_owned(),
        "ProbeDown" => "A probed address does not answer with success: whoever uses it sees it down.".to_owned(),
        _ => String::new(),
    }
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

    #[test]
    fn a_built_in_rule_is_said_from_its_figures_and_an_old_fixed_text_gives_way() {
        let mut cpu = defaults()
            .into_iter()
            .find(|r| r.name == "HostCpuHigh")
            .unwrap();
        assert!(cpu.description.is_empty());
        cpu.threshold = 70.0;
        assert!(
            described(&cpu).starts_with("The machine's CPU has been above 70% for 30 seconds"),
            "{}",
            described(&cpu)
        );
        // A rules file from before keeps the old sentence, which said 80%: it gives way.
        cpu.description = FIXED_DESCRIPTIONS[0].1.to_owned();
        unfix(&mut cpu);
        assert!(cpu.description.is_empty());
        // A learner's own words stay.
        cpu.description = "Mine.".into();
        unfix(&mut cpu);
        assert_eq!(described(&cpu), "Mine.");
    }
}
