//! This machine as a one-node Docker Swarm: a swarm DevLoop made is written down and left by DevLoop; a learner's own is used but never left.

use std::path::PathBuf;

use bollard::models::{LocalNodeState, SwarmInitRequest};
use bollard::query_parameters::LeaveSwarmOptionsBuilder;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::docker::{DockerError, Engine, Host};
use crate::finding::Finding;
use crate::settings::Paths;
use crate::{Code, Error};

/// Where the node advertises itself: loopback, so nothing outside this machine joins.
const ADVERTISE: &str = "127.0.0.1";

/// What the daemon says of its swarm, and whether DevLoop made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SwarmState {
    /// `inactive`, `pending`, `active`, `error` or `locked`, as the daemon says it.
    pub node_state: String,
    /// This node manages the swarm (DevLoop can create services on it).
    pub manager: bool,
    /// The swarm's id, when there is one.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// DevLoop made this swarm, so `devloop swarm leave` may leave it.
    pub made_by_devloop: bool,
}

impl SwarmState {
    /// This node works in a swarm it cannot manage. Docker tells a worker nothing of its
    /// cluster, so `cluster` is empty here, yet the node is in a swarm: never DevLoop's, which
    /// only makes one-node swarms it manages.
    pub fn worker(&self) -> bool {
        self.node_state == LocalNodeState::ACTIVE.to_string() && !self.manager
    }
}

/// What `init` found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined {
    /// DevLoop made a swarm of this machine.
    Made { cluster: String },
    /// A swarm DevLoop made earlier is still here.
    AlreadyOurs { cluster: String },
    /// The learner's own swarm: used as it is, and never left by DevLoop.
    Learners { cluster: String },
}

/// What `leave` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Left {
    /// DevLoop left the swarm it made; the machine is as it was.
    Left { cluster: String },
    /// There was no swarm to leave.
    NoSwarm,
}

/// The bridge a swarm gives its containers to the outside; it outlives the swarm unless removed.
const GWBRIDGE: &str = "docker_gwbridge";

/// The record of the swarm DevLoop made: its id, and whether the swarm's bridge was there before
/// (one DevLoop's init made is removed when it leaves, so the machine is as it was).
#[derive(Debug, Serialize, Deserialize)]
struct Made {
    cluster: String,
    #[serde(default)]
    bridge_made: bool,
}

fn marker(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("swarm.json")
}

fn record(data_dir: &std::path::Path) -> Option<Made> {
    let text = std::fs::read_to_string(marker(data_dir)).ok()?;
    serde_json::from_str::<Made>(&text).ok()
}

fn made(data_dir: &std::path::Path) -> Option<String> {
    record(data_dir).map(|m| m.cluster)
}

async fn bridge_exists(engine: &Engine) -> Result<bool, Error> {
    Ok(engine
        .client()
        .inspect_network(
            GWBRIDGE,
            None::<bollard::query_parameters::InspectNetworkOptions>,
        )
        .await
        .is_ok())
}

fn api(e: bollard::errors::Error) -> Error {
    DockerError::Api(e).into_error(Host::probe())
}

/// The daemon's swarm as it is now.
pub async fn state(engine: &Engine, paths: &Paths) -> Result<SwarmState, Error> {
    state_in(engine, &paths.data_dir).await
}

/// The same, for the DevLoop whose data folder is `data_dir` (a lesson's check knows only
/// that).
pub async fn state_in(engine: &Engine, data_dir: &std::path::Path) -> Result<SwarmState, Error> {
    let info = engine.client().info().await.map_err(api)?;
    let swarm = info.swarm.unwrap_or_default();
    let node_state = swarm
        .local_node_state
        .map(|s| s.to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "inactive".into());
    let cluster = swarm.cluster.and_then(|c| c.id).filter(|id| !id.is_empty());
    let made_by_devloop = cluster.is_some() && cluster == made(data_dir);
    Ok(SwarmState {
        node_state,
        manager: swarm.control_available.unwrap_or(false),
        cluster,
        made_by_devloop,
    })
}

/// Makes a one-node swarm of this machine, advertised on loopback, and writes down that DevLoop
/// made it; a swarm already here is left as it is.
pub async fn init(engine: &Engine, paths: &Paths) -> Result<Joined, Error> {
    let now = state(engine, paths).await?;
    if now.worker() {
        return Err(not_a_manager());
    }
    if let Some(cluster) = now.cluster.clone() {
        return Ok(if now.made_by_devloop {
            Joined::AlreadyOurs { cluster }
        } else {
            Joined::Learners { cluster }
        });
    }
    if now.node_state != LocalNodeState::INACTIVE.to_string() {
        // Pending, locked or in error: not a state to build on, nor one DevLoop clears by
        // force for the learner.
        let fix = if now.node_state == LocalNodeState::LOCKED.to_string() {
            "docker swarm unlock"
        } else {
            "docker swarm leave --force"
        };
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("swarmNodeState").with("state", &now.node_state),
            format!(
                "this Docker node is {} in a swarm; settle it first (`{fix}`)",
                now.node_state
            ),
        )
        .with_fix(fix));
    }
    let bridge_was_there = bridge_exists(engine).await?;
    let request = SwarmInitRequest {
        listen_addr: Some(format!("{ADVERTISE}:2377")),
        advertise_addr: Some(ADVERTISE.into()),
        ..Default::default()
    };
    engine.client().init_swarm(request).await.map_err(api)?;
    let cluster = state(engine, paths)
        .await?
        .cluster
        .ok_or_else(|| Error::internal("the daemon made a swarm but names no cluster"))?;
    let record = serde_json::to_vec(&Made {
        cluster: cluster.clone(),
        bridge_made: !bridge_was_there,
    })
    .expect("a string serialises");
    let written = std::fs::create_dir_all(&paths.data_dir)
        .and_then(|()| devloop_base::atomic::write(&marker(&paths.data_dir), &record));
    if let Err(e) = written {
        // Unrecorded, DevLoop could never leave it: undo the swarm rather than strand it.
        let _ = leave_now(engine, !bridge_was_there).await;
        return Err(Error::file(Code::Settings, &marker(&paths.data_dir), &e));
    }
    Ok(Joined::Made { cluster })
}

/// Leaves the swarm DevLoop made, and forgets it; a swarm DevLoop did not make is refused and
/// left as it is.
pub async fn leave(engine: &Engine, paths: &Paths) -> Result<Left, Error> {
    let now = state(engine, paths).await?;
    if now.worker() {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("swarmWorkerNotOurs"),
            "this Docker daemon is a worker in a swarm DevLoop did not make, so DevLoop leaves it as it is; leave it yourself if you mean to",
        )
        .with_fix("docker swarm leave"));
    }
    let Some(cluster) = now.cluster else {
        // Gone already (left by hand, or a leave cut short before it tidied up): only the
        // bridge DevLoop's swarm brought may remain.
        if record(&paths.data_dir).is_some_and(|m| m.bridge_made) {
            remove_bridge(engine).await;
        }
        let _ = std::fs::remove_file(marker(&paths.data_dir));
        return Ok(Left::NoSwarm);
    };
    if !now.made_by_devloop {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("swarmNotOurs").with("cluster", short(&cluster)),
            format!(
                "this machine's swarm {} was not made by DevLoop, so DevLoop leaves it as it is; leave it yourself if you mean to",
                short(&cluster)
            ),
        )
        .with_fix("docker swarm leave --force"));
    }
    in_use(engine).await?;
    let bridge_made = record(&paths.data_dir).is_some_and(|m| m.bridge_made);
    leave_now(engine, bridge_made).await?;
    let _ = std::fs::remove_file(marker(&paths.data_dir));
    Ok(Left::Left { cluster })
}

/// Refuses to leave a swarm that still runs services: leaving by force would take them down
/// with it, and they may be a learner's, or another DevLoop's.
async fn in_use(engine: &Engine) -> Result<(), Error> {
    let services = engine
        .client()
        .list_services(None::<bollard::query_parameters::ListServicesOptions>)
        .await
        .map_err(api)?;
    let names: Vec<String> = services
        .iter()
        .filter_map(|s| s.spec.as_ref()?.name.clone())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    let devloops = services.iter().all(|s| {
        s.spec
            .as_ref()
            .and_then(|s| s.labels.as_ref())
            .is_some_and(|l| l.contains_key(super::LABEL_SWARM))
    });
    Err(Error::said(
        Code::InvalidInput,
        Finding::new("swarmInUse").with("services", names.join(", ")),
        format!(
            "the swarm still runs {}; leaving would take them down: move them off first",
            names.join(", ")
        ),
    )
    .with_fix(if devloops {
        "devloop deploy --target local"
    } else {
        "docker service ls"
    }))
}

/// A one-node swarm's manager can only leave by force: it is the last one. The swarm's bridge
/// goes too when the swarm made it.
async fn leave_now(engine: &Engine, bridge_made: bool) -> Result<(), Error> {
    let options = LeaveSwarmOptionsBuilder::default().force(true).build();
    // Leaving stops the node's swarm work first, which can outlast an ordinary request.
    engine
        .client()
        .clone()
        .with_timeout(std::time::Duration::from_secs(120))
        .leave_swarm(Some(options))
        .await
        .map_err(api)?;
    if bridge_made {
        remove_bridge(engine).await;
    }
    Ok(())
}

/// Removes the swarm's gateway bridge, once nothing of the swarm's holds it.
async fn remove_bridge(engine: &Engine) {
    // The swarm's ingress sandbox lets go of the bridge a moment after the node has left;
    // removed before that, the network is forgotten but its interface stays on the machine.
    // Best effort: a container of the learner's on it keeps it, and that is theirs to say.
    for _ in 0..40 {
        let attached = engine
            .client()
            .inspect_network(
                GWBRIDGE,
                None::<bollard::query_parameters::InspectNetworkOptions>,
            )
            .await
            .ok()
            .and_then(|n| n.containers)
            .is_some_and(|c| c.keys().any(|k| k.contains("ingress-sbox")));
        if !attached {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let _ = engine.client().remove_network(GWBRIDGE).await;
}

/// The refusal when this daemon is in a swarm but cannot manage it.
pub fn not_a_manager() -> Error {
    Error::said(
        Code::InvalidInput,
        Finding::new("swarmNotManager"),
        "this Docker daemon is a worker in a swarm, not a manager: services can only be made on a manager",
    )
    .with_fix("docker node ls")
}

/// The first 12 characters of an id, as `docker` prints it.
pub fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}
