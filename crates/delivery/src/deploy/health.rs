//! Health checks for a new replica: an HTTP path asked every `interval`, each answer within
//! `timeout`; healthy at the first 2xx, unhealthy after `retries` failures in a row once the
//! start period is over (failures while the service starts do not count, as in Docker).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::finding::Outcome;
use crate::http;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    pub path: String,
    #[ts(type = "number")]
    pub interval_ms: u64,
    #[ts(type = "number")]
    pub timeout_ms: u64,
    pub retries: u32,
    #[ts(type = "number")]
    pub start_period_ms: u64,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            path: "/health".into(),
            interval_ms: 250,
            timeout_ms: 1000,
            retries: 3,
            start_period_ms: 5000,
        }
    }
}

impl HealthCheck {
    /// The check's problem, if it has one, said so a person can fix it.
    pub fn check(&self) -> Result<(), crate::Error> {
        if !self.path.starts_with('/')
            || self.path.contains(['\r', '\n', ' '])
            || self.interval_ms < 50
            || self.timeout_ms == 0
            || self.retries == 0
        {
            return Err(crate::Error::said(
                crate::Code::InvalidInput,
                crate::finding::Finding::new("badHealthCheck"),
                "the health check needs a path starting with /, an interval of 50 ms or more, a timeout and at least one retry",
            ));
        }
        Ok(())
    }
}

/// Waits for 127.0.0.1:`port` to answer the check; `Err` says what the last answer was, in
/// English and as the check's finding.
pub async fn wait(
    port: u16,
    check: &HealthCheck,
) -> Result<Duration, (String, Option<crate::finding::Finding>)> {
    let started = Instant::now();
    let url = format!("http://127.0.0.1:{port}{}", check.path);
    let mut failures = 0;
    loop {
        match http::expect(&url, 200, None, check.timeout_ms).await {
            Outcome::Pass => return Ok(started.elapsed()),
            Outcome::Fail { hint, finding } | Outcome::Error { why: hint, finding } => {
                if started.elapsed() >= Duration::from_millis(check.start_period_ms) {
                    failures += 1;
                    if failures >= check.retries {
                        return Err((hint, finding));
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(check.interval_ms)).await;
    }
}
