//! `devloop plan` and `devloop dora` as a terminal user sees them: items added and moved, a
//! commit that names an item linked to it, and clear refusals.

use std::process::{Command, Output};

fn devloop(home: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_devloop"))
        .args(args)
        .current_dir(home.join("ws"))
        .env("DEVLOOP_DATA_DIR", home.join("data"))
        .env("DEVLOOP_CONFIG_DIR", home.join("config"))
        .env("DEVLOOP_WORKSPACE", home.join("ws"))
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn items_are_added_moved_and_linked_to_the_commits_that_name_them() {
    let home = tempfile::tempdir().unwrap();
    let ws = home.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let git = |args: &[&str]| {
        assert!(Command::new("git")
            .args(["-c", "user.name=L", "-c", "user.email=l@x"])
            .args(args)
            .current_dir(&ws)
            .status()
            .unwrap()
            .success());
    };
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
    assert!(list.starts_with("Sprint: Sprint 1 (to "), "{list}");
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
    assert!(t.contains("0.00 a day (0 deploy(s))"), "{t}");
    assert!(t.contains("lead time for changes  no data yet"), "{t}");
}
