//! loop-service: the small web service learners take around the DevOps loop.
//!
//! `GET /` shows a page with the version, `GET /health` answers `ok`, `GET /metrics` gives
//! request counts and a latency histogram in Prometheus' text format. Standard library only,
//! so a classroom without internet builds it in seconds.

mod http;
mod metrics;

use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Instant;

use metrics::Metrics;

/// The version, baked in at build time: `LOOP_VERSION` when the release process sets it,
/// else the crate version.
pub const VERSION: &str = match option_env!("LOOP_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};

fn main() {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_owned());
    if std::env::args().any(|a| a == "--health") {
        // Used by the image's HEALTHCHECK: the image has no shell or curl.
        std::process::exit(if health(&port) { 0 } else { 1 });
    }
    let listener = match TcpListener::bind(format!("0.0.0.0:{port}")) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("loop-service: cannot listen on port {port}: {e}");
            std::process::exit(1);
        }
    };
    println!("loop-service {VERSION} listening on port {port}");
    let metrics = Arc::new(Metrics::default());
    for stream in listener.incoming().flatten() {
        let metrics = Arc::clone(&metrics);
        std::thread::spawn(move || serve(stream, &metrics));
    }
}

fn serve(mut stream: TcpStream, metrics: &Metrics) {
    let started = Instant::now();
    let Ok(reader) = stream.try_clone() else { return };
    let request = http::read_request(&mut BufReader::new(reader));
    let (status, content_type, body, path) = match request {
        Ok(req) => {
            let (status, content_type, body) = route(&req.method, &req.path, metrics);
            (status, content_type, body, req.path)
        }
        Err(_) => (400, "text/plain", "bad request\n".to_owned(), "-".to_owned()),
    };
    let _ = stream.write_all(&http::response(status, content_type, &body));
    metrics.observe(&path, status, started.elapsed());
}

/// Which page a request gets: (status, content type, body).
pub fn route(method: &str, path: &str, metrics: &Metrics) -> (u16, &'static str, String) {
    match (method, path) {
        ("GET", "/") => (200, "text/html; charset=utf-8", page()),
        ("GET", "/health") => (200, "text/plain", "ok\n".to_owned()),
        ("GET", "/metrics") => (200, "text/plain; version=0.0.4", metrics.render()),
        ("GET", _) => (404, "text/plain", "not found\n".to_owned()),
        _ => (405, "text/plain", "method not allowed\n".to_owned()),
    }
}

fn page() -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>loop-service</title></head>\
         <body><h1>loop-service</h1><p>version {VERSION}</p></body></html>\n"
    )
}

/// True when this machine's service answers `/health` with 200.
fn health(port: &str) -> bool {
    use std::io::Read;
    let Ok(mut s) = TcpStream::connect(format!("127.0.0.1:{port}")) else { return false };
    let _ = s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_shows_the_version() {
        let (status, _, body) = route("GET", "/", &Metrics::default());
        assert_eq!(status, 200);
        assert!(body.contains(VERSION));
    }

    #[test]
    fn health_answers_ok() {
        assert_eq!(route("GET", "/health", &Metrics::default()).2, "ok\n");
    }

    #[test]
    fn unknown_paths_and_methods_are_refused() {
        assert_eq!(route("GET", "/nope", &Metrics::default()).0, 404);
        assert_eq!(route("POST", "/", &Metrics::default()).0, 405);
    }
}
