//! Request counts and a latency histogram, rendered in Prometheus' text format.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 8] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0];

#[derive(Debug, Default)]
pub struct Metrics {
    /// One lock is plenty: a request takes it once, for microseconds.
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// (path, status) → count.
    requests: BTreeMap<(String, u16), u64>,
    /// Cumulative counts per bucket, then +Inf.
    buckets: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

impl Metrics {
    pub fn observe(&self, path: &str, status: u16, took: Duration) {
        // Unknown paths are folded into one label so a scanner cannot grow the map forever.
        let path = match path {
            "/" | "/health" | "/metrics" => path,
            _ => "other",
        };
        let secs = took.as_secs_f64();
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        *m.requests.entry((path.to_owned(), status)).or_default() += 1;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                m.buckets[i] += 1;
            }
        }
        m.buckets[BUCKETS.len()] += 1;
        m.sum += secs;
        m.count += 1;
    }

    pub fn render(&self) -> String {
        let m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::from("# HELP http_requests_total Requests served, by path and status.\n# TYPE http_requests_total counter\n");
        for ((path, status), n) in &m.requests {
            out.push_str(&format!("http_requests_total{{path=\"{path}\",status=\"{status}\"}} {n}\n"));
        }
        out.push_str("# HELP http_request_duration_seconds Time to answer a request.\n# TYPE http_request_duration_seconds histogram\n");
        for (i, bound) in BUCKETS.iter().enumerate() {
            out.push_str(&format!("http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}\n", m.buckets[i]));
        }
        out.push_str(&format!("http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", m.buckets[BUCKETS.len()]));
        out.push_str(&format!("http_request_duration_seconds_sum {}\n", m.sum));
        out.push_str(&format!("http_request_duration_seconds_count {}\n", m.count));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_buckets_follow_observations() {
        let m = Metrics::default();
        m.observe("/", 200, Duration::from_millis(2));
        m.observe("/", 200, Duration::from_millis(30));
        m.observe("/wp-admin", 404, Duration::from_millis(1));
        let text = m.render();
        assert!(text.contains("http_requests_total{path=\"/\",status=\"200\"} 2\n"), "{text}");
        assert!(text.contains("http_requests_total{path=\"other\",status=\"404\"} 1\n"), "{text}");
        assert!(text.contains("http_request_duration_seconds_bucket{le=\"0.005\"} 2\n"), "{text}");
        assert!(text.contains("http_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"), "{text}");
        assert!(text.contains("http_request_duration_seconds_count 3\n"), "{text}");
    }
}
