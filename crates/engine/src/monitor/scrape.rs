//! The service's own `/metrics`, read from each replica directly (through the proxy every read
//! would land on another replica) and parsed with a Prometheus text-format library. Counters,
//! gauges and untyped values become `scraped.<name>{labels,replica=…}` series. What a service
//! says is not trusted: the answer is cut at 1 MiB, a replica that hangs is given up on after
//! two seconds, at most 200 series are taken from one answer, and garbage is a status, not a
//! crash.

use std::time::Duration;

use super::metric::Key;

const MAX_BODY: usize = 1024 * 1024;
const MAX_SERIES: usize = 200;
const TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /metrics` at `addr` (`127.0.0.1:port`, or a swarm task's address); the body, or why not.
pub async fn fetch(addr: &str) -> Result<String, String> {
    use crate::http::Failure;
    let url = format!("http://{addr}/metrics");
    let answer = crate::http::get(&url, TIMEOUT, MAX_BODY)
        .await
        .map_err(|e| match e {
            Failure::TimedOut => "no answer within 2 s".to_owned(),
            Failure::Unreachable(e) => format!("no connection: {e}"),
            Failure::NotHttp(_) | Failure::NotAUrl => "not an HTTP answer".to_owned(),
        })?;
    if answer.status != 200 {
        return Err(format!("/metrics answered {}", answer.status));
    }
    if answer.truncated {
        return Err("/metrics answered more than 1 MiB".into());
    }
    Ok(answer.body)
}

/// The samples in `text` for `replica`, or why there are none.
pub fn parse(text: &str, replica: &str) -> Result<Vec<(Key, f64)>, String> {
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines)
        .map_err(|e| format!("/metrics is not in Prometheus's text format: {e}"))?;
    let mut out = Vec::new();
    for s in scrape.samples {
        let value = match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            // Histograms and summaries are many numbers; their _sum and _count tell enough.
            _ => continue,
        };
        let Ok(mut key) = Key::parse(&format!("scraped.{}", s.metric)) else {
            continue;
        };
        for (k, v) in s.labels.iter() {
            let fine = |x: &str| {
                !x.is_empty()
                    && x.len() <= 64
                    && x.chars()
                        .all(|c| c.is_ascii_graphic() && !"{},=\"".contains(c))
            };
            if fine(k) && fine(v) {
                key.labels.insert(k.clone(), v.clone());
            }
        }
        key.labels.insert("replica".into(), replica.to_owned());
        if value.is_finite() {
            out.push((key, value));
        }
        if out.len() >= MAX_SERIES {
            break;
        }
    }
    if out.is_empty() && !text.trim().is_empty() {
        return Err("/metrics had no sample DevLoop could read".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn the_demos_metrics_become_series_per_replica() {
        let text = "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{path=\"/\",status=\"200\"} 42\nhttp_requests_total{path=\"/health\",status=\"200\"} 7\n# TYPE up gauge\nup 1\n";
        let samples = parse(text, "web-1").unwrap();
        let keys: Vec<String> = samples.iter().map(|(k, _)| k.to_string()).collect();
        assert!(
            keys.contains(
                &"scraped.http_requests_total{path=/,replica=web-1,status=200}".to_owned()
            ),
            "{keys:?}"
        );
        assert!(samples
            .iter()
            .any(|(k, v)| k.name == "scraped.up" && *v == 1.0));
    }

    #[test]
    fn garbage_and_floods_are_refused_or_capped_not_a_crash() {
        assert!(parse("<html>not metrics</html>", "r").is_err());
        assert_eq!(parse("", "r").unwrap(), vec![]);
        let flood: String = (0..5000).map(|i| format!("m{{i=\"{i}\"}} {i}\n")).collect();
        assert_eq!(parse(&flood, "r").unwrap().len(), MAX_SERIES);
        let hostile = "m{path=\"a},evil=\\\"x\"} 1\n";
        if let Ok(s) = parse(hostile, "r") {
            for (k, _) in s {
                assert!(Key::parse(&k.to_string()).is_ok(), "{k}");
            }
        }
    }

    #[tokio::test]
    async fn a_replica_that_hangs_is_given_up_on_and_one_that_talks_too_much_is_cut() {
        let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = hang.local_addr().unwrap().port();
        let _held = tokio::spawn(async move {
            let (s, _) = hang.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(10)).await;
            drop(s);
        });
        let started = std::time::Instant::now();
        assert_eq!(
            fetch(&format!("127.0.0.1:{port}")).await.unwrap_err(),
            "no answer within 2 s"
        );
        assert!(started.elapsed() < Duration::from_secs(3));

        let big = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = big.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut s, _) = big.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(b"HTTP/1.0 200 OK\r\n\r\n").await;
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..40 {
                if s.write_all(&chunk).await.is_err() {
                    break;
                }
            }
        });
        assert_eq!(
            fetch(&format!("127.0.0.1:{port}")).await.unwrap_err(),
            "/metrics answered more than 1 MiB"
        );
    }
}
