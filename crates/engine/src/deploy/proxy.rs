//! The stable address in front of the service (127.0.0.1:8080 by default): a small HTTP/1.1
//! reverse proxy that spreads requests over the live replicas, switches to a new set at once
//! (blue-green's traffic switch), lets requests already on their way finish (drain), and
//! records every request (status, latency) for Monitor.
//!
//! Responses are read whole before they go back: the service's answers are small, and a
//! request counts as in flight until its answer is complete, which is what draining needs.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::Serialize;
use ts_rs::TS;

use crate::finding::Finding;
use crate::{Code, Error};

/// An answer larger than this is refused with 502: the demo service never sends one.
const MAX_RESPONSE: usize = 16 * 1024 * 1024;
/// Requests kept for Monitor; the oldest go first.
const KEEP_REQUESTS: usize = 20_000;
/// How long a backend may take to answer.
const BACKEND_TIMEOUT: Duration = Duration::from_secs(10);

/// One replica traffic can go to.
#[derive(Debug)]
pub struct Backend {
    pub addr: SocketAddr,
    /// Which replica this is (a container id, a version), for the request log.
    pub label: String,
    /// Requests sent to it whose answer is not complete yet.
    in_flight: AtomicUsize,
}

impl Backend {
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }
}

/// One request through the proxy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    /// Milliseconds since the proxy started.
    #[ts(type = "number")]
    pub at_ms: u64,
    pub status: u16,
    #[ts(type = "number")]
    pub micros: u64,
    /// The backend's label; empty when no backend was live.
    pub backend: String,
}

struct Shared {
    backends: RwLock<Arc<Vec<Arc<Backend>>>>,
    next: AtomicUsize,
    log: Mutex<VecDeque<RequestRecord>>,
    started: Instant,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
}

/// A running proxy. Dropping it stops it.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// The accept loop; taken when the proxy stops.
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(task) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            task.abort();
        }
    }
}

impl Proxy {
    /// Listens on `bind` (loopback only: the service is for this machine). A port in use is
    /// an error that says which and how to pick another.
    pub async fn start(bind: SocketAddr) -> Result<Proxy, Error> {
        if !bind.ip().is_loopback() {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("notLoopback").with("address", bind),
                format!("{bind} is not a loopback address; DevLoop serves on this machine only, on 127.0.0.1:PORT"),
            )
            .with_fix(format!("devloop proxy 127.0.0.1:{}", bind.port())));
        }
        let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| {
            let busy = e.kind() == std::io::ErrorKind::AddrInUse;
            Error::said(
                Code::InvalidInput,
                if busy {
                    Finding::new("addressInUse").with("address", bind)
                } else {
                    Finding::new("cannotListen")
                        .with("address", bind)
                        .with("cause", &e)
                },
                if busy {
                    format!("{bind} is already in use by another program")
                } else {
                    format!("cannot listen on {bind}: {e}")
                },
            )
            .with_fix(format!("ss -ltnp 'sport = :{}'", bind.port()))
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::internal(e.to_string()))?;
        let shared = Arc::new(Shared {
            backends: RwLock::new(Arc::new(Vec::new())),
            next: AtomicUsize::new(0),
            log: Mutex::new(VecDeque::new()),
            started: Instant::now(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        });
        let accept = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let shared = Arc::clone(&accept);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let shared = Arc::clone(&shared);
                        async move { Ok::<_, Infallible>(forward(&shared, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Proxy {
            addr,
            shared,
            task: Mutex::new(Some(task)),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops listening, and returns once the address is free for another proxy.
    pub async fn stop(&self) {
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
    }

    /// Sends all new requests to `backends` from now on, at once; returns the ones replaced,
    /// whose requests in flight still finish (see [`Proxy::drain`]).
    pub fn switch(&self, backends: Vec<(SocketAddr, String)>) -> Vec<Arc<Backend>> {
        let new: Vec<Arc<Backend>> = backends
            .into_iter()
            .map(|(addr, label)| {
                Arc::new(Backend {
                    addr,
                    label,
                    in_flight: AtomicUsize::new(0),
                })
            })
            .collect();
        let mut current = self
            .shared
            .backends
            .write()
            .unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *current, Arc::new(new)).to_vec()
    }

    /// The backends live now.
    pub fn backends(&self) -> Vec<Arc<Backend>> {
        self.shared
            .backends
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .to_vec()
    }

    /// Waits until no request is on its way to `old`, or `within` passes; true when drained.
    pub async fn drain(old: &[Arc<Backend>], within: Duration) -> bool {
        let until = Instant::now() + within;
        loop {
            if old.iter().all(|b| b.in_flight() == 0) {
                return true;
            }
            if Instant::now() >= until {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The requests recorded since `since_ms` (milliseconds since the proxy started).
    pub fn requests(&self, since_ms: u64) -> Vec<RequestRecord> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|r| r.at_ms >= since_ms)
            .cloned()
            .collect()
    }

    /// Milliseconds since the proxy started, on the clock the request log uses.
    pub fn now_ms(&self) -> u64 {
        self.shared.started.elapsed().as_millis() as u64
    }
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(text.to_owned())));
    *r.status_mut() = status;
    r
}

/// Picks the next backend round robin from the set live when the request arrived.
fn pick(shared: &Shared, skip: Option<SocketAddr>) -> Option<Arc<Backend>> {
    let set = Arc::clone(&shared.backends.read().unwrap_or_else(|p| p.into_inner()));
    let mut candidates: Vec<&Arc<Backend>> = set.iter().filter(|b| Some(b.addr) != skip).collect();
    // With one replica, the retry goes to it again, on a fresh connection.
    if candidates.is_empty() {
        candidates = set.iter().collect();
    }
    if candidates.is_empty() {
        return None;
    }
    let i = shared.next.fetch_add(1, Ordering::Relaxed) % candidates.len();
    Some(Arc::clone(candidates[i]))
}

async fn forward(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    // The request is read whole, so it can be sent again if a replica vanished under it.
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return plain(
                StatusCode::BAD_REQUEST,
                "the request body could not be read\n",
            )
        }
    };
    let mut tried = None;
    let mut answer = plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "no version of the service is live yet: deploy one\n",
    );
    let mut label = String::new();
    // One retry on another replica: a container that died between the switch and this
    // request must not cost the learner a failed request.
    for _ in 0..2 {
        let Some(backend) = pick(shared, tried) else {
            break;
        };
        tried = Some(backend.addr);
        label = backend.label.clone();
        backend.in_flight.fetch_add(1, Ordering::SeqCst);
        let result = send(shared, &parts, body.clone(), backend.addr).await;
        backend.in_flight.fetch_sub(1, Ordering::SeqCst);
        match result {
            Ok(r) => {
                answer = r;
                break;
            }
            Err(e) => {
                answer = plain(
                    StatusCode::BAD_GATEWAY,
                    &format!("the replica at {} did not answer: {e}\n", backend.addr),
                )
            }
        }
    }
    let record = RequestRecord {
        at_ms: shared.started.elapsed().as_millis() as u64,
        status: answer.status().as_u16(),
        micros: started.elapsed().as_micros() as u64,
        backend: label,
    };
    let mut log = shared.log.lock().unwrap_or_else(|p| p.into_inner());
    if log.len() == KEEP_REQUESTS {
        log.pop_front();
    }
    log.push_back(record);
    answer
}

async fn send(
    shared: &Shared,
    parts: &hyper::http::request::Parts,
    body: Bytes,
    addr: SocketAddr,
) -> Result<Response<Full<Bytes>>, String> {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let uri: hyper::Uri = format!("http://{addr}{path}")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let mut out = Request::builder().method(parts.method.clone()).uri(uri);
    for (k, v) in &parts.headers {
        // Hop-by-hop headers belong to one connection, not to the request.
        if !matches!(
            k.as_str(),
            "connection" | "keep-alive" | "transfer-encoding" | "upgrade" | "proxy-connection"
        ) {
            out = out.header(k, v);
        }
    }
    let request = out.body(Full::new(body)).map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(BACKEND_TIMEOUT, shared.client.request(request))
        .await
        .map_err(|_| "it took too long".to_owned())?
        .map_err(|e| e.to_string())?;
    let (parts, body) = response.into_parts();
    let limited = http_body_util::Limited::new(body, MAX_RESPONSE);
    let bytes = limited
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok(Response::from_parts(parts, Full::new(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A tiny backend that answers every request with `name`, after `delay`.
    async fn backend(
        name: &'static str,
        delay: Duration,
    ) -> (SocketAddr, tokio::task::JoinHandle<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |_req| async move {
                        tokio::time::sleep(delay).await;
                        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(name))))
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        (addr, task)
    }

    async fn get(addr: SocketAddr) -> (u16, String) {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).await.unwrap();
        let status = raw
            .split_whitespace()
            .nth(1)
            .unwrap_or("0")
            .parse()
            .unwrap_or(0);
        let body = raw.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
        (status, body)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_switch_under_load_loses_no_request_and_old_requests_finish() {
        let (blue, blue_task) = backend("blue", Duration::from_millis(30)).await;
        let (green, _green_task) = backend("green", Duration::from_millis(1)).await;
        let proxy = Proxy::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
        assert_eq!(get(proxy.addr()).await.0, 503, "nothing live yet");
        proxy.switch(vec![(blue, "blue".into())]);

        let addr = proxy.addr();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut clients = Vec::new();
        for _ in 0..8 {
            let stop = Arc::clone(&stop);
            clients.push(tokio::spawn(async move {
                let mut seen = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    seen.push(get(addr).await);
                }
                seen
            }));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let old = proxy.switch(vec![(green, "green".into())]);
        assert!(
            Proxy::drain(&old, Duration::from_secs(5)).await,
            "blue drained"
        );
        // Blue is gone for good once drained: nothing may still need it.
        blue_task.abort();
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.store(true, Ordering::SeqCst);
        let mut all = Vec::new();
        for c in clients {
            all.extend(c.await.unwrap());
        }
        assert!(all.len() > 50, "{} requests", all.len());
        assert!(
            all.iter().all(|(s, _)| *s == 200),
            "{:?}",
            all.iter().filter(|(s, _)| *s != 200).collect::<Vec<_>>()
        );
        assert!(all.iter().any(|(_, b)| b == "blue") && all.iter().any(|(_, b)| b == "green"));
        let log = proxy.requests(0);
        assert_eq!(
            log.len(),
            all.len() + 1,
            "every request is recorded, the 503 too"
        );
        assert!(log.iter().all(|r| r.micros > 0));
    }

    #[tokio::test]
    async fn a_busy_port_and_a_public_address_are_refused_with_the_fix() {
        let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let e = Proxy::start(taken.local_addr().unwrap()).await.unwrap_err();
        assert!(e.message.contains("is already in use"), "{}", e.message);
        assert_eq!(e.detail.unwrap().code, "addressInUse");
        assert!(e.fix.unwrap().starts_with("ss -ltnp"));
        let e = Proxy::start("0.0.0.0:0".parse().unwrap())
            .await
            .unwrap_err();
        assert!(e.message.contains("not a loopback address"));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_dead_replica_is_skipped_for_the_live_one() {
        let (alive, _t) = backend("alive", Duration::ZERO).await;
        let dead = {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            l.local_addr().unwrap()
        };
        let proxy = Proxy::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
        proxy.switch(vec![(dead, "dead".into()), (alive, "alive".into())]);
        for _ in 0..6 {
            assert_eq!(get(proxy.addr()).await, (200, "alive".into()));
        }
    }
}
