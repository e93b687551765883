//! The DORA metrics of the 2024 report, computed from the local history as pure functions of it
//! (so they are tested on synthetic histories with exact answers):
//!
//! - deployment frequency: deploys that went live, per day over the period;
//! - lead time for changes: from a commit to the first live deploy that contains it (median
//!   and 90th percentile);
//! - change failure rate: the share of deploys that failed their health check (and were rolled
//!   back), that a person rolled back within a window (deployed an earlier version again), or
//!   that were followed within the window, before the next deploy, by an incident on the same
//!   service;
//! - failed deployment recovery time (called time to restore before 2024): from an alert
//!   firing to its resolving, and from a replica dying to its replacement taking traffic
//!   (median);
//! - deployment rework rate: the share of live deploys that were unplanned, made because of an
//!   incident in production: they ship a commit that names a bug item the loop raised from an
//!   alert, a failed deploy or a heal.
//!
//! Drills (a replica the learner killed on purpose, an alert during a simulated peak) are kept
//! apart: they are counted, never taken for incidents.
//!
//! Times are unix seconds. Durations come from timestamps, never from clock times, so an alert
//! that spans midnight counts whole. A commit stamped after the deploy that shipped it (a skewed
//! clock on the machine that made it) counts as zero lead time and is counted as skewed.

use crate::record::deploy::DeployStatus;
use crate::stats::nearest_rank;
use serde::Serialize;
use ts_rs::TS;

/// A deploy as the history has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Deploy {
    pub app: String,
    pub at: i64,
    /// `live`, `rolled-back`, `failed`, `interrupted` or `waiting`.
    pub status: DeployStatus,
    /// This deploy put an earlier version back: a person's rollback.
    pub rollback: bool,
    /// It shipped a fix for an incident in production (unplanned work).
    pub rework: bool,
}

/// A commit and when it reached production (`None`: not yet).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub committed_at: i64,
    pub deployed_at: Option<i64>,
}

/// Something that went wrong in production: an alert that fired on `app`'s series, or a heal.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub app: String,
    pub began: i64,
    pub end: End,
    /// The learner caused it on purpose (chaos, a simulated peak): a drill, not an incident.
    pub drill: bool,
}

/// How an incident ended, as far as the history knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Service was restored at this second.
    Restored(i64),
    /// Still going: the alert is firing now.
    Open,
    /// Nobody saw it end: DevLoop stopped while the alert fired. It still counts against the
    /// deploy before it, but it has no time to restore.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Dora {
    /// Live deploys per day over the period.
    pub deploys_per_day: f64,
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_time_median_s: Option<i64>,
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_time_p90_s: Option<i64>,
    /// Changes whose commit time is after their deploy (a skewed clock); counted as zero.
    pub skewed_changes: u32,
    /// Percent of deploys in the period that led to a failure.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_failure_percent: Option<f64>,
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_restore_median_s: Option<i64>,
    /// Incidents still going at the end of the period, and how long the oldest has been: a
    /// restore time that is not known yet, so it is shown beside the median, not in it.
    pub open_incidents: u32,
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_longest_s: Option<i64>,
    /// Percent of live deploys in the period that were rework (2024's fifth metric).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rework_percent: Option<f64>,
    /// How many deploys, changes and incidents the figures come from: the counts behind each
    /// rate, so a learner sees "1 of 2", not only "50 %".
    pub deploys: u32,
    pub live_deploys: u32,
    pub failed_deploys: u32,
    pub rework_deploys: u32,
    pub changes: u32,
    pub incidents: u32,
    /// Incidents with a known recovery time, which the median is taken over.
    pub restored: u32,
    /// Drills in the period, kept out of every figure above.
    pub drills: u32,
}

/// The metrics for the period `from..to` (seconds), with `window` seconds after a deploy in
/// which a failure counts against it.
pub fn compute(
    deploys: &[Deploy],
    changes: &[Change],
    incidents: &[Incident],
    from: i64,
    to: i64,
    window: i64,
) -> Dora {
    let in_period = |t: i64| (from..to).contains(&t);
    let attempted: Vec<&Deploy> = deploys
        .iter()
        .filter(|d| in_period(d.at) && d.status.attempted())
        .collect();
    let live = attempted
        .iter()
        .filter(|d| d.status == DeployStatus::Live)
        .count();
    let days = ((to - from) as f64 / 86_400.0).max(1.0 / 24.0);

    let mut leads: Vec<i64> = Vec::new();
    let mut skewed = 0;
    for c in changes {
        let Some(deployed) = c.deployed_at.filter(|t| in_period(*t)) else {
            continue;
        };
        let lead = deployed - c.committed_at;
        if lead < 0 {
            skewed += 1;
        }
        leads.push(lead.max(0));
    }
    leads.sort_unstable();

    let real: Vec<&Incident> = incidents.iter().filter(|i| !i.drill).collect();
    let failed = attempted
        .iter()
        .filter(|d| {
            if d.status != DeployStatus::Live {
                return true;
            }
            let next = deploys
                .iter()
                .filter(|n| n.app == d.app && n.at > d.at && n.status != DeployStatus::Waiting)
                .min_by_key(|n| n.at);
            let until = next.map_or(d.at + window, |n| n.at.min(d.at + window));
            next.is_some_and(|n| n.rollback && n.at <= d.at + window)
                || real
                    .iter()
                    .any(|i| i.app == d.app && i.began > d.at && i.began <= until)
        })
        .count();

    let mut restores: Vec<i64> = real
        .iter()
        .filter(|i| in_period(i.began))
        .filter_map(|i| match i.end {
            // Whole, even when it ended after the period: it belongs to the period it began in.
            End::Restored(e) => Some((e - i.began).max(0)),
            _ => None,
        })
        .collect();
    restores.sort_unstable();
    let open: Vec<i64> = real
        .iter()
        .filter(|i| i.began < to && i.end == End::Open)
        .map(|i| to - i.began)
        .collect();

    let rework = attempted
        .iter()
        .filter(|d| d.status == DeployStatus::Live && d.rework)
        .count();
    Dora {
        deploys_per_day: live as f64 / days,
        lead_time_median_s: nearest_rank(&leads, 0.5),
        lead_time_p90_s: nearest_rank(&leads, 0.9),
        skewed_changes: skewed,
        change_failure_percent: (!attempted.is_empty())
            .then(|| failed as f64 / attempted.len() as f64 * 100.0),
        time_to_restore_median_s: nearest_rank(&restores, 0.5),
        open_incidents: open.len() as u32,
        open_longest_s: open.iter().max().copied(),
        rework_percent: (live > 0).then(|| rework as f64 / live as f64 * 100.0),
        deploys: attempted.len() as u32,
        live_deploys: live as u32,
        failed_deploys: failed as u32,
        rework_deploys: rework as u32,
        changes: leads.len() as u32,
        incidents: real.iter().filter(|i| in_period(i.began)).count() as u32,
        restored: restores.len() as u32,
        drills: incidents
            .iter()
            .filter(|i| i.drill && in_period(i.began))
            .count() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const HOUR: i64 = 3600;

    fn deploy(at: i64, status: DeployStatus) -> Deploy {
        Deploy {
            app: "svc".into(),
            at,
            status,
            rollback: false,
            rework: false,
        }
    }

    #[test]
    fn no_deploys_is_no_frequency_and_no_rate_rather_than_a_division_by_zero() {
        let d = compute(&[], &[], &[], 0, 7 * DAY, HOUR);
        assert_eq!(d.deploys_per_day, 0.0);
        assert_eq!(d.change_failure_percent, None);
        assert_eq!(d.lead_time_median_s, None);
        assert_eq!(d.time_to_restore_median_s, None);
        assert_eq!((d.deploys, d.changes, d.incidents), (0, 0, 0));
    }

    #[test]
    fn a_week_with_exact_answers() {
        // Seven live deploys, one rolled back, one waiting for a click (not a deploy yet).
        let mut deploys: Vec<Deploy> = (0..7)
            .map(|i| deploy(i * DAY + 10 * HOUR, DeployStatus::Live))
            .collect();
        deploys.push(deploy(2 * DAY + 11 * HOUR, DeployStatus::RolledBack));
        deploys.push(deploy(3 * DAY, DeployStatus::Waiting));
        // Lead times of 1, 2, 3, … 10 hours.
        let changes: Vec<Change> = (1..=10)
            .map(|h| Change {
                committed_at: 5 * DAY - h * HOUR,
                deployed_at: Some(5 * DAY),
            })
            .collect();
        // An alert 20 minutes after the day-4 deploy, resolved 30 minutes later.
        let incidents = [Incident {
            app: "svc".into(),
            began: 4 * DAY + 10 * HOUR + 20 * 60,
            end: End::Restored(4 * DAY + 10 * HOUR + 50 * 60),
            drill: false,
        }];
        let d = compute(&deploys, &changes, &incidents, 0, 7 * DAY, HOUR);
        assert_eq!(d.deploys_per_day, 1.0);
        assert_eq!(
            d.lead_time_median_s,
            Some(5 * HOUR),
            "nearest rank: the 5th of 10"
        );
        assert_eq!(d.lead_time_p90_s, Some(9 * HOUR), "the 9th of 10");
        // Failures: the version that failed its health check and was rolled back, and the
        // day-4 deploy (the alert). 2 of 8 attempts. The day-2 deploy before the failed one is
        // not to blame for it.
        assert_eq!(d.change_failure_percent, Some(25.0));
        assert_eq!(d.time_to_restore_median_s, Some(30 * 60));
        assert_eq!((d.deploys, d.changes, d.incidents), (8, 10, 1));
    }

    #[test]
    fn a_persons_rollback_blames_the_deploy_it_undid_and_an_alert_blames_the_newest_deploy() {
        let undo = Deploy {
            rollback: true,
            rework: false,
            ..deploy(30 * 60, DeployStatus::Live)
        };
        let d = compute(
            &[deploy(0, DeployStatus::Live), undo.clone()],
            &[],
            &[],
            0,
            DAY,
            HOUR,
        );
        assert_eq!(d.change_failure_percent, Some(50.0), "the first was undone");
        let late = Deploy {
            at: 2 * HOUR,
            ..undo
        };
        let d = compute(
            &[deploy(0, DeployStatus::Live), late],
            &[],
            &[],
            0,
            DAY,
            HOUR,
        );
        assert_eq!(
            d.change_failure_percent,
            Some(0.0),
            "undone after the window"
        );
        let incident = Incident {
            app: "svc".into(),
            began: 40 * 60,
            end: End::Restored(50 * 60),
            drill: false,
        };
        let d = compute(
            &[
                deploy(0, DeployStatus::Live),
                deploy(30 * 60, DeployStatus::Live),
            ],
            &[],
            &[incident],
            0,
            DAY,
            HOUR,
        );
        assert_eq!(
            d.change_failure_percent,
            Some(50.0),
            "only the newest deploy before it"
        );
    }

    #[test]
    fn deploys_with_no_linked_commits_count_for_frequency_but_not_for_lead_time() {
        let deploys = [
            deploy(HOUR, DeployStatus::Live),
            deploy(2 * HOUR, DeployStatus::Live),
        ];
        let d = compute(&deploys, &[], &[], 0, DAY, HOUR);
        assert_eq!(d.deploys_per_day, 2.0);
        assert_eq!(d.lead_time_median_s, None);
        assert_eq!(d.change_failure_percent, Some(0.0));
        // A commit not deployed yet has no lead time either.
        let waiting = [Change {
            committed_at: HOUR,
            deployed_at: None,
        }];
        assert_eq!(compute(&deploys, &waiting, &[], 0, DAY, HOUR).changes, 0);
    }

    #[test]
    fn an_alert_spanning_midnight_counts_whole_and_belongs_to_the_day_it_began() {
        let incident = Incident {
            app: "svc".into(),
            began: DAY - 10 * 60,
            end: End::Restored(DAY + 10 * 60),
            drill: false,
        };
        let first_day = compute(&[], &[], std::slice::from_ref(&incident), 0, DAY, HOUR);
        assert_eq!(first_day.time_to_restore_median_s, Some(20 * 60));
        let second_day = compute(&[], &[], &[incident], DAY, 2 * DAY, HOUR);
        assert_eq!(second_day.incidents, 0);
        assert_eq!(second_day.time_to_restore_median_s, None);
    }

    #[test]
    fn a_commit_stamped_after_its_deploy_is_zero_lead_time_and_counted_as_skewed() {
        let changes = [
            Change {
                committed_at: 10 * HOUR + 120,
                deployed_at: Some(10 * HOUR),
            },
            Change {
                committed_at: 8 * HOUR,
                deployed_at: Some(10 * HOUR),
            },
        ];
        let d = compute(&[], &changes, &[], 0, DAY, HOUR);
        assert_eq!(d.skewed_changes, 1);
        assert_eq!(d.lead_time_median_s, Some(0));
        assert_eq!(d.lead_time_p90_s, Some(2 * HOUR));
    }

    #[test]
    fn another_services_alerts_and_failures_outside_the_window_do_not_count() {
        let deploys = [
            deploy(0, DeployStatus::Live),
            deploy(3 * HOUR, DeployStatus::Failed),
        ];
        let incidents = [Incident {
            app: "other".into(),
            began: 60,
            end: End::Open,
            drill: false,
        }];
        let d = compute(&deploys, &[], &incidents, 0, DAY, HOUR);
        // Only the failed deploy itself: the alert was on another service.
        assert_eq!(d.change_failure_percent, Some(50.0));
        assert_eq!(d.time_to_restore_median_s, None, "still going");
    }

    #[test]
    fn an_open_incident_is_counted_as_open_with_its_age_and_never_in_the_median() {
        let incidents = [
            Incident {
                app: "svc".into(),
                began: 2 * HOUR,
                end: End::Open,
                drill: false,
            },
            Incident {
                app: "svc".into(),
                began: HOUR,
                end: End::Restored(HOUR + 600),
                drill: false,
            },
            // DevLoop stopped while it fired: an incident, with no restore time and not open.
            Incident {
                app: "svc".into(),
                began: 3 * HOUR,
                end: End::Unknown,
                drill: false,
            },
        ];
        let d = compute(
            &[deploy(0, DeployStatus::Live)],
            &[],
            &incidents,
            0,
            DAY,
            4 * HOUR,
        );
        assert_eq!(d.time_to_restore_median_s, Some(600));
        assert_eq!(d.open_incidents, 1);
        assert_eq!(d.open_longest_s, Some(DAY - 2 * HOUR));
        assert_eq!(d.incidents, 3);
        assert_eq!(d.change_failure_percent, Some(100.0));
        let quiet = compute(&[], &[], &incidents[1..2], 0, DAY, HOUR);
        assert_eq!((quiet.open_incidents, quiet.open_longest_s), (0, None));
    }

    #[test]
    fn a_drill_after_a_deploy_is_counted_apart_and_fails_nothing() {
        // A replica the learner killed 10 minutes after a good deploy, healed in 3 s.
        let deploys = [deploy(HOUR, DeployStatus::Live)];
        let drill = Incident {
            app: "svc".into(),
            began: HOUR + 600,
            end: End::Restored(HOUR + 603),
            drill: true,
        };
        let d = compute(&deploys, &[], std::slice::from_ref(&drill), 0, DAY, HOUR);
        assert_eq!(
            d.change_failure_percent,
            Some(0.0),
            "the drill broke no deploy"
        );
        assert_eq!(
            d.time_to_restore_median_s, None,
            "no real incident to recover from"
        );
        assert_eq!((d.incidents, d.restored, d.drills), (0, 0, 1));
        // The same death without the learner's hand is an incident against the deploy.
        let real = Incident {
            drill: false,
            ..drill
        };
        let d = compute(&deploys, &[], &[real], 0, DAY, HOUR);
        assert_eq!(d.change_failure_percent, Some(100.0));
        assert_eq!(
            (d.failed_deploys, d.deploys),
            (1, 1),
            "the counts behind the rate"
        );
        assert_eq!((d.incidents, d.restored, d.drills), (1, 1, 0));
    }

    #[test]
    fn rework_is_the_share_of_live_deploys_that_fixed_production() {
        let mut deploys: Vec<Deploy> = (1..=4)
            .map(|h| deploy(h * HOUR, DeployStatus::Live))
            .collect();
        deploys[2].rework = true;
        deploys.push(deploy(5 * HOUR, DeployStatus::RolledBack));
        let d = compute(&deploys, &[], &[], 0, DAY, HOUR);
        assert_eq!(d.rework_percent, Some(25.0), "1 of the 4 that went live");
        assert_eq!((d.rework_deploys, d.live_deploys), (1, 4));
        assert_eq!(compute(&[], &[], &[], 0, DAY, HOUR).rework_percent, None);
    }
}
