//! Monitor's history: each series' minutes for 24 hours (pruned by age) and the alert changes.

use super::Store;
use crate::record::alert::{AlertChange, AlertEvent, Minute, Severity};
use crate::{Error, Result};

/// How long minutes are kept.
pub const KEEP_SECONDS: i64 = 24 * 3600;

impl Store {
    /// Writes closed minutes, then drops those older than a day before `now`.
    pub fn record_minutes(&self, minutes: &[(String, Minute)], now: i64) -> Result<()> {
        let mut insert = self
            .conn
            .prepare_cached(
                "INSERT OR REPLACE INTO metric_minute (series, at, min, max, avg) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(sql)?;
        for (series, m) in minutes {
            insert
                .execute((series, m.at, m.min, m.max, m.avg))
                .map_err(sql)?;
        }
        self.conn
            .execute(
                "DELETE FROM metric_minute WHERE at < ?1",
                [now - KEEP_SECONDS],
            )
            .map(drop)
            .map_err(sql)
    }

    /// Every minute newer than a day before `now`, oldest first.
    pub fn minutes_since(&self, now: i64) -> Result<Vec<(String, Minute)>> {
        self.minute_rows(
            "SELECT series, at, min, max, avg FROM metric_minute WHERE at >= ?1 ORDER BY at",
            &[&(now - KEEP_SECONDS)],
        )
    }

    /// The minutes since `since` of every series named `name`, newest first, for lesson checks.
    pub fn minutes_of(&self, name: &str, since: i64) -> Result<Vec<(String, Minute)>> {
        self.minute_rows(
            "SELECT series, at, min, max, avg FROM metric_minute
             WHERE (series = ?1 OR series LIKE ?1 || '{%') AND at >= ?2 ORDER BY at DESC",
            &[&name, &(since - since.rem_euclid(60))],
        )
    }

    fn minute_rows(
        &self,
        query: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<(String, Minute)>> {
        let mut stmt = self.conn.prepare(query).map_err(sql)?;
        let rows = stmt
            .query_map(params, |r| {
                Ok((
                    r.get(0)?,
                    Minute {
                        at: r.get(1)?,
                        min: r.get(2)?,
                        max: r.get(3)?,
                        avg: r.get(4)?,
                    },
                ))
            })
            .map_err(sql)?;
        rows.collect::<std::result::Result<_, _>>().map_err(sql)
    }

    pub fn record_alert(&self, e: &AlertEvent) -> Result<()> {
        let severity = serde_json::to_value(e.severity)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        self.conn
            .execute(
                "INSERT INTO alert_event (rule, series, severity, state, at, value, fired_at, description)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                (&e.rule, &e.series, severity, e.state.as_str(), e.at, e.value, e.fired_at, &e.description),
            )
            .map(drop)
            .map_err(sql)
    }

    /// Ends, as `unwatched`, every alert whose last word was `firing`: a monitor starting
    /// fresh does not know whether what fired before it is still going, and leaving it firing
    /// would make an incident that never ends. Returns how many.
    pub fn unwatch_alerts(&self, at: i64) -> Result<usize> {
        self.conn
            .execute(
                "INSERT INTO alert_event (rule, series, severity, state, at, value, fired_at, description)
                 SELECT rule, series, severity, 'unwatched', ?1, value, fired_at, description
                 FROM alert_event a
                 WHERE state = 'firing' AND id = (
                     SELECT MAX(id) FROM alert_event b
                     WHERE b.rule = a.rule AND b.series = a.series AND b.state != 'pending')",
                [at],
            )
            .map_err(sql)
    }

    /// The newest `limit` alert changes that fired or resolved, newest first.
    pub fn alerts(&self, limit: u32) -> Result<Vec<AlertEvent>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT rule, series, severity, state, at, value, fired_at, description FROM alert_event
                 WHERE state != 'pending' ORDER BY id DESC LIMIT ?1",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([limit], |r| {
                let severity: String = r.get(2)?;
                // A change this DevLoop does not know (a newer one wrote it) stays out of the
                // views; it stays in the database.
                let Some(state) = AlertChange::parse(&r.get::<_, String>(3)?) else {
                    return Ok(None);
                };
                Ok(Some(AlertEvent {
                    rule: r.get(0)?,
                    series: r.get(1)?,
                    severity: serde_json::from_value(serde_json::Value::String(severity))
                        .unwrap_or(Severity::Warning),
                    state,
                    at: r.get(4)?,
                    value: r.get(5)?,
                    fired_at: r.get(6)?,
                    description: r.get(7)?,
                }))
            })
            .map_err(sql)?;
        rows.filter_map(|r| r.transpose())
            .collect::<std::result::Result<_, _>>()
            .map_err(sql)
    }
}

fn sql(e: rusqlite::Error) -> Error {
    super::failed("the monitoring history", &e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_older_than_a_day_are_pruned_and_the_rest_come_back() {
        let s = Store::in_memory().unwrap();
        let m = |at| Minute {
            at,
            min: 1.0,
            max: 3.0,
            avg: 2.0,
        };
        let now = 100_000;
        s.record_minutes(
            &[
                ("host.cpu".into(), m(now - KEEP_SECONDS - 60)),
                ("host.cpu".into(), m(now - 60)),
            ],
            now,
        )
        .unwrap();
        let back = s.minutes_since(now).unwrap();
        assert_eq!(back, vec![("host.cpu".to_owned(), m(now - 60))]);
    }
}
