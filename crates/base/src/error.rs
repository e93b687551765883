//! The error that crosses to the UI and the CLI: a stable [`Code`] to branch on and a message to act on.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, as a stable identifier. The UI branches on it (for example to show the
/// Docker set-up help for [`Code::DockerUnavailable`]) and localises its headline; the wire
/// form is camelCase, so never rename a variant without changing the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Code {
    /// The Docker socket is missing or does not answer.
    DockerUnavailable,
    /// The socket exists but this user may not use it.
    DockerPermissionDenied,
    /// The daemon answered with an API older than DevLoop needs.
    DockerApiTooOld,
    /// git (the CLI or libgit2) cannot do its job.
    GitUnavailable,
    /// git works but commits would fail: no user.name or user.email.
    GitIdentityMissing,
    /// The workspace folder cannot be used (not a folder, not writable).
    WorkspaceUnusable,
    /// Too little free disk space where the workspace lives.
    DiskLow,
    /// Settings could not be read or written.
    Settings,
    /// The local database (progress, history) cannot be used.
    Store,
    /// A lesson pack is broken; the message lists file:line:col problems.
    Workshop,
    /// Input from the learner or the UI was not valid.
    InvalidInput,
    /// A tool the work needs (cargo, docker, git, a Rust target) is not installed; the fix
    /// installs it.
    ToolMissing,
    /// Another DevLoop process (the app, or `devloop deploy` in a terminal) runs the service.
    ServiceElsewhere,
    /// A lesson pack other than the shipped one asked to run a command before the learner
    /// trusted it; the fix shows its commands and trusts it.
    Untrusted,
    /// A bug in DevLoop: the message says what, please report it.
    Internal,
}

/// An error a person can act on: what went wrong (and where), plus, when there is one,
/// the exact command that fixes it.
///
/// This struct is the only error shape that reaches the UI or the CLI's JSON output, so the
/// conversion to wire JSON happens here and nowhere else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "AppError")] // `Error` would shadow JavaScript's own in the UI.
#[error("{message}")]
pub struct Error {
    /// Stable identifier to branch on.
    pub code: Code,
    /// English sentence saying what went wrong; shown as detail beside the UI's localised headline.
    pub message: String,
    /// A command that fixes it, shown with a Copy button; `None` when no command can.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// What `message` says, as a code and its facts for the UI's catalogs (`errors.details`),
    /// so the learner reads it in their language; the English message is the fallback.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    // Boxed: errors travel in every `Result`, and most have no detail.
    pub detail: Option<Box<crate::finding::Finding>>,
}

impl Error {
    /// This error as the reason for what happened next (a rollback, a replica not replaced):
    /// its detail for the catalogs, or its English when it has none (a bug's words, shown as
    /// they are).
    pub fn reason(&self) -> crate::finding::Reason {
        let what = match self.detail.as_deref() {
            Some(detail) => detail.clone(),
            None => crate::finding::Finding::new("engineSaid").with("text", &self.message),
        };
        crate::finding::Reason::new(what, self.message.clone())
    }

    /// What went wrong as a code and its facts (`detail`, which the UI's catalogs say in the
    /// learner's language) with the same in English for the CLI and logs. Every error a
    /// person can meet is made this way, so none reaches the Korean UI as an English sentence.
    pub fn said(code: Code, detail: crate::finding::Finding, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fix: None,
            detail: Some(Box::new(detail)),
        }
    }

    /// A bug in DevLoop: the English words are for the bug report, shown as they are.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: Code::Internal,
            message: message.into(),
            fix: None,
            detail: None,
        }
    }

    /// A file or folder DevLoop could not use, in the system's words; a full disk is said as
    /// such, because freeing space is the fix and "os error 28" does not say so.
    pub fn file(code: Code, path: &std::path::Path, e: &std::io::Error) -> Self {
        use crate::finding::Finding;
        let shown = path.display().to_string();
        if e.kind() == std::io::ErrorKind::StorageFull {
            return Self::said(
                Code::DiskLow,
                Finding::new("diskFull").with("path", &shown),
                format!("the disk is full: {shown} cannot be written"),
            )
            .with_fix(format!(
                "df -h {}",
                shlex::try_quote(&shown).unwrap_or_default()
            ));
        }
        Self::said(
            code,
            Finding::new("fileUnusable")
                .with("path", &shown)
                .with("cause", e),
            format!("{shown}: {e}"),
        )
    }

    /// Attaches the command that fixes this error.
    #[must_use]
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_serialises_to_code_message_and_fix_in_camel_case() {
        let err = Error::internal("no socket").with_fix("sudo dockerd &");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "internal", "message": "no socket", "fix": "sudo dockerd &"})
        );
    }

    #[test]
    fn error_without_fix_omits_the_field() {
        let json = serde_json::to_value(Error::internal("x")).unwrap();
        assert!(json.get("fix").is_none(), "{json}");
    }
}
