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
