//! File checks in the learner's workspace.

use std::io::Read;
use std::path::Path;

use super::{Finding, Outcome, Spec};

/// Files larger than this are read only this far: a lesson pattern is about source files,
/// and a learner's 4 GiB log must not stall the check.
const READ_LIMIT: u64 = 4 * 1024 * 1024;

/// `path` is not in the workspace: the finding every file-based check gives.
pub(super) fn missing(path: &str) -> Outcome {
    Outcome::found(
        Finding::new("fileMissing").with("path", path),
        format!("`{path}` does not exist in the workspace yet"),
    )
}

pub fn evaluate(spec: &Spec, workspace: &Path) -> Outcome {
    match spec {
        Spec::FileExists { path } => {
            if workspace.join(path).exists() {
                Outcome::Pass
            } else {
                missing(path)
            }
        }
        Spec::FileContains { path, pattern } => {
            let Ok(re) = regex::Regex::new(pattern) else {
                return Outcome::error(format!(
                    "the lesson's pattern `{pattern}` is not a valid regex"
                ));
            };
            let mut text = String::new();
            let read = std::fs::File::open(workspace.join(path))
                .and_then(|f| f.take(READ_LIMIT).read_to_string(&mut text));
            match read {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing(path),
                Err(e) => Outcome::error(format!("cannot read `{path}`: {e}")),
                Ok(_) if re.is_match(&text) => Outcome::Pass,
                Ok(_) => Outcome::found(
                    Finding::new("fileLacks").with("path", path),
                    format!("`{path}` does not contain what this step asks for yet"),
                ),
            }
        }
        _ => Outcome::error("not a file check"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exists_and_contains_look_at_the_real_file() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path();
        let contains = |p: &str| {
            evaluate(
                &Spec::FileContains {
                    path: "Dockerfile".into(),
                    pattern: p.into(),
                },
                ws,
            )
        };
        assert!(matches!(
            evaluate(
                &Spec::FileExists {
                    path: "Dockerfile".into()
                },
                ws
            ),
            Outcome::Fail { .. }
        ));
        assert!(matches!(contains("FROM scratch"), Outcome::Fail { .. }));
        std::fs::write(ws.join("Dockerfile"), "FROM scratch\nCOPY app /app\n").unwrap();
        assert_eq!(
            evaluate(
                &Spec::FileExists {
                    path: "Dockerfile".into()
                },
                ws
            ),
            Outcome::Pass
        );
        assert_eq!(contains("(?m)^FROM scratch$"), Outcome::Pass);
        assert!(matches!(contains("HEALTHCHECK"), Outcome::Fail { .. }));
    }

    #[test]
    fn binary_files_are_an_error_not_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("blob"), [0xff, 0xfe, 0x00]).unwrap();
        let out = evaluate(
            &Spec::FileContains {
                path: "blob".into(),
                pattern: "x".into(),
            },
            dir.path(),
        );
        assert!(matches!(out, Outcome::Error { .. }), "{out:?}");
    }
}
