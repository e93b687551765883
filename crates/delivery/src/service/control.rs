//! The control socket: how a DevLoop process reaches the service another one hosts, so the app
//! and `devloop deploy`/`devloop scale` in a terminal act on the same replicas behind the same
//! address instead of fighting over the port. A Unix socket in the data folder, readable by
//! its owner only; one JSON request a line, answered by JSON lines (a deploy's events, then
//! the outcome).

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::{Arc, Weak};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use super::host::Slot;
use super::{Service, ServiceStatus};
use crate::deploy::health::HealthCheck;
use crate::deploy::rollout::{DeployEvent, Strategy};
use crate::finding::{Finding, Reason};
use crate::operate::autoscale::{AutoscalerView, Policy};
use crate::settings::Paths;
use crate::{blocking, Code, Error};

/// A request is one line; anything longer is not DevLoop talking.
const MAX_REQUEST: u64 = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Request {
    Status,
    Deploy {
        /// The app to deploy; the host switches to it when it serves another.
        app: String,
        version: String,
        strategy: Strategy,
        replicas: u32,
        health: HealthCheck,
        /// Where to deploy; none: where the traffic goes now.
        #[serde(default)]
        target: Option<crate::record::deploy::Target>,
    },
    Scale {
        replicas: u32,
    },
    Autoscale {
        enabled: bool,
        policy: Policy,
    },
}

/// The hosting process and what it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hosted {
    pub pid: u32,
    pub status: ServiceStatus,
    pub autoscaler: AutoscalerView,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reply {
    Event(DeployEvent),
    Done(Hosted),
    Failed(Error),
}

/// The socket of the service hosted for this data folder.
pub fn socket(paths: &Paths) -> PathBuf {
    paths.data_dir.join("service.sock")
}

/// A bound control socket, not yet served.
#[derive(Debug)]
pub struct Bound(UnixListener, PathBuf);

/// Binds the control socket, which makes this process the host. Refused, naming the host,
/// when another process answers on it; a socket left by a process that died is replaced.
pub async fn bind(paths: &Paths) -> Result<Bound, Error> {
    let path = socket(paths);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(&path, e))?;
    }
    // One process at a time decides: two starting together (the app opening as a terminal
    // deploys) would otherwise both find no host, and one would fail to bind, or remove the
    // socket the other had just bound as if it were stale. The lock goes with the process.
    let lock_file = path.with_extension("lock");
    let lock = std::fs::File::create(&lock_file).map_err(|e| io(&lock_file, e))?;
    let lock = blocking(move || lock.lock().map(|()| lock).map_err(|e| io(&lock_file, e))).await?;
    if path.exists() {
        match call(paths, &Request::Status, &|_| {}).await {
            Ok(Some(Reply::Done(h))) => return Err(super::host::elsewhere(h.pid, &h.status.url)),
            // Nobody answers: the socket of a process that is gone.
            _ => std::fs::remove_file(&path).map_err(|e| io(&path, e))?,
        }
    }
    let listener = UnixListener::bind(&path).map_err(|e| io(&path, e))?;
    // Whoever can use this socket can deploy: the learner only.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| io(&path, e))?;
    drop(lock);
    Ok(Bound(listener, path))
}

fn io(path: &std::path::Path, e: std::io::Error) -> Error {
    Error::file(Code::Settings, path, &e)
}

/// Answers requests on `bound` for as long as `service` lives and is not closed; a deploy of
/// another app goes through `slot`, which switches to it.
pub fn serve(bound: Bound, service: &Arc<Service>, slot: Slot, paths: Paths) {
    let weak: Weak<Service> = Arc::downgrade(service);
    let file = bound.1.clone();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = bound.0.accept().await {
            let Some(service) = weak.upgrade() else {
                return;
            };
            tokio::spawn(answer(stream, service, slot.clone(), paths.clone()));
        }
    });
    *service.control.lock() = Some((task, file));
}

async fn answer(stream: UnixStream, mut service: Arc<Service>, slot: Slot, paths: Paths) {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    let mut reader = BufReader::new(read.take(MAX_REQUEST));
    let request = match reader.read_line(&mut line).await {
        Ok(_) => serde_json::from_str::<Request>(&line).map_err(|e| {
            Error::said(
                Code::InvalidInput,
                Finding::new("notARequest").with("cause", &e),
                format!("not a request DevLoop's service understands: {e}"),
            )
        }),
        Err(e) => Err(Error::said(
            Code::InvalidInput,
            Finding::new("notARequest").with("cause", &e),
            e.to_string(),
        )),
    };
    // Events are written as they come, while the deploy goes on.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Reply>();
    let writer = tokio::spawn(async move {
        while let Some(reply) = rx.recv().await {
            let Ok(mut text) = serde_json::to_string(&reply) else {
                continue;
            };
            text.push('\n');
            if write.write_all(text.as_bytes()).await.is_err() {
                // The asker left; the deploy still finishes.
                return;
            }
        }
    });
    let events = tx.clone();
    let sink = move |e| {
        let _ = events.send(Reply::Event(e));
    };
    let outcome = match request {
        Err(e) => Err(e),
        // A deploy may switch the service to another app (as the Deploy page does when the
        // workspace changed), and back when it fails: see `host::deploy_here`.
        Ok(Request::Deploy {
            app,
            version,
            strategy,
            replicas,
            health,
            target,
        }) => {
            let done = super::host::deploy_here(
                &slot,
                &paths,
                (&app, &version),
                strategy,
                replicas,
                health,
                target,
                &sink,
            )
            .await;
            // Whichever service serves now is the one to report on.
            if let Some(now) = slot.current().await {
                service = now;
            }
            done.map(drop)
        }
        Ok(Request::Status) => Ok(()),
        Ok(Request::Scale { replicas }) => service
            .scale(
                replicas,
                Reason::new(
                    Finding::new("byHandFromTerminal"),
                    "by hand, from a terminal",
                ),
            )
            .await
            .map(drop),
        Ok(Request::Autoscale { enabled, policy }) => service.set_autoscaler(enabled, policy),
    };
    let _ = tx.send(match outcome {
        Ok(()) => Reply::Done(hosted(&service).await),
        Err(e) => Reply::Failed(e),
    });
    drop(tx);
    let _ = writer.await;
}

async fn hosted(service: &Service) -> Hosted {
    Hosted {
        pid: std::process::id(),
        status: service.status().await,
        autoscaler: service.autoscaler(),
    }
}

/// Sends `request` to the process hosting the service; a deploy's events go to `on_event`.
/// `Ok(None)` when no process hosts it.
pub async fn call(
    paths: &Paths,
    request: &Request,
    on_event: &(dyn Fn(DeployEvent) + Send + Sync),
) -> Result<Option<Reply>, Error> {
    let path = socket(paths);
    let Ok(stream) = UnixStream::connect(&path).await else {
        return Ok(None);
    };
    let (read, mut write) = stream.into_split();
    let mut text = serde_json::to_string(request)
        .map_err(|e| Error::internal(format!("a request did not serialise: {e}")))?;
    text.push('\n');
    let lost = |e: std::io::Error| {
        Error::said(
            Code::ServiceElsewhere,
            Finding::new("serviceStoppedAnswering").with("cause", &e),
            format!("the DevLoop that runs the service stopped answering: {e}"),
        )
    };
    write.write_all(text.as_bytes()).await.map_err(lost)?;
    let mut lines = BufReader::new(read).lines();
    while let Some(line) = lines.next_line().await.map_err(lost)? {
        match serde_json::from_str::<Reply>(&line) {
            Ok(Reply::Event(e)) => on_event(e),
            Ok(last) => return Ok(Some(last)),
            Err(e) => {
                return Err(Error::internal(format!(
                    "the service's answer was not understood ({e}): {line}"
                )))
            }
        }
    }
    Err(lost(std::io::Error::from(
        std::io::ErrorKind::UnexpectedEof,
    )))
}

/// [`call`], with the reply as a result: what the host runs now, or why it refused.
pub async fn ask(
    paths: &Paths,
    request: &Request,
    on_event: &(dyn Fn(DeployEvent) + Send + Sync),
) -> Result<Option<Hosted>, Error> {
    match call(paths, request, on_event).await? {
        None => Ok(None),
        Some(Reply::Done(h)) => Ok(Some(h)),
        Some(Reply::Failed(e)) => Err(e),
        Some(Reply::Event(_)) => unreachable!("events go to on_event"),
    }
}
