//! The DORA metrics' inputs, read from what DevLoop recorded: deploys from the deploy history;
//! the changes each deploy shipped from git (the commits of its release, or of its `v<version>`
//! tag when it was released by hand, that the previous live release of the app did not have); incidents from the alert history (an alert on the
//! service's series, firing to resolved) and the operations log (a heal: a replica died, its
//! replacement took traffic). An incident the learner caused on purpose is a drill: a heal
//! soon after a chaos kill, an alert during or just after a simulated peak. A live deploy is
//! rework when a commit it shipped names a bug item raised from production (an alert, a
//! failed deploy, a heal). Blocking: git2 and SQLite.

use crate::record::deploy::DeployStatus;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::dora::{self, Change, Deploy, Dora, End, Incident};
use crate::record::alert::AlertChange;
use crate::store::ops::OpKind;
use crate::store::Store;
use crate::Result;

/// The history's deploys, changes and incidents for `app`, with the workspace repository at
/// `repo` (commits it does not have are skipped).
pub fn inputs(
    store: &Store,
    repo: &Path,
    app: &str,
) -> Result<(Vec<Deploy>, Vec<Change>, Vec<Incident>)> {
    let mut records = store.deploys(10_000)?;
    records.retain(|d| d.app == app);
    records.sort_by_key(|d| d.started_at);
    // Each version's commit and when it was released, from the release history.
    let releases: HashMap<String, (String, i64)> = store
        .releases()?
        .into_iter()
        .filter(|r| r.app == app)
        .map(|r| (r.version, (r.sha, r.created_at)))
        .collect();
    let shas: HashMap<String, String> = releases
        .iter()
        .map(|(v, (sha, _))| (v.clone(), sha.clone()))
        .collect();
    // A live deploy of a version released before the one live until then is a rollback.
    let mut live_version: Option<&str> = None;
    let mut deploys = Vec::new();
    for d in &records {
        let released = |v: &str| releases.get(v).map(|(_, at)| *at);
        // Only between versions whose release times are known: a version released by hand
        // (a tag, no record) is never taken for a rollback.
        let rollback = d.status == DeployStatus::Live
            && live_version.is_some_and(|before| {
                matches!((released(&d.version), released(before)), (Some(now), Some(then)) if now < then)
            });
        if d.status == DeployStatus::Live {
            live_version = Some(&d.version);
        }
        deploys.push(Deploy {
            app: d.app.clone(),
            at: d.finished_at.unwrap_or(d.started_at),
            status: d.status,
            rollback,
            rework: false,
        });
    }
    let fixes = production_fixes(store)?;
    let mut changes = Vec::new();
    if let Ok(git) = git2::Repository::open(repo) {
        let mut shipped: Option<git2::Oid> = None;
        for (index, d) in records
            .iter()
            .enumerate()
            .filter(|(_, d)| d.status == DeployStatus::Live)
        {
            let recorded = shas.get(&d.version).map(String::as_str);
            let Some(oid) = crate::backlog::links::release_commit(&git, recorded, &d.version)
            else {
                continue;
            };
            // A redeploy of what is already out ships nothing new.
            if shipped.is_some_and(|s| s == oid || git.graph_descendant_of(s, oid).unwrap_or(false))
            {
                continue;
            }
            let Ok(mut walk) = git.revwalk() else {
                continue;
            };
            if walk.push(oid).is_err() {
                continue;
            }
            if let Some(before) = shipped {
                let _ = walk.hide(before);
            }
            let deployed_at = d.finished_at.unwrap_or(d.started_at);
            for c in walk.flatten().filter_map(|id| git.find_commit(id).ok()) {
                if fixes.contains(&c.id().to_string()) {
                    deploys[index].rework = true;
                }
                changes.push(Change {
                    committed_at: c.time().seconds(),
                    deployed_at: Some(deployed_at),
                });
            }
            shipped = Some(oid);
        }
    }

    // Each firing of an alert on the service is an incident. The resolve that follows it ends
    // it; with nothing after it, it is still going; when DevLoop stopped watching first
    // (`unwatched`), nobody knows when it was over.
    let mut events = store.alerts(10_000)?;
    events.retain(|e| names_app(&e.series, app));
    events.reverse();
    let ops: Vec<_> = store
        .ops(10_000)?
        .into_iter()
        .filter(|e| e.app == app)
        .collect();
    let drill = drill_windows(&ops);
    let mut firing: HashMap<(String, String), i64> = HashMap::new();
    let mut incidents: Vec<Incident> = Vec::new();
    for e in events {
        let key = (e.rule, e.series);
        let end = match e.state {
            AlertChange::Firing => {
                firing.insert(key, e.fired_at.unwrap_or(e.at));
                continue;
            }
            AlertChange::Resolved => End::Restored(e.at),
            AlertChange::Unwatched => End::Unknown,
            AlertChange::Pending => continue,
        };
        if let Some(began) = firing.remove(&key).or(e.fired_at) {
            incidents.push(Incident {
                app: app.to_owned(),
                began,
                end,
                drill: drill(began),
            });
        }
    }
    incidents.extend(firing.into_values().map(|began| Incident {
        app: app.to_owned(),
        began,
        end: End::Open,
        drill: drill(began),
    }));
    incidents.extend(
        ops.iter()
            .filter(|e| e.kind == OpKind::Heal)
            .filter_map(|e| {
                let took = e.millis?;
                let began = (e.at_ms - took) / 1000;
                Some(Incident {
                    app: app.to_owned(),
                    began,
                    end: End::Restored(e.at_ms / 1000),
                    drill: drill(began),
                })
            }),
    );
    incidents.sort_by_key(|i| i.began);
    Ok((deploys, changes, incidents))
}

/// How long after a chaos kill the death it caused can still begin (the heal notices it).
const CHAOS_REACH_S: i64 = 60;
/// How long after a simulated peak ends its alerts can still fire (rules wait `for` a while).
const LOAD_REACH_S: i64 = 120;

/// Whether an incident that began at a second was a drill: the learner killed a replica just
/// before, or a simulated peak was running or had just ended.
fn drill_windows(ops: &[crate::store::ops::OpsEvent]) -> impl Fn(i64) -> bool {
    let windows: Vec<(i64, i64)> = ops
        .iter()
        .filter_map(|e| {
            let at = e.at_ms / 1000;
            match e.kind {
                // The kill lands a moment before its entry is written.
                OpKind::Chaos => Some((at - 2, at + CHAOS_REACH_S)),
                OpKind::Load => Some((at - e.millis.unwrap_or(0) / 1000, at + LOAD_REACH_S)),
                _ => None,
            }
        })
        .collect();
    move |began| {
        windows
            .iter()
            .any(|(from, to)| (*from..=*to).contains(&began))
    }
}

/// The commits that name a bug item raised from production: an alert, a failed or rolled-back
/// deploy, or a heal (not a failed run, which never reached production).
fn production_fixes(store: &Store) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    for item in store.items()? {
        let raised_in_production = ["alert ", "deploy #", "incident at "]
            .iter()
            .any(|p| item.source.starts_with(p));
        if item.kind == crate::store::plan::Kind::Bug && raised_in_production {
            out.extend(store.item_commits(item.id)?.into_iter().map(|c| c.sha));
        }
    }
    Ok(out)
}

/// True when an alert's series is about `app`: its service, app or replica label.
fn names_app(series: &str, app: &str) -> bool {
    crate::monitor::metric::Key::parse(series).is_ok_and(|k| {
        k.labels.get("service").is_some_and(|v| v == app)
            || k.labels.get("app").is_some_and(|v| v == app)
    })
}

/// The metrics for each of the `weeks` weeks before `now` (oldest first, each with the second
/// its week starts), from one read of the history.
pub fn weekly(
    store: &Store,
    repo: &Path,
    app: &str,
    now: i64,
    weeks: i64,
) -> Result<Vec<(i64, Dora)>> {
    let (deploys, changes, incidents) = inputs(store, repo, app)?;
    Ok((0..weeks)
        .rev()
        .map(|w| {
            // Periods end short of their last second; this one takes in `now` itself, or a
            // deploy that finished this second would not count yet.
            let to = now + 1 - w * 7 * 86_400;
            let from = to - 7 * 86_400;
            (
                from,
                dora::compute(&deploys, &changes, &incidents, from, to, 3600),
            )
        })
        .collect())
}

/// The metrics for `app` from `from` to `to` (a sprint's days).
pub fn dora_between(store: &Store, repo: &Path, app: &str, from: i64, to: i64) -> Result<Dora> {
    let (deploys, changes, incidents) = inputs(store, repo, app)?;
    Ok(dora::compute(
        &deploys, &changes, &incidents, from, to, 3600,
    ))
}

/// The metrics for `app` over the `days` before `now`; a deploy counts as failed when a
/// failure follows within an hour.
pub fn dora_for(store: &Store, repo: &Path, app: &str, now: i64, days: i64) -> Result<Dora> {
    dora_between(store, repo, app, now + 1 - days * 86_400, now + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::deploy::Strategy;

    #[test]
    fn changes_are_the_commits_each_live_release_added_and_alerts_on_the_service_are_incidents() {
        let dir = tempfile::tempdir().unwrap();
        let git = git2::Repository::init(dir.path()).unwrap();
        let commit = |message: &str, at: i64| crate::test_repo::commit_at(&git, message, at);
        let a = commit("feat: one", 1_000);
        let _b = commit("fix: two", 2_000);
        let c = commit("feat: three", 3_000);
        let store = Store::in_memory().unwrap();
        let release =
            |version: &str, sha: &str, at: i64| crate::test_repo::release("svc", version, sha, at);
        store.record_release(&release("0.1.0", &a, 1_100)).unwrap();
        store.record_release(&release("0.2.0", &c, 3_050)).unwrap();
        for (version, at, status) in [
            ("0.1.0", 1_500, DeployStatus::Live),
            ("0.2.0", 3_100, DeployStatus::RolledBack),
            ("0.2.0", 3_600, DeployStatus::Live),
            ("0.2.0", 4_000, DeployStatus::Live),
        ] {
            let id = store
                .start_deploy("svc", version, Strategy::BlueGreen, 2, at)
                .unwrap();
            store.finish_deploy(id, status, "", "", at).unwrap();
        }
        let alert = |series: &str| crate::monitor::board::AlertEvent {
            rule: "ServiceErrors".into(),
            series: series.into(),
            severity: crate::monitor::alert::Severity::Critical,
            state: crate::record::alert::AlertChange::Resolved,
            at: 3_900,
            value: None,
            fired_at: Some(3_700),
            description: String::new(),
        };
        store
            .record_alert(&alert("endpoint.errorRate{service=svc}"))
            .unwrap();
        store.record_alert(&alert("host.cpu")).unwrap();

        let (deploys, changes, incidents) = inputs(&store, dir.path(), "svc").unwrap();
        assert_eq!(deploys.len(), 4);
        // 0.1.0 shipped commit a (500 s); the first live 0.2.0 shipped b and c (1600 and 600 s);
        // the redeploy of 0.2.0 shipped nothing new.
        let mut leads: Vec<i64> = changes
            .iter()
            .map(|c| c.deployed_at.unwrap() - c.committed_at)
            .collect();
        leads.sort_unstable();
        assert_eq!(leads, [500, 600, 1600]);
        assert_eq!(
            incidents,
            [Incident {
                app: "svc".into(),
                began: 3_700,
                end: End::Restored(3_900),
                drill: false
            }]
        );

        let d = dora_for(&store, dir.path(), "svc", 86_400, 1).unwrap();
        assert_eq!(d.lead_time_median_s, Some(600));
        // Failed: the version rolled back by its health check, and the deploy at 3600 (the
        // alert 100 s later, before the next deploy). 2 of 4.
        assert_eq!(d.change_failure_percent, Some(50.0));
        assert_eq!(d.time_to_restore_median_s, Some(200));

        // A version released by hand (a tag, no release record) still has its changes.
        let d_sha = commit("feat: four", 5_000);
        let head = git
            .find_commit(git2::Oid::from_str(&d_sha).unwrap())
            .unwrap();
        git.tag_lightweight("v0.3.0", head.as_object(), false)
            .unwrap();
        let id = store
            .start_deploy("svc", "0.3.0", Strategy::Rolling, 1, 5_500)
            .unwrap();
        store
            .finish_deploy(id, DeployStatus::Live, "", "", 5_500)
            .unwrap();
        let (_, changes, _) = inputs(&store, dir.path(), "svc").unwrap();
        assert_eq!(changes.len(), 4, "three before, and the tagged one");

        // A person puts 0.1.0 back (at 4200, after 0.2.0): the deploy it undid counts as failed.
        let id = store
            .start_deploy("svc", "0.1.0", Strategy::BlueGreen, 2, 4_200)
            .unwrap();
        store
            .finish_deploy(id, DeployStatus::Live, "", "", 4_200)
            .unwrap();
        let (deploys, _, _) = inputs(&store, dir.path(), "svc").unwrap();
        assert_eq!(
            deploys.iter().map(|d| d.rollback).collect::<Vec<_>>(),
            [false, false, false, false, true, false]
        );
        // 3 of 6: the rolled-back version, the deploy the alert followed, the deploy undone.
        let d = dora_for(&store, dir.path(), "svc", 86_400, 1).unwrap();
        assert_eq!(d.change_failure_percent, Some(50.0));
    }

    #[test]
    fn an_alert_still_firing_is_open_until_a_new_monitor_stops_watching_it() {
        let store = Store::in_memory().unwrap();
        let alert = |state: &str, at: i64| crate::monitor::board::AlertEvent {
            rule: "ProbeDown".into(),
            series: "probe.up{service=svc,target=health}".into(),
            severity: crate::monitor::alert::Severity::Critical,
            state: crate::record::alert::AlertChange::parse(state).unwrap(),
            at,
            value: None,
            fired_at: Some(100),
            description: String::new(),
        };
        store.record_alert(&alert("firing", 100)).unwrap();
        let incidents = |store: &Store| inputs(store, Path::new("/nowhere"), "svc").unwrap().2;
        assert_eq!(
            incidents(&store),
            [Incident {
                app: "svc".into(),
                began: 100,
                end: End::Open,
                drill: false
            }]
        );
        let d = dora_for(&store, Path::new("/nowhere"), "svc", 700, 1).unwrap();
        // Open to the end of the second it is asked in.
        assert_eq!((d.open_incidents, d.open_longest_s), (1, Some(601)));

        // The next monitor does not know whether it is still going.
        assert_eq!(store.unwatch_alerts(800).unwrap(), 1);
        assert_eq!(store.unwatch_alerts(900).unwrap(), 0, "once");
        assert_eq!(incidents(&store)[0].end, End::Unknown);
        // It fires again and resolves: a second incident, restored.
        store.record_alert(&alert("firing", 1_000)).unwrap();
        let mut resolved = alert("resolved", 1_300);
        resolved.fired_at = Some(1_000);
        store.record_alert(&resolved).unwrap();
        assert_eq!(
            incidents(&store).iter().map(|i| i.end).collect::<Vec<_>>(),
            [End::Unknown, End::Restored(1_300)]
        );
    }

    use crate::test_repo::op;

    #[test]
    fn a_heal_after_a_chaos_kill_and_an_alert_during_a_simulated_peak_are_drills() {
        let store = Store::in_memory().unwrap();
        // The learner kills a replica at 1000 s; it is back 3 s later.
        store
            .record_op(&op(1_000_000, "chaos", None, None))
            .unwrap();
        store
            .record_op(&op(1_004_000, "heal", Some(3_000), None))
            .unwrap();
        // Much later a replica dies by itself.
        store
            .record_op(&op(5_004_000, "heal", Some(3_000), None))
            .unwrap();
        // A 20 s peak ends at 8000 s; latency alerts fire during it.
        store
            .record_op(&op(8_000_000, "load", Some(20_000), None))
            .unwrap();
        let alert = |fired: i64| crate::monitor::board::AlertEvent {
            rule: "SlowService".into(),
            series: "endpoint.p99{service=svc}".into(),
            severity: crate::monitor::alert::Severity::Warning,
            state: crate::record::alert::AlertChange::Resolved,
            at: fired + 30,
            value: None,
            fired_at: Some(fired),
            description: String::new(),
        };
        store.record_alert(&alert(7_990)).unwrap();
        store.record_alert(&alert(9_000)).unwrap();
        let incidents = inputs(&store, Path::new("/nowhere"), "svc").unwrap().2;
        let drills: Vec<(i64, bool)> = incidents.iter().map(|i| (i.began, i.drill)).collect();
        assert_eq!(
            drills,
            [(1_001, true), (5_001, false), (7_990, true), (9_000, false)]
        );
    }

    #[test]
    fn a_deploy_shipping_a_fix_for_an_alert_is_rework_and_one_for_a_failed_run_is_not() {
        use crate::store::plan::{ItemCommit, Kind, NewItem};
        let dir = tempfile::tempdir().unwrap();
        let git = git2::Repository::init(dir.path()).unwrap();
        let store = Store::in_memory().unwrap();
        let bug = |source: &str| NewItem {
            kind: Kind::Bug,
            title: "t".into(),
            description: String::new(),
            estimate: None,
            infra: false,
            source: source.into(),
        };
        let from_alert = store
            .add_item(&bug("alert ProbeDown on probe.up"), 1)
            .unwrap();
        let from_run = store.add_item(&bug("run #3"), 1).unwrap();
        let mut versions = Vec::new();
        for (n, (item, at)) in [(from_run, 1_000), (from_alert, 2_000)]
            .into_iter()
            .enumerate()
        {
            let sha = crate::test_repo::commit_at(&git, &format!("fix #{item}"), at);
            store
                .link_commit(&ItemCommit {
                    item,
                    sha: sha.clone(),
                    closes: true,
                    committed_at: at,
                })
                .unwrap();
            let version = format!("0.{}.0", n + 1);
            store
                .record_release(&crate::test_repo::release("svc", &version, &sha, at + 10))
                .unwrap();
            let id = store
                .start_deploy("svc", &version, Strategy::BlueGreen, 1, at + 20)
                .unwrap();
            store
                .finish_deploy(id, DeployStatus::Live, "", "", at + 20)
                .unwrap();
            versions.push(version);
        }
        let (deploys, _, _) = inputs(&store, dir.path(), "svc").unwrap();
        assert_eq!(
            deploys.iter().map(|d| d.rework).collect::<Vec<_>>(),
            [false, true],
            "only the fix for what production raised is rework"
        );
        let d = dora_for(&store, dir.path(), "svc", 86_400, 1).unwrap();
        assert_eq!(d.rework_percent, Some(50.0));
    }
}
