//! Just enough HTTP/1.1: read a request line and headers, write a response.

use std::io::{BufRead, Read};

#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
}

/// Reads the request line and skips the headers. Lines are capped, so a client that sends
/// an endless line cannot make the service hold it all in memory.
pub fn read_request(reader: &mut impl BufRead) -> Result<Request, String> {
    let line = read_line(reader)?;
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("malformed request line: {line:?}"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(format!("unsupported protocol {version}"));
    }
    // Headers are not needed; read them so the client sees a clean response.
    for _ in 0..100 {
        if read_line(reader)?.is_empty() {
            break;
        }
    }
    let path = target.split('?').next().unwrap_or("/").to_owned();
    Ok(Request { method: method.to_owned(), path })
}

fn read_line(reader: &mut impl BufRead) -> Result<String, String> {
    let mut line = String::new();
    reader
        .by_ref()
        .take(8 * 1024)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// A complete response with `Connection: close`.
pub fn response(status: u16, content_type: &str, body: &str) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_line_gives_method_and_path_without_the_query() {
        let mut input: &[u8] = b"GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n";
        let req = read_request(&mut input).unwrap();
        assert_eq!(req, Request { method: "GET".into(), path: "/metrics".into() });
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_request(&mut &b"\x00\x01\x02"[..]).is_err());
        assert!(read_request(&mut &b"GET / SPDY/3\r\n\r\n"[..]).is_err());
    }

    #[test]
    fn responses_carry_the_length() {
        let r = String::from_utf8(response(200, "text/plain", "ok\n")).unwrap();
        assert!(r.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(r.contains("Content-Length: 3\r\n"));
    }
}
