//! Release notes from the commits since the last release, grouped the way readers scan them:
//! breaking changes first, then features, fixes, and everything else.

use super::version::Conventional;

/// One commit as the notes list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub short_sha: String,
    pub message: String,
}

/// Markdown notes for `version`; an empty list says so rather than leaving a blank page.
pub fn render(version: &str, commits: &[Entry]) -> String {
    let mut groups: [(&str, Vec<String>); 4] = [
        ("Breaking changes", Vec::new()),
        ("Features", Vec::new()),
        ("Fixes", Vec::new()),
        ("Other changes", Vec::new()),
    ];
    for c in commits {
        let cc = Conventional::parse(&c.message);
        let scope = cc
            .scope
            .as_ref()
            .map(|s| format!("**{s}:** "))
            .unwrap_or_default();
        let line = format!("- {scope}{} ({})", cc.subject, c.short_sha);
        let group = if cc.breaking {
            0
        } else {
            match cc.kind.as_deref() {
                Some("feat") => 1,
                Some("fix") => 2,
                _ => 3,
            }
        };
        groups[group].1.push(line);
    }
    let mut out = format!("# {version}\n");
    if commits.is_empty() {
        out.push_str("\nNo changes since the last release.\n");
    }
    for (title, lines) in groups.iter().filter(|(_, l)| !l.is_empty()) {
        out.push_str(&format!("\n## {title}\n\n{}\n", lines.join("\n")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_are_grouped_breaking_first() {
        let e = |sha: &str, m: &str| Entry {
            short_sha: sha.into(),
            message: m.into(),
        };
        let notes = render(
            "2.0.0",
            &[
                e("a1", "fix(http): close idle connections"),
                e("b2", "feat: version endpoint"),
                e("c3", "feat!: new port"),
                e("d4", "chore: tidy"),
            ],
        );
        let breaking = notes.find("## Breaking changes").unwrap();
        let features = notes.find("## Features").unwrap();
        let fixes = notes.find("## Fixes").unwrap();
        assert!(breaking < features && features < fixes, "{notes}");
        assert!(
            notes.contains("- **http:** close idle connections (a1)"),
            "{notes}"
        );
        assert!(notes.contains("- new port (c3)"));
        assert!(notes.contains("## Other changes\n\n- tidy (d4)"));
        assert!(render("0.1.1", &[]).contains("No changes since the last release."));
    }
}
