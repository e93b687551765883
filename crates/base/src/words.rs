//! Text in both of DevLoop's languages for what the engine itself says to a learner outside a
//! lesson (the operations log, desktop notifications, the autoscaler's reasons): the UI and
//! the notification pick the learner's language; the CLI and the logs print English.

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

use crate::finding::Finding;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct Said {
    pub en: String,
    pub ko: String,
    /// Why, as a code the UI's catalogs say, when `ko` has no phrase for it: the UI then says
    /// `ko` followed by that sentence.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Finding>,
}

impl Said {
    pub fn new(en: impl Into<String>, ko: impl Into<String>) -> Said {
        Said {
            en: en.into(),
            ko: ko.into(),
            reason: None,
        }
    }

    /// Why something failed, in both languages: the English message, and in Korean a short
    /// phrase for the reasons a learner meets (a failed health check, a replica that stopped at
    /// once, a missing image). Any other reason the engine gave as a code travels as `reason`,
    /// for the UI's catalogs to say; only a bug's words (no code) stay English.
    pub fn why(error: &crate::Error) -> Said {
        match Self::ko_phrase(error) {
            Some(ko) => Said::new(error.message.clone(), ko),
            None => Said {
                en: error.message.clone(),
                ko: error.message.clone(),
                reason: error.detail.as_deref().cloned(),
            },
        }
    }

    /// `self` as the reason after what happened: "{en}: {reason}" and "{ko}: {reason}". A
    /// reason the catalogs say (`reason`) is left out of the Korean, which the UI completes.
    pub fn after(self, en: impl std::fmt::Display, ko: impl std::fmt::Display) -> Said {
        Said {
            en: format!("{en}: {}", self.en),
            ko: match self.reason {
                Some(_) => ko.to_string(),
                None => format!("{ko}: {}", self.ko),
            },
            reason: self.reason,
        }
    }

    /// The short Korean phrase for the reasons a learner meets most.
    fn ko_phrase(error: &crate::Error) -> Option<String> {
        let fact = |key: &str| {
            error
                .detail
                .as_ref()
                .and_then(|d| d.params.get(key).cloned())
                .unwrap_or_default()
        };
        Some(match error.detail.as_ref().map(|d| d.code.as_str()) {
            Some("healthCheckFailed") => format!("헬스 체크({})를 통과하지 못함", fact("path")),
            Some("stoppedAtStart") => "시작하자마자 멈춤".to_owned(),
            Some("imageMissing") => format!("이미지 {}이(가) 이 컴퓨터에 없음", fact("image")),
            Some("dockerGoneDuringDeploy" | "dockerSaid" | "dockerNotListening") => {
                "Docker 엔진이 응답하지 않음".to_owned()
            }
            _ => return None,
        })
    }

    pub fn in_(&self, locale: Locale) -> &str {
        match locale {
            Locale::Ko if !self.ko.is_empty() => &self.ko,
            _ => &self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::{Code, Error};

    #[test]
    fn why_a_deploy_failed_is_said_in_korean_without_its_english_sentence() {
        let failed = Error::said(
            Code::InvalidInput,
            Finding::new("healthCheckFailed")
                .with("version", "app 1.0.1")
                .with("path", "/health"),
            "app 1.0.1 failed its health check (/health): http://127.0.0.1:1/health answered 500",
        );
        let why = Said::why(&failed);
        assert_eq!(why.en, failed.message);
        assert_eq!(why.ko, "헬스 체크(/health)를 통과하지 못함");
        // A bug has no code: its English words name what failed.
        let other = Error::internal("something odd");
        assert_eq!(Said::why(&other).ko, "something odd");
        assert_eq!(Said::why(&other).reason, None);
    }

    #[test]
    fn a_rarer_reason_travels_as_its_code_and_the_korean_leaves_it_to_the_catalog() {
        let taken = Error::said(
            Code::InvalidInput,
            Finding::new("addressInUse").with("address", "127.0.0.1:8080"),
            "127.0.0.1:8080 is in use by another program",
        );
        let said = Said::why(&taken).after("app 1.0.1 was rolled back", "app 1.0.1이(가) 롤백됨");
        assert_eq!(
            said.en,
            "app 1.0.1 was rolled back: 127.0.0.1:8080 is in use by another program"
        );
        assert_eq!(said.ko, "app 1.0.1이(가) 롤백됨");
        assert_eq!(said.reason.map(|r| r.code).as_deref(), Some("addressInUse"));
        // A reason with a Korean phrase is said in full, with nothing left to complete.
        let failed = Error::said(
            Code::InvalidInput,
            Finding::new("stoppedAtStart"),
            "app:1.0.1 stopped at once",
        );
        let said = Said::why(&failed).after("x", "엑스");
        assert_eq!(
            (said.ko.as_str(), said.reason),
            ("엑스: 시작하자마자 멈춤", None)
        );
    }
}
