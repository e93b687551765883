//! `devloop plan`, `devloop retro` and `devloop dora` as a terminal user sees them: items
//! added, edited and moved, a commit that names an item linked to it, a sprint's retrospective
//! and the next sprint starting from it, and clear refusals.

mod common;

use common::{devloop, git, text};

#[test]
fn items_are_added_moved_and_linked_to_the_commits_that_name_them() {
    let home = tempfile::tempdir().unwrap();
    let ws = home.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let git = |args: &[&str]| git(&ws, args);
    git(&["init", "-q"]);

    let out = devloop(
        home.path(),
        &[
            "plan",
            "add",
            "--kind",
            "bug",
            "--title",
            "Flapping health check",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("#1 added"), "{}", text(&out));
    git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "fix #1: wait for the database",
    ]);

    let out = devloop(home.path(), &["plan", "move", "1", "doing"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = devloop(home.path(), &["plan", "list"]);
    let list = text(&out);
    assert!(
        list.contains("Doing\n  #1    bug     Flapping health check  (1 commit(s))"),
        "{list}"
    );

    let out = devloop(home.path(), &["plan", "sprint", "Sprint 1", "--days", "7"]);
    assert!(
        text(&out).contains("Sprint 1 runs 7 days"),
        "{}",
        text(&out)
    );
    let list = text(&devloop(home.path(), &["plan", "list"]));
    assert!(
        list.starts_with("Sprint: Sprint 1 (number 1, to "),
        "{list}"
    );
    let out = devloop(home.path(), &["plan", "sprint", "Again"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("overlap the sprint \"Sprint 1\""),
        "{}",
        text(&out)
    );

    let out = devloop(home.path(), &["plan", "move", "7", "done"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out).contains("there is no item #7"), "{}", text(&out));
    let out = devloop(home.path(), &["plan", "add", "--title", "   "]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("title of 1 to 200 characters"),
        "{}",
        text(&out)
    );
}

#[test]
fn dora_with_no_history_says_so_rather_than_inventing_figures() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("ws")).unwrap();
    let out = devloop(home.path(), &["dora", "--days", "30"]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("0 a day (0 live deploy(s))"), "{t}");
    assert!(t.contains("lead time for changes  no data yet"), "{t}");
    assert!(t.contains("rework rate            no data yet"), "{t}");
    assert!(!t.contains("drills"), "none to tell: {t}");
}

#[test]
fn an_item_is_shown_and_edited_and_the_next_sprint_starts_from_the_retrospective() {
    let home = tempfile::tempdir().unwrap();
    let ws = home.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let ok = |args: &[&str]| {
        let out = devloop(home.path(), args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        text(&out)
    };
    git(&ws, &["init", "-q"]);
    ok(&["plan", "add", "--title", "Dark mode"]);
    ok(&[
        "plan",
        "edit",
        "1",
        "--kind",
        "chore",
        "--description",
        "Follow the **system** theme.",
        "--infra",
        "true",
    ]);
    let shown = ok(&["plan", "show", "1"]);
    assert!(
        shown.starts_with("#1 Dark mode (Chore, infrastructure), in Backlog"),
        "{shown}"
    );
    assert!(shown.contains("Follow the **system** theme."), "{shown}");
    assert!(shown.contains("no commit names it yet"), "{shown}");
    let out = devloop(home.path(), &["plan", "edit", "1", "--title", " "]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        ok(&["plan", "show", "1"]).starts_with("#1 Dark mode"),
        "nothing lost"
    );

    // A retrospective needs a sprint.
    let out = devloop(home.path(), &["retro"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("no sprint has begun yet"),
        "{}",
        text(&out)
    );
    ok(&["plan", "sprint", "Sprint 1", "--days", "7"]);
    ok(&["plan", "sprint", "Sprint 1", "--days", "7"]);
    let said = ok(&[
        "retro",
        "--well",
        "Small items",
        "--not",
        "Nobody saw the 404s",
        "--improve",
        "Alert on 404s",
    ]);
    assert!(
        said.contains("#2 added to the backlog: Alert on 404s"),
        "{said}"
    );
    assert!(said.contains("Retrospective of Sprint 1"), "{said}");
    assert!(said.contains("  Went well\n    - Small items\n"), "{said}");
    assert!(said.contains("    - Alert on 404s (#2)"), "{said}");
    assert!(
        said.contains("deployment frequency   0 a day (0 live deploy(s))"),
        "{said}"
    );

    assert!(ok(&["plan", "end-sprint"]).contains("Sprint 1 has ended"));
    let out = devloop(home.path(), &["plan", "end-sprint"]);
    assert_eq!(out.status.code(), Some(3));
    ok(&["plan", "sprint", "Sprint 2", "--days", "7"]);
    assert!(ok(&["plan", "carry"]).contains("Into the sprint: #2"));
    let list = ok(&["plan", "list"]);
    assert!(
        list.contains("Sprint\n  #2    chore   Alert on 404s  [from retrospective of Sprint 1]"),
        "{list}"
    );
    // Sprint 2's retrospective compares it with Sprint 1.
    let retro = ok(&["retro"]);
    assert!(retro.contains("Retrospective of Sprint 2"), "{retro}");
    assert!(retro.contains("Sprint 1's, to compare"), "{retro}");
}

/// Text a learner (or a pasted title) wrote reaches the terminal without its escapes: no
/// clipboard write, no window title, no screen switch; and a reader that stops early
/// (`devloop plan list | head -n 1`) ends the command quietly, with no panic.
#[test]
fn hostile_titles_print_without_escapes_and_a_closed_pipe_ends_quietly() {
    let home = tempfile::tempdir().unwrap();
    let hostile = "Fix\u{1b}]52;c;ZXZpbA==\u{7} the\u{1b}]0;owned\u{7} login\u{1b}[?1049h";
    let out = devloop(home.path(), &["plan", "add", "--title", hostile]);
    assert!(out.status.success(), "{}", text(&out));
    let store =
        devloop_engine::store::Store::open(&home.path().join("data/devloop.sqlite")).unwrap();
    for n in 0..300 {
        store
            .add_item(
                &devloop_engine::store::plan::NewItem {
                    kind: devloop_engine::store::plan::Kind::Chore,
                    title: format!("item {n}"),
                    description: String::new(),
                    estimate: None,
                    infra: false,
                    source: String::new(),
                },
                1,
            )
            .unwrap();
    }
    let out = devloop(home.path(), &["plan", "list"]);
    let shown = text(&out);
    assert!(shown.contains("Fix the login"), "{shown}");
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown:?}"
    );

    let ws = home.path().join("ws");
    let piped = std::process::Command::new("bash")
        .args([
            "-c",
            &format!("{} plan list | head -n 1", env!("CARGO_BIN_EXE_devloop")),
        ])
        .current_dir(&ws)
        .env("DEVLOOP_DATA_DIR", home.path().join("data"))
        .env("DEVLOOP_CONFIG_DIR", home.path().join("config"))
        .env("DEVLOOP_WORKSPACE", &ws)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&piped.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(String::from_utf8_lossy(&piped.stdout).lines().count(), 1);
}

/// A data folder this user may not write (a shared machine, a mount gone read-only): the
/// history can still be read, a change says why it cannot be saved, and `devloop doctor`
/// fails the data check. Run as `nobody` (through setpriv), since root may write anywhere.
#[test]
fn a_read_only_data_folder_still_reads_and_says_why_nothing_saves() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let out = devloop(home.path(), &["plan", "add", "--title", "Kept safe"]);
    assert!(out.status.success(), "{}", text(&out));
    for entry in walk(home.path()) {
        let mode = if entry.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let as_nobody = |args: &[&str]| {
        let ws = home.path().join("ws");
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_devloop"))
            .args(args)
            .current_dir(&ws)
            .env("HOME", home.path())
            .env("DEVLOOP_DATA_DIR", home.path().join("data"))
            .env("DEVLOOP_CONFIG_DIR", home.path().join("config"))
            .env("DEVLOOP_WORKSPACE", &ws)
            .output()
            .unwrap()
    };
    let listed = as_nobody(&["plan", "list"]);
    assert!(listed.status.success(), "{}", text(&listed));
    assert!(text(&listed).contains("Kept safe"), "{}", text(&listed));
    let added = as_nobody(&["plan", "add", "--title", "Lost?"]);
    assert_eq!(added.status.code(), Some(3), "{}", text(&added));
    assert!(
        text(&added).contains("nothing can be saved"),
        "{}",
        text(&added)
    );
    let doctor = as_nobody(&["doctor"]);
    let said = text(&doctor);
    assert!(said.contains("may not be written"), "{said}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}
