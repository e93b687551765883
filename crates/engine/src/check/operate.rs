//! Operate checks: what the operations log says happened. A scale-up by the autoscaler counts
//! only while a load run went on, so the lesson is about the autoscaler answering traffic,
//! not about a replica count set by hand.

use std::path::Path;

use super::{Finding, Outcome};
use crate::store::ops::OpKind;
use crate::store::ops::OpsEvent;
use crate::store::Store;

/// A scale-up this long after a load run ended still answers it: the decision was taken during
/// the run, and the new replica may take a few seconds to pass its health check.
const GRACE_MS: i64 = 30_000;

pub fn evaluate(app: &str, database: Option<&Path>) -> Outcome {
    let Some(db) = database else {
        return Outcome::error("the operations log is not available here");
    };
    if !db.exists() {
        return judge(app, &[]);
    }
    match Store::open(db).and_then(|s| s.ops(1000)) {
        Ok(ops) => judge(app, &ops),
        Err(e) => Outcome::error(e.message),
    }
}

/// The verdict on `ops` (any order).
pub fn judge(app: &str, ops: &[OpsEvent]) -> Outcome {
    let loads: Vec<(i64, i64)> = ops
        .iter()
        .filter(|e| e.app == app && e.kind == OpKind::Load)
        .map(|e| (e.at_ms - e.millis.unwrap_or(0), e.at_ms))
        .collect();
    if loads.is_empty() {
        return Outcome::found(
            Finding::new("noLoadRun")
                .with("app", app)
                .run("devloop autoscale --rps 20 --min 3 --max 4 && devloop load --rps 150 --duration 10"),
            format!(
                "no load run against {app} yet: switch the autoscaler on, then simulate peak traffic on the Operate page (or `devloop autoscale --rps 20 --min 3 --max 4` and `devloop load --rps 150 --duration 10`)"
            ),
        );
    }
    let up_during_load = ops.iter().any(|e| {
        e.app == app
            && e.kind == OpKind::Autoscale
            && e.change.is_some_and(|c| c > 0)
            && loads
                .iter()
                .any(|(from, to)| (*from..=to + GRACE_MS).contains(&e.at_ms))
    });
    if up_during_load {
        Outcome::Pass
    } else {
        Outcome::found(
            Finding::new("noScaleDuringLoad")
                .with("loads", loads.len())
                .run("devloop autoscale --rps 20 --min 3 --max 4"),
            format!(
                "{} load run(s), but the autoscaler added no replica meanwhile: switch it on with a target below the requests each replica gets (`devloop autoscale --rps 20 --min 3 --max 4`), and keep the traffic up longer than its up window",
                loads.len()
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_repo::op;

    #[test]
    fn a_scale_up_by_the_autoscaler_during_a_load_run_passes() {
        // A 20 s run that ended at 100 s; the autoscaler added one at 90 s.
        let ops = [
            op(100_000, "load", Some(20_000), None),
            op(90_000, "autoscale", None, Some(1)),
        ];
        assert_eq!(judge("svc", &ops), Outcome::Pass);
    }

    #[test]
    fn by_hand_down_outside_the_run_or_another_app_do_not() {
        let run = op(100_000, "load", Some(20_000), None);
        for (other, why) in [
            (op(90_000, "scale", None, Some(1)), "by hand"),
            (op(90_000, "autoscale", None, Some(-1)), "down"),
            (op(10_000, "autoscale", None, Some(1)), "before the run"),
            (op(200_000, "autoscale", None, Some(1)), "long after it"),
            (
                OpsEvent {
                    app: "other".into(),
                    ..op(90_000, "autoscale", None, Some(1))
                },
                "another app",
            ),
        ] {
            let outcome = judge("svc", &[run.clone(), other]);
            assert!(
                matches!(&outcome, Outcome::Fail { hint, .. } if hint.contains("added no replica")),
                "{why}: {outcome:?}"
            );
        }
        assert!(
            matches!(judge("svc", &[]), Outcome::Fail { hint, .. } if hint.contains("no load run")),
            "nothing yet"
        );
    }
}
