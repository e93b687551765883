//! The HTTP check: GET a local URL and look at the status and body, within a time limit.
//!
//! Plain HTTP/1.1 over a TCP stream: lessons check services on this machine, so TLS and
//! redirects are out of scope, and a small client keeps the engine's dependencies small.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Finding, Outcome};

/// Bodies are read up to this size; a check never needs more.
const BODY_LIMIT: usize = 1024 * 1024;

pub async fn get(
    url: &str,
    want_status: u16,
    body_pattern: Option<&str>,
    timeout_ms: u64,
) -> Outcome {
    let Some((host, port, path)) = parse(url) else {
        return Outcome::error(format!("`{url}` is not an http:// URL this check can call"));
    };
    let call = async {
        let mut stream = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\nUser-Agent: devloop-check\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        stream
            .take((BODY_LIMIT + 64 * 1024) as u64)
            .read_to_end(&mut raw)
            .await?;
        Ok::<_, std::io::Error>(raw)
    };
    let raw = match tokio::time::timeout(Duration::from_millis(timeout_ms), call).await {
        Err(_) => {
            return Outcome::found(
                Finding::new("noAnswerInTime")
                    .with("url", url)
                    .with("ms", timeout_ms),
                format!("{url} did not answer within {timeout_ms} ms"),
            )
        }
        Ok(Err(e)) => {
            return Outcome::found(
                Finding::new("unreachable")
                    .with("url", url)
                    .with("reason", e.kind()),
                format!("{url} cannot be reached: {e}"),
            )
        }
        Ok(Ok(raw)) => raw,
    };
    let Some((status, body)) = split_response(&raw) else {
        return Outcome::found(
            Finding::new("notHttp").with("url", url),
            format!("{url} did not answer with HTTP"),
        );
    };
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
            Ok(re) if re.is_match(&body) => Outcome::Pass,
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
pub(crate) fn parse(url: &str) -> Option<(String, u16, String)> {
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

/// Status code and (de-chunked) body text of a raw HTTP/1.1 response.
fn split_response(raw: &[u8]) -> Option<(u16, String)> {
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..head_end]).ok()?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let body = &raw[head_end + 4..];
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_vec()
    };
    Some((status, String::from_utf8_lossy(&body).into_owned()))
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = body.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&body[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok())
            .unwrap_or(0);
        body = &body[eol + 2..];
        if size == 0 || size > body.len() {
            break;
        }
        out.extend_from_slice(&body[..size]);
        body = body.get(size + 2..).unwrap_or_default();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
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
            get(&url, 200, Some(r"version \d+\.\d+"), 2_000).await,
            Outcome::Pass
        );
        let port = serve("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n").await;
        let Outcome::Fail { hint, .. } =
            get(&format!("http://127.0.0.1:{port}/"), 200, None, 2_000).await
        else {
            panic!()
        };
        assert!(hint.contains("503"), "{hint}");
    }

    #[tokio::test]
    async fn chunked_bodies_are_decoded() {
        let port = serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").await;
        assert_eq!(
            get(
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
            get(&format!("http://127.0.0.1:{port}/"), 200, None, 2_000).await
        else {
            panic!()
        };
        assert!(hint.contains("cannot be reached"), "{hint}");

        let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = silent.local_addr().unwrap().port();
        let Outcome::Fail { hint, .. } =
            get(&format!("http://127.0.0.1:{port}/"), 200, None, 200).await
        else {
            panic!()
        };
        assert!(hint.contains("did not answer within 200 ms"), "{hint}");
        drop(silent);
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
