//! Monitor checks: what the alert history says, so a lesson can ask a learner to make an
//! alert fire and then fix what made it fire; and what a metric did lately, from the minutes
//! Monitor keeps in the database (written every few seconds, so a check need not wait).

use std::path::Path;

use super::{Finding, Outcome};
use crate::monitor::alert::Comparator;
use crate::monitor::board::AlertEvent;
use crate::monitor::metric::Key;
use crate::monitor::series::Minute;
use crate::store::Store;

pub fn evaluate(rule: &str, series: Option<&str>, state: &str, database: Option<&Path>) -> Outcome {
    let Some(db) = database else {
        return Outcome::error("the alert history is not available here");
    };
    if !matches!(state, "firing" | "resolved") {
        return Outcome::error(format!(
            "`{state}` is not an alert state to check: use firing or resolved"
        ));
    }
    if !db.exists() {
        return judge(rule, series, state, &[]);
    }
    match Store::open(db).and_then(|s| s.alerts(500)) {
        Ok(history) => judge(rule, series, state, &history),
        Err(e) => Outcome::error(e.message),
    }
}

pub fn metric(
    selector: &str,
    comparator: &str,
    threshold: f64,
    within_s: u64,
    database: Option<&Path>,
) -> Outcome {
    let Some(db) = database else {
        return Outcome::error("Monitor's history is not available here");
    };
    let Ok(selector) = Key::parse(selector) else {
        return Outcome::error(format!("`{selector}` is not a metric selector"));
    };
    let Ok(comparator) =
        serde_json::from_value::<Comparator>(serde_json::Value::String(comparator.into()))
    else {
        return Outcome::error(format!("`{comparator}` is not one of > >= < <="));
    };
    let since = crate::store::now() - within_s as i64;
    let minutes = if db.exists() {
        match Store::open(db).and_then(|s| s.minutes_of(&selector.name, since)) {
            Ok(m) => m,
            Err(e) => return Outcome::error(e.message),
        }
    } else {
        Vec::new()
    };
    judge_metric(&selector, comparator, threshold, &minutes)
}

/// The verdict on `minutes` (any order): the highest (for > and >=) or lowest (for < and <=)
/// point of any selected series beyond the threshold passes.
pub fn judge_metric(
    selector: &Key,
    comparator: Comparator,
    threshold: f64,
    minutes: &[(String, Minute)],
) -> Outcome {
    let selected: Vec<&Minute> = minutes
        .iter()
        .filter(|(series, _)| Key::parse(series).is_ok_and(|k| selector.selects(&k)))
        .map(|(_, m)| m)
        .collect();
    let above = matches!(comparator, Comparator::Above | Comparator::AtLeast);
    let best = selected
        .iter()
        .map(|m| if above { m.max } else { m.min })
        .reduce(|a, b| if above { a.max(b) } else { a.min(b) });
    match best {
        Some(v) if comparator.holds(v, threshold) => Outcome::Pass,
        Some(v) => Outcome::found(
            Finding::new("metricShort")
                .with("series", selector)
                .with("value", crate::monitor::chart::format_value(v))
                .with("comparator", comparator.symbol())
                .with("threshold", threshold),
            format!(
                "{selector} reached {} lately; this step needs it {} {threshold}",
                crate::monitor::chart::format_value(v),
                comparator.symbol()
            ),
        ),
        None => Outcome::found(
            Finding::new("metricUnseen").with("series", selector),
            format!(
                "Monitor has no {selector} lately: is the app open (or `devloop serve` running) while it happens?"
            ),
        ),
    }
}

/// The verdict on `history` (newest first, as the store gives it).
pub fn judge(rule: &str, series: Option<&str>, state: &str, history: &[AlertEvent]) -> Outcome {
    let about = |e: &&AlertEvent| e.rule == rule && series.is_none_or(|s| e.series.contains(s));
    if history
        .iter()
        .filter(about)
        .any(|e| e.state.as_str() == state)
    {
        return Outcome::Pass;
    }
    let fired = history
        .iter()
        .filter(about)
        .any(|e| e.state == crate::record::alert::AlertChange::Firing);
    let what = series.map(|s| format!(" about {s}")).unwrap_or_default();
    if fired && state == "resolved" {
        Outcome::found(
            Finding::new("alertFiring").with("rule", rule),
            format!("{rule}{what} is firing: fix what it says, and it resolves by itself"),
        )
    } else {
        Outcome::found(
            Finding::new("alertNotFired").with("rule", rule),
            format!("{rule}{what} has not fired yet; the Monitor page shows its rule and what makes it fire"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::alert::Severity;

    fn e(state: &str, series: &str) -> AlertEvent {
        AlertEvent {
            rule: "ProbeDown".into(),
            series: series.into(),
            severity: Severity::Critical,
            state: crate::record::alert::AlertChange::parse(state).unwrap(),
            at: 0,
            value: None,
            fired_at: None,
            description: String::new(),
        }
    }

    #[test]
    fn a_metric_beyond_its_threshold_lately_passes_and_otherwise_says_how_far_it_got() {
        let m = |max: f64| Minute {
            at: 0,
            min: 0.0,
            max,
            avg: max / 2.0,
        };
        let rows = vec![
            ("endpoint.rps{service=a}".to_owned(), m(120.0)),
            ("endpoint.rps{service=b}".to_owned(), m(400.0)),
        ];
        let a = Key::parse("endpoint.rps{service=a}").unwrap();
        assert_eq!(
            judge_metric(&a, Comparator::Above, 100.0, &rows),
            Outcome::Pass
        );
        assert!(
            matches!(judge_metric(&a, Comparator::Above, 200.0, &rows), Outcome::Fail { hint, .. } if hint.contains("reached 120")),
            "only service a counts"
        );
        let any = Key::parse("endpoint.rps").unwrap();
        assert_eq!(
            judge_metric(&any, Comparator::Above, 200.0, &rows),
            Outcome::Pass
        );
        assert!(
            matches!(judge_metric(&any, Comparator::Above, 1.0, &[]), Outcome::Fail { hint, .. } if hint.contains("no endpoint.rps"))
        );
    }

    #[test]
    fn fired_then_resolved_passes_and_each_stage_says_what_is_next() {
        let url = "probe.up{url=http://127.0.0.1:8088/health}";
        let check = |h: &[AlertEvent]| judge("ProbeDown", Some("127.0.0.1:8088"), "resolved", h);
        assert!(
            matches!(check(&[]), Outcome::Fail { hint, .. } if hint.contains("has not fired yet"))
        );
        assert!(
            matches!(check(&[e("firing", url)]), Outcome::Fail { hint, .. } if hint.contains("is firing"))
        );
        assert_eq!(
            check(&[e("resolved", url), e("firing", url)]),
            Outcome::Pass
        );
        let other = "probe.up{url=http://127.0.0.1:8080/health}";
        assert!(
            matches!(check(&[e("resolved", other)]), Outcome::Fail { .. }),
            "another address"
        );
    }
}
