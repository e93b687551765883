//! `swarm init` and `leave` against a real dockerd of the test's own: the swarm DevLoop makes is
//! left cleanly, with no network of it left behind; a swarm DevLoop did not make is never left.

#[path = "common/private_docker.rs"]
mod private_docker;

use devloop_engine::docker::{Endpoint, Engine};
use devloop_engine::swarm::{self, Joined, Left};
use private_docker::PrivateDocker;

async fn networks(engine: &Engine) -> Vec<String> {
    let mut names: Vec<String> = engine
        .client()
        .list_networks(None::<bollard::query_parameters::ListNetworksOptions>)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|n| n.name)
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn devloop_leaves_the_swarm_it_made_and_never_one_it_did_not() {
    let links_before = links();
    let docker = PrivateDocker::start_new();
    let socket = docker.host().trim_start_matches("unix://").to_owned();
    let engine = Engine::connect(Endpoint::Unix(socket.into()))
        .await
        .expect("the private dockerd");
    let home = tempfile::tempdir().unwrap();
    let paths = devloop_engine::settings::test_paths(home.path());
    let before = networks(&engine).await;

    let s = swarm::state(&engine, &paths).await.unwrap();
    assert_eq!((s.node_state.as_str(), s.cluster), ("inactive", None));
    assert_eq!(
        swarm::leave(&engine, &paths).await.unwrap(),
        Left::NoSwarm,
        "no swarm: nothing to leave"
    );

    // DevLoop makes it: a manager, advertised on loopback, and written down as DevLoop's.
    let Joined::Made { cluster } = swarm::init(&engine, &paths).await.unwrap() else {
        panic!("a swarm was made");
    };
    let s = swarm::state(&engine, &paths).await.unwrap();
    assert_eq!(
        (s.node_state.as_str(), s.manager, s.made_by_devloop),
        ("active", true, true)
    );
    let info = engine.client().info().await.unwrap().swarm.unwrap();
    assert_eq!(info.node_addr.as_deref(), Some("127.0.0.1"));
    assert_eq!(
        swarm::init(&engine, &paths).await.unwrap(),
        Joined::AlreadyOurs {
            cluster: cluster.clone()
        }
    );

    // Left: the machine as it was, its networks included.
    assert_eq!(
        swarm::leave(&engine, &paths).await.unwrap(),
        Left::Left { cluster }
    );
    let s = swarm::state(&engine, &paths).await.unwrap();
    assert_eq!(
        (s.node_state.as_str(), s.made_by_devloop),
        ("inactive", false)
    );
    assert_eq!(
        networks(&engine).await,
        before,
        "no network of the swarm left"
    );
    // Nor its bridges, which are this machine's interfaces (the private daemon's own bridge
    // is the one new link).
    let new: Vec<String> = links()
        .into_iter()
        .filter(|l| !links_before.contains(l))
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");

    // The learner's own swarm: used as it is, and never left, not even asked twice.
    docker.learners_swarm();
    let Joined::Learners { cluster: theirs } = swarm::init(&engine, &paths).await.unwrap() else {
        panic!("the learner's swarm is taken as theirs");
    };
    for _ in 0..2 {
        let refused = swarm::leave(&engine, &paths).await.unwrap_err();
        assert_eq!(refused.detail.as_ref().unwrap().code, "swarmNotOurs");
        assert!(
            refused.message.contains("not made by DevLoop"),
            "{}",
            refused.message
        );
    }
    let s = swarm::state(&engine, &paths).await.unwrap();
    assert_eq!(
        (s.node_state.as_str(), s.cluster.as_deref()),
        ("active", Some(theirs.as_str())),
        "untouched"
    );
    engine
        .client()
        .leave_swarm(Some(
            bollard::query_parameters::LeaveSwarmOptionsBuilder::default()
                .force(true)
                .build(),
        ))
        .await
        .unwrap();
    // Leaving a swarm keeps its gateway bridge network (Docker's choice), so the learner's
    // left one behind; the private daemon takes what it made on this machine with it.
    drop(docker);
    assert_eq!(
        links(),
        links_before,
        "the machine's interfaces as they were"
    );
}

/// This machine's network interfaces.
fn links() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir("/sys/class/net")
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
