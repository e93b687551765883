//! Docker checks against the local engine: images, running and healthy containers, published ports.

use std::collections::HashMap;

use bollard::query_parameters::ListContainersOptions;

use super::{Finding, Outcome, Spec};
use crate::docker::{Endpoint, Engine};

pub async fn evaluate(spec: &Spec) -> Outcome {
    let engine = match async { Engine::connect(Endpoint::discover()?).await }.await {
        Ok(engine) => engine,
        Err(e) => {
            return Outcome::blocked(
                Finding::new("dockerDown"),
                format!(
                    "the Docker engine is not reachable ({e}); see the System check for the fix"
                ),
            )
        }
    };
    evaluate_with(&engine, spec).await
}

fn no_container(name: &str) -> Outcome {
    Outcome::found(
        Finding::new("noContainer").with("name", name),
        format!("there is no container `{name}`"),
    )
}

/// The same, with a connection the caller already has.
pub async fn evaluate_with(engine: &Engine, spec: &Spec) -> Outcome {
    let docker = engine.client();
    match spec {
        Spec::DockerImageExists { image } => match docker.inspect_image(image).await {
            Ok(_) => Outcome::Pass,
            Err(_) => Outcome::found(
                Finding::new("noImage").with("image", image),
                format!("there is no image `{image}` yet"),
            ),
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
                        match (name, label) {
                            (Some(n), _) => Outcome::found(
                                Finding::new("noRunningContainer").with("name", n),
                                format!("no running container is called `{n}`"),
                            ),
                            (None, Some(l)) => Outcome::found(
                                Finding::new("noLabelledContainer").with("label", l),
                                format!("no running container carries the label `{l}`"),
                            ),
                            (None, None) => Outcome::error("no container given"),
                        }
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
                    (Some(true), Some(other)) => Outcome::found(
                        Finding::new("unhealthy")
                            .with("name", name)
                            .with("health", other),
                        format!("`{name}` is running but its health is `{other}`"),
                    ),
                    (Some(true), None) => Outcome::found(
                        Finding::new("noHealthCheck").with("name", name),
                        format!("`{name}` has no health check: add HEALTHCHECK or --health-cmd"),
                    ),
                    _ => Outcome::found(
                        Finding::new("notRunning").with("name", name),
                        format!("`{name}` is not running"),
                    ),
                }
            }
            Err(_) => no_container(name),
        },
        Spec::DockerPortPublished {
            name,
            port,
            host_ip,
            host_port,
        } => match docker.inspect_container(name, None).await {
            Ok(c) => {
                let ports = c.network_settings.and_then(|n| n.ports).unwrap_or_default();
                let bindings: Vec<(String, String)> =
                    [format!("{port}/tcp"), format!("{port}/udp")]
                        .iter()
                        .filter_map(|key| ports.get(key).cloned().flatten())
                        .flatten()
                        .map(|b| {
                            (
                                b.host_ip.unwrap_or_default(),
                                b.host_port.unwrap_or_default(),
                            )
                        })
                        .collect();
                published(name, *port, host_ip.as_deref(), *host_port, &bindings)
            }
            Err(_) => no_container(name),
        },
        _ => Outcome::error("not a docker check"),
    }
}

/// Whether `bindings` (host ip, host port) publish container port `port` as the lesson asks;
/// the hint shows the exact `-p` the lesson means.
fn published(
    name: &str,
    port: u16,
    host_ip: Option<&str>,
    host_port: Option<u16>,
    bindings: &[(String, String)],
) -> Outcome {
    let flag = format!(
        "-p {}{}:{port}",
        host_ip.map(|ip| format!("{ip}:")).unwrap_or_default(),
        host_port.map_or_else(|| "HOST_PORT".to_owned(), |p| p.to_string())
    );
    let fits = |(ip, hp): &(String, String)| {
        host_ip.is_none_or(|want| ip == want)
            && host_port.is_none_or(|want| *hp == want.to_string())
    };
    if bindings.iter().any(fits) {
        return Outcome::Pass;
    }
    let (finding, now) = if bindings.is_empty() {
        (
            Finding::new("portNotPublished"),
            format!("`{name}` does not publish port {port}"),
        )
    } else {
        let shown: Vec<String> = bindings
            .iter()
            .map(|(ip, hp)| format!("{}:{hp}", if ip.is_empty() { "0.0.0.0" } else { ip }))
            .collect();
        (
            Finding::new("portPublishedElsewhere").with("where", shown.join(", ")),
            format!("`{name}` publishes port {port} on {}", shown.join(", ")),
        )
    };
    Outcome::found(
        finding
            .with("name", name)
            .with("port", port)
            .with("flag", &flag)
            .run(format!("docker rm -f {name}")),
        format!("{now}; remove it (`docker rm -f {name}`) and run it again with `{flag}`"),
    )
}

#[cfg(test)]
mod port_tests {
    use super::*;

    #[test]
    fn the_hint_shows_the_lessons_own_address_and_what_is_published_now() {
        let Outcome::Fail { hint, .. } = published("svc", 8080, Some("127.0.0.1"), Some(8088), &[])
        else {
            panic!()
        };
        assert!(hint.contains("`-p 127.0.0.1:8088:8080`"), "{hint}");
        let all = [("0.0.0.0".to_owned(), "8088".to_owned())];
        let Outcome::Fail { hint, .. } =
            published("svc", 8080, Some("127.0.0.1"), Some(8088), &all)
        else {
            panic!("published on every interface is not what the lesson asks")
        };
        assert!(
            hint.contains("publishes port 8080 on 0.0.0.0:8088"),
            "{hint}"
        );
        let right = [("127.0.0.1".to_owned(), "8088".to_owned())];
        assert_eq!(
            published("svc", 8080, Some("127.0.0.1"), Some(8088), &right),
            Outcome::Pass
        );
        assert_eq!(published("svc", 8080, None, None, &all), Outcome::Pass);
    }
}
