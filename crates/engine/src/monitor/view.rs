//! What the Monitor page shows: the dashboard's charts for a window (5 minutes, an hour, a
//! day) drawn to SVG with the values behind them (for the pointer), the alerts, and how the
//! sources are doing; and the same dashboard exported as a PNG picture and as CSV data.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::board::{Active, AlertEvent, Board};
use super::chart::{self, Line, Marker, PlotArea, Spec};
use super::collect::SourceStatus;
use super::metric::Key;
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "MonitorWindow")] // `Window` is the browser's.
pub enum Window {
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "24h")]
    Day,
}

impl Window {
    pub fn seconds(self) -> i64 {
        match self {
            Window::FiveMinutes => 300,
            Window::Hour => 3600,
            Window::Day => 86_400,
        }
    }
}

/// A chart of the dashboard: an id the page titles in the learner's language, and the metrics
/// drawn on it.
struct Def<'a> {
    id: &'a str,
    metrics: &'a [&'a str],
    unit: &'a str,
    floor: f64,
}

const DASHBOARD: &[Def<'static>] = &[
    Def {
        id: "hostCpu",
        metrics: &["host.cpu"],
        unit: "%",
        floor: 100.0,
    },
    Def {
        id: "hostMemory",
        metrics: &["host.memory", "host.swap"],
        unit: "%",
        floor: 100.0,
    },
    Def {
        id: "hostDisk",
        metrics: &["host.disk"],
        unit: "%",
        floor: 100.0,
    },
    Def {
        id: "hostNetwork",
        metrics: &["host.netIn", "host.netOut"],
        unit: "B/s",
        floor: 1024.0,
    },
    Def {
        id: "requests",
        metrics: &["endpoint.rps"],
        unit: "req/s",
        floor: 10.0,
    },
    Def {
        id: "errors",
        metrics: &["endpoint.errorRate"],
        unit: "%",
        floor: 5.0,
    },
    Def {
        id: "latency",
        metrics: &["endpoint.p50", "endpoint.p95", "endpoint.p99"],
        unit: "ms",
        floor: 10.0,
    },
    Def {
        id: "containerCpu",
        metrics: &["container.cpu"],
        unit: "% core",
        floor: 50.0,
    },
    Def {
        id: "containerMemory",
        metrics: &["container.memory"],
        unit: "MiB",
        floor: 16.0,
    },
    Def {
        id: "probes",
        metrics: &["probe.ms"],
        unit: "ms",
        floor: 10.0,
    },
    Def {
        id: "devloop",
        metrics: &["devloop.cpu"],
        unit: "% core",
        floor: 10.0,
    },
    Def {
        id: "devloopMemory",
        metrics: &["devloop.memory"],
        unit: "MiB",
        floor: 100.0,
    },
];

/// A line's values for the pointer: one every `step` seconds from the window's start.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LineValues {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChartView {
    pub id: String,
    pub unit: String,
    pub svg: String,
    pub area: PlotArea,
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
    #[ts(type = "number")]
    pub step: i64,
    pub lines: Vec<LineValues>,
    /// No sample at all in the window: the page says why instead of an empty frame.
    pub empty: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MonitorView {
    pub charts: Vec<ChartView>,
    pub markers: Vec<Marker>,
    pub active: Vec<Active>,
    /// Newest first.
    pub history: Vec<AlertEvent>,
    pub status: SourceStatus,
    /// The names the service's own `/metrics` gave, to chart one of them.
    pub scraped: Vec<String>,
    /// The service's replicas now, to follow one's logs beside the charts.
    pub replicas: Vec<crate::deploy::replica::Replica>,
    /// The swarm service's tasks, with their nodes and states (none on this machine's target).
    pub tasks: Vec<crate::swarm::tasks::Task>,
}

/// The distinct metric names the service's `/metrics` gave.
pub fn scraped_names(board: &Board) -> Vec<String> {
    let mut names: Vec<String> = board
        .keys()
        .into_iter()
        .filter(|k| k.name.starts_with("scraped."))
        .map(|k| k.name)
        .collect();
    names.dedup();
    names
}

fn short(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// The lines of one chart.
fn lines(board: &Board, def: &Def, from: i64, to: i64) -> Vec<Line> {
    let many = def.metrics.len() > 1;
    def.metrics
        .iter()
        .flat_map(|m| {
            board
                .lines(&Key::new(m), from, to)
                .into_iter()
                .map(move |mut l| {
                    if many {
                        l.label = if l.label == *m {
                            short(m).to_owned()
                        } else {
                            format!("{} {}", short(m), l.label)
                        };
                    }
                    l
                })
        })
        .collect()
}

/// The dashboard for `window` ending at second `now`, `width` × `height` pixels a chart.
pub fn dashboard(
    board: &Board,
    window: Window,
    now: i64,
    size: (u32, u32),
    dark: bool,
    utc_offset_s: i64,
    scraped: Option<&str>,
) -> Result<Vec<ChartView>, Error> {
    let (width, height) = size;
    let (from, to) = (now - window.seconds(), now);
    let markers = board.markers(from, to);
    let picked = scraped.filter(|s| s.starts_with("scraped.")).map(|s| [s]);
    let extra = picked.as_ref().map(|metrics| Def {
        id: "scraped",
        metrics,
        unit: "",
        floor: 1.0,
    });
    DASHBOARD
        .iter()
        .chain(extra.as_ref())
        .map(|def| {
            let lines = lines(board, def, from, to);
            let (svg, area) = chart::svg(&Spec {
                title: "",
                lines: &lines,
                from,
                to,
                markers: &markers,
                y_floor: def.floor,
                unit: def.unit,
                width,
                height,
                dark,
                utc_offset_s,
                guides: &[],
            })?;
            // About one value per two pixels is all a pointer can tell apart.
            let points = lines.first().map_or(0, |l| l.points.len()).max(1);
            let per = points.div_ceil((width as usize / 2).max(1)).max(1);
            let seconds_per_point = if window == Window::Day { 60 } else { 1 };
            Ok(ChartView {
                id: def.id.into(),
                unit: def.unit.into(),
                svg,
                area,
                from,
                to,
                step: per as i64 * seconds_per_point,
                empty: lines.iter().all(|l| l.points.iter().all(|p| p.1.is_none())),
                lines: lines
                    .iter()
                    .map(|l| LineValues {
                        label: l.label.clone(),
                        values: l.points.iter().step_by(per).map(|p| p.1).collect(),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// Writes the dashboard for `window` as a PNG at `path`, each chart titled as `titles` says
/// (the page's titles, with units, in the learner's language); a chart without one, or whose
/// title needs Hangul where no Hangul font is installed, is titled by its id and unit.
pub fn export_png(
    board: &Board,
    window: Window,
    now: i64,
    utc_offset_s: i64,
    titles: &std::collections::HashMap<String, String>,
    path: &Path,
) -> Result<(), Error> {
    let (from, to) = (now - window.seconds(), now);
    let markers = board.markers(from, to);
    let hangul = chart::draws_hangul();
    let all: Vec<(&Def, Vec<Line>, String)> = DASHBOARD
        .iter()
        .map(|d| {
            let title = titles
                .get(d.id)
                .map(|t| t.chars().take(120).collect::<String>())
                .filter(|t| hangul || !t.chars().any(|c| ('\u{1100}'..='\u{D7FF}').contains(&c)))
                .unwrap_or_else(|| format!("{} ({})", d.id, d.unit));
            (d, lines(board, d, from, to), title)
        })
        .collect();
    let specs: Vec<Spec> = all
        .iter()
        .map(|(d, lines, title)| Spec {
            title,
            lines,
            from,
            to,
            markers: &markers,
            y_floor: d.floor,
            unit: d.unit,
            width: 640,
            height: 240,
            dark: false,
            utc_offset_s,
            guides: &[],
        })
        .collect();
    chart::png(&specs, path)
}

/// Writes every series in `window` as CSV at `path`: a `time` column (ISO 8601, UTC) and one
/// column per series; an empty cell is a gap.
pub fn export_csv(board: &Board, window: Window, now: i64, path: &Path) -> Result<(), Error> {
    let (from, to) = (now - window.seconds(), now);
    let keys = board.keys();
    let columns: Vec<(String, Vec<super::series::Point>)> = keys
        .iter()
        .map(|k| (k.to_string(), board.points(k, from, to)))
        .collect();
    let io = |e: std::io::Error| {
        Error::internal(format!(
            "the data could not be written to {}: {e}",
            path.display()
        ))
    };
    crate::atomic::write_with(
        path,
        |aside| {
            let fail = |e: csv::Error| io(csv_io(e));
            let mut out = csv::Writer::from_path(aside).map_err(fail)?;
            let header =
                std::iter::once("time".to_owned()).chain(columns.iter().map(|(k, _)| k.clone()));
            out.write_record(header).map_err(fail)?;
            let rows = columns.first().map_or(0, |c| c.1.len());
            for i in 0..rows {
                let t = columns[0].1[i].0;
                let values = columns.iter().map(|(_, points)| {
                    points
                        .get(i)
                        .and_then(|p| p.1)
                        .map(|v| format!("{v}"))
                        .unwrap_or_default()
                });
                out.write_record(std::iter::once(iso(t)).chain(values))
                    .map_err(fail)?;
            }
            out.flush().map_err(io)
        },
        io,
    )
}

/// The writer's error as the I/O error it nearly always is (the rest cannot happen: every
/// field is a string).
fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// `t` (unix seconds) as `YYYY-MM-DDTHH:MM:SSZ`; a time outside jiff's years (-9999 to
/// 9999) as the number it is.
pub fn iso(t: i64) -> String {
    match jiff::Timestamp::from_second(t) {
        Ok(at) => at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Err(_) => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board() -> Board {
        let mut b = Board::default();
        for t in 1000..1300 {
            if !(1100..1120).contains(&t) {
                b.record(t, vec![(Key::new("host.cpu"), 50.0)]);
            }
            b.record(
                t,
                vec![
                    (Key::new("endpoint.p50").with("service", "svc"), 2.0),
                    (Key::new("endpoint.p95").with("service", "svc"), 9.0),
                ],
            );
        }
        b
    }

    #[test]
    fn the_dashboard_draws_every_chart_and_says_which_are_empty() {
        let views = dashboard(
            &board(),
            Window::FiveMinutes,
            1299,
            (600, 180),
            false,
            0,
            None,
        )
        .unwrap();
        assert_eq!(views.len(), DASHBOARD.len());
        let cpu = views.iter().find(|v| v.id == "hostCpu").unwrap();
        assert!(!cpu.empty);
        // 301 seconds on 600 pixels: a value every 2 seconds for the pointer.
        assert_eq!((cpu.step, cpu.lines[0].values.len()), (2, 151));
        assert_eq!(
            cpu.lines[0].values[55], None,
            "the gap is kept for the pointer too"
        );
        assert_eq!(cpu.lines[0].values[45], Some(50.0));
        let latency = views.iter().find(|v| v.id == "latency").unwrap();
        let labels: Vec<&str> = latency.lines.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["p50 svc", "p95 svc"]);
        assert!(views.iter().find(|v| v.id == "hostDisk").unwrap().empty);
    }

    #[test]
    fn csv_has_a_time_column_one_column_per_series_and_gaps_as_empty_cells() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("monitor.csv");
        export_csv(&board(), Window::FiveMinutes, 1299, &file).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "time,endpoint.p50{service=svc},endpoint.p95{service=svc},host.cpu"
        );
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), 301);
        assert!(
            rows[0].starts_with("1970-01-01T00:16:39Z,,,"),
            "{}",
            rows[0]
        );
        assert_eq!(rows[1], "1970-01-01T00:16:40Z,2,9,50");
        assert_eq!(rows[101], "1970-01-01T00:18:20Z,2,9,", "host.cpu's gap");
    }

    #[test]
    fn a_png_dashboard_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("monitor.png");
        export_png(
            &board(),
            Window::FiveMinutes,
            1299,
            0,
            &Default::default(),
            &file,
        )
        .unwrap();
        assert_eq!(&std::fs::read(&file).unwrap()[..4], b"\x89PNG");
    }

    #[test]
    fn an_exported_chart_can_be_titled_in_korean_on_a_machine_with_its_font() {
        // The machine that runs DevLoop's tests has fonts-nanum (scripts/deps.sh), as a
        // learner's does after `make run`.
        assert!(
            chart::draws_hangul(),
            "no Hangul font: run scripts/deps.sh run"
        );
        let dir = tempfile::tempdir().unwrap();
        let titles = [("hostCpu".to_owned(), "호스트 CPU(%)".to_owned())].into();
        let (ko, en) = (dir.path().join("ko.png"), dir.path().join("en.png"));
        export_png(&board(), Window::FiveMinutes, 1299, 0, &titles, &ko).unwrap();
        export_png(
            &board(),
            Window::FiveMinutes,
            1299,
            0,
            &Default::default(),
            &en,
        )
        .unwrap();
        assert_ne!(
            std::fs::read(&ko).unwrap(),
            std::fs::read(&en).unwrap(),
            "the title drawn differs"
        );
    }

    #[test]
    fn iso_times() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(iso(951_782_400), "2000-02-29T00:00:00Z");
    }
}
