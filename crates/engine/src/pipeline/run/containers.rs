//! A job's `services:` and `container:`, as GitHub's "About service containers" and "Running
//! jobs in a container" describe them, with images already on this machine (DevLoop never
//! pulls). The services and the job's container share a network of the job's own, where each
//! service answers by its id; a service's `ports` are published on 127.0.0.1 only, on the port
//! asked for or one the engine picks, read from `job.services.<id>.ports`. In a container job
//! the `run` steps run in the container, on the job's workspace, mounted at the same path.
//! Everything is made through the Engine API, carries this DevLoop's id, and is removed when
//! the job ends.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::models::{
    ContainerCreateBody, EndpointSettings, HealthConfig, HostConfig, NetworkCreateRequest,
    NetworkingConfig, PortBinding,
};
use bollard::query_parameters::{CreateContainerOptions, RemoveContainerOptions};
use futures_util::StreamExt;
use serde_json::{json, Map, Value};

use super::step::{Exit, Line};
use crate::docker::Engine;
use crate::instance::LABEL_INSTANCE;
use crate::pipeline::workflow::{ContainerSpec, Job};

/// The label a run's containers and network carry: `<run>/<job>`.
const LABEL_JOB: &str = "dev.devloop.job";

/// What a job started: removed by [`JobContainers::remove`].
pub struct JobContainers {
    engine: Engine,
    network: String,
    made: Vec<String>,
    /// The job's own container, where its `run` steps run, and its image.
    pub job: Option<String>,
    pub job_image: Option<String>,
    /// The `job` context: `services.<id>.{id, network, ports}` and `container`.
    pub context: Value,
}

/// Starts the services and the container `job` asks for; `Ok(None)` when it asks for none.
/// `file` names the workflow, for a missing image's place.
#[allow(clippy::too_many_arguments)]
pub async fn start(
    job: &Job,
    name: &str,
    run: u64,
    data_dir: &Path,
    workspace: &Path,
    temp: &Path,
    file: &Path,
    log: &(dyn Fn(String) + Send + Sync),
) -> Result<Option<JobContainers>, String> {
    if job.services.is_empty() && job.container.is_none() {
        return Ok(None);
    }
    let engine = Engine::connect_here()
        .await
        .map_err(|e| format!("services and containers need Docker: {}", e.message))?;
    let owner = crate::instance::of(data_dir).map_err(|e| e.message)?;
    let engine = engine.owned_by(&owner);
    // Every image first, so a missing one stops the job before anything is made.
    for spec in job
        .services
        .iter()
        .map(|(_, s)| s)
        .chain(job.container.as_ref())
    {
        if engine.client().inspect_image(&spec.image).await.is_err() {
            return Err(format!(
                "{}:{}:{}: the image `{}` is not on this machine, and DevLoop never pulls: build it (`docker build -t {} .`) or load it (`docker load -i FILE`)",
                file.display(),
                spec.pos.line,
                spec.pos.col,
                spec.image,
                spec.image
            ));
        }
    }
    let tag = format!("{run}/{name}");
    let labels = HashMap::from([
        (LABEL_INSTANCE.to_owned(), owner.clone()),
        (LABEL_JOB.to_owned(), tag.clone()),
    ]);
    let network = format!(
        "devloop-{}-{run}-{}",
        &owner[..owner.len().min(8)],
        crate::pipeline::history::slug(name)
    );
    engine
        .client()
        .create_network(NetworkCreateRequest {
            name: network.clone(),
            labels: Some(labels.clone()),
            ..Default::default()
        })
        .await
        .map_err(|e| format!("the job's network could not be made: {e}"))?;
    let mut made = JobContainers {
        engine,
        network: network.clone(),
        made: Vec::new(),
        job: None,
        job_image: None,
        context: json!({}),
    };
    let mut services = Map::new();
    for (id, spec) in &job.services {
        match made.service(id, spec, &labels, log).await {
            Ok(context) => {
                services.insert(id.clone(), context);
            }
            Err(why) => {
                made.remove().await;
                return Err(why);
            }
        }
    }
    let mut context = json!({ "services": services });
    if let Some(spec) = &job.container {
        match made.job_container(spec, &labels, workspace, temp).await {
            Ok(id) => {
                log(format!(
                    "the job's `run` steps run in a container of {}; DevLoop's own actions run on this machine, on the same workspace",
                    spec.image
                ));
                context["container"] = json!({ "id": id, "network": network });
                made.job = Some(id);
                made.job_image = Some(spec.image.clone());
            }
            Err(why) => {
                made.remove().await;
                return Err(why);
            }
        }
    }
    made.context = context;
    Ok(Some(made))
}

impl JobContainers {
    async fn create(&mut self, body: ContainerCreateBody, alias: &str) -> Result<String, String> {
        let mut body = body;
        body.networking_config = Some(NetworkingConfig {
            endpoints_config: Some(HashMap::from([(
                self.network.clone(),
                EndpointSettings {
                    aliases: Some(vec![alias.to_owned()]),
                    ..Default::default()
                },
            )])),
        });
        let created = self
            .engine
            .client()
            .create_container(None::<CreateContainerOptions>, body)
            .await
            .map_err(|e| e.to_string())?;
        self.made.push(created.id.clone());
        self.engine
            .client()
            .start_container(&created.id, None)
            .await
            .map_err(|e| e.to_string())?;
        Ok(created.id)
    }

    /// A service: started, then waited for until it is healthy (when it has a health check)
    /// or running; its context names its ports on this machine.
    async fn service(
        &mut self,
        id: &str,
        spec: &ContainerSpec,
        labels: &HashMap<String, String>,
        log: &(dyn Fn(String) + Send + Sync),
    ) -> Result<Value, String> {
        let (healthcheck, ignored) = health(spec.options.as_deref());
        if !ignored.is_empty() {
            log(format!(
                "notice: the service `{id}`'s options {} are not applied here; the health options are",
                ignored.join(" ")
            ));
        }
        let mut bindings = HashMap::new();
        let mut exposed = Vec::new();
        for port in &spec.ports {
            let (host, inside) = port.split_once(':').unwrap_or(("", port));
            let key = if inside.contains('/') {
                inside.to_owned()
            } else {
                format!("{inside}/tcp")
            };
            exposed.push(key.clone());
            // Loopback only: a service of a run is nobody else's to reach.
            bindings.insert(
                key,
                Some(vec![PortBinding {
                    host_ip: Some("127.0.0.1".into()),
                    host_port: Some(host.to_owned()),
                }]),
            );
        }
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            labels: Some(labels.clone()),
            env: Some(spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            exposed_ports: Some(exposed),
            healthcheck,
            host_config: Some(HostConfig {
                port_bindings: Some(bindings),
                ..Default::default()
            }),
            ..Default::default()
        };
        let container = self
            .create(body, id)
            .await
            .map_err(|e| format!("the service `{id}` did not start: {e}"))?;
        let ports = self.wait_ready(id, &container).await?;
        log(format!("service `{id}` ({}) is ready", spec.image));
        Ok(json!({ "id": container, "network": self.network, "ports": ports }))
    }

    /// Waits until the service is healthy, or running when it has no health check; returns
    /// its published ports, container port to port on this machine.
    async fn wait_ready(&self, id: &str, container: &str) -> Result<Value, String> {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let info = self
                .engine
                .client()
                .inspect_container(container, None)
                .await
                .map_err(|e| e.to_string())?;
            let state = info.state.clone().unwrap_or_default();
            let health = state
                .health
                .as_ref()
                .and_then(|h| h.status)
                .map(|s| s.to_string());
            let running = state.running.unwrap_or(false);
            let ready = match health.as_deref() {
                Some("healthy") => true,
                Some("unhealthy") => {
                    return Err(format!(
                        "the service `{id}` is unhealthy: its health check fails"
                    ))
                }
                Some("starting") => false,
                _ => running,
            };
            if !running {
                return Err(format!("the service `{id}` stopped as soon as it started"));
            }
            if ready {
                let ports: Map<String, Value> = info
                    .network_settings
                    .and_then(|n| n.ports)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|(key, bound)| {
                        let host = bound?.first()?.host_port.clone()?;
                        Some((key.split('/').next()?.to_owned(), json!(host)))
                    })
                    .collect();
                return Ok(Value::Object(ports));
            }
            if Instant::now() > deadline {
                return Err(format!("the service `{id}` was not healthy within 120 s"));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// The job's container: kept running while the steps run in it, the workspace and the
    /// step files mounted where they are on this machine, so paths mean the same inside.
    async fn job_container(
        &mut self,
        spec: &ContainerSpec,
        labels: &HashMap<String, String>,
        workspace: &Path,
        temp: &Path,
    ) -> Result<String, String> {
        let binds = [workspace, temp]
            .iter()
            .map(|p| format!("{0}:{0}", p.display()))
            .collect();
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            labels: Some(labels.clone()),
            env: Some(spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            // As GitHub does: the container idles while the steps are run in it.
            entrypoint: Some(vec!["tail".into()]),
            cmd: Some(vec!["-f".into(), "/dev/null".into()]),
            working_dir: Some(workspace.display().to_string()),
            host_config: Some(HostConfig {
                binds: Some(binds),
                ..Default::default()
            }),
            ..Default::default()
        };
        self.create(body, "job")
            .await
            .map_err(|e| format!("the job's container ({}) did not start: {e}", spec.image))
    }

    /// Runs a step's script in the job's container, its lines to `on_line`.
    #[allow(clippy::too_many_arguments)]
    pub async fn exec(
        &self,
        shell: Option<&str>,
        script: &Path,
        dir: &Path,
        env: &[(String, String)],
        timeout: Option<Duration>,
        cancel: CancellationToken,
        on_line: Arc<dyn Fn(Line) + Send + Sync>,
    ) -> Result<Exit, String> {
        let Some(container) = &self.job else {
            return Err("the job has no container".into());
        };
        // GitHub's default in a container: bash when the image has it, else sh.
        let shell = match shell {
            Some(s) => s.to_owned(),
            None => {
                "{ command -v bash >/dev/null && exec bash -e \"$0\"; } || exec sh -e \"$0\"".into()
            }
        };
        let cmd: Vec<String> = if shell.contains("$0") {
            vec![
                "sh".into(),
                "-c".into(),
                shell,
                script.display().to_string(),
            ]
        } else if shell == "bash" {
            vec![
                "bash".into(),
                "--noprofile".into(),
                "--norc".into(),
                "-eo".into(),
                "pipefail".into(),
                script.display().to_string(),
            ]
        } else {
            vec![shell, "-e".into(), script.display().to_string()]
        };
        let exec = self
            .engine
            .client()
            .create_exec(
                container,
                CreateExecOptions {
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    cmd: Some(cmd),
                    env: Some(env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
                    working_dir: Some(dir.display().to_string()),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| e.to_string())?;
        let started = Instant::now();
        let StartExecResults::Attached { mut output, .. } = self
            .engine
            .client()
            .start_exec(&exec.id, None::<StartExecOptions>)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Err("the step's output could not be read".into());
        };
        let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
        let mut pending = [String::new(), String::new()];
        let stopped = loop {
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                chunk = output.next() => match chunk {
                    Some(Ok(out)) => {
                        let stderr = matches!(out, bollard::container::LogOutput::StdErr { .. });
                        let buf = &mut pending[usize::from(stderr)];
                        buf.push_str(&String::from_utf8_lossy(&out.into_bytes()));
                        while let Some(i) = buf.find('\n') {
                            let text: String = buf.drain(..=i).collect();
                            on_line(Line {
                                text: text.trim_end_matches(['\n', '\r']).to_owned(),
                                stderr,
                                at_ms: started.elapsed().as_millis() as u64,
                            });
                        }
                    }
                    Some(Err(e)) => return Err(e.to_string()),
                    None => break None,
                },
                () = cancel.cancelled() => break Some(Exit::Cancelled),
                () = sleep => break Some(Exit::TimedOut),
            }
        };
        for (i, rest) in pending.iter().enumerate() {
            if !rest.is_empty() {
                on_line(Line {
                    text: rest.clone(),
                    stderr: i == 1,
                    at_ms: started.elapsed().as_millis() as u64,
                });
            }
        }
        if let Some(exit) = stopped {
            // Nothing stops an exec from outside but its container: the job ends here anyway.
            let _ = self
                .engine
                .client()
                .kill_container(
                    container,
                    None::<bollard::query_parameters::KillContainerOptions>,
                )
                .await;
            return Ok(exit);
        }
        let code = self
            .engine
            .client()
            .inspect_exec(&exec.id)
            .await
            .ok()
            .and_then(|i| i.exit_code)
            .unwrap_or(1);
        Ok(Exit::Code(code as i32))
    }

    /// Removes what the job started: its containers, then its network.
    pub async fn remove(&self) {
        for id in &self.made {
            let _ = self
                .engine
                .client()
                .remove_container(
                    id,
                    Some(RemoveContainerOptions {
                        force: true,
                        v: true,
                        ..Default::default()
                    }),
                )
                .await;
        }
        let _ = self.engine.client().remove_network(&self.network).await;
    }
}

/// The health options of `docker create` in `options` (`--health-cmd "pg_isready"
/// --health-interval 10s …`), as the Engine API's health config; the other options, named.
fn health(options: Option<&str>) -> (Option<HealthConfig>, Vec<String>) {
    let Some(words) = options.and_then(shlex::split) else {
        return (None, Vec::new());
    };
    let nanos = |v: &str| -> Option<i64> {
        let (n, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit() && c != '.')?);
        let n: f64 = n.parse().ok()?;
        let scale = match unit {
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            _ => return None,
        };
        Some((n * scale) as i64)
    };
    let mut config = HealthConfig::default();
    let mut any = false;
    let mut ignored = Vec::new();
    let mut it = words.into_iter().peekable();
    while let Some(word) = it.next() {
        let (flag, value) = match word.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (word.clone(), None),
        };
        let mut value = || value.clone().or_else(|| it.next());
        match flag.as_str() {
            "--health-cmd" => {
                config.test = value().map(|c| vec!["CMD-SHELL".into(), c]);
                any = true;
            }
            "--health-interval" => config.interval = value().as_deref().and_then(nanos),
            "--health-timeout" => config.timeout = value().as_deref().and_then(nanos),
            "--health-retries" => config.retries = value().and_then(|r| r.parse().ok()),
            "--health-start-period" => config.start_period = value().as_deref().and_then(nanos),
            other => ignored.push(other.to_owned()),
        }
    }
    (any.then_some(config), ignored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_options_are_read_as_docker_reads_them() {
        let (config, ignored) = health(Some(
            "--health-cmd \"pg_isready -U x\" --health-interval=10s --health-timeout 500ms --health-retries 5 --cpus 2",
        ));
        let config = config.unwrap();
        assert_eq!(
            config.test,
            Some(vec!["CMD-SHELL".to_owned(), "pg_isready -U x".to_owned()])
        );
        assert_eq!(config.interval, Some(10_000_000_000));
        assert_eq!(config.timeout, Some(500_000_000));
        assert_eq!(config.retries, Some(5));
        assert_eq!(ignored, ["--cpus", "2"]);
    }
}
