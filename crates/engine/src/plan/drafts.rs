//! What went wrong, drafted as a bug item for the plan with its context: a failed run (where
//! it failed), a deploy that was rolled back or failed (why, and the container's last lines),
//! a healed incident (which replica died, how long recovery took). An alert's draft is the
//! Monitor board's (`Board::plan_draft`).

use serde::Deserialize;
use ts_rs::TS;

use crate::finding::Finding;
use crate::monitor::view::iso;
use crate::store::ops::OpKind;
use crate::store::plan::{Kind, NewItem};
use crate::store::Store;
use crate::{Code, Error, Result};

/// Where a bug item comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "from", rename_all = "camelCase")]
#[ts(rename = "PlanSource")]
pub enum Source {
    #[serde(rename_all = "camelCase")]
    Run { number: u64 },
    #[serde(rename_all = "camelCase")]
    Deploy { id: u64 },
    /// An operations-log heal, by when it was logged (unix milliseconds).
    #[serde(rename_all = "camelCase")]
    Heal { at_ms: i64 },
}

fn bug(title: String, description: String, source: String) -> NewItem {
    NewItem {
        kind: Kind::Bug,
        title,
        description,
        estimate: None,
        infra: false,
        source,
    }
}

/// `code` names what is missing for the catalogs, `what` in English; `id` is its number.
fn gone(code: &str, what: &str, id: impl std::fmt::Display) -> Error {
    Error::said(
        Code::InvalidInput,
        Finding::new(code).with("id", &id),
        format!("{what}{id} is not in the history"),
    )
}

/// The bug item `source` becomes.
pub fn draft(store: &Store, source: &Source) -> Result<NewItem> {
    match source {
        Source::Run { number } => {
            let run = store
                .run(*number)?
                .ok_or_else(|| gone("runGone", "run #", number))?;
            let failed = store
                .run_steps(*number)?
                .into_iter()
                .find(|s| s.outcome == Some(crate::record::run::Result::Failure));
            let at = failed
                .as_ref()
                .map(|s| format!(" at {} / {}", s.job, s.name))
                .unwrap_or_default();
            Ok(bug(
                format!("{} run #{number} {}{at}", run.workflow, run.status),
                format!(
                    "Run #{number} of **{}** ({}, on `{}` at `{}`) ended **{}**{at} at {} UTC.\n\nThe Pipeline page has its log: `devloop run --rerun {number}` runs it again.",
                    run.workflow,
                    run.trigger,
                    run.branch,
                    &run.sha[..run.sha.len().min(7)],
                    run.status,
                    iso(run.started_at)
                ),
                format!("run #{number}"),
            ))
        }
        Source::Deploy { id } => {
            let d = store
                .deploys(10_000)?
                .into_iter()
                .find(|d| d.id == *id)
                .ok_or_else(|| gone("deployGone", "deploy #", id))?;
            let mut text = format!(
                "Deploy #{id} of **{} {}** ({}) was **{}** at {} UTC: {}",
                d.app,
                d.version,
                d.strategy,
                d.status,
                iso(d.finished_at.unwrap_or(d.started_at)),
                d.reason
            );
            if !d.logs.trim().is_empty() {
                text.push_str(&format!(
                    "\n\nIts last lines:\n\n```\n{}\n```",
                    d.logs.trim_end()
                ));
            }
            Ok(bug(
                format!(
                    "{} {} {}: {}",
                    d.app,
                    d.version,
                    d.status,
                    d.reason.lines().next().unwrap_or("")
                ),
                text,
                format!("deploy #{id}"),
            ))
        }
        Source::Heal { at_ms } => {
            let e = store
                .ops(10_000)?
                .into_iter()
                .find(|e| e.at_ms == *at_ms && e.kind == OpKind::Heal)
                .ok_or_else(|| gone("incidentGone", "the incident at ", at_ms))?;
            Ok(bug(
                format!("{}: a replica died", e.app),
                format!(
                    "At {} UTC: {}.\n\nSelf-healing replaced it; find out why it died so it does not again.",
                    iso(e.at_ms / 1000),
                    e.message
                ),
                format!("incident at {}", iso(e.at_ms / 1000)),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::deploy::{DeployStatus, Strategy};

    #[test]
    fn a_rolled_back_deploy_drafts_a_bug_with_its_reason_and_last_lines() {
        let s = Store::in_memory().unwrap();
        let id = s
            .start_deploy("svc", "0.2.0", Strategy::BlueGreen, 2, 100)
            .unwrap();
        s.finish_deploy(
            id,
            DeployStatus::RolledBack,
            "0.2.0 failed its health check (/health)",
            "panic: no db",
            160,
        )
        .unwrap();
        let item = draft(&s, &Source::Deploy { id }).unwrap();
        assert_eq!(item.kind, Kind::Bug);
        assert_eq!(
            item.title,
            "svc 0.2.0 rolled-back: 0.2.0 failed its health check (/health)"
        );
        assert!(
            item.description.contains("```\npanic: no db\n```"),
            "{}",
            item.description
        );
        assert_eq!(item.source, format!("deploy #{id}"));
        assert!(draft(&s, &Source::Deploy { id: 99 })
            .unwrap_err()
            .message
            .contains("deploy #99 is not in the history"));
    }

    #[test]
    fn a_heal_drafts_a_bug_saying_what_died() {
        let s = Store::in_memory().unwrap();
        s.record_op(&crate::store::ops::OpsEvent {
            at_ms: 5_000,
            app: "svc".into(),
            kind: OpKind::Heal,
            what: None,
            message: "svc-1 stopped; svc-2 replaced it in 300 ms".into(),
            message_ko: None,
            millis: Some(300),
            change: None,
            reason: None,
        })
        .unwrap();
        let item = draft(&s, &Source::Heal { at_ms: 5_000 }).unwrap();
        assert_eq!(item.title, "svc: a replica died");
        assert!(
            item.description.contains("svc-1 stopped"),
            "{}",
            item.description
        );
    }
}
