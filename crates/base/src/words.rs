//! The learner's language. The engine says things as codes and facts (`finding`), and English
//! for the CLI; the UI's catalogs word them in this language.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A UI language. Only languages with a complete message catalog are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Locale {
    En,
    Ko,
}

impl Locale {
    /// Picks a UI language from a BCP 47 or POSIX tag (`ko-KR`, `ko_KR.UTF-8`, `en-US`).
    /// Anything that is not Korean gets English, the fuller fallback.
    pub fn from_tag(tag: &str) -> Locale {
        let lang = tag
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if lang == "ko" {
            Locale::Ko
        } else {
            Locale::En
        }
    }
}
