//! A deploy as the history keeps it: how it replaced the live version, and how it ended.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How a new version replaces the live one (see `delivery::deploy::rollout`).
///
/// The wire and the UI say `blueGreen`; the history, the command line and workflow inputs
/// say `blue-green`, as people write it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "kebab-case")]
pub enum Strategy {
    Recreate,
    // `to_string` is the word written; the others are read too.
    #[strum(
        to_string = "blue-green",
        serialize = "bluegreen",
        serialize = "blueGreen"
    )]
    BlueGreen,
    Rolling,
}

impl Strategy {
    /// `recreate`, `blue-green` or `rolling`; none for any other word.
    pub fn parse(text: &str) -> Option<Strategy> {
        text.parse().ok()
    }

    /// The word the history and the command line use.
    pub fn id(self) -> &'static str {
        self.into()
    }
}

/// Where a release runs: this machine's Docker engine behind DevLoop's proxy, or a Docker
/// Swarm service (its tasks behind the same proxy).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Target {
    #[default]
    Local,
    Swarm,
}

impl Target {
    /// `local` or `swarm`; none for any other word.
    pub fn parse(text: &str) -> Option<Target> {
        text.parse().ok()
    }

    /// The word the history and the command line use.
    pub fn id(self) -> &'static str {
        self.into()
    }
}

/// Where a deploy is, or how it ended.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum DeployStatus {
    /// Rolling out now.
    Running,
    /// The version went live.
    Live,
    /// It failed its health check, and the version before it kept (or took back) the traffic.
    RolledBack,
    /// It failed before any traffic could move (an image that would not start, a daemon gone).
    Failed,
    /// DevLoop stopped while it rolled out.
    Interrupted,
    /// A green run offers it; it waits for a person's click (Continuous Delivery).
    Waiting,
    /// That click happened and the version was deployed.
    Approved,
}

impl DeployStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl DeployStatus {
    /// A deploy that tried to go live and ended, which DORA's figures count.
    pub fn attempted(self) -> bool {
        matches!(
            self,
            DeployStatus::Live | DeployStatus::RolledBack | DeployStatus::Failed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_kept_in_the_history_read_back_as_the_same_status() {
        for s in [
            DeployStatus::Running,
            DeployStatus::Live,
            DeployStatus::RolledBack,
            DeployStatus::Failed,
            DeployStatus::Interrupted,
            DeployStatus::Waiting,
            DeployStatus::Approved,
        ] {
            assert_eq!(s.as_str().parse::<DeployStatus>(), Ok(s));
            // The UI receives the same word the history keeps.
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(DeployStatus::RolledBack.as_str(), "rolled-back");
        // The CLI prints the same word.
        assert_eq!(DeployStatus::RolledBack.to_string(), "rolled-back");
        assert!("gone".parse::<DeployStatus>().is_err());
    }

    #[test]
    fn a_strategy_is_read_as_people_write_it_and_kept_as_one_word() {
        for w in ["blue-green", "bluegreen", "blueGreen"] {
            assert_eq!(Strategy::parse(w), Some(Strategy::BlueGreen));
        }
        assert_eq!(Strategy::BlueGreen.id(), "blue-green");
        assert_eq!(Strategy::BlueGreen.to_string(), "blue-green");
        assert_eq!(Strategy::Rolling.id(), "rolling");
        assert_eq!(Strategy::parse("canary"), None);
        assert_eq!(
            serde_json::to_value(Strategy::BlueGreen).unwrap(),
            "blueGreen"
        );
    }
}
