//! The network a DevLoop's Swarm services run on: a swarm-scoped bridge on this node, internal (no route out, none in from another machine), with no port published anywhere, so only this machine's own processes (DevLoop's proxy on loopback) reach the tasks.

use std::collections::HashMap;

use bollard::models::NetworkCreateRequest;
use bollard::query_parameters::ListNetworksOptions;

use super::LABEL_SWARM;
use crate::docker::{DockerError, Engine, Host};
use crate::instance::LABEL_INSTANCE;
use crate::Error;

fn api(e: bollard::errors::Error) -> Error {
    DockerError::Api(e).into_error(Host::probe())
}

/// The network's name for the DevLoop `engine` acts for: two DevLoops on one swarm have one
/// each.
pub fn name(engine: &Engine) -> String {
    format!("devloop-{}", super::short(engine.owner()))
}

/// Makes the network unless it is there; returns its name.
pub async fn ensure(engine: &Engine) -> Result<String, Error> {
    let name = name(engine);
    if find(engine, &name).await?.is_some() {
        return Ok(name);
    }
    let request = NetworkCreateRequest {
        name: name.clone(),
        driver: Some("bridge".into()),
        // Swarm services may join a bridge only when it is swarm-scoped.
        scope: Some("swarm".into()),
        // No gateway out and, with Docker's firewall, nothing forwarded in: the tasks answer
        // this machine only.
        internal: Some(true),
        labels: Some(HashMap::from([
            (LABEL_SWARM.to_owned(), "1".to_owned()),
            (LABEL_INSTANCE.to_owned(), engine.owner().to_owned()),
        ])),
        ..Default::default()
    };
    engine.client().create_network(request).await.map_err(api)?;
    Ok(name)
}

/// The network's id, if this DevLoop's is there.
async fn find(engine: &Engine, name: &str) -> Result<Option<String>, Error> {
    let filters = HashMap::from([
        ("name".to_owned(), vec![name.to_owned()]),
        (
            "label".to_owned(),
            vec![format!("{LABEL_INSTANCE}={}", engine.owner())],
        ),
    ]);
    let found = engine
        .client()
        .list_networks(Some(ListNetworksOptions {
            filters: Some(filters),
        }))
        .await
        .map_err(api)?;
    // The name filter matches parts of names: only the exact one counts.
    Ok(found
        .into_iter()
        .find(|n| n.name.as_deref() == Some(name))
        .and_then(|n| n.id))
}

/// Removes this DevLoop's network, and waits until this node has let it go (best effort: a
/// task's container still stopping keeps it a moment).
pub async fn remove(engine: &Engine) {
    let name = name(engine);
    for _ in 0..120 {
        match find(engine, &name).await {
            Ok(Some(id)) => {
                // Removed from the swarm's store at once, from this node a moment later.
                let _ = engine.client().remove_network(&id).await;
            }
            _ => return,
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}
