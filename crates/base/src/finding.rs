//! What a check found when a step is not done yet, or why an action was refused, as a code and
//! the facts it names: the UI's catalogs (`lesson.findings` and `errors.details` in
//! `ui/src/lib/i18n/en.ts` and `ko.ts`) turn it into a sentence in the learner's language, and
//! the CLI prints the English words that travel with it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A check's finding: `code` names the sentence, `params` fill its `{placeholders}`, and
/// `command`, when there is one, is what to run next, shown apart with a Copy button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub code: String,
    pub params: BTreeMap<String, String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// What lies under it, said after it: a deploy that failed because its health check found
    /// a wrong status says both, each from its catalog.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub because: Option<Box<Finding>>,
}

impl Finding {
    pub fn new(code: &str) -> Finding {
        Finding {
            code: code.to_owned(),
            params: BTreeMap::new(),
            command: None,
            because: None,
        }
    }

    /// Adds what lies under it.
    #[must_use]
    pub fn because(mut self, cause: Option<Finding>) -> Finding {
        self.because = cause.map(Box::new);
        self
    }

    /// Adds the fact `{key}` of the sentence.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl ToString) -> Finding {
        self.params.insert(key.to_owned(), value.to_string());
        self
    }

    /// Adds the command that does what the sentence asks.
    #[must_use]
    pub fn run(mut self, command: impl Into<String>) -> Finding {
        self.command = Some(command.into());
        self
    }
}

/// Why something happened: a code and its facts for the UI's catalogs, and the English the
/// CLI and the logs print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub what: Finding,
    pub en: String,
}

impl Reason {
    pub fn new(what: Finding, en: impl Into<String>) -> Reason {
        Reason {
            what,
            en: en.into(),
        }
    }
}

/// How a check came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum Outcome {
    /// The learner did it.
    Pass,
    /// Not yet; `hint` says what is missing, in terms of what the check saw, in English (the
    /// CLI's words); `finding` says the same as a code for the UI's catalogs.
    Fail {
        hint: String,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        finding: Option<Finding>,
    },
    /// The check itself could not run (Docker down, the workspace is not a repo yet...); `why`
    /// says what to fix before checking again.
    Error {
        why: String,
        /// The reasons a learner meets (Docker down, a broken workspace) as a code for the
        /// UI's catalogs; the rest are technical and shown as the engine said them.
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        finding: Option<Finding>,
    },
}

impl Outcome {
    pub fn fail(hint: impl Into<String>) -> Self {
        Outcome::Fail {
            hint: hint.into(),
            finding: None,
        }
    }
    /// The check could not run, for a reason the UI says in the learner's language.
    pub fn blocked(finding: Finding, why: impl Into<String>) -> Self {
        Outcome::Error {
            why: why.into(),
            finding: Some(finding),
        }
    }
    /// Not yet, with what was found as a code for the UI and `hint` in English for the CLI.
    pub fn found(finding: Finding, hint: impl Into<String>) -> Self {
        Outcome::Fail {
            hint: hint.into(),
            finding: Some(finding),
        }
    }
    pub fn error(why: impl Into<String>) -> Self {
        Outcome::Error {
            why: why.into(),
            finding: None,
        }
    }
}
