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
    /// An error without a known fix command.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fix: None,
            detail: None,
        }
    }

    /// Attaches what the message says as a code and its facts.
    #[must_use]
    pub fn with_detail(mut self, detail: crate::finding::Finding) -> Self {
        self.detail = Some(Box::new(detail));
        self
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
        let err = Error::new(Code::DockerUnavailable, "no socket").with_fix("sudo dockerd &");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "dockerUnavailable", "message": "no socket", "fix": "sudo dockerd &"})
        );
    }

    #[test]
    fn error_without_fix_omits_the_field() {
        let json = serde_json::to_value(Error::new(Code::Internal, "x")).unwrap();
        assert!(json.get("fix").is_none(), "{json}");
    }
}
