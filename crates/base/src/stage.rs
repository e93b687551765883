//! The DevOps loop: its eight stages in order, and which stages each "continuous" practice automates.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A stage of the DevOps loop. The loop runs Plan → … → Monitor and then back to Plan
/// ("refine and repeat"), which is why it is drawn as an infinity figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    Plan,
    Code,
    Build,
    Test,
    Release,
    Deploy,
    Operate,
    Monitor,
}

impl Stage {
    /// Every stage, in loop order.
    pub const ALL: [Stage; 8] = [
        Stage::Plan,
        Stage::Code,
        Stage::Build,
        Stage::Test,
        Stage::Release,
        Stage::Deploy,
        Stage::Operate,
        Stage::Monitor,
    ];

    /// The stage after this one; Monitor leads back to Plan, which closes the loop.
    pub fn next(self) -> Stage {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    /// The stable id used in URLs, lesson packs and the CLI.
    pub fn id(self) -> &'static str {
        match self {
            Stage::Plan => "plan",
            Stage::Code => "code",
            Stage::Build => "build",
            Stage::Test => "test",
            Stage::Release => "release",
            Stage::Deploy => "deploy",
            Stage::Operate => "operate",
            Stage::Monitor => "monitor",
        }
    }

    /// Parses a stage id as written by [`Stage::id`].
    pub fn from_id(id: &str) -> Option<Stage> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }
}

/// The three practices people shorten to "CI/CD". They are easy to mix up, and a widely
/// copied text swaps the first two, so the definitions live here once, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Practice {
    /// Continuous Integration (지속적 통합): developers merge small changes often, and every
    /// merge is built and tested automatically.
    Integration,
    /// Continuous Delivery (지속적 제공/전달): CI, plus every green build is turned into a
    /// release that could go to production; a person decides when, with a click.
    Delivery,
    /// Continuous Deployment (지속적 배포): every change that passes the pipeline reaches
    /// production by itself, with no person in between.
    Deployment,
}

impl Practice {
    /// Every practice, each one a superset of the one before.
    pub const ALL: [Practice; 3] = [
        Practice::Integration,
        Practice::Delivery,
        Practice::Deployment,
    ];

    /// The stages this practice runs automatically after a merge.
    pub fn automated(self) -> &'static [Stage] {
        match self {
            Practice::Integration => &[Stage::Code, Stage::Build, Stage::Test],
            Practice::Delivery => &[Stage::Code, Stage::Build, Stage::Test, Stage::Release],
            Practice::Deployment => &[
                Stage::Code,
                Stage::Build,
                Stage::Test,
                Stage::Release,
                Stage::Deploy,
            ],
        }
    }

    /// The stage where a person has to press the button, if any. This one field is the whole
    /// difference between Continuous Delivery and Continuous Deployment.
    pub fn manual_gate(self) -> Option<Stage> {
        match self {
            Practice::Integration => None,
            Practice::Delivery => Some(Stage::Deploy),
            Practice::Deployment => None,
        }
    }
}

/// One practice and its coverage, as the home screen draws it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PracticeSpan {
    pub practice: Practice,
    pub automated: Vec<Stage>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual_gate: Option<Stage>,
}

/// The loop as the home screen needs it: stages in order and the practices over them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LoopModel {
    pub stages: Vec<Stage>,
    pub practices: Vec<PracticeSpan>,
}

impl LoopModel {
    /// The one DevOps loop DevLoop teaches.
    pub fn devops() -> Self {
        Self {
            stages: Stage::ALL.to_vec(),
            practices: Practice::ALL
                .into_iter()
                .map(|practice| PracticeSpan {
                    practice,
                    automated: practice.automated().to_vec(),
                    manual_gate: practice.manual_gate(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitor_leads_back_to_plan() {
        assert_eq!(Stage::Monitor.next(), Stage::Plan);
        assert_eq!(Stage::Plan.next(), Stage::Code);
    }

    #[test]
    fn stage_ids_round_trip_and_match_the_wire_names() {
        for stage in Stage::ALL {
            assert_eq!(Stage::from_id(stage.id()), Some(stage));
            assert_eq!(serde_json::to_value(stage).unwrap(), stage.id());
        }
        assert_eq!(Stage::from_id("refine"), None);
    }

    #[test]
    fn integration_stops_at_test_and_never_releases() {
        let ci = Practice::Integration.automated();
        assert_eq!(ci.last(), Some(&Stage::Test));
        assert!(!ci.contains(&Stage::Release));
        assert!(!ci.contains(&Stage::Deploy));
    }

    #[test]
    fn delivery_makes_every_green_build_a_release_but_a_person_deploys() {
        assert!(Practice::Delivery.automated().contains(&Stage::Release));
        assert!(!Practice::Delivery.automated().contains(&Stage::Deploy));
        assert_eq!(Practice::Delivery.manual_gate(), Some(Stage::Deploy));
    }

    #[test]
    fn deployment_reaches_production_with_no_manual_gate() {
        assert!(Practice::Deployment.automated().contains(&Stage::Deploy));
        assert_eq!(Practice::Deployment.manual_gate(), None);
    }

    #[test]
    fn each_practice_includes_the_one_before() {
        for pair in Practice::ALL.windows(2) {
            let (smaller, larger) = (pair[0].automated(), pair[1].automated());
            assert!(smaller.iter().all(|s| larger.contains(s)), "{pair:?}");
            assert!(larger.len() > smaller.len());
        }
    }
}
