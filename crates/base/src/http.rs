//! One HTTP/1.1 GET on hyper, bounded in time and in body size, shared by lesson checks, deploy health checks, Monitor's probes and its `/metrics` scrapes.
//!
//! Plain HTTP only: everything DevLoop calls runs on this machine, so TLS and redirects are
//! out of scope.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;

use crate::finding::{Finding, Outcome};

/// A body is read up to this size unless the caller asks for less; no caller needs more.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// The body as text (lossy), up to the limit asked for.
    pub body: String,
    /// The body went on past the limit; `body` is its beginning.
    pub truncated: bool,
}

/// Why nothing usable came back.
#[derive(Debug)]
pub enum Failure {
    /// Not an `http://host[:port][/path]` URL.
    NotAUrl,
    TimedOut,
    /// No connection (refused, no route, unknown host).
    Unreachable(std::io::Error),
    /// Something answered, but not with HTTP.
    NotHttp(hyper::Error),
}

/// GETs `url` within `timeout`, reading at most `limit` bytes of the body.
pub async fn get(url: &str, timeout: Duration, limit: usize) -> Result<Answer, Failure> {
    let (host, port, path) = parse(url).ok_or(Failure::NotAUrl)?;
    let call = async {
        let stream = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(Failure::Unreachable)?;
        let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(Failure::NotHttp)?;
        let request = hyper::Request::get(path)
            .header(hyper::header::HOST, format!("{host}:{port}"))
            .header(hyper::header::CONNECTION, "close")
            .header(hyper::header::USER_AGENT, "devloop")
            .body(Empty::<Bytes>::new())
            .expect("a GET of a parsed URL is a valid request");
        let exchange = async {
            let response = send.send_request(request).await.map_err(Failure::NotHttp)?;
            let status = response.status().as_u16();
            let mut body = response.into_body();
            let mut bytes = Vec::new();
            let mut truncated = false;
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(Failure::NotHttp)?;
                if let Some(data) = frame.data_ref() {
                    let room = limit - bytes.len();
                    bytes.extend_from_slice(&data[..data.len().min(room)]);
                    if data.len() > room {
                        // Stop reading: dropping the body and the connection closes the socket.
                        truncated = true;
                        break;
                    }
                }
            }
            Ok(Answer {
                status,
                body: String::from_utf8_lossy(&bytes).into_owned(),
                truncated,
            })
        };
        // The connection is driven beside the exchange; it ends when the exchange drops it.
        tokio::select! {
            answer = exchange => answer,
            Err(e) = conn => Err(Failure::NotHttp(e)),
        }
    };
    tokio::time::timeout(timeout, call)
        .await
        .unwrap_or(Err(Failure::TimedOut))
}

/// A lesson check or a health check: `url` answers `want_status` within `timeout_ms`, with a
/// body matching `body_pattern` when there is one.
pub async fn expect(
    url: &str,
    want_status: u16,
    body_pattern: Option<&str>,
    timeout_ms: u64,
) -> Outcome {
    let answer = match get(url, Duration::from_millis(timeout_ms), BODY_LIMIT).await {
        Ok(answer) => answer,
        Err(Failure::NotAUrl) => {
            return Outcome::error(format!("`{url}` is not an http:// URL this check can call"))
        }
        Err(Failure::TimedOut) => {
            return Outcome::found(
                Finding::new("noAnswerInTime")
                    .with("url", url)
                    .with("ms", timeout_ms),
                format!("{url} did not answer within {timeout_ms} ms"),
            )
        }
        Err(Failure::Unreachable(e)) => {
            return Outcome::found(
                Finding::new("unreachable")
                    .with("url", url)
                    .with("reason", e.kind()),
                format!("{url} cannot be reached: {e}"),
            )
        }
        Err(Failure::NotHttp(_)) => {
            return Outcome::found(
                Finding::new("notHttp").with("url", url),
                format!("{url} did not answer with HTTP"),
            )
        }
    };
    let status = answer.status;
    if status != want_status {
        return Outcome::found(
            Finding::new("wrongStatus")
                .with("url", url)
                .with("got", status)
                .with("want", want_status),
            format!("{url} answered {status}, this step expects {want_status}"),
        );
    }
    match body_pattern {
        None => Outcome::Pass,
        Some(pattern) => match regex::Regex::new(pattern) {
            Err(_) => Outcome::error(format!(
                "the lesson's pattern `{pattern}` is not a valid regex"
            )),
            Ok(re) if re.is_match(&answer.body) => Outcome::Pass,
            // The page is not what the step asks for; the lesson's regex stays out of sight.
            Ok(_) => Outcome::found(
                Finding::new("bodyDiffers")
                    .with("url", url)
                    .with("got", status),
                format!("{url} answered {status}, but its body does not match `{pattern}`"),
            ),
        },
    }
}

/// `http://host[:port][/path]` → (host, port, path).
pub fn parse(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = rest
        .find('/')
        .map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (authority, 80),
    };
    (!host.is_empty() && !path.contains(['\r', '\n']))
        .then(|| (host.to_owned(), port, path.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A one-shot local server answering `response` to the first request.
    async fn serve(response: &'static str) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            if let Ok((mut sock, _)) = listener.accept().await {
                let mut buf = [0u8; 1024];
                let _ = sock.read(&mut buf).await;
                let _ = sock.write_all(response.as_bytes()).await;
            }
        });
        port
    }

    #[tokio::test]
    async fn status_and_body_are_checked() {
        let port = serve("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nversion 1.2\n").await;
        let url = format!("http://127.0.0.1:{port}/health");
        assert_eq!(
            expect(&url, 200, Some(r"version \d+\.\d+"), 2_000).await,
            Outcome::Pass
        );
        let port = serve("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n").await;
        let Outcome::Fail { hint, .. } =
            expect(&format!("http://127.0.0.1:{port}/"), 200, None, 2_000).await
        else {
            panic!()
        };
        assert!(hint.contains("503"), "{hint}");
    }

    #[tokio::test]
    async fn chunked_bodies_are_decoded() {
        let port = serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").await;
        assert_eq!(
            expect(
                &format!("http://127.0.0.1:{port}/"),
                200,
                Some("^hello world$"),
                2_000
            )
            .await,
            Outcome::Pass
        );
    }

    #[tokio::test]
    async fn a_closed_port_and_a_silent_server_fail_with_the_reason() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let Outcome::Fail { hint, .. } =
            expect(&format!("http://127.0.0.1:{port}/"), 200, None, 2_000).await
        else {
            panic!()
        };
        assert!(hint.contains("cannot be reached"), "{hint}");

        let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = silent.local_addr().unwrap().port();
        let Outcome::Fail { hint, .. } =
            expect(&format!("http://127.0.0.1:{port}/"), 200, None, 200).await
        else {
            panic!()
        };
        assert!(hint.contains("did not answer within 200 ms"), "{hint}");
        drop(silent);
    }

    #[tokio::test]
    async fn a_body_past_the_limit_is_cut_and_said_to_be_and_garbage_is_not_http() {
        let port = serve("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789").await;
        let url = format!("http://127.0.0.1:{port}/");
        let answer = get(&url, Duration::from_secs(2), 4).await.unwrap();
        assert_eq!(
            (answer.status, answer.body.as_str(), answer.truncated),
            (200, "0123", true)
        );

        let port = serve("SSH-2.0-OpenSSH_9.2\r\n").await;
        let url = format!("http://127.0.0.1:{port}/");
        let Outcome::Fail { finding, .. } = expect(&url, 200, None, 2_000).await else {
            panic!()
        };
        assert_eq!(finding.unwrap().code, "notHttp");
    }

    #[test]
    fn only_plain_http_urls_parse_and_header_injection_is_refused() {
        assert_eq!(
            parse("http://127.0.0.1:8080/health"),
            Some(("127.0.0.1".into(), 8080, "/health".into()))
        );
        assert_eq!(
            parse("http://localhost"),
            Some(("localhost".into(), 80, "/".into()))
        );
        assert_eq!(parse("https://example.com/"), None);
        assert_eq!(parse("http://h/x\r\nEvil: 1"), None);
    }
}
