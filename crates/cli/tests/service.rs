//! The service as terminals and crashes see it, through the real `devloop` binary and a real
//! dockerd: one process hosts it (`devloop serve` here, the app in real life) and every other
//! `devloop` acts through it; a host killed with SIGKILL mid-deploy comes back to what was
//! live with the history intact; and a dockerd stopped mid-deploy fails that deploy with the
//! reason, after which the still-running host heals the service with nothing left behind. The
//! last one runs a private dockerd (its own socket, data and bridge), so the machine's daemon
//! is never stopped.

mod common;

use std::process::Stdio;

use common::home::{read_until, Home, Killed};
use common::private_docker::{eventually, said, PrivateDocker};

#[test]
fn terminals_act_through_the_host_and_a_host_killed_mid_deploy_comes_back_to_what_was_live() {
    let home = Home::new(&format!("devloop-test-host-{}", std::process::id()), None);
    home.release_two();
    let (host, said_at_start) = home.serve();
    let mut host = Killed(host);
    assert!(
        said_at_start.contains("nothing live yet"),
        "{said_at_start}"
    );

    // Only one process hosts; a second is told which one does.
    let second = home.devloop(&["serve"]);
    assert_eq!(second.status.code(), Some(3), "{}", said(&second));
    assert!(
        said(&second).contains(&format!("(process {})", host.0.id())),
        "{}",
        said(&second)
    );

    let deployed = home.ok(&["deploy", "--version", "0.1.0", "--replicas", "2"]);
    assert!(
        deployed.contains(&format!(
            "through the DevLoop that runs the service (process {})",
            host.0.id()
        )),
        "{deployed}"
    );
    assert_eq!(home.body(), "v1\n");
    let scaled = home.ok(&["scale", "3"]);
    assert!(scaled.contains("(3 replica(s))"), "{scaled}");
    let refused = home.devloop(&["autoscale", "--cpu", "80"]);
    assert_eq!(refused.status.code(), Some(3));
    assert!(said(&refused).contains("half a core"), "{}", said(&refused));
    let on = home.ok(&["autoscale", "--rps", "500", "--min", "3", "--max", "4"]);
    assert!(
        on.contains("autoscaler on: 3..=4 replicas, 500 requests/s"),
        "{on}"
    );

    // A deploy through the host; the host dies by SIGKILL while 0.2.0 starts.
    let mut client = home
        .devloop_cmd(&["deploy", "--version", "0.2.0", "--replicas", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    read_until(&mut client, "starting 0.2.0 replica 1 of 3");
    // The event comes before the container; the crash should leave one behind to clean up.
    eventually("a 0.2.0 container", || {
        home.containers().iter().any(|c| c.starts_with("0.2.0"))
    });
    host.0.kill().unwrap();
    host.0.wait().unwrap();
    let client = client.wait_with_output().unwrap();
    assert!(!client.status.success());
    assert!(
        String::from_utf8_lossy(&client.stderr).contains("stopped answering"),
        "{}",
        said(&client)
    );
    assert_eq!(home.body(), "", "nobody serves now");
    // Nobody hosts: the history says the deploy was cut short, not that it is still running.
    let listed = home.ok(&["deploys"]);
    let newest = listed.lines().nth(1).unwrap_or_default();
    assert!(
        newest.contains("0.2.0") && newest.contains("interrupted"),
        "{listed}"
    );

    // Restarted, it reconciles from the labels and the history.
    let (host, said_at_start) = home.serve();
    let _host = Killed(host);
    assert!(
        said_at_start.contains("removed a leftover container"),
        "the half-started 0.2.0 replica goes: {said_at_start}"
    );
    assert!(
        said_at_start.contains("0.1.0 live on 3 replica(s)"),
        "{said_at_start}"
    );
    assert_eq!(home.body(), "v1\n");
    assert_eq!(home.containers(), ["0.1.0 running"; 3]);
    let history = home.history();
    let deploys = history.deploys(10).unwrap();
    assert_eq!(
        (deploys[0].version.as_str(), deploys[0].status.as_str()),
        ("0.2.0", "interrupted")
    );
    let releases = history.releases().unwrap();
    assert_eq!(
        releases
            .iter()
            .map(|r| (r.version.as_str(), r.live))
            .collect::<Vec<_>>(),
        [("0.2.0", false), ("0.1.0", true)],
        "the release history is intact, and says what is live"
    );
    let listed = home.ok(&["releases"]);
    assert!(
        listed
            .lines()
            .any(|l| l.contains("0.1.0") && l.contains("live")),
        "{listed}"
    );
}

/// A learner with two projects deploys the other one by mistake while the first is live: a
/// release that is not on this machine is refused before anything changes, and one that fails
/// its health check leaves the first app serving, healed as before.
#[test]
fn a_failed_deploy_of_another_app_leaves_the_live_service_as_it_was() {
    let home = Home::new(&format!("devloop-test-keep-{}", std::process::id()), None);
    home.release_two();
    let (host, _) = home.serve();
    let _host = Killed(host);
    home.ok(&["deploy", "--version", "0.1.0", "--replicas", "2"]);
    assert_eq!(home.body(), "v1\n");

    // The other project: the same server with no /health, so it never passes its check.
    let other = Home::new(&format!("devloop-test-other-{}", std::process::id()), None);
    std::fs::write(other.repo.join("www/index.html"), "other\n").unwrap();
    other.git(&["add", "-A"]);
    other.git(&["commit", "-qm", "feat: other"]);
    let in_other = |args: &[&str]| {
        home.devloop_cmd(args)
            .current_dir(&other.repo)
            .env("DEVLOOP_WORKSPACE", &other.repo)
            .output()
            .unwrap()
    };
    let missing = in_other(&["deploy", "--version", "1.0.0"]);
    assert_eq!(missing.status.code(), Some(3), "{}", said(&missing));
    assert!(
        said(&missing).contains("is not on this machine"),
        "{}",
        said(&missing)
    );
    assert_eq!(home.body(), "v1\n", "the live app still answers");
    let status = home.ok(&["service"]);
    assert!(
        status.contains(&home.app) && status.contains("0.1.0"),
        "{status}"
    );

    let released = in_other(&["release"]);
    assert!(released.status.success(), "{}", said(&released));
    let failed = in_other(&["deploy", "--version", "0.1.0"]);
    assert_eq!(failed.status.code(), Some(3), "{}", said(&failed));
    assert!(
        said(&failed).contains("failed its health check"),
        "{}",
        said(&failed)
    );
    assert_eq!(home.body(), "v1\n", "back on the app that served");
    let status = home.ok(&["service"]);
    assert!(
        status.contains(&home.app) && status.contains("0.1.0"),
        "{status}"
    );
    // And it is kept as before: a replica that stops is replaced.
    let id = home.docker(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=dev.devloop.app={}", home.app),
    ]);
    let first = id.split_whitespace().next().unwrap().to_owned();
    home.docker(&["kill", &first]);
    eventually("two running replicas again", || {
        home.containers() == ["0.1.0 running"; 2]
    });
}

#[test]
fn a_dockerd_stopped_mid_deploy_fails_it_with_the_reason_and_the_host_heals_when_it_is_back() {
    let mut docker = PrivateDocker::start_new();
    let home = Home::new(
        &format!("devloop-test-dockerd-{}", std::process::id()),
        Some(docker.host()),
    );
    home.release_two();
    let (host, _) = home.serve();
    let _host = Killed(host);
    home.ok(&["deploy", "--version", "0.1.0", "--replicas", "2"]);
    assert_eq!(home.body(), "v1\n");

    let mut client = home
        .devloop_cmd(&["deploy", "--version", "0.2.0", "--replicas", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    read_until(&mut client, "starting 0.2.0 replica 1 of 2");
    eventually("a 0.2.0 container", || {
        home.containers().iter().any(|c| c.starts_with("0.2.0"))
    });
    docker.stop();
    let client = client.wait_with_output().unwrap();
    assert_eq!(client.status.code(), Some(3), "{}", said(&client));
    let stderr = String::from_utf8_lossy(&client.stderr);
    assert!(
        stderr.contains("the Docker engine stopped answering during the deploy"),
        "{stderr}"
    );
    assert!(
        stderr.contains("start Docker again") && stderr.contains("fix: sudo"),
        "{stderr}"
    );
    let newest = home.history().deploys(1).unwrap().remove(0);
    assert_eq!(
        (newest.version.as_str(), newest.status.as_str()),
        ("0.2.0", "failed")
    );
    assert!(
        newest.reason.contains("Docker engine stopped answering"),
        "{}",
        newest.reason
    );

    // While the daemon is down the service says so, rather than "2 replicas", and fails.
    let down = home.devloop(&["service"]);
    assert_ne!(down.status.code(), Some(0), "{}", said(&down));
    assert!(said(&down).contains("0 running"), "{}", said(&down));

    // The daemon comes back; the host, still running, replaces the replicas that stopped
    // with it and removes what the failed deploy could not.
    docker.start();
    eventually("the service healed", || {
        home.body() == "v1\n" && home.containers() == ["0.1.0 running"; 2]
    });
    let service = home.ok(&["service"]);
    assert!(
        service.contains("0.1.0") && service.contains("(2 replica(s))"),
        "{service}"
    );
    let ops = home.history().ops(50).unwrap();
    assert!(
        ops.iter().filter(|e| e.kind.as_str() == "heal").count() >= 2,
        "{ops:#?}"
    );
    assert!(
        ops.iter().any(|e| e.kind.as_str() == "rollback"),
        "{ops:#?}"
    );
}
