//! Monitor checks: what the alert history says, so a lesson can ask a learner to make an
//! alert fire and then fix what made it fire.

use std::path::Path;

use super::Outcome;
use crate::monitor::board::AlertEvent;
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

/// The verdict on `history` (newest first, as the store gives it).
pub fn judge(rule: &str, series: Option<&str>, state: &str, history: &[AlertEvent]) -> Outcome {
    let about = |e: &&AlertEvent| e.rule == rule && series.is_none_or(|s| e.series.contains(s));
    if history.iter().filter(about).any(|e| e.state == state) {
        return Outcome::Pass;
    }
    let fired = history.iter().filter(about).any(|e| e.state == "firing");
    let what = series.map(|s| format!(" about {s}")).unwrap_or_default();
    Outcome::fail(if fired && state == "resolved" {
        format!("{rule}{what} is firing: fix what it says, and it resolves by itself")
    } else {
        format!("{rule}{what} has not fired yet; the Monitor page shows its rule and what makes it fire")
    })
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
            state: state.into(),
            at: 0,
            value: None,
            fired_at: None,
            description: String::new(),
        }
    }

    #[test]
    fn fired_then_resolved_passes_and_each_stage_says_what_is_next() {
        let url = "probe.up{url=http://127.0.0.1:8088/health}";
        let check = |h: &[AlertEvent]| judge("ProbeDown", Some("127.0.0.1:8088"), "resolved", h);
        assert!(matches!(check(&[]), Outcome::Fail { hint } if hint.contains("has not fired yet")));
        assert!(
            matches!(check(&[e("firing", url)]), Outcome::Fail { hint } if hint.contains("is firing"))
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
