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
