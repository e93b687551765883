//! A Swarm service's tasks as DevLoop shows them (slot, node, state, version, where each answers), and chaos: a task's container killed, to watch Swarm replace it.

use std::collections::HashMap;

use bollard::models::TaskState;
use bollard::query_parameters::{KillContainerOptions, ListNodesOptions, ListTasksOptions};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::deploy::replica::SERVICE_PORT;
use crate::docker::{DockerError, Engine, Host};
use crate::finding::Finding;
use crate::release::LABEL_VERSION;
use crate::{Code, Error};

fn api(e: bollard::errors::Error) -> Error {
    DockerError::Api(e).into_error(Host::probe())
}

/// One task of a service, as Swarm reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: String,
    /// `app.slot`, as `docker service ps` prints it.
    pub name: String,
    pub slot: u32,
    /// The node's host name.
    pub node: String,
    /// What Swarm says the task is: `new` … `running`, `complete`, `shutdown`, `failed`,
    /// `rejected`.
    pub state: String,
    /// What Swarm wants it to be: `running`, or `shutdown` once it is replaced.
    pub desired: String,
    pub version: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Where it answers on this machine (`ip:port` on DevLoop's network), while it runs here.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Swarm's word for why it ended (`task: non-zero exit (1)`, an unhealthy container).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When Swarm last changed its state (unix milliseconds).
    #[ts(type = "number")]
    pub at_ms: i64,
}

impl Task {
    /// Running, and meant to: the ones traffic may go to.
    pub fn serving(&self) -> bool {
        self.state == "running" && self.desired == "running" && self.address.is_some()
    }
}

/// The tasks of the service `service` (the caller has checked it is this DevLoop's), newest
/// first within each slot.
pub async fn list(engine: &Engine, service: &str, network: &str) -> Result<Vec<Task>, Error> {
    let filters = HashMap::from([("service".to_owned(), vec![service.to_owned()])]);
    let found = engine
        .client()
        .list_tasks(Some(ListTasksOptions {
            filters: Some(filters),
        }))
        .await
        .map_err(api)?;
    let nodes: HashMap<String, String> = engine
        .client()
        .list_nodes(None::<ListNodesOptions>)
        .await
        .map_err(api)?
        .into_iter()
        .filter_map(|n| Some((n.id?, n.description?.hostname?)))
        .collect();
    let mut tasks = Vec::new();
    for t in found {
        // The service filter matches names by prefix: `app` would take in `app-2`'s tasks.
        let slot = t.slot.unwrap_or(0).max(0) as u32;
        let spec = t.spec.as_ref().and_then(|s| s.container_spec.as_ref());
        let version = spec
            .and_then(|c| c.labels.as_ref())
            .and_then(|l| l.get(LABEL_VERSION).cloned())
            .unwrap_or_default();
        let status = t.status.clone().unwrap_or_default();
        let state = status.state;
        let container = status
            .container_status
            .and_then(|c| c.container_id)
            .filter(|c| !c.is_empty());
        let address = match (&container, state) {
            (Some(id), Some(TaskState::RUNNING)) => address(engine, id, network).await,
            _ => None,
        };
        let at_ms = status
            .timestamp
            .as_ref()
            .and_then(|t| t.to_string().parse::<jiff::Timestamp>().ok())
            .map_or(0, |t| t.as_millisecond());
        tasks.push(Task {
            id: t.id.clone().unwrap_or_default(),
            name: format!("{service}.{slot}"),
            slot,
            node: t
                .node_id
                .as_ref()
                .and_then(|n| nodes.get(n).cloned())
                .unwrap_or_default(),
            state: state.map(|s| s.to_string()).unwrap_or_default(),
            desired: t.desired_state.map(|s| s.to_string()).unwrap_or_default(),
            version,
            container,
            address,
            error: status.err.filter(|e| !e.is_empty()),
            at_ms,
        });
    }
    tasks.sort_by(|a, b| a.slot.cmp(&b.slot).then(b.at_ms.cmp(&a.at_ms)));
    Ok(tasks)
}

/// The task container's address on `network`, when it runs on this node.
async fn address(engine: &Engine, container: &str, network: &str) -> Option<String> {
    let info = engine
        .client()
        .inspect_container(container, None)
        .await
        .ok()?;
    let ip = info
        .network_settings?
        .networks?
        .get(network)?
        .ip_address
        .clone()
        .filter(|ip| !ip.is_empty())?;
    Some(format!("{ip}:{SERVICE_PORT}"))
}

/// Kills the container of a running task of `tasks` (the first, or the one named or whose id
/// starts with `which`), as a crash would; returns the task. Swarm notices and replaces it.
pub async fn kill(engine: &Engine, tasks: &[Task], which: Option<&str>) -> Result<Task, Error> {
    let running = tasks
        .iter()
        .filter(|t| t.serving() && t.container.is_some());
    let chosen = match which {
        None => running.clone().next(),
        Some(w) => running
            .clone()
            .find(|t| t.name == w || (w.len() >= 4 && t.id.starts_with(w))),
    };
    let Some(task) = chosen.cloned() else {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("swarmNoTask").with("task", which.unwrap_or("")),
            match which {
                Some(w) => format!("no running task of this service is called {w}"),
                None => "no task of this service is running".to_owned(),
            },
        )
        .with_fix("devloop swarm status"));
    };
    engine
        .client()
        .kill_container(
            task.container.as_deref().unwrap_or_default(),
            Some(KillContainerOptions {
                signal: "SIGKILL".into(),
            }),
        )
        .await
        .map_err(api)?;
    Ok(task)
}
