//! Releases: a commit of the workspace turned into a version. The next semantic version is
//! proposed from the conventional commits since the last `v*` tag (`version.rs`), the notes
//! group those commits (`notes.rs`), and [`create`] builds the image, tags it with the version
//! and the short sha, saves it as an archive in the releases folder, puts an annotated git tag
//! on the commit, and records it. The git tag comes last of the visible steps, so a tag always
//! means an image and an archive exist.
//!
//! The image is built from a clean checkout of exactly the released commit (`checkout.rs`),
//! after the build `devloop.toml` names (`recipe.rs`), never from the learner's folder.

pub mod checkout;
pub mod notes;
pub mod recipe;
pub mod version;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use serde::Serialize;
use ts_rs::TS;

use crate::docker::build::{self, BuildEvent, BuildRequest};
use crate::docker::Engine;
use crate::finding::Finding;
pub use crate::record::release::ReleaseRecord;
use crate::settings::Paths;
use crate::store::{now, Store};
use crate::{blocking, Code, Error};
use version::{Bump, Version};

/// The label every image and container DevLoop makes carries: the app it belongs to. DevLoop
/// only ever removes what carries it.
pub const LABEL_APP: &str = "dev.devloop.app";
pub const LABEL_VERSION: &str = "dev.devloop.version";
pub const LABEL_COMMIT: &str = "dev.devloop.commit";

/// What the next release would be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReleasePlan {
    /// The image name (`loop-service`).
    pub app: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
    pub proposed: String,
    pub bump: Bump,
    /// The version the commit's `Cargo.toml` declares: what the service itself reports. A
    /// release named otherwise is shown with a warning.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<String>,
    /// The commits since the last release, newest first: short sha and first line.
    pub commits: Vec<(String, String)>,
    pub notes: String,
    pub sha: String,
    /// Tracked files have uncommitted changes: a release must be a commit, so it is refused.
    pub dirty: bool,
    /// Those files, relative to the repository, so the learner knows what to commit.
    pub dirty_files: Vec<String>,
    /// The command that makes this release.
    pub cli: String,
}

/// What a release reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ReleaseEvent {
    /// `checkout`, `compile` (the recipe's build), `build` (the image), `save`, `tag` or
    /// `record` started.
    #[serde(rename_all = "camelCase")]
    Phase { phase: String },
    #[serde(rename_all = "camelCase")]
    Build { event: BuildEvent },
    /// A line the recipe's build printed.
    #[serde(rename_all = "camelCase")]
    Compile { line: String },
    /// The image archive has this many bytes so far.
    #[serde(rename_all = "camelCase")]
    Saving {
        #[ts(type = "number")]
        bytes: u64,
    },
}

/// The image name for the project at `repo`: its Cargo package name, else its folder's name.
pub fn app_name(repo: &Path) -> String {
    let from_cargo = std::fs::read_to_string(repo.join("Cargo.toml"))
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_owned));
    let raw = from_cargo.unwrap_or_else(|| {
        repo.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "app".into())
    });
    // Image names are lowercase letters, digits and separators.
    let name: String = raw
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name
        .trim_matches(|c| c == '-' || c == '.' || c == '_')
        .to_owned();
    if name.is_empty() {
        "app".into()
    } else {
        name
    }
}

fn git(e: git2::Error) -> Error {
    Error::said(
        Code::GitUnavailable,
        Finding::new("repositoryFailed").with("cause", e.message()),
        format!("git: {}", e.message()),
    )
}

/// The newest `v*` version tag on HEAD's history, with its commit.
fn last_release(
    repo: &git2::Repository,
    head: git2::Oid,
) -> Result<Option<(Version, git2::Oid)>, Error> {
    let mut best: Option<(Version, git2::Oid)> = None;
    let names = repo.tag_names(Some("v*")).map_err(git)?;
    for name in (0..names.len()).filter_map(|i| names.get(i).ok().flatten()) {
        let Some(v) = Version::parse(name) else {
            continue;
        };
        let Ok(commit) = repo
            .revparse_single(&format!("refs/tags/{name}"))
            .and_then(|o| o.peel_to_commit())
        else {
            continue;
        };
        let on_history =
            commit.id() == head || repo.graph_descendant_of(head, commit.id()).unwrap_or(false);
        if on_history && best.is_none_or(|(b, _)| v > b) {
            best = Some((v, commit.id()));
        }
    }
    Ok(best)
}

/// The `package.version` of `Cargo.toml` as committed in `commit` (not as the folder has it).
fn declared_version(repo: &git2::Repository, commit: &git2::Commit) -> Option<Version> {
    let blob = commit
        .tree()
        .ok()?
        .get_path(Path::new("Cargo.toml"))
        .ok()?
        .to_object(repo)
        .ok()?
        .peel_to_blob()
        .ok()?;
    let table = std::str::from_utf8(blob.content())
        .ok()?
        .parse::<toml::Table>()
        .ok()?;
    Version::parse(table.get("package")?.get("version")?.as_str()?)
}

/// What releasing the repository's HEAD now would do. Blocking (git2).
pub fn plan(repo_dir: &Path) -> Result<ReleasePlan, Error> {
    let repo = git2::Repository::open(repo_dir).map_err(|e| {
        Error::said(
            Code::WorkspaceUnusable,
            Finding::new("notARepository")
                .with("path", repo_dir.display())
                .with("cause", e.message()),
            format!(
                "{} is not a git repository: {}",
                repo_dir.display(),
                e.message()
            ),
        )
    })?;
    let head = repo.head().and_then(|h| h.peel_to_commit()).map_err(|_| {
        Error::said(
            Code::InvalidInput,
            Finding::new("noCommitYet"),
            "the repository has no commit yet",
        )
        .with_fix("git commit")
    })?;
    let last = last_release(&repo, head.id())?;
    let mut walk = repo.revwalk().map_err(git)?;
    walk.push(head.id()).map_err(git)?;
    if let Some((_, oid)) = &last {
        walk.hide(*oid).map_err(git)?;
    }
    let mut entries = Vec::new();
    for oid in walk.flatten() {
        let Ok(c) = repo.find_commit(oid) else {
            continue;
        };
        entries.push(notes::Entry {
            short_sha: oid.to_string()[..7].to_owned(),
            message: c.message().unwrap_or("").to_owned(),
        });
    }
    let messages: Vec<&str> = entries.iter().map(|e| e.message.as_str()).collect();
    let (mut proposed, bump) = version::next(last.map(|(v, _)| v), &messages);
    let declared = declared_version(&repo, &head);
    // A project that declares a newer version than its commits ask for (bumped by hand, as
    // the Release lesson does) is released as that version: the one its binary reports.
    if let Some(d) = declared {
        if d > proposed {
            proposed = d;
        }
    }
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(false).include_ignored(false);
    let dirty_files: Vec<String> = repo
        .statuses(Some(&mut opts))
        .map(|s| {
            s.iter()
                .filter_map(|e| e.path().ok().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let proposed = proposed.to_string();
    Ok(ReleasePlan {
        app: app_name(repo_dir),
        last: last.map(|(v, _)| v.to_string()),
        notes: notes::render(&proposed, &entries),
        commits: entries
            .iter()
            .map(|e| {
                (
                    e.short_sha.clone(),
                    e.message.lines().next().unwrap_or("").to_owned(),
                )
            })
            .collect(),
        cli: format!("devloop release --version {proposed}"),
        proposed,
        bump,
        sha: head.id().to_string(),
        declared: declared.map(|d| d.to_string()),
        dirty: !dirty_files.is_empty(),
        dirty_files,
    })
}

/// How to make a release.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Overrides the proposed version.
    pub version: Option<String>,
    /// The Dockerfile, relative to the build context (default `Dockerfile`).
    pub dockerfile: Option<String>,
    /// The build context, a folder of the repository (default: its root).
    pub context: Option<String>,
    /// The image name, instead of the one read from the project.
    pub app: Option<String>,
    /// The repository that gets the git tag, when the build happens in a copy of it (a
    /// workflow job's checkout); by default the one released.
    pub tag_repo: Option<PathBuf>,
    /// The folder is already a clean checkout of the commit, built by the steps before (a
    /// workflow job's workspace), so the image is built from it as it is. Otherwise the commit
    /// is checked out afresh and `devloop.toml`'s build runs there first.
    pub built_in_place: bool,
}

/// Releases HEAD of `repo_dir`: image, archive, tag, record. Reports to `sink`.
pub async fn create(
    engine: &Engine,
    paths: &Paths,
    repo_dir: &Path,
    opts: &Options,
    sink: &(dyn Fn(ReleaseEvent) + Send + Sync),
) -> Result<ReleaseRecord, Error> {
    let dir = repo_dir.to_path_buf();
    let mut plan = blocking(move || plan(&dir)).await?;
    if let Some(app) = &opts.app {
        plan.app = app.clone();
    }
    let tag_repo = opts
        .tag_repo
        .clone()
        .unwrap_or_else(|| repo_dir.to_path_buf());
    // What a release killed half-way left (a `.partial` archive, a tag with no record) goes
    // first, so the plan sees the releases that were really made.
    let (db, releases, tags) = (
        paths.database_file(),
        paths.releases_dir(),
        tag_repo.clone(),
    );
    let cleaned = blocking(move || clean_leftovers(&db, &releases, &tags)).await?;
    if cleaned {
        let dir = repo_dir.to_path_buf();
        let app = plan.app.clone();
        plan = blocking(move || self::plan(&dir)).await?;
        plan.app = app;
    }
    if plan.dirty {
        // What ships is the commit; an edit left out of it would be silently missing.
        return Err(Error::said(Code::InvalidInput, Finding::new("dirtyFiles").with("files", plan.dirty_files.join(", ")), format!(
                "these tracked files have changes that are not committed: {}; a release is made from a commit, so commit them (or stash them) first",
                plan.dirty_files.join(", ")
            )).with_fix(format!(
            "git add {} && git commit -m 'fix: …'",
            shlex::try_join(plan.dirty_files.iter().map(String::as_str))
                .unwrap_or_else(|_| "-A".into())
        )));
    }
    if let (Some(last), true) = (&plan.last, plan.commits.is_empty()) {
        return Err(Error::said(Code::InvalidInput, Finding::new("alreadyReleased").with("version", last), format!("this commit is already released as {last}; there is nothing new to release: commit a change (feat: or fix: …), then release")));
    }
    let version = match &opts.version {
        Some(v) => Version::parse(v).ok_or_else(|| {
            Error::said(
                Code::InvalidInput,
                Finding::new("notAVersion").with("version", v),
                format!("`{v}` is not a version like 1.2.3"),
            )
            .with_fix(format!("devloop release --version {}", plan.proposed))
        })?,
        None => Version::parse(&plan.proposed).unwrap_or(Version::FIRST),
    };
    if let Some(last) = plan.last.as_deref().and_then(Version::parse) {
        if version <= last {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("notNewer")
                    .with("version", version)
                    .with("last", last),
                format!("{version} is not newer than the last release, {last}"),
            )
            .with_fix(format!("devloop release --version {}", plan.proposed)));
        }
    }
    let tag = format!("v{version}");
    let (repo_dir_for_tags, tag_ref) = (tag_repo.clone(), format!("refs/tags/{tag}"));
    let taken = blocking(move || {
        let repo = git2::Repository::open(&repo_dir_for_tags).map_err(git)?;
        let taken = repo.revparse_single(&tag_ref).is_ok();
        Ok(taken)
    })
    .await?;
    if taken {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("tagTaken").with("tag", &tag),
            format!("the tag {tag} already exists on another commit"),
        )
        .with_fix(format!("devloop release --version {}", plan.proposed)));
    }
    let short = &plan.sha[..7];
    // The notes were written with full messages (breaking footers included); only the title
    // changes when the learner picked another version.
    let notes = plan
        .notes
        .replacen(&format!("# {}", plan.proposed), &format!("# {version}"), 1);

    // A fresh copy of the commit, and what its recipe builds there: the image holds exactly
    // what the commit makes. The copy lives until the image is built.
    let checkout = if opts.built_in_place {
        None
    } else {
        sink(ReleaseEvent::Phase {
            phase: "checkout".into(),
        });
        let (dir, sha, under) = (repo_dir.to_path_buf(), plan.sha.clone(), paths.builds_dir());
        let copy = blocking(move || {
            checkout::remove_abandoned(&under, std::time::SystemTime::now());
            checkout::export(&dir, &sha, &under)
        })
        .await?;
        let recipe = recipe::read(copy.path())?;
        if recipe.build.is_some() {
            sink(ReleaseEvent::Phase {
                phase: "compile".into(),
            });
            checkout::build(copy.path(), &recipe, &|line| {
                sink(ReleaseEvent::Compile { line })
            })
            .await?;
        }
        Some(copy)
    };
    let source = checkout
        .as_ref()
        .map_or_else(|| repo_dir.to_path_buf(), |c| c.path().to_path_buf());

    sink(ReleaseEvent::Phase {
        phase: "build".into(),
    });
    let labels = BTreeMap::from([
        (LABEL_APP.to_owned(), plan.app.clone()),
        (LABEL_VERSION.to_owned(), version.to_string()),
        (LABEL_COMMIT.to_owned(), plan.sha.clone()),
    ]);
    let context = match opts.context.as_deref() {
        Some(c) if c.split('/').any(|p| p == "..") || c.starts_with('/') => {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("contextOutside").with("context", c),
                format!("the build context `{c}` is outside the repository: name a folder inside it, like `web`"),
            ))
        }
        Some(c) => source.join(c),
        None => source.clone(),
    };
    let request = BuildRequest {
        context,
        dockerfile: opts
            .dockerfile
            .clone()
            .unwrap_or_else(|| "Dockerfile".into()),
        tags: vec![
            format!("{}:{version}", plan.app),
            format!("{}:{short}", plan.app),
        ],
        build_args: BTreeMap::new(),
        labels,
    };
    let built = build::build(engine, &request, &|e| {
        sink(ReleaseEvent::Build { event: e })
    })
    .await?;
    drop(checkout);
    // From here a release is all or nothing: a step that fails takes back what the steps
    // before it made (image tags, archive, git tag), so a retry starts clean.
    let mut made = Made {
        images: request.tags.clone(),
        archive: None,
        tag: None,
    };
    match finish(
        engine, paths, &plan, &version, &tag, &tag_repo, notes, built, &mut made, sink,
    )
    .await
    {
        Ok(record) => Ok(record),
        Err(e) => {
            made.undo(engine).await;
            Err(e)
        }
    }
}

/// What a release made so far, to take back if a later step fails.
struct Made {
    images: Vec<String>,
    archive: Option<PathBuf>,
    /// The repository and the tag.
    tag: Option<(PathBuf, String)>,
}

impl Made {
    async fn undo(self, engine: &Engine) {
        if let Some((repo, tag)) = self.tag {
            let _ = blocking(move || {
                git2::Repository::open(&repo)
                    .and_then(|r| r.tag_delete(&tag))
                    .map_err(git)
            })
            .await;
        }
        if let Some(archive) = self.archive {
            let _ = tokio::fs::remove_file(archive).await;
        }
        for image in self.images {
            let _ = engine
                .client()
                .remove_image(
                    &image,
                    None::<bollard::query_parameters::RemoveImageOptions>,
                    None,
                )
                .await;
        }
    }
}

/// Removes what an interrupted release left: `.partial` archives, and tags DevLoop made whose
/// release was never recorded (the release was killed before its record). True when a tag
/// went, since the plan changes then.
fn clean_leftovers(db: &Path, releases: &Path, tag_repo: &Path) -> Result<bool, Error> {
    for entry in std::fs::read_dir(releases).into_iter().flatten().flatten() {
        if entry.path().extension().is_some_and(|e| e == "partial") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    // Without the history, no tag can be told a leftover: none is touched.
    let Ok(records) = Store::open(db).and_then(|s| s.releases()) else {
        return Ok(false);
    };
    // Recorded under any app name: a project renamed since keeps its old releases' tags.
    let recorded: Vec<String> = records.into_iter().map(|r| r.version).collect();
    let repo = git2::Repository::open(tag_repo).map_err(git)?;
    let names = repo.tag_names(Some("v*")).map_err(git)?;
    let mut removed = false;
    for name in (0..names.len()).filter_map(|i| names.get(i).ok().flatten()) {
        let Some(version) = Version::parse(name) else {
            continue;
        };
        let ours = repo
            .revparse_single(&format!("refs/tags/{name}"))
            .ok()
            .and_then(|o| o.into_tag().ok())
            .and_then(|t| {
                t.message_bytes()
                    .map(|m| String::from_utf8_lossy(m).into_owned())
            })
            .is_some_and(|m| m.contains(TRAILER));
        if ours && !recorded.contains(&version.to_string()) {
            repo.tag_delete(name).map_err(git)?;
            removed = true;
        }
    }
    Ok(removed)
}

/// Marks the tags DevLoop makes, so a leftover of an interrupted release is told from a tag
/// the learner made by hand, which is never removed.
const TRAILER: &str = "Released-with: DevLoop";

/// Saves, tags and records a release whose image is built; `made` learns each thing made.
#[allow(clippy::too_many_arguments)]
async fn finish(
    engine: &Engine,
    paths: &Paths,
    plan: &ReleasePlan,
    version: &Version,
    tag: &str,
    tag_repo: &Path,
    notes: String,
    built: build::Built,
    made: &mut Made,
    sink: &(dyn Fn(ReleaseEvent) + Send + Sync),
) -> Result<ReleaseRecord, Error> {
    sink(ReleaseEvent::Phase {
        phase: "save".into(),
    });
    let archive = save(
        engine,
        &paths.releases_dir(),
        &format!("{}:{version}", plan.app),
        sink,
    )
    .await?;
    made.archive = Some(archive.clone());
    let image_bytes = engine
        .client()
        .inspect_image(&built.image_id)
        .await
        .ok()
        .and_then(|i| i.size)
        .unwrap_or(0) as u64;

    sink(ReleaseEvent::Phase {
        phase: "tag".into(),
    });
    let (dir, sha, message) = (
        tag_repo.to_path_buf(),
        plan.sha.clone(),
        format!("{notes}\n\n{TRAILER}\n"),
    );
    let tag_name = tag.to_owned();
    blocking(move || annotate(&dir, &tag_name, &sha, &message)).await?;
    made.tag = Some((tag_repo.to_path_buf(), tag.to_owned()));

    sink(ReleaseEvent::Phase {
        phase: "record".into(),
    });
    let record = ReleaseRecord {
        app: plan.app.clone(),
        version: version.to_string(),
        sha: plan.sha.clone(),
        image_id: built.image_id,
        image_bytes,
        archive: archive.display().to_string(),
        notes,
        created_at: now(),
        live: false,
    };
    let (db, rec) = (paths.database_file(), record.clone());
    blocking(move || Store::open(&db)?.record_release(&rec)).await?;
    Ok(record)
}

/// Writes the image as a `docker load`-able archive, beside then renamed: a half-written
/// archive never looks like a release.
async fn save(
    engine: &Engine,
    dir: &Path,
    image: &str,
    sink: &(dyn Fn(ReleaseEvent) + Send + Sync),
) -> Result<PathBuf, Error> {
    use tokio::io::AsyncWriteExt;
    let io = |e: std::io::Error| Error::file(Code::WorkspaceUnusable, dir, &e);
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    let file_name = format!("{}.tar", image.replace([':', '/'], "-"));
    let done = dir.join(&file_name);
    let partial = dir.join(format!("{file_name}.partial"));
    let mut out = tokio::fs::File::create(&partial).await.map_err(io)?;
    let mut stream = engine.client().export_image(image);
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            crate::docker::DockerError::Api(e).into_error(crate::docker::Host::probe())
        })?;
        out.write_all(&chunk).await.map_err(io)?;
        // One report a MiB: chunks are small, and a big image would flood the page.
        let before = written / (1024 * 1024);
        written += chunk.len() as u64;
        if written / (1024 * 1024) > before {
            sink(ReleaseEvent::Saving { bytes: written });
        }
    }
    sink(ReleaseEvent::Saving { bytes: written });
    out.flush().await.map_err(io)?;
    drop(out);
    tokio::fs::rename(&partial, &done).await.map_err(io)?;
    Ok(done)
}

/// An annotated tag `tag` on commit `sha`, with the notes as its message.
fn annotate(repo_dir: &Path, tag: &str, sha: &str, message: &str) -> Result<(), Error> {
    let repo = git2::Repository::open(repo_dir).map_err(git)?;
    let target = repo.revparse_single(sha).map_err(git)?;
    // The learner's identity when git has one, so the tag shows who released.
    let who = repo
        .signature()
        .or_else(|_| git2::Signature::now("DevLoop", "devloop@localhost"))
        .map_err(git)?;
    repo.tag(tag, &target, &who, message, false).map_err(git)?;
    Ok(())
}
