//! The alert rules a learner edited, kept as `alerts.json` in the settings folder (written
//! aside, then renamed); the defaults until there is one. A file that does not parse is an
//! error with its line and column, and the defaults stay in force meanwhile.

use super::alert::{self, Rule};
use crate::finding::Finding;
use crate::settings::Paths;
use crate::{Code, Error, Result};

/// Where the rules are kept.
pub fn file(paths: &Paths) -> std::path::PathBuf {
    paths.config_dir.join("alerts.json")
}

/// The rules in force.
pub fn load(paths: &Paths) -> Result<Vec<Rule>> {
    let path = file(paths);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(alert::defaults()),
        // Not text at all: said as broken like a parse error, with the same way out.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            return Err(Error::said(
                Code::Settings,
                Finding::new("rulesBroken")
                    .with("at", path.display())
                    .with("cause", &e),
                format!("{}: {e}", path.display()),
            )
            .with_fix(format!("$EDITOR {}", path.display())))
        }
        Err(e) => return Err(Error::file(Code::Settings, &path, &e)),
    };
    let mut rules: Vec<Rule> = serde_json::from_str(&text).map_err(|e| {
        Error::said(
            Code::Settings,
            Finding::new("rulesBroken")
                .with(
                    "at",
                    format!("{}:{}:{}", path.display(), e.line(), e.column()),
                )
                .with("cause", &e),
            format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()),
        )
        .with_fix(format!("$EDITOR {}", path.display()))
    })?;
    check(&rules)?;
    rules.iter_mut().for_each(alert::unfix);
    Ok(rules)
}

/// Each rule's problems, and a name used twice (the alert history and the plan's bug items
/// tell alerts apart by name); the first problem is the error.
pub fn check(rules: &[Rule]) -> Result<()> {
    let mut names = std::collections::HashSet::new();
    for r in rules {
        r.check()?;
        if !names.insert(r.name.trim()) {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("ruleNameTwice").with("rule", r.name.trim()),
                format!(
                    "two alerts are named `{}`: give each alert its own name",
                    r.name.trim()
                ),
            ));
        }
    }
    Ok(())
}

/// Writes `rules` in place of the file; one that does not load (a hand edit gone wrong) is
/// kept as `alerts.json.broken` first, so it is never lost.
pub fn save(paths: &Paths, rules: &[Rule]) -> Result<()> {
    let path = file(paths);
    let io = |e: std::io::Error| Error::file(Code::Settings, &path, &e);
    std::fs::create_dir_all(&paths.config_dir).map_err(io)?;
    if path.exists() && load(paths).is_err() {
        std::fs::rename(&path, path.with_extension("json.broken")).map_err(io)?;
    }
    let text = serde_json::to_string_pretty(rules)
        .map_err(|e| Error::internal(format!("rules do not serialise: {e}")))?;
    crate::atomic::write(&path, (text + "\n").as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::settings::test_paths as paths;

    #[test]
    fn a_name_used_twice_is_refused() {
        let mut rules = alert::defaults();
        assert!(check(&rules).is_ok());
        rules.push(rules[0].clone());
        let e = check(&rules).unwrap_err();
        assert_eq!(
            e.message,
            "two alerts are named `HostCpuHigh`: give each alert its own name"
        );
    }

    #[test]
    fn defaults_until_saved_then_what_was_saved_and_a_broken_file_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        assert_eq!(load(&p).unwrap(), alert::defaults());
        let mut rules = alert::defaults();
        rules[0].threshold = 70.0;
        save(&p, &rules).unwrap();
        assert_eq!(load(&p).unwrap()[0].threshold, 70.0);
        std::fs::write(file(&p), "[{\"name\": 1}]").unwrap();
        let e = load(&p).unwrap_err();
        assert!(e.message.contains("alerts.json:1:"), "{}", e.message);
    }
}
