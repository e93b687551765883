//! Is Rust here, as the Build, Test and Release lessons need it: `cargo`, and the standard
//! library for the target the static build names?

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::Status;
use crate::tools::{self, CARGO, RUST_TARGET, STATIC_TARGET};
use crate::Error;

/// Rust as the System check shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RustCheck {
    pub status: Status,
    /// `cargo --version`'s number, e.g. `1.95.0`.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cargo_version: Option<String>,
    /// The target the static build uses (`x86_64-unknown-linux-gnu`).
    pub static_target: String,
    /// Its standard library is installed.
    pub static_target_installed: bool,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Error>,
}

pub(super) async fn check() -> RustCheck {
    let version = output("cargo", &["--version"]).await;
    let sysroot = output("rustc", &["--print", "sysroot"]).await;
    let cargo_version = version.as_deref().and_then(parse_version);
    let installed = sysroot.is_some_and(|root| {
        Path::new(root.trim())
            .join("lib/rustlib")
            .join(STATIC_TARGET)
            .join("lib")
            .is_dir()
    });
    verdict(cargo_version, installed)
}

/// The check from what was found: no cargo fails (three lessons build with it); a missing
/// static target warns, since only the static build needs it.
fn verdict(cargo_version: Option<String>, static_target_installed: bool) -> RustCheck {
    let (status, problem) = match (&cargo_version, static_target_installed) {
        (None, _) => (
            Status::Fail,
            Some(tools::missing(CARGO, "the Build, Test and Release lessons")),
        ),
        (Some(_), false) => (
            Status::Warn,
            Some(tools::missing(
                RUST_TARGET,
                "the static build of the Build lesson",
            )),
        ),
        (Some(_), true) => (Status::Pass, None),
    };
    RustCheck {
        status,
        cargo_version,
        static_target: STATIC_TARGET.to_owned(),
        static_target_installed,
        problem,
    }
}

/// What `program args` prints when it succeeds.
async fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = tokio::process::Command::new(program)
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `cargo 1.95.0 (f2d3ce0bd 2026-03-21)` → `1.95.0`.
fn parse_version(out: &str) -> Option<String> {
    out.trim()
        .strip_prefix("cargo ")
        .and_then(|v| v.split_whitespace().next())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    #[test]
    fn without_cargo_the_check_fails_and_says_how_to_install_rust() {
        let c = verdict(None, false);
        assert_eq!(c.status, Status::Fail);
        let p = c.problem.unwrap();
        assert_eq!(p.code, Code::ToolMissing);
        assert!(p.fix.unwrap().contains("sh.rustup.rs"));
    }

    #[test]
    fn a_missing_static_target_warns_with_the_rustup_command() {
        let c = verdict(Some("1.95.0".into()), false);
        assert_eq!(c.status, Status::Warn);
        assert_eq!(
            c.problem.unwrap().fix.as_deref(),
            Some("rustup target add x86_64-unknown-linux-gnu")
        );
        assert_eq!(verdict(Some("1.95.0".into()), true).status, Status::Pass);
    }

    #[test]
    fn the_version_is_read_from_cargo_s_own_words() {
        assert_eq!(
            parse_version("cargo 1.95.0 (f2d3ce0bd 2026-03-21)\n").as_deref(),
            Some("1.95.0")
        );
        assert_eq!(parse_version("sh: cargo: not found"), None);
    }

    #[tokio::test]
    async fn this_machine_has_cargo_and_the_static_target() {
        // The machine that runs DevLoop's tests builds the workshop, so both must be here.
        let c = check().await;
        assert!(c.cargo_version.is_some(), "{c:?}");
        assert!(c.static_target_installed, "{c:?}");
    }
}
