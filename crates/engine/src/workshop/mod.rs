//! Lesson packs: their format, the learner's lessons, trust, and resolving paths inside a pack.

mod digest;
pub mod learner;
pub mod pack;
pub mod path;
pub mod trust;
pub mod watch;

pub use crate::diagnostic::Diagnostic;

use std::path::Path;
use std::sync::Arc;

use crate::finding::Finding;
use crate::settings::Paths;
use crate::{Code, Error, Result};

/// Opens the pack in `pack_dir` for the learner described by `paths`: validates the pack,
/// opens the progress database, creates the workspace from the demo project if needed, and
/// remembers the pack, so `devloop lesson check LESSON` in a terminal checks the same lessons.
/// Blocking (files, SQLite, git).
pub fn open(paths: &Paths, pack_dir: &Path) -> Result<Arc<learner::Learner>> {
    let pack = pack::load(pack_dir).map_err(|diags| {
        let list: Vec<String> = diags.iter().map(ToString::to_string).collect();
        Error::said(
            Code::Workshop,
            Finding::refusal("packProblems", &diags.iter().collect::<Vec<_>>()),
            format!("the lesson pack has problems:\n{}", list.join("\n")),
        )
        .with_fix(format!("devloop workshop validate {}", pack_dir.display()))
    })?;
    let store = crate::store::Store::open(&paths.database_file())?;
    let workspace = paths.current_workspace();
    // A settings file that cannot be written costs only the short form of that command.
    let _ = paths.remember_pack(
        &pack_dir
            .canonicalize()
            .unwrap_or_else(|_| pack_dir.to_path_buf()),
    );
    let trust = trust::Trust::of(&pack, paths)?;
    let learner = learner::Learner::with_database(
        pack,
        workspace,
        store,
        Some(paths.database_file()),
        Some(trust),
    );
    learner.ensure_workspace()?;
    Ok(learner)
}
