//! What Monitor measures: a metric's key (a name and labels, written as Prometheus writes
//! them: `container.cpu{name=loop-service-1}`), and the catalogue of names DevLoop collects,
//! with each one's unit and range, so alert rules can be checked before they run.

use crate::finding::Finding;
use std::collections::BTreeMap;
use std::fmt;

/// A series' identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

impl Key {
    pub fn new(name: &str) -> Key {
        Key {
            name: name.to_owned(),
            labels: BTreeMap::new(),
        }
    }

    #[must_use]
    pub fn with(mut self, label: &str, value: &str) -> Key {
        self.labels.insert(label.to_owned(), value.to_owned());
        self
    }

    /// `name` or `name{label=value,…}`; the error says what is wrong, as a finding for the
    /// UI and in English.
    pub fn parse(text: &str) -> Result<Key, (Finding, String)> {
        let text = text.trim();
        let (name, rest) = match text.split_once('{') {
            Some((n, r)) => (n, Some(r)),
            None => (text, None),
        };
        let valid = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':'))
        };
        if !valid(name) {
            return Err((
                Finding::new("notAMetricName").with("text", text),
                format!("`{text}` is not a metric name (letters, digits, `.`, `_`)"),
            ));
        }
        let mut key = Key::new(name);
        if let Some(rest) = rest {
            let Some(inner) = rest.strip_suffix('}') else {
                return Err((
                    Finding::new("labelsUnclosed").with("text", text),
                    format!("`{text}`: the labels need a closing `}}`"),
                ));
            };
            for pair in inner.split(',').filter(|p| !p.trim().is_empty()) {
                let not_a_label = || {
                    (
                        Finding::new("notALabel")
                            .with("text", text)
                            .with("pair", pair),
                        format!("`{text}`: `{pair}` is not label=value"),
                    )
                };
                let Some((k, v)) = pair.split_once('=') else {
                    return Err(not_a_label());
                };
                let v = v.trim().trim_matches('"');
                if !valid(k.trim()) || v.is_empty() {
                    return Err(not_a_label());
                }
                key.labels.insert(k.trim().to_owned(), v.to_owned());
            }
        }
        Ok(key)
    }

    /// True when `self`, a selector, picks `series`: same name, and every label of the selector
    /// has the same value there.
    pub fn selects(&self, series: &Key) -> bool {
        self.name == series.name
            && self
                .labels
                .iter()
                .all(|(k, v)| series.labels.get(k) == Some(v))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.labels.is_empty() {
            let inner: Vec<String> = self
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            write!(f, "{{{}}}", inner.join(","))?;
        }
        Ok(())
    }
}

/// What a metric is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Known {
    pub name: &'static str,
    pub unit: &'static str,
    /// The values it can take, when bounded.
    pub range: Option<(f64, f64)>,
}

const PERCENT: Option<(f64, f64)> = Some((0.0, 100.0));
const FLAG: Option<(f64, f64)> = Some((0.0, 1.0));

/// Every metric DevLoop collects (the service's own `/metrics` come as `scraped.<name>`).
pub const CATALOGUE: &[Known] = &[
    Known {
        name: "host.cpu",
        unit: "percent",
        range: PERCENT,
    },
    Known {
        name: "host.cpuCore",
        unit: "percent",
        range: PERCENT,
    },
    Known {
        name: "host.memory",
        unit: "percent",
        range: PERCENT,
    },
    Known {
        name: "host.swap",
        unit: "percent",
        range: PERCENT,
    },
    Known {
        name: "host.disk",
        unit: "percent",
        range: PERCENT,
    },
    Known {
        name: "host.diskRead",
        unit: "bytes/s",
        range: None,
    },
    Known {
        name: "host.diskWrite",
        unit: "bytes/s",
        range: None,
    },
    Known {
        name: "host.netIn",
        unit: "bytes/s",
        range: None,
    },
    Known {
        name: "host.netOut",
        unit: "bytes/s",
        range: None,
    },
    Known {
        name: "container.cpu",
        unit: "percent of a core",
        range: None,
    },
    Known {
        name: "container.memory",
        unit: "MiB",
        range: None,
    },
    Known {
        name: "container.memoryLimit",
        unit: "MiB",
        range: None,
    },
    Known {
        name: "container.netIn",
        unit: "bytes/s",
        range: None,
    },
    Known {
        name: "container.netOut",
        unit: "bytes/s",
        range: None,
    },
    Known {
        name: "container.restarted",
        unit: "0 or 1 (in the last minute)",
        range: FLAG,
    },
    Known {
        name: "endpoint.rps",
        unit: "requests/s",
        range: None,
    },
    Known {
        name: "endpoint.errorRate",
        unit: "percent",
        range: PERCENT,
    },
    Known {
        name: "endpoint.p50",
        unit: "ms",
        range: None,
    },
    Known {
        name: "endpoint.p95",
        unit: "ms",
        range: None,
    },
    Known {
        name: "endpoint.p99",
        unit: "ms",
        range: None,
    },
    Known {
        name: "probe.up",
        unit: "0 or 1",
        range: FLAG,
    },
    Known {
        name: "probe.ms",
        unit: "ms",
        range: None,
    },
    Known {
        name: "devloop.cpu",
        unit: "percent of a core",
        range: None,
    },
    Known {
        name: "devloop.memory",
        unit: "MiB",
        range: None,
    },
];

/// What DevLoop knows of metric `name`.
pub fn describe(name: &str) -> Option<Known> {
    if let Some(scraped) = name.strip_prefix("scraped.") {
        return (!scraped.is_empty()).then_some(Known {
            name: "scraped",
            unit: "as the service says",
            range: None,
        });
    }
    CATALOGUE.iter().copied().find(|k| k.name == name)
}

/// A known name one edit away from `name`, for "did you mean".
pub fn nearest(name: &str) -> Option<&'static str> {
    CATALOGUE
        .iter()
        .map(|k| k.name)
        .find(|k| crate::text::similar(k, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_print_and_select_as_prometheus_writes_them() {
        let k = Key::parse("container.cpu{name=\"web-1\", app=svc}").unwrap();
        assert_eq!(k.to_string(), "container.cpu{app=svc,name=web-1}");
        assert!(Key::parse("container.cpu").unwrap().selects(&k));
        assert!(Key::parse("container.cpu{app=svc}").unwrap().selects(&k));
        assert!(!Key::parse("container.cpu{app=other}").unwrap().selects(&k));
        assert!(!Key::parse("container.memory").unwrap().selects(&k));
        for bad in [
            "",
            "host cpu",
            "host.cpu{name",
            "host.cpu{name}",
            "host.cpu{=x}",
        ] {
            assert!(Key::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_catalogue_knows_its_names_and_the_services_own() {
        assert_eq!(
            describe("host.cpu").and_then(|k| k.range),
            Some((0.0, 100.0))
        );
        assert!(describe("scraped.loop_requests_total").is_some());
        assert!(describe("scraped.").is_none());
        assert_eq!(nearest("host.cpus"), Some("host.cpu"));
        assert_eq!(nearest("nothing.like.it"), None);
    }
}
