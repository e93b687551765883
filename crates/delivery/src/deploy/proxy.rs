//! The stable address in front of the service (127.0.0.1:8080 by default): a small HTTP/1.1
//! reverse proxy that spreads requests over the live replicas, switches to a new set at once
//! (blue-green's traffic switch), lets requests already on their way finish (drain), and
//! records every request (status, latency) for Monitor.
//!
//! Bodies stream both ways, so a large one never sits in memory: a request body is limited
//! (413 past [`MAX_REQUEST_BODY`]), held only when small enough to send again to another
//! replica, and a request counts as in flight until its answer's body is all sent, which is
//! what draining waits for.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
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

type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// A body the proxy sends or answers with: held, or streamed from the other side.
type Body = http_body_util::combinators::BoxBody<Bytes, BoxError>;

/// A request body larger than this is refused with 413: any local process or web page can send
/// to the stable address, and the host (the app, when it hosts) must not hold it.
pub const MAX_REQUEST_BODY: u64 = 64 * 1024 * 1024;
/// Bodies of a known size up to this are held, so the request can go again to another
/// replica; larger ones stream through once.
const RETRY_BODY: u64 = 64 * 1024;
/// Requests kept for Monitor; the oldest go first.
const KEEP_REQUESTS: usize = 20_000;
/// How long a backend may take to answer.
const BACKEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection to a backend may take: every backend is on this machine, where a
/// connection takes well under a millisecond. One that takes longer lost its first packet
/// (a task's network changing as Swarm adds another), and the request goes to another
/// replica rather than waiting out TCP's retransmission.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

fn connector() -> hyper_util::client::legacy::connect::HttpConnector {
    let mut c = hyper_util::client::legacy::connect::HttpConnector::new();
    c.set_connect_timeout(Some(CONNECT_TIMEOUT));
    c
}

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
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Body>,
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
        if let Some(task) = self.task.lock().take() {
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
            client: Client::builder(TokioExecutor::new()).build(connector()),
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
        let task = self.task.lock().take();
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
        let mut current = self.shared.backends.write();
        std::mem::replace(&mut *current, Arc::new(new)).to_vec()
    }

    /// The backends live now.
    pub fn backends(&self) -> Vec<Arc<Backend>> {
        self.shared.backends.read().to_vec()
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

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut r = Response::new(
        Full::new(Bytes::from(text.to_owned()))
            .map_err(|never| match never {})
            .boxed(),
    );
    *r.status_mut() = status;
    r
}

/// Picks the next backend round robin from the set live when the request arrived.
fn pick(shared: &Shared, skip: Option<SocketAddr>) -> Option<Arc<Backend>> {
    let set = Arc::clone(&shared.backends.read());
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

/// A request on its way to a backend, counted until its answer's body is done (or dropped):
/// what draining waits for.
struct InFlight(Arc<Backend>);

impl InFlight {
    fn start(backend: &Arc<Backend>) -> InFlight {
        backend.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(Arc::clone(backend))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The request's body as it goes to a backend: held whole when small (so it can go again to
/// another replica), else streamed once, never past [`MAX_REQUEST_BODY`].
enum Outgoing {
    Held(Bytes),
    Streamed(Option<Incoming>),
}

impl Outgoing {
    fn take(&mut self) -> Option<Body> {
        match self {
            Outgoing::Held(bytes) => Some(
                Full::new(bytes.clone())
                    .map_err(|never| match never {})
                    .boxed(),
            ),
            Outgoing::Streamed(body) => body.take().map(|b| {
                http_body_util::Limited::new(b, MAX_REQUEST_BODY as usize)
                    .map_err(BoxError::from)
                    .boxed()
            }),
        }
    }
}

fn too_large() -> Response<Body> {
    plain(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!(
            "the request body is over {} MiB, the most the stable address passes on\n",
            MAX_REQUEST_BODY / 1024 / 1024
        ),
    )
}

async fn forward(shared: &Shared, req: Request<Incoming>) -> Response<Body> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let declared = hyper::body::Body::size_hint(&body).exact();
    let mut label = String::new();
    let answer = if declared.is_some_and(|n| n > MAX_REQUEST_BODY) {
        // Refused before a byte of it is read.
        too_large()
    } else {
        let outgoing = match declared {
            Some(n) if n <= RETRY_BODY => match body.collect().await {
                Ok(b) => Some(Outgoing::Held(b.to_bytes())),
                Err(_) => None,
            },
            _ => Some(Outgoing::Streamed(Some(body))),
        };
        match outgoing {
            None => plain(
                StatusCode::BAD_REQUEST,
                "the request body could not be read\n",
            ),
            Some(outgoing) => relay(shared, &parts, outgoing, &mut label).await,
        }
    };
    let record = RequestRecord {
        at_ms: shared.started.elapsed().as_millis() as u64,
        status: answer.status().as_u16(),
        micros: started.elapsed().as_micros() as u64,
        backend: label,
    };
    let mut log = shared.log.lock();
    if log.len() == KEEP_REQUESTS {
        log.pop_front();
    }
    log.push_back(record);
    answer
}

/// Sends the request to a live backend. One retry on another replica, when the body can be
/// sent again: a container that died between the switch and this request must not cost the
/// learner a failed request.
async fn relay(
    shared: &Shared,
    parts: &hyper::http::request::Parts,
    mut outgoing: Outgoing,
    label: &mut String,
) -> Response<Body> {
    let mut tried = None;
    let mut answer = plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "no version of the service is live yet: deploy one\n",
    );
    for _ in 0..2 {
        let Some(backend) = pick(shared, tried) else {
            break;
        };
        let Some(body) = outgoing.take() else {
            break;
        };
        tried = Some(backend.addr);
        label.clone_from(&backend.label);
        let flight = InFlight::start(&backend);
        match send(shared, parts, body, backend.addr).await {
            Ok(response) => {
                // The answer streams back; the request stays in flight until it is all sent.
                let (head, body) = response.into_parts();
                let body = body
                    .map_frame(move |frame| {
                        let _counted = &flight;
                        frame
                    })
                    .map_err(BoxError::from)
                    .boxed();
                return Response::from_parts(head, body);
            }
            Err(e) if over_limit(&e) => return too_large(),
            Err(e) => {
                answer = plain(
                    StatusCode::BAD_GATEWAY,
                    &format!("the replica at {} did not answer: {e}\n", backend.addr),
                )
            }
        }
    }
    answer
}

/// True when sending failed because the request body went past [`MAX_REQUEST_BODY`].
fn over_limit(e: &SendError) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = c.source();
    }
    false
}

#[derive(Debug, thiserror::Error)]
enum SendError {
    #[error("it took too long")]
    Timeout,
    #[error("{0}")]
    Uri(#[from] hyper::http::Error),
    #[error("{0}")]
    Client(#[from] hyper_util::client::legacy::Error),
}

async fn send(
    shared: &Shared,
    parts: &hyper::http::request::Parts,
    body: Body,
    addr: SocketAddr,
) -> Result<Response<Incoming>, SendError> {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut out = Request::builder()
        .method(parts.method.clone())
        .uri(format!("http://{addr}{path}"));
    for (k, v) in &parts.headers {
        // Hop-by-hop headers belong to one connection, not to the request.
        if !matches!(
            k.as_str(),
            "connection" | "keep-alive" | "transfer-encoding" | "upgrade" | "proxy-connection"
        ) {
            out = out.header(k, v);
        }
    }
    let request = out.body(body)?;
    // The answer's head within the time; its body streams at the pace of both ends.
    Ok(
        tokio::time::timeout(BACKEND_TIMEOUT, shared.client.request(request))
            .await
            .map_err(|_| SendError::Timeout)??,
    )
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

    /// A replica whose connections hang (its accept queue is full, so the kernel drops new
    /// SYNs, as with a task whose network is changing) costs a request its connect timeout,
    /// not the backend's ten seconds: the request goes on to the live replica.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_replica_that_never_takes_a_connection_is_left_for_another() {
        let (alive, _t) = backend("alive", Duration::ZERO).await;
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let stuck = socket.listen(0).unwrap();
        let stuck = stuck.local_addr().unwrap();
        // Fill its queue (it never accepts): a connection after that waits for ever.
        let mut held = Vec::new();
        while let Ok(connected) = tokio::time::timeout(
            Duration::from_millis(300),
            tokio::net::TcpStream::connect(stuck),
        )
        .await
        {
            held.push(connected.unwrap());
            assert!(held.len() < 16, "the queue never filled");
        }
        let proxy = Proxy::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
        proxy.switch(vec![(stuck, "stuck".into()), (alive, "alive".into())]);
        for _ in 0..4 {
            let answer = tokio::time::timeout(Duration::from_secs(5), get(proxy.addr()))
                .await
                .expect("an answer well within the backend timeout");
            assert_eq!(answer, (200, "alive".into()));
        }
    }

    /// A backend that answers a POST with how many body bytes it read, and `GET /big` with
    /// `big` bytes; `seen` counts the requests that reached it.
    async fn counting_backend(big: usize) -> (SocketAddr, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let counted = Arc::clone(&counted);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                        counted.fetch_add(1, Ordering::SeqCst);
                        async move {
                            let text = if req.uri().path() == "/big" {
                                Bytes::from(vec![b'x'; big])
                            } else {
                                let n = req
                                    .into_body()
                                    .collect()
                                    .await
                                    .map_or(0, |b| b.to_bytes().len());
                                Bytes::from(n.to_string())
                            };
                            Ok::<_, Infallible>(Response::new(Full::new(text)))
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        (addr, seen)
    }

    /// Sends `head` then `body` in pieces of 1 MiB, and reads the answer: status and body.
    async fn exchange(
        addr: SocketAddr,
        head: &str,
        body: impl Iterator<Item = Vec<u8>>,
    ) -> (u16, Vec<u8>) {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(head.as_bytes()).await.unwrap();
        for piece in body {
            // The proxy may answer (413) and close before all of it is sent.
            if s.write_all(&piece).await.is_err() {
                break;
            }
        }
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw).await;
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(raw.len());
        let status = String::from_utf8_lossy(&raw[..split])
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, raw[(split + 4).min(raw.len())..].to_vec())
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn bodies_stream_both_ways_and_one_over_the_limit_is_refused_with_413() {
        const MIB: usize = 1024 * 1024;
        let (backend, seen) = counting_backend(20 * MIB).await;
        let proxy = Proxy::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
        proxy.switch(vec![(backend, "one".into())]);
        let limit = MAX_REQUEST_BODY as usize;

        // Declared too large: refused before a byte is read, and the replica never sees it.
        let (status, _) = exchange(
            proxy.addr(),
            &format!(
                "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                limit + 1
            ),
            std::iter::empty(),
        )
        .await;
        assert_eq!(status, 413);
        assert_eq!(seen.load(Ordering::SeqCst), 0);

        // Chunked, with no length said: refused once it passes the limit.
        let chunk = |n: usize| {
            let mut c = format!("{n:x}\r\n").into_bytes();
            c.extend(std::iter::repeat_n(b'y', n));
            c.extend(b"\r\n");
            c
        };
        let pieces = (0..limit / MIB + 2).map(|_| chunk(MIB));
        let (status, _) = exchange(
            proxy.addr(),
            "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n",
            pieces,
        )
        .await;
        assert_eq!(status, 413);

        // Under the limit, larger than what is held for a retry: all of it arrives.
        let n = 8 * MIB;
        let (status, body) = exchange(
            proxy.addr(),
            &format!(
                "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {n}\r\n\r\n"
            ),
            (0..8).map(|_| vec![b'z'; MIB]),
        )
        .await;
        assert_eq!(
            (status, String::from_utf8_lossy(&body).into_owned()),
            (200, n.to_string())
        );

        // An answer larger than any held before streams back whole.
        let (status, body) = exchange(
            proxy.addr(),
            "GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            std::iter::empty(),
        )
        .await;
        assert_eq!((status, body.len()), (200, 20 * MIB));
        let statuses: Vec<u16> = proxy.requests(0).iter().map(|r| r.status).collect();
        assert_eq!(statuses, [413, 413, 200, 200], "each is in the request log");
        assert!(
            proxy.backends().iter().all(|b| b.in_flight() == 0),
            "none left in flight"
        );
    }
}
