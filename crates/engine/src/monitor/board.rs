//! The board: every series Monitor keeps, by key, with the alert rules watching them and the
//! markers (deploys, alerts) for the time axis. Collectors write samples to it; charts and the
//! page read from it. It does no I/O: what must be persisted (closed minutes, alert changes)
//! comes back from the calls that produce it.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::Serialize;
use ts_rs::TS;

use super::alert::{self, Change, Rule, Severity, State};
use super::chart::{Line, Marker};
use super::metric::Key;
use super::series::{Minute, Series};
pub use crate::record::alert::{AlertChange, AlertEvent};

/// Markers kept for the time axis: a day's worth of deploys and alerts is far fewer.
const MARKERS: usize = 500;

/// The bug item an alert event becomes when a learner sends it to the plan (the Plan stage
/// takes it from here): a title, and a description with what happened and when.
pub fn alert_draft(e: &AlertEvent) -> (String, String) {
    let value = e
        .value
        .map(|v| format!(", at {}", super::chart::format_value(v)))
        .unwrap_or_default();
    (
        format!("{} on {}", e.rule, e.series),
        format!(
            "**{}** was {} at {} UTC{value}.\n\n{}\n\nSeries: `{}`",
            e.rule,
            e.state,
            super::view::iso(e.at),
            e.description,
            e.series
        ),
    )
}

/// An alert pending or firing now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Active {
    pub rule: String,
    pub series: String,
    pub severity: Severity,
    pub state: State,
    /// The rule's own description; empty for a built-in rule, which the UI says from its
    /// name and these figures in the learner's language.
    pub description: String,
    pub threshold: f64,
    #[ts(type = "number")]
    pub for_s: u64,
}

#[derive(Debug, Default)]
pub struct Board {
    series: HashMap<Key, Series>,
    rules: Vec<(Rule, Key)>,
    states: BTreeMap<(String, Key), State>,
    markers: VecDeque<Marker>,
}

impl Board {
    /// A board watched by `rules` (each already checked).
    pub fn new(rules: Vec<Rule>) -> Board {
        let mut b = Board::default();
        b.set_rules(rules);
        b
    }

    /// Replaces the rules; states of rules that stay keep going, the others are dropped.
    pub fn set_rules(&mut self, rules: Vec<Rule>) {
        self.rules = rules
            .into_iter()
            .filter_map(|r| r.check().ok().map(|k| (r, k)))
            .collect();
        let names: Vec<String> = self.rules.iter().map(|(r, _)| r.name.clone()).collect();
        self.states.retain(|(rule, _), _| names.contains(rule));
    }

    pub fn rules(&self) -> Vec<Rule> {
        self.rules.iter().map(|(r, _)| r.clone()).collect()
    }

    /// Records the samples of second `t`; returns the minutes this closed, to persist.
    pub fn record(&mut self, t: i64, samples: Vec<(Key, f64)>) -> Vec<(Key, Minute)> {
        let mut closed = Vec::new();
        for (key, v) in samples {
            let series = self.series.entry(key.clone()).or_default();
            if let Some(m) = series.push(t, v) {
                closed.push((key, m));
            }
        }
        closed
    }

    /// Every series' minute so far, to persist it before it closes (lesson checks read the
    /// database, and should not wait a minute).
    pub fn open_minutes(&self) -> Vec<(Key, Minute)> {
        self.series
            .iter()
            .filter_map(|(k, s)| s.open_minute().map(|m| (k.clone(), m)))
            .collect()
    }

    /// Adds minutes read back from the database (the last 24 hours, at start).
    pub fn restore(&mut self, key: Key, minute: Minute) {
        self.series.entry(key).or_default().keep_minute(minute);
    }

    /// Marks a moment on the time axis.
    pub fn mark(&mut self, marker: Marker) {
        self.markers.push_back(marker);
        while self.markers.len() > MARKERS {
            self.markers.pop_front();
        }
    }

    pub fn markers(&self, from: i64, to: i64) -> Vec<Marker> {
        self.markers
            .iter()
            .filter(|m| (from..=to).contains(&m.at))
            .cloned()
            .collect()
    }

    /// Every key kept, sorted.
    pub fn keys(&self) -> Vec<Key> {
        let mut keys: Vec<Key> = self.series.keys().cloned().collect();
        keys.sort();
        keys
    }

    /// Looks at every rule for every series it selects at second `now`; returns what changed.
    /// Each change is also marked on the time axis.
    pub fn evaluate(&mut self, now: i64) -> Vec<AlertEvent> {
        let mut events = Vec::new();
        for (rule, selector) in &self.rules {
            for (key, series) in &self.series {
                if !selector.selects(key) {
                    continue;
                }
                // The newest sample if it is recent: a series that stopped holds nothing.
                let value = series
                    .latest()
                    .filter(|(t, _)| now - t <= 5)
                    .map(|(_, v)| v);
                let id = (rule.name.clone(), key.clone());
                let before = self.states.get(&id).copied().unwrap_or_default();
                let (after, change) = alert::step(rule, before, value, now);
                if after == State::Inactive {
                    self.states.remove(&id);
                } else {
                    self.states.insert(id, after);
                }
                if let Some(change) = change {
                    let (state, fired_at) = match change {
                        Change::Pending => (AlertChange::Pending, None),
                        Change::Firing => (AlertChange::Firing, Some(now)),
                        Change::Resolved { fired_at } => (AlertChange::Resolved, Some(fired_at)),
                    };
                    events.push(AlertEvent {
                        rule: rule.name.clone(),
                        series: key.to_string(),
                        severity: rule.severity,
                        state,
                        at: now,
                        value,
                        fired_at,
                        // The history and the CLI keep a sentence; the page says it anew.
                        description: super::alert::described(rule),
                    });
                }
            }
        }
        for e in events.iter().filter(|e| e.state != AlertChange::Pending) {
            self.mark(Marker {
                at: e.at,
                kind: if e.state == AlertChange::Firing {
                    "alert"
                } else {
                    "resolved"
                }
                .into(),
                label: e.rule.clone(),
            });
        }
        events
    }

    /// The bug item an active alert becomes in the plan: what fired, on which series, since
    /// when, and what its rule says. `None` when no such alert is active.
    pub fn plan_draft(&self, rule: &str, series: &str) -> Option<crate::store::plan::NewItem> {
        let active = self
            .active()
            .into_iter()
            .find(|a| a.rule == rule && a.series == series)?;
        let since = match active.state {
            State::Pending { since } | State::Firing { since } => since,
            State::Inactive => return None,
        };
        let event = AlertEvent {
            rule: active.rule,
            series: active.series,
            severity: active.severity,
            state: if matches!(active.state, State::Firing { .. }) {
                AlertChange::Firing
            } else {
                AlertChange::Pending
            },
            at: since,
            value: Key::parse(series)
                .ok()
                .and_then(|k| self.series.get(&k))
                .and_then(|s| s.latest())
                .map(|(_, v)| v),
            fired_at: Some(since),
            description: active.description,
        };
        let (title, description) = alert_draft(&event);
        Some(crate::store::plan::NewItem {
            kind: crate::store::plan::Kind::Bug,
            title,
            description,
            estimate: None,
            infra: false,
            source: format!("alert {} on {}", event.rule, event.series),
        })
    }

    /// Alerts pending or firing now.
    pub fn active(&self) -> Vec<Active> {
        self.states
            .iter()
            .filter_map(|((rule, key), state)| {
                let (r, _) = self.rules.iter().find(|(r, _)| &r.name == rule)?;
                Some(Active {
                    rule: rule.clone(),
                    series: key.to_string(),
                    severity: r.severity,
                    state: *state,
                    description: r.description.clone(),
                    threshold: r.threshold,
                    for_s: r.for_s,
                })
            })
            .collect()
    }

    /// The lines of every series `selector` picks, from `from` to `to`: seconds for windows up
    /// to the hour kept, minute averages beyond. A line is labelled by the labels that tell it
    /// apart (or its name when it has none).
    pub fn lines(&self, selector: &Key, from: i64, to: i64) -> Vec<Line> {
        let mut keys: Vec<&Key> = self.series.keys().filter(|k| selector.selects(k)).collect();
        keys.sort();
        keys.into_iter()
            .map(|key| {
                let points = self.points(key, from, to);
                let label = if key.labels.is_empty() {
                    key.name.clone()
                } else {
                    key.labels.values().cloned().collect::<Vec<_>>().join(" ")
                };
                Line {
                    label,
                    points,
                    band: self.band(key, from, to),
                }
            })
            .collect()
    }

    /// Each minute's lowest and highest value of series `key`, past the hour (where points
    /// are minute averages); nothing within it.
    pub fn band(&self, key: &Key, from: i64, to: i64) -> Vec<(i64, Option<(f64, f64)>)> {
        match self.series.get(key) {
            Some(series) if to - from > super::series::SECONDS as i64 => series
                .minutes(from, to)
                .into_iter()
                .map(|(t, m)| (t, m.map(|m| (m.min, m.max))))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The points of exactly series `key` (seconds, or minute averages past the hour).
    pub fn points(&self, key: &Key, from: i64, to: i64) -> Vec<super::series::Point> {
        let Some(series) = self.series.get(key) else {
            return Vec::new();
        };
        if to - from <= super::series::SECONDS as i64 {
            series.seconds(from, to)
        } else {
            series
                .minutes(from, to)
                .into_iter()
                .map(|(t, m)| (t, m.map(|m| m.avg)))
                .collect()
        }
    }

    /// Bytes held by the series, for the memory benchmark.
    pub fn footprint(&self) -> usize {
        self.series.values().map(Series::footprint).sum::<usize>()
            + self
                .series
                .keys()
                .map(|k| k.to_string().len())
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_rule() -> Rule {
        alert::defaults()
            .into_iter()
            .find(|r| r.name == "ServiceErrors")
            .unwrap()
    }

    #[test]
    fn an_error_rate_alert_pends_fires_per_service_and_resolves_with_markers() {
        let mut b = Board::new(vec![error_rule()]);
        let a = Key::new("endpoint.errorRate").with("service", "a");
        let bk = Key::new("endpoint.errorRate").with("service", "b");
        let mut fired = Vec::new();
        for t in 0..40 {
            b.record(t, vec![(a.clone(), 5.0), (bk.clone(), 0.0)]);
            fired.extend(b.evaluate(t));
        }
        let states: Vec<(&str, &str)> = fired
            .iter()
            .map(|e| (e.state.as_str(), e.series.as_str()))
            .collect();
        assert_eq!(
            states,
            [
                ("pending", "endpoint.errorRate{service=a}"),
                ("firing", "endpoint.errorRate{service=a}")
            ],
            "only service a, after its 30 s"
        );
        assert_eq!(fired[1].at, 30);
        assert_eq!(b.active().len(), 1);
        b.record(40, vec![(a.clone(), 0.0)]);
        let resolved = b.evaluate(40);
        assert_eq!(resolved[0].state, AlertChange::Resolved);
        assert_eq!(resolved[0].fired_at, Some(30));
        assert!(b.active().is_empty());
        let kinds: Vec<String> = b.markers(0, 100).into_iter().map(|m| m.kind).collect();
        assert_eq!(kinds, ["alert", "resolved"]);
    }

    #[test]
    fn a_firing_alert_on_the_board_drafts_its_bug_item_and_an_inactive_one_none() {
        let mut b = Board::new(vec![error_rule()]);
        let a = Key::new("endpoint.errorRate").with("service", "a");
        for t in 0..=30 {
            b.record(t, vec![(a.clone(), 5.0)]);
            b.evaluate(t);
        }
        let item = b
            .plan_draft("ServiceErrors", "endpoint.errorRate{service=a}")
            .expect("it fires");
        assert_eq!(item.kind, crate::store::plan::Kind::Bug);
        assert_eq!(item.title, "ServiceErrors on endpoint.errorRate{service=a}");
        assert!(item.description.contains("at 5."), "{}", item.description);
        assert_eq!(
            item.source,
            "alert ServiceErrors on endpoint.errorRate{service=a}"
        );
        assert!(b
            .plan_draft("ServiceErrors", "endpoint.errorRate{service=b}")
            .is_none());
    }

    #[test]
    fn an_alert_drafts_the_bug_item_the_plan_will_take() {
        let e = AlertEvent {
            rule: "ProbeDown".into(),
            series: "probe.up{url=http://x/health}".into(),
            severity: Severity::Critical,
            state: AlertChange::Firing,
            at: 0,
            value: Some(0.0),
            fired_at: Some(0),
            description: "It does not answer.".into(),
        };
        let (title, text) = alert_draft(&e);
        assert_eq!(title, "ProbeDown on probe.up{url=http://x/health}");
        assert!(
            text.contains("was firing at 1970-01-01T00:00:00Z UTC, at 0."),
            "{text}"
        );
        assert!(text.contains("It does not answer."));
    }

    #[test]
    fn a_series_that_stopped_holds_nothing_and_lines_keep_their_gaps() {
        let mut b = Board::new(vec![error_rule()]);
        let a = Key::new("endpoint.errorRate").with("service", "a");
        b.record(0, vec![(a.clone(), 50.0)]);
        assert_eq!(b.evaluate(0).len(), 1, "pending");
        assert!(
            b.evaluate(10).is_empty(),
            "no sample for 10 s: back to inactive, quietly"
        );
        assert!(b.active().is_empty());
        b.record(3, vec![(a.clone(), 1.0)]);
        let lines = b.lines(&Key::new("endpoint.errorRate"), 0, 3);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].label, "a");
        assert_eq!(
            lines[0].points,
            vec![(0, Some(50.0)), (1, None), (2, None), (3, Some(1.0))]
        );
    }
}
