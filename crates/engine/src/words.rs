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

    /// Why something failed, in both languages: the English message, and in Korean a short
    /// phrase for the reasons a learner meets (a failed health check, a replica that stopped at
    /// once, a missing image); any other keeps its English words, which name what failed.
    pub fn why(error: &crate::Error) -> Said {
        let fact = |key: &str| {
            error
                .detail
                .as_ref()
                .and_then(|d| d.params.get(key).cloned())
                .unwrap_or_default()
        };
        let ko = match error.detail.as_ref().map(|d| d.code.as_str()) {
            Some("healthCheckFailed") => format!("헬스 체크({})를 통과하지 못함", fact("path")),
            Some("stoppedAtStart") => "시작하자마자 멈춤".to_owned(),
            Some("imageMissing") => format!("이미지 {}이(가) 이 컴퓨터에 없음", fact("image")),
            Some("dockerGoneDuringDeploy" | "dockerSaid" | "dockerNotListening") => {
                "Docker 엔진이 응답하지 않음".to_owned()
            }
            _ => error.message.clone(),
        };
        Said::new(error.message.clone(), ko)
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
        // A reason with no Korean phrase keeps the English that names what failed.
        let other = Error::internal("something odd");
        assert_eq!(Said::why(&other).ko, "something odd");
    }
}
