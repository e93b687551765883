//! Building an image through the Engine API: the context folder goes to the daemon as a tar
//! (what `.dockerignore` leaves out stays home), the build's output streams back line by line,
//! and "Step 3/5" becomes progress. Nothing is ever pulled: a base image that is not on this
//! machine is named before the build starts.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard::query_parameters::BuildImageOptions;
use futures_util::StreamExt;
use serde::Serialize;
use ts_rs::TS;

use super::dockerignore::Ignore;
use super::{DockerError, Engine, Host};
use crate::finding::Finding;
use crate::{Code, Error};

/// A context larger than this is refused: it is almost always a `target/` or `node_modules/`
/// that a `.dockerignore` should leave out.
pub const MAX_CONTEXT_BYTES: u64 = 512 * 1024 * 1024;

/// Builds outlast the daemon's usual request timeout; this is the longest one may take.
const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// The context folder.
    pub context: PathBuf,
    /// The Dockerfile, relative to the context.
    pub dockerfile: String,
    /// `name:tag` for each tag the image gets; the first is the build's own.
    pub tags: Vec<String>,
    pub build_args: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
}

/// What a build reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum BuildEvent {
    /// The context was packed: how much goes to the daemon.
    #[serde(rename_all = "camelCase")]
    Context {
        #[ts(type = "number")]
        files: u64,
        #[ts(type = "number")]
        bytes: u64,
    },
    /// A Dockerfile instruction started: step `n` of `of`.
    #[serde(rename_all = "camelCase")]
    Step {
        n: u32,
        of: u32,
        instruction: String,
    },
    /// A line of the build's output.
    #[serde(rename_all = "camelCase")]
    Log { text: String },
}

/// The built image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// `sha256:…`
    pub image_id: String,
    pub tags: Vec<String>,
}

/// A build refused before it reached the engine: what, as a code and facts, and in English.
fn refuse(found: Finding, message: impl Into<String>) -> Error {
    Error::said(Code::InvalidInput, found, message)
}

fn api(e: bollard::errors::Error) -> Error {
    DockerError::Api(e).into_error(Host::probe())
}

/// Builds `req` on `engine`, reporting to `sink`.
pub async fn build(
    engine: &Engine,
    req: &BuildRequest,
    sink: &(dyn Fn(BuildEvent) + Send + Sync),
) -> Result<Built, Error> {
    if req.tags.is_empty() {
        return Err(Error::internal("a build needs at least one tag"));
    }
    let dockerfile = req.context.join(&req.dockerfile);
    let text = std::fs::read_to_string(&dockerfile).map_err(|e| {
        refuse(
            Finding::new("noDockerfile")
                .with("path", dockerfile.display())
                .with("cause", &e),
            format!(
                "cannot read {}: {e}; create a Dockerfile in the context folder, or name the one to use",
                dockerfile.display()
            ),
        )
    })?;
    for base in base_images(&text) {
        if engine.client().inspect_image(&base).await.is_err() {
            return Err(refuse(
                Finding::new("baseImageMissing")
                    .with("path", dockerfile.display())
                    .with("image", &base),
                format!(
                    "{}: the base image `{base}` is not on this machine, and DevLoop never pulls images: build FROM scratch around a static binary, or load the base with `docker load -i FILE`",
                    dockerfile.display()
                ),
            ));
        }
    }

    let (context, dockerfile_name) = (req.context.clone(), req.dockerfile.clone());
    let packed =
        tokio::task::spawn_blocking(move || pack(&context, &dockerfile_name, MAX_CONTEXT_BYTES))
            .await
            .map_err(|e| Error::internal(format!("packing the context crashed: {e}")))??;
    sink(BuildEvent::Context {
        files: packed.files,
        bytes: packed.bytes,
    });

    // A cached layer removed while the build used it (another build's clean-up, `docker rmi`
    // in a terminal, a second DevLoop) fails the build half-way; without the cache it holds.
    let image_id = match send(engine, req, packed.tar.path(), false, sink).await {
        Err(e) if e.message.contains("unknown parent image ID") => {
            sink(BuildEvent::Log {
                text:
                    "A cached layer was removed during the build; building again without the cache"
                        .into(),
            });
            send(engine, req, packed.tar.path(), true, sink).await?
        }
        built => built?,
    };
    for tag in &req.tags[1..] {
        tag_image(engine, &image_id, tag).await?;
    }
    Ok(Built {
        image_id,
        tags: req.tags.clone(),
    })
}

/// Sends the packed context `tar` to the engine and follows the build; the image's id comes
/// back.
async fn send(
    engine: &Engine,
    req: &BuildRequest,
    tar: &Path,
    nocache: bool,
    sink: &(dyn Fn(BuildEvent) + Send + Sync),
) -> Result<String, Error> {
    let file = tokio::fs::File::open(tar)
        .await
        .map_err(|e| Error::internal(format!("cannot read the packed context: {e}")))?;
    // The tar is streamed from disk, so a large context never sits in memory.
    let body = futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(bytes::Bytes::from(buf)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    let options = BuildImageOptions {
        dockerfile: req.dockerfile.clone(),
        t: req.tags.first().cloned(),
        nocache,
        rm: true,
        forcerm: true,
        buildargs: Some(
            req.build_args
                .clone()
                .into_iter()
                .collect::<HashMap<_, _>>(),
        ),
        labels: Some(req.labels.clone().into_iter().collect::<HashMap<_, _>>()),
        ..Default::default()
    };
    let docker = engine.client().clone().with_timeout(BUILD_TIMEOUT);
    let mut stream = docker.build_image(options, None, Some(bollard::body_try_stream(body)));
    let mut image_id = None;
    let mut last_lines: Vec<String> = Vec::new();
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| match e {
            bollard::errors::Error::DockerStreamError { error } => failed(&error, &last_lines),
            other => api(other),
        })?;
        if let Some(detail) = info.error_detail {
            return Err(failed(&detail.message.unwrap_or_default(), &last_lines));
        }
        if let Some(id) = info.aux.and_then(|a| a.id) {
            image_id = Some(id);
        }
        for line in info.stream.as_deref().unwrap_or("").lines() {
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            if let Some(id) = line.strip_prefix("Successfully built ") {
                image_id.get_or_insert_with(|| id.trim().to_owned());
            }
            last_lines.push(line.to_owned());
            if last_lines.len() > 20 {
                last_lines.remove(0);
            }
            sink(match step(line) {
                Some((n, of, instruction)) => BuildEvent::Step { n, of, instruction },
                None => BuildEvent::Log {
                    text: line.to_owned(),
                },
            });
        }
    }
    image_id.ok_or_else(|| Error::internal("the build ended without naming its image"))
}

/// Gives `image` the extra name `tag` (`name:tag`).
pub async fn tag_image(engine: &Engine, image: &str, tag: &str) -> Result<(), Error> {
    let (repo, version) = tag.rsplit_once(':').unwrap_or((tag, "latest"));
    engine
        .client()
        .tag_image(
            image,
            Some(bollard::query_parameters::TagImageOptions {
                repo: Some(repo.to_owned()),
                tag: Some(version.to_owned()),
            }),
        )
        .await
        .map_err(api)
}

/// A failed build, said with the fix for the usual causes.
fn failed(message: &str, last_lines: &[String]) -> Error {
    let cause = message.trim();
    let (found, why) = if message.contains("COPY failed")
        || message.contains("no such file or directory")
    {
        (Finding::new("buildMissingFile").with("cause", cause), "a file the Dockerfile copies is not in the context: build it first, and check that .dockerignore does not leave it out")
    } else if message.contains("pull access denied")
        || message.contains("dial tcp")
        || message.contains("lookup ")
    {
        (Finding::new("buildNeedsNetwork").with("cause", cause), "the build tried to fetch something from the network; DevLoop builds offline, FROM scratch or from local images")
    } else {
        (
            Finding::new("buildFailed").with("cause", cause),
            "read the build output above; the failing step is the last one shown",
        )
    };
    let tail = if last_lines.is_empty() {
        String::new()
    } else {
        format!("\n{}", last_lines.join("\n"))
    };
    Error::said(
        Code::InvalidInput,
        found,
        format!("the image build failed: {cause}{tail}\n{why}"),
    )
}

/// `Step 3/5 : COPY …` → (3, 5, "COPY …").
fn step(line: &str) -> Option<(u32, u32, String)> {
    let rest = line.strip_prefix("Step ")?;
    let (counts, instruction) = rest.split_once(" : ")?;
    let (n, of) = counts.split_once('/')?;
    Some((n.parse().ok()?, of.parse().ok()?, instruction.to_owned()))
}

/// The images a Dockerfile builds on, other than `scratch` and its own earlier stages; bases
/// named by a build argument are left to the daemon.
pub fn base_images(dockerfile: &str) -> Vec<String> {
    let mut stages: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for line in dockerfile.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if !words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("FROM"))
        {
            continue;
        }
        let args: Vec<&str> = words[1..]
            .iter()
            .copied()
            .filter(|w| !w.starts_with("--"))
            .collect();
        let Some(image) = args.first().map(|i| i.to_string()) else {
            continue;
        };
        // A stage may build on an earlier one by its name; that is not an image to find.
        let known = image.eq_ignore_ascii_case("scratch")
            || image.contains('$')
            || stages.contains(&image.to_lowercase())
            || out.contains(&image);
        if let (Some(as_kw), Some(name)) = (args.get(1), args.get(2)) {
            if as_kw.eq_ignore_ascii_case("AS") {
                stages.push(name.to_lowercase());
            }
        }
        if !known {
            out.push(image);
        }
    }
    out
}

/// A packed context: the tar on disk and what is in it.
struct Packed {
    tar: tempfile::NamedTempFile,
    files: u64,
    bytes: u64,
}

/// Tars the context folder, leaving out what `.dockerignore` says (the Dockerfile and the
/// `.dockerignore` itself always go: the daemon needs them). Links are stored as links and
/// never followed, so nothing outside the folder is sent.
fn pack(context: &Path, dockerfile: &str, limit: u64) -> Result<Packed, Error> {
    if !context.is_dir() {
        return Err(refuse(
            Finding::new("contextNotAFolder").with("path", context.display()),
            format!(
                "the build context {} is not a folder: name the folder that holds the Dockerfile and the files it copies",
                context.display()
            ),
        ));
    }
    let ignore =
        Ignore::parse(&std::fs::read_to_string(context.join(".dockerignore")).unwrap_or_default());
    let tar = tempfile::NamedTempFile::new()
        .map_err(|e| Error::internal(format!("cannot create a temporary file: {e}")))?;
    let mut builder = tar::Builder::new(std::io::BufWriter::new(
        tar.reopen().map_err(|e| Error::internal(e.to_string()))?,
    ));
    builder.follow_symlinks(false);
    let mut packed = Packed {
        tar,
        files: 0,
        bytes: 0,
    };
    let always = [dockerfile.trim_start_matches("./"), ".dockerignore"];
    let mut todo = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        let entries = std::fs::read_dir(context.join(&rel))
            .map_err(|e| Error::file(Code::InvalidInput, &context.join(&rel), &e))?;
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = rel.join(entry.file_name());
            let name = path.to_string_lossy().replace('\\', "/");
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let excluded = ignore.excludes(&name) && !always.contains(&name.as_str());
            if kind.is_dir() {
                if !excluded || ignore.may_include_under(&name) {
                    todo.push(path);
                }
                continue;
            }
            if excluded {
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            packed.bytes += size;
            if packed.bytes > limit {
                return Err(refuse(
                    Finding::new("contextTooLarge")
                        .with("path", context.display())
                        .with("mib", limit / 1024 / 1024)
                        .with("files", packed.files),
                    format!(
                        "the build context {} is over {} MiB after {} files: add a .dockerignore that leaves out what the image does not need (target/, node_modules/, .git/)",
                        context.display(),
                        limit / 1024 / 1024,
                        packed.files
                    ),
                ));
            }
            builder
                .append_path_with_name(entry.path(), &path)
                .map_err(|e| Error::file(Code::InvalidInput, &entry.path(), &e))?;
            packed.files += 1;
        }
    }
    builder
        .into_inner()
        .and_then(|mut w| std::io::Write::flush(&mut w))
        .map_err(|e| Error::internal(format!("cannot write the packed context: {e}")))?;
    Ok(packed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_read_from_the_classic_builder() {
        assert_eq!(
            step("Step 3/5 : COPY target/x /x"),
            Some((3, 5, "COPY target/x /x".into()))
        );
        assert_eq!(step(" ---> Running in 1234"), None);
        assert_eq!(step("Step x/5 : RUN"), None);
    }

    #[test]
    fn base_images_leave_out_scratch_stages_and_arguments() {
        let df = "FROM --platform=linux/amd64 builder-base:1 AS build\nRUN make\nFROM scratch\nCOPY --from=build /app /app\nFROM build AS again\nFROM ${BASE}\nfrom alpine:3\n";
        assert_eq!(base_images(df), vec!["builder-base:1", "alpine:3"]);
    }

    #[test]
    fn the_context_leaves_out_ignored_files_and_never_follows_links() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = dir.path();
        std::fs::create_dir_all(ctx.join("target/release")).unwrap();
        std::fs::write(ctx.join("target/release/app"), "bin").unwrap();
        std::fs::write(ctx.join("target/release/app.d"), "deps").unwrap();
        std::fs::write(ctx.join("Dockerfile"), "FROM scratch\n").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", ctx.join("target/release/link")).unwrap();
        std::fs::write(
            ctx.join(".dockerignore"),
            "*\n!target/release/app\n!target/release/link\n",
        )
        .unwrap();
        let packed = pack(ctx, "Dockerfile", MAX_CONTEXT_BYTES).unwrap();
        let mut names = Vec::new();
        let mut archive = tar::Archive::new(std::fs::File::open(packed.tar.path()).unwrap());
        for e in archive.entries().unwrap() {
            let e = e.unwrap();
            names.push((
                e.path().unwrap().display().to_string(),
                e.header().entry_type().is_symlink(),
            ));
        }
        names.sort();
        assert_eq!(
            names,
            vec![
                (".dockerignore".into(), false),
                ("Dockerfile".into(), false),
                ("target/release/app".into(), false),
                ("target/release/link".into(), true),
            ]
        );
    }

    #[test]
    fn an_oversized_context_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(dir.path().join("big"), vec![0u8; 4096]).unwrap();
        let Err(e) = pack(dir.path(), "Dockerfile", 1024) else {
            panic!("packed")
        };
        assert!(e.message.contains("is over 0 MiB"), "{}", e.message);
        assert!(e.message.contains(".dockerignore"), "{}", e.message);
        assert_eq!(e.detail.unwrap().code, "contextTooLarge");
    }
}
