//! `devloop alerts` as a terminal user sees it: the rules in force, one added and removed, and
//! refusals that leave the file as it was.

mod common;

use common::{devloop, text};

#[test]
fn a_rule_is_added_and_removed_and_a_bad_one_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("config/alerts.json");
    let listed = text(&devloop(home.path(), &["alerts"]));
    assert!(listed.contains("ProbeDown"), "{listed}");
    assert!(listed.contains("probe.up < 1 for 0 s"), "{listed}");
    assert!(!file.exists(), "listing writes nothing");

    let out = devloop(
        home.path(),
        &[
            "alerts",
            "add",
            "SlowDeploys",
            "--metric",
            "endpoint.p99",
            "--above",
            "500",
            "--for",
            "60",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("SlowDeploys added; 8 rule(s) in force"));
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("\"SlowDeploys\""), "{saved}");

    for (args, says) in [
        (
            &[
                "alerts",
                "add",
                "SlowDeploys",
                "--metric",
                "endpoint.p99",
                "--above",
                "9",
            ][..],
            "two alerts are named `SlowDeploys`",
        ),
        (
            &[
                "alerts",
                "add",
                "Typo",
                "--metric",
                "host.cpus",
                "--above",
                "9",
            ][..],
            "did you mean `host.cpu`?",
        ),
        (
            &["alerts", "add", "NoWay", "--metric", "host.cpu"][..],
            "--above T or --below T",
        ),
        (&["alerts", "remove", "Nope"][..], "no alert named `Nope`"),
    ] {
        let out = devloop(home.path(), args);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            saved,
            "nothing lost"
        );
    }

    let out = devloop(home.path(), &["alerts", "remove", "SlowDeploys"]);
    assert!(text(&out).contains("SlowDeploys removed; 7 rule(s) in force"));
    assert!(!text(&devloop(home.path(), &["alerts"])).contains("SlowDeploys"));
}
