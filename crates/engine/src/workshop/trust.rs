//! Pack trust, as editors trust a workspace: a pack other than the one DevLoop ships runs none of its own commands (command checks, Run buttons, solves) until the learner, having seen them, trusts it; trust is kept per content digest, so changed content asks again.

use serde::Serialize;
use ts_rs::TS;

use super::digest;
use super::pack::Pack;
use crate::check::Spec;
use crate::finding::Finding;
use crate::markdown;
use crate::settings::{Locale, Paths};
use crate::{Code, Error, Result};

/// The digest of the workshop as DevLoop ships it, baked in at build time (`build.rs`).
pub const SHIPPED: &str = env!("DEVLOOP_SHIPPED_PACK");

/// Which of a pack's commands a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum CommandKind {
    /// A `command.succeeds` check: runs by itself while its lesson is open.
    Check,
    /// A step's solve, run when the learner asks for it.
    Solve,
    /// A lesson's runnable code block (its Run button).
    Run,
}

/// One command a pack would run on the learner's machine.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PackCommand {
    pub lesson: String,
    pub kind: CommandKind,
    pub command: String,
}

/// Whether a pack may run its commands, and what they are, for the page that asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Trust {
    pub trusted: bool,
    /// The pack DevLoop ships, as shipped: trusted without asking.
    pub shipped: bool,
    /// The content digest that trust is kept under.
    pub digest: String,
    /// Where the pack is, for the CLI twin.
    pub pack_dir: String,
    pub commands: Vec<PackCommand>,
    /// `devloop workshop trust <dir>`: the same from a terminal.
    pub cli: String,
}

impl Trust {
    /// Works out the trust of `pack`: its digest against the shipped one and those the
    /// learner trusted. Blocking (reads the whole pack).
    pub fn of(pack: &Pack, paths: &Paths) -> Result<Trust> {
        let digest =
            digest::of(&pack.root).map_err(|e| Error::file(Code::Workshop, &pack.root, &e))?;
        let shipped = digest == SHIPPED;
        let trusted = shipped
            || paths
                .load()
                .is_ok_and(|s| s.trusted_packs.contains(&digest));
        let pack_dir = pack.root.display().to_string();
        Ok(Trust {
            trusted,
            shipped,
            cli: shlex::try_join(["devloop", "workshop", "trust", pack_dir.as_str()])
                .unwrap_or_else(|_| "devloop workshop trust".into()),
            digest,
            pack_dir,
            commands: commands(pack),
        })
    }

    /// The refusal of something only a trusted pack may do.
    pub fn refusal(&self) -> Error {
        Error::said(
            Code::Untrusted,
            Finding::new("packNotTrusted")
                .with("pack", &self.pack_dir)
                .run(&self.cli),
            format!(
                "{} is not the workshop DevLoop ships, so its commands run only once you trust it",
                self.pack_dir
            ),
        )
        .with_fix(self.cli.clone())
    }
}

/// Remembers that the learner trusts the pack whose content has `digest`. Refused when the
/// pack no longer has that content (it changed since the learner looked at its commands).
pub fn grant(pack: &Pack, paths: &Paths, digest: &str) -> Result<Trust> {
    let now = Trust::of(pack, paths)?;
    if now.digest != digest {
        return Err(Error::said(
            Code::Untrusted,
            Finding::new("packChanged").with("pack", &now.pack_dir),
            format!(
                "{} changed since its commands were shown; look at them again before trusting it",
                now.pack_dir
            ),
        )
        .with_fix(now.cli.clone()));
    }
    if !now.trusted {
        paths.trust_pack(digest)?;
    }
    Ok(Trust {
        trusted: true,
        ..now
    })
}

/// True for the checks that run a command of the pack's (the rest only read state).
pub fn runs_a_command(spec: &Spec) -> bool {
    matches!(spec, Spec::CommandSucceeds { .. })
}

/// Every command `pack` can run: its command checks, its solves, and the runnable code blocks
/// of its lessons in either language, each once.
pub fn commands(pack: &Pack) -> Vec<PackCommand> {
    let mut all = Vec::new();
    for lesson in &pack.lessons {
        let mut add = |kind, command: &str| {
            all.push(PackCommand {
                lesson: lesson.id.clone(),
                kind,
                command: command.trim().to_owned(),
            })
        };
        for step in &lesson.steps {
            if let Spec::CommandSucceeds { script, .. } = &step.check {
                add(CommandKind::Check, script);
            }
            if let Some(solve) = &step.solve {
                add(CommandKind::Solve, solve);
            }
        }
        for locale in [Locale::En, Locale::Ko] {
            let rendered = markdown::render(&lesson.text(locale).body, &|_| None);
            for block in rendered.code_blocks.iter().filter(|b| b.runnable) {
                add(CommandKind::Run, &block.code);
            }
        }
    }
    // In lesson order, each command once.
    let mut seen = std::collections::BTreeSet::new();
    all.retain(|c| seen.insert((c.lesson.clone(), c.kind, c.command.clone())));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_workshop_is_trusted_and_a_changed_copy_asks_again() {
        let src =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workshops/devops-loop");
        let home = tempfile::tempdir().unwrap();
        let paths = crate::settings::test_paths(home.path());
        let shipped = super::super::pack::load(&src).unwrap();
        let trust = Trust::of(&shipped, &paths).unwrap();
        assert!(trust.trusted && trust.shipped, "{}", trust.digest);
        assert!(trust
            .commands
            .iter()
            .any(|c| c.kind == CommandKind::Solve && c.command.contains("cargo build")));

        // A copy elsewhere with the same content is the same pack; one changed word is not.
        let copy = home.path().join("copy");
        assert!(std::process::Command::new("cp")
            .args(["-r"])
            .arg(&src)
            .arg(&copy)
            .status()
            .unwrap()
            .success());
        assert!(
            Trust::of(&super::super::pack::load(&copy).unwrap(), &paths)
                .unwrap()
                .trusted
        );
        let intro = copy.join("lessons/intro/en.md");
        let text = std::fs::read_to_string(&intro).unwrap();
        std::fs::write(&intro, text.replace("Software", "Programs")).unwrap();
        let changed = super::super::pack::load(&copy).unwrap();
        let trust = Trust::of(&changed, &paths).unwrap();
        assert!(!trust.trusted && !trust.shipped);
        assert_eq!(trust.refusal().code, Code::Untrusted);

        // Trusted for that content only: a stale digest is refused, the right one kept.
        let stale = grant(&changed, &paths, SHIPPED).unwrap_err();
        assert_eq!(stale.detail.unwrap().code, "packChanged");
        assert!(grant(&changed, &paths, &trust.digest).unwrap().trusted);
        assert!(Trust::of(&changed, &paths).unwrap().trusted);
        std::fs::write(&intro, text).unwrap();
        std::fs::write(copy.join("lessons/intro/img.txt"), "new").unwrap();
        assert!(
            !Trust::of(&super::super::pack::load(&copy).unwrap(), &paths)
                .unwrap()
                .trusted
        );
    }
}
