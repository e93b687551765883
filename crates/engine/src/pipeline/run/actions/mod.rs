//! Actions DevLoop runs natively, without downloading them: one file per action (or per pair
//! that shares a store), each an [`Action`] listed in [`ALL`].
//!
//! An action runs on the blocking pool (it copies files), reports through its [`Context`], and
//! may leave a post step that runs when the job ends, as GitHub's `post:` does (the cache
//! saves there, once the job has succeeded).

mod artifact;
mod cache;
mod checkout;
mod deploy;
mod docker_build;
mod release;
mod setup;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Result, RunEvent, Sink};

/// One native action.
pub trait Action: Sync {
    /// `owner/name` as written in `uses:`, without the `@version`.
    fn name(&self) -> &'static str;
    /// Runs it. `Err` is a failure with the reason, said in the step's log.
    fn run(&self, cx: &Context) -> std::result::Result<Done, String>;
}

/// Every native action. Adding one is a file beside this one and a line here.
pub const ALL: &[&dyn Action] = &[
    &checkout::Checkout,
    &artifact::Upload,
    &artifact::Download,
    &cache::Cache,
    &docker_build::BuildPush,
    &release::Release,
    &deploy::Deploy,
    &setup::NODE,
    &setup::PYTHON,
    &setup::GO,
    &setup::JAVA,
    &setup::RustToolchain,
    &setup::RustCache,
];

/// The action `uses` names (`actions/cache@v4`), when DevLoop has it.
pub fn find(uses: &str) -> Option<&'static dyn Action> {
    let name = uses.split('@').next().unwrap_or(uses);
    ALL.iter().copied().find(|a| a.name() == name)
}

/// What an action may see and touch.
#[derive(Clone)]
pub struct Context {
    /// The repository the run is about.
    pub repo: PathBuf,
    /// The commit the run checks out; empty means the repository's HEAD.
    pub sha: String,
    /// The job's workspace (`$GITHUB_WORKSPACE`).
    pub workspace: PathBuf,
    /// The run's folder; artifacts live in `artifacts/` under it.
    pub run_dir: PathBuf,
    /// Shared between runs: `actions/cache` keeps its entries here.
    pub cache_dir: PathBuf,
    /// The step's `with:` inputs, expressions already evaluated.
    pub with: BTreeMap<String, String>,
    /// `uses:` as written (`dtolnay/rust-toolchain@1.75`): some actions take their input
    /// from the ref.
    pub uses: String,
    /// The `PATH` a `run:` step would get now: where the tools a setup action checks are.
    pub search_path: String,
    /// The job's environment as a step would get it now (`RUSTUP_TOOLCHAIN` an earlier step
    /// chose).
    pub env: BTreeMap<String, String>,
    pub job: String,
    pub step: u32,
    pub sink: Sink,
    /// Masked in everything the action says.
    pub secrets: std::sync::Arc<Vec<String>>,
    /// DevLoop's folders, for actions that keep things beyond the run (releases).
    pub paths: Option<crate::settings::Paths>,
    /// The deploy service this DevLoop process shares, for `devloop/deploy`.
    pub service: Option<crate::service::host::Slot>,
    /// What started the run (`push`, `workflow_dispatch`): a person's run is a person's click.
    pub event: String,
    pub run_number: u64,
    /// Continuous Deployment is on: a push run's deploy goes live by itself.
    pub continuous_deployment: bool,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("job", &self.job)
            .field("step", &self.step)
            .field("with", &self.with)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// `text` with the run's secrets masked: for what an action keeps on disk under a name
    /// the workflow chose (an artifact's folder), which no event masking reaches.
    pub fn masked(&self, text: &str) -> String {
        super::mask::LineMasker::new(self.secrets.iter().cloned()).mask_text(text)
    }

    pub fn log(&self, text: impl Into<String>) {
        (self.sink)(RunEvent::Log {
            job: self.job.clone(),
            step: self.step,
            text: self.masked(&text.into()),
            stderr: false,
            at_ms: 0,
        });
    }

    pub fn input(&self, key: &str) -> Option<&str> {
        self.with
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// A multi-line input (`path:` lists), one entry a line, blanks dropped.
    pub fn lines(&self, key: &str) -> Vec<String> {
        self.with
            .get(key)
            .map(|v| {
                v.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A path as a workflow writes it: `~/x` is in the home folder, a relative one is in the
    /// workspace.
    pub fn resolve(&self, path: &str) -> PathBuf {
        if let Some(rest) = path.strip_prefix("~/") {
            if let Some(home) = std::env::var_os("HOME") {
                return PathBuf::from(home).join(rest);
            }
        }
        self.workspace.join(path)
    }
}

/// A post step: runs when the job ends, told whether the job succeeded.
pub type Post = Box<dyn FnOnce(bool) + Send>;

/// What an action did.
pub struct Done {
    pub outcome: Result,
    pub outputs: BTreeMap<String, String>,
    pub post: Option<Post>,
    /// Folders the later steps of the job find first on `PATH`, as `$GITHUB_PATH` adds them.
    pub path: Vec<PathBuf>,
    /// Variables the later steps of the job get, as `$GITHUB_ENV` sets them.
    pub env: BTreeMap<String, String>,
}

impl std::fmt::Debug for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Done")
            .field("outcome", &self.outcome)
            .field("outputs", &self.outputs)
            .field("post", &self.post.is_some())
            .finish()
    }
}

impl Done {
    pub fn success() -> Self {
        Done {
            outcome: Result::Success,
            outputs: BTreeMap::new(),
            post: None,
            path: Vec::new(),
            env: BTreeMap::new(),
        }
    }

    pub fn output(mut self, key: &str, value: impl Into<String>) -> Self {
        self.outputs.insert(key.to_owned(), value.into());
        self
    }
}

/// An engine error as a step's failure reason: the message, and the fix when there is one.
pub fn said(e: crate::Error) -> String {
    match e.fix {
        Some(fix) => format!("{} ({fix})", e.message),
        None => e.message,
    }
}

/// Copies the tree at `from` to `to` (a file or a folder); returns files and bytes copied.
/// Symbolic links are skipped, never followed: a link could lead anywhere on the machine.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<(u64, u64)> {
    let meta = std::fs::symlink_metadata(from)?;
    if meta.file_type().is_symlink() {
        return Ok((0, 0));
    }
    if meta.is_file() {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let bytes = std::fs::copy(from, to)?;
        return Ok((1, bytes));
    }
    std::fs::create_dir_all(to)?;
    let (mut files, mut bytes) = (0, 0);
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (f, b) = copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        files += f;
        bytes += b;
    }
    Ok((files, bytes))
}

/// Every regular file under `root` (or `root` itself), as paths relative to `base`.
pub fn files_under(root: &Path, base: &Path, out: &mut Vec<PathBuf>) {
    let Ok(meta) = std::fs::symlink_metadata(root) else {
        return;
    };
    if meta.is_file() {
        if let Ok(rel) = root.strip_prefix(base) {
            out.push(rel.to_path_buf());
        }
    } else if meta.is_dir() {
        for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
            files_under(&entry.path(), base, out);
        }
    }
}
