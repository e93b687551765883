//! Text in both of DevLoop's languages for what the engine itself says to a learner outside a
//! lesson (the operations log, desktop notifications, the autoscaler's reasons): the UI and
//! the notification pick the learner's language; the CLI and the logs print English.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::settings::Locale;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct Said {
    pub en: String,
    pub ko: String,
}

impl Said {
    pub fn new(en: impl Into<String>, ko: impl Into<String>) -> Said {
        Said {
            en: en.into(),
            ko: ko.into(),
        }
    }

    pub fn in_(&self, locale: Locale) -> &str {
        match locale {
            Locale::Ko if !self.ko.is_empty() => &self.ko,
            _ => &self.en,
        }
    }
}
