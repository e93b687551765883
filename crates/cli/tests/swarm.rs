//! `devloop swarm` and `devloop deploy --target swarm` as a learner types them on a worker of
//! their own swarm of two nodes (two private dockerds): each says the node is a worker,
//! refuses what only a manager can do with what to do instead, and leaves the swarm as it was.

mod common;

use common::home::Home;
use common::private_docker::PrivateDocker;
use common::text;

#[test]
fn on_a_worker_the_swarm_commands_say_so_and_change_nothing() {
    let manager = PrivateDocker::start_new();
    let worker = PrivateDocker::start_new();
    manager.learners_swarm();
    worker.join_as_worker(&manager);
    let node = || {
        worker.docker(&[
            "info",
            "--format",
            "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}",
        ])
    };
    assert_eq!(node(), "active false", "the worker joined");

    let home = Home::new(
        &format!("devloop-worker-{}", std::process::id()),
        Some(worker.host()),
    );
    let status = home.devloop(&["swarm", "status"]);
    let said = text(&status);
    assert!(status.status.success(), "{said}");
    assert!(
        said.contains("worker") && !said.contains("no swarm"),
        "swarm status: {said}"
    );

    // A release of this machine's, deployed to the swarm: refused as on a worker.
    home.release("v1", true);
    for args in [
        &["swarm", "init"][..],
        &["deploy", "--target", "swarm", "--no-serve"],
        &["swarm", "leave"],
    ] {
        let out = home.devloop(args);
        let said = text(&out);
        assert!(!out.status.success(), "devloop {args:?} succeeded: {said}");
        assert!(said.contains("worker"), "devloop {args:?}: {said}");
        assert!(
            !said.contains("--force") && !said.contains("swarm init"),
            "devloop {args:?} tells the learner to break their swarm or make another: {said}"
        );
    }
    assert_eq!(node(), "active false", "the worker is still in the swarm");
    assert_eq!(
        manager.docker(&["service", "ls", "-q"]),
        "",
        "nothing made on the learner's swarm"
    );
}
