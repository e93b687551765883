//! Replicas: the service's containers. Each carries DevLoop's labels (app, version, colour,
//! deploy), is published on 127.0.0.1 only, on a port the engine picks, and gets memory and
//! CPU limits. DevLoop only ever stops or removes a container it started: one with the deploy
//! label, which only [`start`] sets. (A container inherits its image's labels, and release
//! images carry the app label, so `docker run loop-service:0.1.0` by hand must not look like
//! DevLoop's own.)

use std::collections::HashMap;
use tokio_util::sync::CancellationToken;

use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{
    CreateContainerOptions, ListContainersOptions, LogsOptions, RemoveContainerOptions,
};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::docker::{DockerError, Engine, Host};
use crate::finding::Finding;
use crate::instance::LABEL_INSTANCE;
use crate::release::{LABEL_APP, LABEL_VERSION};
use crate::{Code, Error};

pub const LABEL_COLOUR: &str = "dev.devloop.colour";
pub const LABEL_DEPLOY: &str = "dev.devloop.deploy";
/// The port the service listens on inside its container.
pub const SERVICE_PORT: u16 = 8080;
/// Each replica may use this much memory; a leak shows up as an OOM kill, not a frozen laptop.
pub const MEMORY_BYTES: i64 = 256 * 1024 * 1024;
/// Half a core each: autoscaling has something to do on a two-core laptop.
pub const NANO_CPUS: i64 = 500_000_000;

/// What to start.
#[derive(Debug, Clone)]
pub struct Spec {
    pub app: String,
    pub version: String,
    /// `app:version`, or any local image.
    pub image: String,
    /// `blue` or `green` in a blue-green deploy; `rolling`/`recreate` otherwise.
    pub colour: String,
    pub deploy: String,
}

/// A running replica.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Replica {
    pub id: String,
    pub name: String,
    pub version: String,
    pub colour: String,
    pub deploy: String,
    /// Where it answers on this machine: 127.0.0.1:`port` (0 for a swarm task).
    pub port: u16,
    pub running: bool,
    /// A swarm task's address on DevLoop's network (`ip:port`); none for a local replica.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

fn api(e: bollard::errors::Error) -> Error {
    DockerError::Api(e).into_error(Host::probe())
}

/// The refusal to touch a container DevLoop did not start.
fn not_ours(id: &str) -> Error {
    Error::said(
        Code::InvalidInput,
        Finding::new("notOurContainer").with("id", id),
        format!("container {id} was not started by DevLoop, so DevLoop leaves it alone"),
    )
}

/// Refuses `image` when it is not on this machine: a release makes it.
pub async fn image_here(engine: &Engine, image: &str) -> Result<(), Error> {
    if engine.client().inspect_image(image).await.is_ok() {
        return Ok(());
    }
    Err(Error::said(
        Code::InvalidInput,
        Finding::new("imageMissing").with("image", image),
        format!("the image {image} is not on this machine: make the release first"),
    )
    .with_fix("devloop release"))
}

/// Starts one replica and returns it with its port. A container that stops at once is
/// removed again, and the error carries its last log lines.
pub async fn start(engine: &Engine, spec: &Spec) -> Result<Replica, Error> {
    image_here(engine, &spec.image).await?;
    let suffix: String = format!("{:x}", rand_suffix());
    let name = format!(
        "devloop-{}-{}-{}",
        spec.app,
        spec.version.replace(['.', '+', ':'], "-"),
        &suffix[..6.min(suffix.len())]
    );
    let labels = HashMap::from([
        (LABEL_APP.to_owned(), spec.app.clone()),
        (LABEL_VERSION.to_owned(), spec.version.clone()),
        (LABEL_COLOUR.to_owned(), spec.colour.clone()),
        (LABEL_DEPLOY.to_owned(), spec.deploy.clone()),
        (LABEL_INSTANCE.to_owned(), engine.owner().to_owned()),
    ]);
    let port_key = format!("{SERVICE_PORT}/tcp");
    let body = ContainerCreateBody {
        image: Some(spec.image.clone()),
        labels: Some(labels),
        exposed_ports: Some(vec![port_key.clone()]),
        env: Some(vec![format!("PORT={SERVICE_PORT}")]),
        host_config: Some(HostConfig {
            // Loopback only, on a port the engine picks: nothing is reachable from outside.
            port_bindings: Some(HashMap::from([(
                port_key.clone(),
                Some(vec![PortBinding {
                    host_ip: Some("127.0.0.1".into()),
                    host_port: Some(String::new()),
                }]),
            )])),
            memory: Some(MEMORY_BYTES),
            nano_cpus: Some(NANO_CPUS),
            ..Default::default()
        }),
        ..Default::default()
    };
    let created = engine
        .client()
        .create_container(
            Some(CreateContainerOptions {
                name: Some(name.clone()),
                ..Default::default()
            }),
            body,
        )
        .await
        .map_err(api)?;
    let id = created.id;
    if let Err(e) = engine.client().start_container(&id, None).await {
        let _ = remove(engine, &id).await;
        return Err(api(e));
    }
    let info = engine
        .client()
        .inspect_container(&id, None)
        .await
        .map_err(api)?;
    let running = info.state.as_ref().and_then(|s| s.running).unwrap_or(false);
    let port = info
        .network_settings
        .and_then(|n| n.ports)
        .and_then(|p| p.get(&port_key).cloned().flatten())
        .and_then(|b| b.first().and_then(|b| b.host_port.clone()))
        .and_then(|p| p.parse().ok());
    match (running, port) {
        (true, Some(port)) => Ok(Replica {
            id,
            name,
            version: spec.version.clone(),
            colour: spec.colour.clone(),
            deploy: spec.deploy.clone(),
            port,
            running: true,
            address: None,
        }),
        _ => {
            let tail = logs(engine, &id, 20).await;
            let _ = remove(engine, &id).await;
            Err(Error::said(
                Code::InvalidInput,
                Finding::new("stoppedAtStart")
                    .with("image", &spec.image)
                    .with("output", tail.trim_end()),
                format!(
                    "{} stopped as soon as it started{}",
                    spec.image,
                    if tail.trim().is_empty() {
                        String::new()
                    } else {
                        format!("; its last lines:\n{tail}")
                    }
                ),
            )
            .with_fix(format!("docker run --rm {}", spec.image)))
        }
    }
}

/// A suffix that keeps container names unique without a random-number dependency.
fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// True when `labels` (a container's own) say this DevLoop started it: DevLoop's deploy label,
/// and the instance id of the DevLoop `engine` acts for.
fn made_here(engine: &Engine, labels: &HashMap<String, String>) -> bool {
    labels.contains_key(LABEL_DEPLOY)
        && labels.get(LABEL_INSTANCE).map(String::as_str) == Some(engine.owner())
}

/// Stops and removes a replica, if, and only if, this DevLoop started it.
pub async fn remove(engine: &Engine, id: &str) -> Result<(), Error> {
    let info = match engine.client().inspect_container(id, None).await {
        Ok(i) => i,
        // Already gone: that is what was wanted.
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => return Ok(()),
        Err(e) => return Err(api(e)),
    };
    let container_says = info
        .config
        .and_then(|c| c.labels)
        .is_some_and(|l| made_here(engine, &l));
    let image_says = match info.image.as_deref() {
        Some(image) => engine
            .client()
            .inspect_image(image)
            .await
            .ok()
            .and_then(|i| i.config?.labels)
            .is_some_and(|l| l.contains_key(LABEL_DEPLOY)),
        None => false,
    };
    // The label must come from the container's own creation, not from its image.
    let ours = container_says && !image_says;
    if !ours {
        return Err(not_ours(id));
    }
    // No graceful stop: callers drain a replica's requests before removing it, and a
    // service running as PID 1 (busybox httpd) ignores SIGTERM, which would cost the whole
    // grace period on every replica.
    engine
        .client()
        .remove_container(
            id,
            Some(RemoveContainerOptions {
                force: true,
                ..Default::default()
            }),
        )
        .await
        .or_else(|e| match e {
            bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            } => Ok(()),
            e => Err(api(e)),
        })
}

/// Every container of `app` this DevLoop started, running or not; another DevLoop's on the
/// same daemon are not listed.
pub async fn list(engine: &Engine, app: &str) -> Result<Vec<Replica>, Error> {
    let filters = HashMap::from([(
        "label".to_owned(),
        vec![
            format!("{LABEL_APP}={app}"),
            LABEL_DEPLOY.to_owned(),
            format!("{LABEL_INSTANCE}={}", engine.owner()),
        ],
    )]);
    let found = engine
        .client()
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filters),
            ..Default::default()
        }))
        .await
        .map_err(api)?;
    Ok(found
        .into_iter()
        .map(|c| {
            let labels = c.labels.unwrap_or_default();
            let label = |k: &str| labels.get(k).cloned().unwrap_or_default();
            let port = c
                .ports
                .unwrap_or_default()
                .iter()
                .find(|p| p.private_port == SERVICE_PORT)
                .and_then(|p| p.public_port)
                .unwrap_or(0);
            Replica {
                id: c.id.unwrap_or_default(),
                name: c
                    .names
                    .and_then(|n| n.first().cloned())
                    .unwrap_or_default()
                    .trim_start_matches('/')
                    .to_owned(),
                version: label(LABEL_VERSION),
                colour: label(LABEL_COLOUR),
                deploy: label(LABEL_DEPLOY),
                port,
                running: c.state.is_some_and(|s| s.to_string() == "running"),
                address: None,
            }
        })
        .collect())
}

/// A container's CPU counters at one moment (nanoseconds of CPU it used, of the whole host).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuCounters {
    pub used: u64,
    pub system: u64,
    pub cpus: u32,
}

impl CpuCounters {
    /// Percent of one core used between `before` and `self`, the way `docker stats` counts it.
    pub fn percent_since(&self, before: &CpuCounters) -> Option<f64> {
        let used = self.used.checked_sub(before.used)?;
        let system = self.system.checked_sub(before.system)?;
        (system > 0).then(|| used as f64 / system as f64 * f64::from(self.cpus.max(1)) * 100.0)
    }
}

/// One reading of container `id`'s statistics: not a stream (API 1.41's `one-shot`).
pub async fn stats_once(
    engine: &Engine,
    id: &str,
) -> Option<bollard::models::ContainerStatsResponse> {
    let mut stream = engine.client().stats(
        id,
        Some(bollard::query_parameters::StatsOptions {
            stream: false,
            one_shot: true,
        }),
    );
    stream.next().await?.ok()
}

/// The CPU counters of container `id` now.
pub async fn cpu_counters(engine: &Engine, id: &str) -> Option<CpuCounters> {
    let cpu = stats_once(engine, id).await?.cpu_stats?;
    Some(CpuCounters {
        used: cpu.cpu_usage?.total_usage?,
        system: cpu.system_cpu_usage?,
        cpus: cpu.online_cpus.unwrap_or(1),
    })
}

/// The CPU all of `live` used since the last call (percent of one core, summed), from each
/// one's counters in `seen`, which this updates; `None` until one replica has two readings.
/// Replicas read for the first time count at the average of the others.
pub async fn cpu_total(
    engine: &Engine,
    live: &[Replica],
    seen: &mut HashMap<String, CpuCounters>,
) -> Option<f64> {
    let readings =
        futures_util::future::join_all(live.iter().map(|r| cpu_counters(engine, &r.id))).await;
    let mut percents = Vec::new();
    let mut next = HashMap::new();
    for (r, now) in live.iter().zip(readings) {
        let Some(now) = now else { continue };
        if let Some(p) = seen.get(&r.id).and_then(|before| now.percent_since(before)) {
            percents.push(p);
        }
        next.insert(r.id.clone(), now);
    }
    // Replicas that left are forgotten with the swap.
    *seen = next;
    if percents.is_empty() {
        return None;
    }
    let average = percents.iter().sum::<f64>() / percents.len() as f64;
    Some(average * live.len() as f64)
}

/// The last `lines` of a container's output, for error messages.
pub async fn logs(engine: &Engine, id: &str, lines: usize) -> String {
    let mut stream = engine.client().logs(
        id,
        Some(LogsOptions {
            stdout: true,
            stderr: true,
            tail: lines.to_string(),
            ..Default::default()
        }),
    );
    let mut out = String::new();
    while let Some(Ok(chunk)) = stream.next().await {
        out.push_str(&chunk.to_string());
        if out.len() > 64 * 1024 {
            break;
        }
    }
    out
}

/// Splits Docker's `2026-11-28T06:10:00.123456789Z ` prefix off a line: its time in unix
/// milliseconds, and the rest. A line without one is kept whole.
fn stamped(line: &str) -> (Option<i64>, &str) {
    let Some((stamp, rest)) = line.split_once(' ') else {
        return (None, line);
    };
    // Docker's stamp is RFC 3339 in UTC; a line that merely starts with a word is not stamped.
    if !stamp.ends_with('Z') {
        return (None, line);
    }
    match stamp.parse::<jiff::Timestamp>() {
        Ok(at) => (Some(at.as_millisecond()), rest),
        Err(_) => (None, line),
    }
}

/// A line a replica printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    pub text: String,
    pub stderr: bool,
    /// When the container printed it (unix milliseconds), as Docker stamped it.
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
}

/// Follows the output of DevLoop's replica `id`: the last `tail` lines, then each new one,
/// until it stops or `cancel` is set. Lines are cut at 16 KiB, so a replica printing without
/// newlines cannot grow memory.
pub async fn follow(
    engine: &Engine,
    id: &str,
    tail: usize,
    sink: &(dyn Fn(Vec<LogLine>) + Send + Sync),
    cancel: CancellationToken,
) -> Result<(), Error> {
    const MAX_LINE: usize = 16 * 1024;
    let labels = engine
        .client()
        .inspect_container(id, None)
        .await
        .map_err(api)?
        .config
        .and_then(|c| c.labels)
        .unwrap_or_default();
    // A task of this DevLoop's swarm service may be read too (never removed: it is Swarm's).
    let swarm_task = labels.contains_key(crate::instance::LABEL_SWARM)
        && labels.get(LABEL_INSTANCE).map(String::as_str) == Some(engine.owner());
    if !made_here(engine, &labels) && !swarm_task {
        return Err(not_ours(id));
    }
    let mut stream = engine.client().logs(
        id,
        Some(LogsOptions {
            follow: true,
            stdout: true,
            stderr: true,
            // Docker's own time for each line, so Monitor can show the lines of a window.
            timestamps: true,
            tail: tail.to_string(),
            ..Default::default()
        }),
    );
    let (mut out, mut err) = (String::new(), String::new());
    loop {
        let chunk = tokio::select! {
            c = stream.next() => c,
            () = cancel.cancelled() => return Ok(()),
        };
        let Some(chunk) = chunk else { return Ok(()) };
        let chunk = chunk.map_err(api)?;
        let (stderr, text) = match chunk {
            bollard::container::LogOutput::StdErr { message } => (true, message),
            bollard::container::LogOutput::StdOut { message }
            | bollard::container::LogOutput::Console { message }
            | bollard::container::LogOutput::StdIn { message } => (false, message),
        };
        let pending = if stderr { &mut err } else { &mut out };
        pending.push_str(&String::from_utf8_lossy(&text));
        let mut lines = Vec::new();
        while let Some(i) = pending.find('\n') {
            let line: String = pending.drain(..=i).collect();
            let line = line.trim_end_matches(['\n', '\r']);
            let (at, text) = stamped(line);
            lines.push(LogLine {
                text: text.to_owned(),
                stderr,
                at,
            });
        }
        if pending.len() > MAX_LINE {
            let mut cut = MAX_LINE;
            while !pending.is_char_boundary(cut) {
                cut -= 1;
            }
            lines.push(LogLine {
                text: pending.drain(..cut).collect(),
                stderr,
                at: None,
            });
        }
        if !lines.is_empty() {
            sink(lines);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::stamped;

    #[test]
    fn dockers_time_prefix_is_read_and_taken_off() {
        assert_eq!(
            stamped("2026-11-18T11:06:40.123456789Z loop-service listening"),
            (Some(1_795_000_000_123), "loop-service listening")
        );
        assert_eq!(
            stamped("2000-02-29T00:00:00Z x"),
            (Some(951_782_400_000), "x")
        );
        assert_eq!(stamped("no stamp here"), (None, "no stamp here"));
        // A line that only looks stamped is a line, not a time: no 13th month, no 45th day.
        for fake in [
            "2026-13-01T00:00:00Z x",
            "2026-02-45T00:00:00Z x",
            "1234-56-78T9Z x",
        ] {
            assert_eq!(stamped(fake), (None, fake));
        }
        assert_eq!(
            stamped("2026-11-18T11:06:40.1Z "),
            (Some(1_795_000_000_100), "")
        );
    }
}
