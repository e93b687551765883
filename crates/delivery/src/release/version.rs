//! Semantic versions and the next one, proposed from the conventional commits since the last
//! release: a breaking change (`feat!:` or a `BREAKING CHANGE:` footer) bumps the major, a
//! `feat` the minor, anything else the patch.

use std::fmt;

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    pub const FIRST: Version = Version {
        major: 0,
        minor: 1,
        patch: 0,
    };

    /// `1.2.3` or `v1.2.3`, read by the `semver` crate; pre-release and build suffixes are
    /// not used for releases here, so a version with one is not a release version.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let v = semver::Version::parse(text).ok()?;
        (v.pre.is_empty() && v.build.is_empty()).then_some(Version {
            major: v.major,
            minor: v.minor,
            patch: v.patch,
        })
    }

    pub fn bump(self, bump: Bump) -> Version {
        match bump {
            Bump::Major => Version {
                major: self.major + 1,
                minor: 0,
                patch: 0,
            },
            Bump::Minor => Version {
                minor: self.minor + 1,
                patch: 0,
                ..self
            },
            Bump::Patch => Version {
                patch: self.patch + 1,
                ..self
            },
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Which part of the version a release moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Bump {
    Patch,
    Minor,
    Major,
}

/// One commit message read as a conventional commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conventional {
    /// `feat`, `fix`, `docs`...; `None` when the subject does not follow the convention.
    pub kind: Option<String>,
    pub scope: Option<String>,
    pub breaking: bool,
    /// The subject without its `type(scope)!:` prefix.
    pub subject: String,
}

impl Conventional {
    pub fn parse(message: &str) -> Conventional {
        let subject_line = message.lines().next().unwrap_or("").trim();
        let footer_breaking = message
            .lines()
            .any(|l| l.starts_with("BREAKING CHANGE:") || l.starts_with("BREAKING-CHANGE:"));
        let plain = Conventional {
            kind: None,
            scope: None,
            breaking: footer_breaking,
            subject: subject_line.to_owned(),
        };
        let Some((head, subject)) = subject_line.split_once(':') else {
            return plain;
        };
        let (head, bang) = match head.strip_suffix('!') {
            Some(h) => (h, true),
            None => (head, false),
        };
        let (kind, scope) = match head.split_once('(') {
            Some((k, rest)) => match rest.strip_suffix(')') {
                Some(scope) => (k, Some(scope.to_owned())),
                None => return plain,
            },
            None => (head, None),
        };
        if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_alphabetic()) {
            return plain;
        }
        Conventional {
            kind: Some(kind.to_ascii_lowercase()),
            scope,
            breaking: bang || footer_breaking,
            subject: subject.trim().to_owned(),
        }
    }

    pub fn bump(&self) -> Bump {
        if self.breaking {
            Bump::Major
        } else if self.kind.as_deref() == Some("feat") {
            Bump::Minor
        } else {
            Bump::Patch
        }
    }
}

/// The version after `last` given the messages of the commits since it; the first release is
/// 0.1.0. Returns the bump too, so a person can see why.
pub fn next(last: Option<Version>, messages: &[&str]) -> (Version, Bump) {
    let bump = messages
        .iter()
        .map(|m| Conventional::parse(m).bump())
        .max()
        .unwrap_or(Bump::Patch);
    match last {
        None => (Version::FIRST, bump),
        Some(v) => (v.bump(bump), bump),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_strictly() {
        assert_eq!(
            Version::parse("v1.2.3"),
            Some(Version {
                major: 1,
                minor: 2,
                patch: 3
            })
        );
        for bad in [
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.-2.3",
            "a.b.c",
            "",
            "v",
            "1.2.3-rc1",
            "1.2.3+build.5",
        ] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_biggest_change_since_the_last_release_decides() {
        let v = Version::parse("1.4.2");
        assert_eq!(
            next(v, &["fix: typo", "docs: readme"]).0.to_string(),
            "1.4.3"
        );
        assert_eq!(next(v, &["fix: a", "feat(api): b"]).0.to_string(), "1.5.0");
        assert_eq!(next(v, &["feat!: drop v1 paths"]).0.to_string(), "2.0.0");
        assert_eq!(
            next(v, &["refactor: x\n\nBREAKING CHANGE: the port moved"])
                .0
                .to_string(),
            "2.0.0"
        );
        assert_eq!(
            next(v, &["Update stuff"]).1,
            Bump::Patch,
            "not conventional: a patch"
        );
        assert_eq!(next(None, &["feat: a"]).0, Version::FIRST);
    }

    #[test]
    fn subjects_that_only_look_conventional_are_read_as_plain() {
        let c = Conventional::parse("Merge branch 'x': conflicts fixed");
        assert_eq!(c.kind, None);
        let c = Conventional::parse("feat(ui: broken scope");
        assert_eq!(c.kind, None);
        let c = Conventional::parse("fix(http)!: reject bad requests");
        assert_eq!(
            (
                c.kind.as_deref(),
                c.scope.as_deref(),
                c.breaking,
                c.subject.as_str()
            ),
            (Some("fix"), Some("http"), true, "reject bad requests")
        );
    }
}
