//! Images and releases against the real daemon: a git repository with conventional commits,
//! an image `FROM scratch` around Debian's static busybox (nothing is pulled), and everything
//! the test makes removed at the end, by the unique name it gave it.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use devloop_engine::docker::build::{self, BuildEvent, BuildRequest};
use devloop_engine::docker::{Endpoint, Engine};
use devloop_engine::release::{self, ReleaseEvent};
use devloop_engine::store::Store;

use common::Leftovers;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(["-c", "user.name=Learner", "-c", "user.email=l@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

async fn engine() -> Engine {
    Engine::connect(Endpoint::discover().expect("DOCKER_HOST is usable"))
        .await
        .expect("a running dockerd")
}

/// Releases `repo` with the default options; the release and every event it reported.
async fn release_recording(
    engine: &Engine,
    paths: &devloop_engine::settings::Paths,
    repo: &Path,
) -> (devloop_engine::release::ReleaseRecord, Vec<ReleaseEvent>) {
    let events: Arc<Mutex<Vec<ReleaseEvent>>> = Arc::default();
    let sink = Arc::clone(&events);
    let made = release::create(
        engine,
        paths,
        repo,
        &release::Options::default(),
        &move |e| sink.lock().unwrap().push(e),
    )
    .await
    .unwrap();
    let events = events.lock().unwrap().clone();
    (made, events)
}

/// A project whose image is busybox FROM scratch, with a `.dockerignore` that keeps the
/// sources out, committed as `feat: first`.
fn project(dir: &Path, name: &str) {
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::copy("/bin/busybox", dir.join("bin/busybox"))
        .expect("busybox-static is installed by scripts/deps.sh test");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("[package]\nname = \"{name}\"\n"),
    )
    .unwrap();
    std::fs::write(dir.join("secret.txt"), "never in the image\n").unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nCOPY bin/busybox /bin/busybox\nENTRYPOINT [\"/bin/busybox\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join(".dockerignore"), "*\n!bin/\n").unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "feat: first"]);
}

/// A temporary home with the project at `svc/`, its image named uniquely for `test`, and the
/// guard that removes that image and its containers.
fn committed_project(test: &str) -> (tempfile::TempDir, std::path::PathBuf, String, Leftovers) {
    let home = tempfile::tempdir().unwrap();
    let repo = home.path().join("svc");
    let name = format!("devloop-test-{test}-{}", std::process::id());
    project(&repo, &name);
    let cleanup = Leftovers(name.clone());
    (home, repo, name, cleanup)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_release_builds_tags_saves_and_records_and_the_next_one_follows_the_commits() {
    let (home, repo, name, _cleanup) = committed_project("release");
    let paths = common::paths(home.path());
    let engine = engine().await;

    let plan = release::plan(&repo).unwrap();
    assert_eq!(
        (
            plan.app.as_str(),
            plan.proposed.as_str(),
            plan.last.as_deref()
        ),
        (name.as_str(), "0.1.0", None)
    );
    assert!(!plan.dirty);

    let (first, events) = release_recording(&engine, &paths, &repo).await;
    assert_eq!(first.version, "0.1.0");
    // The build reported its steps as "n of m", and the context left the sources out.
    // (The daemon adds the labels as steps of their own, so there are more than three.)
    assert!(
        events.iter().any(|e| matches!(e, ReleaseEvent::Build {
            event: BuildEvent::Step { n: 2, of, instruction }
        } if *of >= 3 && instruction == "COPY bin/busybox /bin/busybox")),
        "{events:#?}"
    );
    assert!(
        events.iter().any(|e| matches!(
            e,
            ReleaseEvent::Build {
                event: BuildEvent::Context { files: 3, .. }
            }
        )),
        "Dockerfile, .dockerignore, busybox: {events:#?}"
    );

    // Both tags name the image, which carries DevLoop's labels.
    let short = &first.sha[..7];
    for tag in [format!("{name}:0.1.0"), format!("{name}:{short}")] {
        let out = Command::new("docker")
            .args([
                "image",
                "inspect",
                "--format",
                "{{index .Config.Labels \"dev.devloop.version\"}}",
                &tag,
            ])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "0.1.0",
            "{tag}"
        );
    }
    // The archive is a docker-load-able tar; the git tag is annotated with the notes.
    let archive = std::fs::read(&first.archive).unwrap();
    assert!(archive.len() as u64 > 500_000, "busybox is in it");
    assert!(String::from_utf8_lossy(&archive).contains("manifest.json"));
    let tag_msg = Command::new("git")
        .args(["tag", "-n20", "-l", "v0.1.0"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&tag_msg.stdout).contains("first"),
        "{tag_msg:?}"
    );

    // Nothing new since: releasing the same commit again is refused.
    let e = release::create(
        &engine,
        &paths,
        &repo,
        &release::Options::default(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(
        e.message.contains("already released as 0.1.0"),
        "{}",
        e.message
    );

    // A fix later: the plan proposes a patch, and lists only the new commit.
    std::fs::write(repo.join("NOTES"), "x").unwrap();
    git(&repo, &["add", "NOTES"]);
    git(
        &repo,
        &["commit", "-qm", "fix(http): close idle connections"],
    );
    let plan = release::plan(&repo).unwrap();
    assert_eq!(
        (plan.proposed.as_str(), plan.last.as_deref()),
        ("0.1.1", Some("0.1.0"))
    );
    assert_eq!(plan.commits.len(), 1);
    assert!(
        plan.notes
            .contains("## Fixes\n\n- **http:** close idle connections"),
        "{}",
        plan.notes
    );

    // A version that is not newer, and a dirty tree, are refused before anything is built.
    let older = release::Options {
        version: Some("0.0.9".into()),
        ..Default::default()
    };
    let e = release::create(&engine, &paths, &repo, &older, &|_| {})
        .await
        .unwrap_err();
    assert!(
        e.message.contains("not newer than the last release, 0.1.0"),
        "{}",
        e.message
    );
    std::fs::write(
        repo.join("Dockerfile"),
        "FROM scratch\n# edited\nCOPY bin/busybox /bin/busybox\n",
    )
    .unwrap();
    let e = release::create(
        &engine,
        &paths,
        &repo,
        &release::Options::default(),
        &|_| {},
    )
    .await
    .unwrap_err();
    // The refusal names the file, and the fix commits exactly it.
    assert!(
        e.message
            .contains("changes that are not committed: Dockerfile;"),
        "{}",
        e.message
    );
    assert_eq!(
        e.fix.as_deref(),
        Some("git add Dockerfile && git commit -m 'fix: …'")
    );
    git(&repo, &["checkout", "Dockerfile"]);

    let second = release::create(
        &engine,
        &paths,
        &repo,
        &release::Options::default(),
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(second.version, "0.1.1");
    let history = Store::open(&paths.database_file())
        .unwrap()
        .releases()
        .unwrap();
    assert_eq!(
        history
            .iter()
            .map(|r| r.version.as_str())
            .collect::<Vec<_>>(),
        ["0.1.1", "0.1.0"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_base_image_and_a_missing_file_fail_with_the_fix_and_nothing_is_pulled() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine().await;
    let name = format!("devloop-test-build-{}", std::process::id());
    let _cleanup = Leftovers(name.clone());
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM devloop-test/never-built-anywhere:1\nCOPY x /x\n",
    )
    .unwrap();
    let req = BuildRequest {
        context: dir.path().into(),
        dockerfile: "Dockerfile".into(),
        tags: vec![format!("{name}:a")],
        build_args: Default::default(),
        labels: Default::default(),
    };
    let e = build::build(&engine, &req, &|_| {}).await.unwrap_err();
    assert!(
        e.message.contains(
            "the base image `devloop-test/never-built-anywhere:1` is not on this machine"
        ),
        "{}",
        e.message
    );
    assert!(e.message.contains("FROM scratch"), "{}", e.message);
    assert_eq!(e.detail.unwrap().code, "baseImageMissing");

    // The demo's mistake a learner makes first: building the image before the binary.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCOPY target/app /app\n",
    )
    .unwrap();
    let lines: Arc<Mutex<Vec<BuildEvent>>> = Arc::default();
    let sink = Arc::clone(&lines);
    let e = build::build(&engine, &req, &move |ev| sink.lock().unwrap().push(ev))
        .await
        .unwrap_err();
    assert!(
        e.message.contains("the image build failed"),
        "{}",
        e.message
    );
    assert!(e.message.contains("build it first"), "{}", e.message);
    assert_eq!(e.detail.unwrap().code, "buildMissingFile");
    assert!(lines
        .lock()
        .unwrap()
        .iter()
        .any(|l| matches!(l, BuildEvent::Step { n: 2, of: 2, .. })));
}

/// The Build lesson builds in the learner's folder; a later commit changes the source without
/// building again. The release must hold the commit's build, never the stale one in the folder.
#[tokio::test(flavor = "multi_thread")]
async fn a_release_is_built_from_a_clean_checkout_of_its_commit_not_from_an_earlier_build() {
    let (home, repo, name, _cleanup) = committed_project("fresh");
    // The build makes `out/page.txt` from the committed `page.txt`; `out/` is never committed.
    std::fs::write(repo.join("page.txt"), "version one\n").unwrap();
    std::fs::write(repo.join(".gitignore"), "out/\n").unwrap();
    std::fs::write(
        repo.join("devloop.toml"),
        "[release]\nbuild = \"mkdir -p out && cp page.txt out/page.txt && echo built $STAMP\"\nenv = { STAMP = \"from-the-recipe\" }\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("Dockerfile"),
        "FROM scratch\nCOPY bin/busybox /bin/busybox\nCOPY out/page.txt /page.txt\nENTRYPOINT [\"/bin/busybox\"]\n",
    )
    .unwrap();
    std::fs::write(repo.join(".dockerignore"), "*\n!bin/\n!out/\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "feat: a page"]);
    // Built once in the folder, as the Build lesson does.
    std::fs::create_dir_all(repo.join("out")).unwrap();
    std::fs::copy(repo.join("page.txt"), repo.join("out/page.txt")).unwrap();
    // Then a visible change is committed, and nobody builds again.
    std::fs::write(repo.join("page.txt"), "version two\n").unwrap();
    git(&repo, &["commit", "-qam", "feat: a visible change"]);

    let paths = common::paths(home.path());
    let (made, events) = release_recording(&engine().await, &paths, &repo).await;

    let out = Command::new("docker")
        .args([
            "run",
            "--rm",
            &format!("{name}:{}", made.version),
            "cat",
            "/page.txt",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "version two\n",
        "{out:?}"
    );
    // The recipe ran with its environment, and said so as it went.
    assert!(
        events.iter().any(
            |e| matches!(e, ReleaseEvent::Compile { line } if line == "built from-the-recipe")
        ),
        "{events:#?}"
    );
    let phases: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            ReleaseEvent::Phase { phase } => Some(phase.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        phases,
        ["checkout", "compile", "build", "save", "tag", "record"]
    );
    // The learner's folder is as it was: the stale build is still theirs, the tree clean.
    assert_eq!(
        std::fs::read_to_string(repo.join("out/page.txt")).unwrap(),
        "version one\n"
    );
    assert!(!release::plan(&repo).unwrap().dirty);
    // The clean checkout is gone.
    let left: Vec<_> = std::fs::read_dir(paths.builds_dir()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_recipe_stops_the_release_before_anything_is_made_and_says_why() {
    let (home, repo, name, _cleanup) = committed_project("recipe");
    std::fs::write(
        repo.join("devloop.toml"),
        "[release]\nbuild = \"echo compiling; echo 'error: it broke' >&2; exit 3\"\n",
    )
    .unwrap();
    git(&repo, &["add", "devloop.toml"]);
    git(&repo, &["commit", "-qm", "build: a recipe"]);
    let paths = common::paths(home.path());
    let e = release::create(
        &engine().await,
        &paths,
        &repo,
        &release::Options::default(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(e.message.contains("(exit code 3)"), "{}", e.message);
    assert!(e.message.contains("error: it broke"), "{}", e.message);
    // No tag, no image, no record, no checkout left.
    assert!(release::plan(&repo).unwrap().last.is_none());
    let images = Command::new("docker")
        .args(["images", "-q", &name])
        .output()
        .unwrap();
    assert!(images.stdout.is_empty());
    assert!(Store::open(&paths.database_file())
        .unwrap()
        .releases()
        .unwrap()
        .is_empty());
    let left: Vec<_> = std::fs::read_dir(paths.builds_dir()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

/// The Release lesson bumps Cargo.toml to 0.2.0 by hand; the Releases page must then propose
/// 0.2.0, the version the binary reports, and read it from the commit, not the folder.
#[test]
fn the_version_a_commit_declares_is_proposed_when_it_is_newer() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    project(repo, "svc");
    assert_eq!(release::plan(repo).unwrap().proposed, "0.1.0");
    std::fs::write(
        repo.join("Cargo.toml"),
        "[package]\nname = \"svc\"\nversion = \"0.2.0\"\n",
    )
    .unwrap();
    // Not committed yet: the commit still declares nothing.
    let plan = release::plan(repo).unwrap();
    assert_eq!((plan.proposed.as_str(), plan.declared), ("0.1.0", None));
    assert_eq!(plan.dirty_files, ["Cargo.toml"]);
    git(repo, &["commit", "-qam", "chore: release 0.2.0"]);
    let plan = release::plan(repo).unwrap();
    assert_eq!(
        (plan.proposed.as_str(), plan.declared.as_deref()),
        ("0.2.0", Some("0.2.0"))
    );
    // Once 0.2.0 is tagged, a fix proposes 0.2.1, and the plan still says what Cargo.toml says.
    git(repo, &["tag", "-a", "v0.2.0", "-m", "v0.2.0"]);
    std::fs::write(repo.join("NOTES"), "x").unwrap();
    git(repo, &["add", "NOTES"]);
    git(repo, &["commit", "-qm", "fix: a fix"]);
    let plan = release::plan(repo).unwrap();
    assert_eq!(
        (plan.proposed.as_str(), plan.declared.as_deref()),
        ("0.2.1", Some("0.2.0"))
    );
}

/// A release is all or nothing: when its record cannot be written (the database is unusable),
/// the tag, the archive and the image it made are taken back, and the next release starts
/// clean. What a release killed half-way left (a tag with no record, a `.partial` archive) is
/// cleaned at the next one, while a tag the learner made by hand stays.
#[tokio::test(flavor = "multi_thread")]
async fn a_release_is_all_or_nothing_and_leftovers_go_at_the_next() {
    let (home, repo, name, _cleanup) = committed_project("whole");
    let engine = engine().await;
    let paths = common::paths(home.path());
    // The database is a folder: recording fails after everything else was made.
    std::fs::create_dir_all(paths.database_file()).unwrap();
    let failed = release::create(
        &engine,
        &paths,
        &repo,
        &release::Options::default(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(failed.code, devloop_engine::Code::Store, "{failed:?}");
    let tags = Command::new("git")
        .args(["tag", "-l"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&tags.stdout),
        "",
        "the tag was taken back"
    );
    let archives: Vec<_> = std::fs::read_dir(paths.releases_dir())
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    assert!(archives.is_empty(), "{archives:?}");
    assert!(engine
        .client()
        .inspect_image(&format!("{name}:0.1.0"))
        .await
        .is_err());

    // As a killed release leaves things: a tag of DevLoop's with no record, half an archive;
    // and a tag the learner made by hand.
    std::fs::remove_dir(paths.database_file()).unwrap();
    git(
        &repo,
        &[
            "tag",
            "-a",
            "v0.1.0",
            "-m",
            "notes\n\nReleased-with: DevLoop",
        ],
    );
    git(&repo, &["tag", "hand-made"]);
    std::fs::create_dir_all(paths.releases_dir()).unwrap();
    let partial = paths
        .releases_dir()
        .join(format!("{name}-0.1.0.tar.partial"));
    std::fs::write(&partial, b"half").unwrap();
    let (made, _) = release_recording(&engine, &paths, &repo).await;
    assert_eq!(made.version, "0.1.0", "not 'already released'");
    assert!(!partial.exists());
    let tags = Command::new("git")
        .args(["tag", "-l"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&tags.stdout), "hand-made\nv0.1.0\n");
}
