//! Docker checks against the local engine: images, running and healthy containers, published ports.

use std::collections::HashMap;

use bollard::query_parameters::ListContainersOptions;

use super::{Outcome, Spec};
use crate::docker::{Endpoint, Engine};

pub async fn evaluate(spec: &Spec) -> Outcome {
    let engine = match async { Engine::connect(Endpoint::discover()?).await }.await {
        Ok(engine) => engine,
        Err(e) => {
            return Outcome::error(format!(
                "the Docker engine is not reachable ({e}); see the System check for the fix"
            ))
        }
    };
    evaluate_with(&engine, spec).await
}

/// The same, with a connection the caller already has.
pub async fn evaluate_with(engine: &Engine, spec: &Spec) -> Outcome {
    let docker = engine.client();
    match spec {
        Spec::DockerImageExists { image } => match docker.inspect_image(image).await {
            Ok(_) => Outcome::Pass,
            Err(_) => Outcome::fail(format!(
                "there is no image `{image}` yet: build it with `docker build -t {image} .`"
            )),
        },
        Spec::DockerContainerRunning { name, label } => {
            let mut filters = HashMap::new();
            if let Some(name) = name {
                // Docker's name filter matches substrings; the exact check follows below.
                filters.insert("name".to_owned(), vec![name.clone()]);
            }
            if let Some(label) = label {
                filters.insert("label".to_owned(), vec![label.clone()]);
            }
            let options = ListContainersOptions {
                filters: Some(filters),
                ..Default::default()
            };
            match docker.list_containers(Some(options)).await {
                Ok(list) => {
                    let exact = list.iter().any(|c| {
                        name.as_ref().is_none_or(|n| {
                            c.names
                                .iter()
                                .flatten()
                                .any(|have| have.trim_start_matches('/') == n)
                        })
                    });
                    if exact {
                        Outcome::Pass
                    } else {
                        Outcome::fail(match (name, label) {
                            (Some(n), _) => format!("no running container is called `{n}`"),
                            (None, Some(l)) => {
                                format!("no running container carries the label `{l}`")
                            }
                            (None, None) => "no container given".to_owned(),
                        })
                    }
                }
                Err(e) => Outcome::error(format!("cannot list containers: {e}")),
            }
        }
        Spec::DockerContainerHealthy { name } => match docker.inspect_container(name, None).await {
            Ok(c) => {
                let state = c.state.unwrap_or_default();
                let health = state.health.and_then(|h| h.status).map(|s| s.to_string());
                match (state.running, health.as_deref()) {
                    (Some(true), Some("healthy")) => Outcome::Pass,
                    (Some(true), Some(other)) => {
                        Outcome::fail(format!("`{name}` is running but its health is `{other}`"))
                    }
                    (Some(true), None) => Outcome::fail(format!(
                        "`{name}` has no health check: add HEALTHCHECK or --health-cmd"
                    )),
                    _ => Outcome::fail(format!("`{name}` is not running")),
                }
            }
            Err(_) => Outcome::fail(format!("there is no container `{name}`")),
        },
        Spec::DockerPortPublished { name, port } => {
            match docker.inspect_container(name, None).await {
                Ok(c) => {
                    let ports = c.network_settings.and_then(|n| n.ports).unwrap_or_default();
                    let published =
                        [format!("{port}/tcp"), format!("{port}/udp")]
                            .iter()
                            .any(|key| {
                                ports
                                    .get(key)
                                    .is_some_and(|b| b.as_ref().is_some_and(|b| !b.is_empty()))
                            });
                    if published {
                        Outcome::Pass
                    } else {
                        Outcome::fail(format!("`{name}` does not publish port {port}: run it with `-p 127.0.0.1:{port}:{port}`"))
                    }
                }
                Err(_) => Outcome::fail(format!("there is no container `{name}`")),
            }
        }
        _ => Outcome::error("not a docker check"),
    }
}
