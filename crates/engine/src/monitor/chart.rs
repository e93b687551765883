//! Charts drawn in Rust with plotters: SVG for the live views (the page swaps it in once a
//! second), PNG for export. A chart is lines over a time window, broken where a series has
//! gaps, with deploys and alerts as markers on the time axis. Text uses the system's Hangul
//! font when there is one (Debian's fonts-nanum, which `make run` installs), so an exported
//! chart can be titled in Korean; else the embedded DejaVu Sans, which has no Hangul.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;
use ts_rs::TS;

use super::series::Point;
use crate::finding::Finding;
use crate::{Code, Error};

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Where Debian and Ubuntu put a sans-serif font with Hangul and Latin.
const HANGUL_FONTS: [&str; 2] = [
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf",
];

/// Whether `font` draws `c` (not the missing-glyph box).
pub fn has_glyph(font: &[u8], c: char) -> bool {
    use ab_glyph::Font;
    ab_glyph::FontRef::try_from_slice(font).is_ok_and(|f| f.glyph_id(c).0 != 0)
}

/// The font charts are drawn with, loaded once: a Hangul one when the system has it.
fn font() -> &'static [u8] {
    static CHOSEN: std::sync::OnceLock<&'static [u8]> = std::sync::OnceLock::new();
    CHOSEN.get_or_init(|| {
        HANGUL_FONTS
            .iter()
            .filter_map(|p| std::fs::read(p).ok())
            .find(|bytes| has_glyph(bytes, '한') && has_glyph(bytes, 'A'))
            // Read once for the process's life: plotters keeps fonts as 'static.
            .map_or(FONT, |bytes| &*Box::leak(bytes.into_boxed_slice()))
    })
}

/// Whether charts can draw Korean text here.
pub fn draws_hangul() -> bool {
    has_glyph(font(), '한')
}

fn font_ready() -> Result<(), Error> {
    static READY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *READY.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, font()).is_ok()
    });
    ok.then_some(())
        .ok_or_else(|| Error::internal("the chart font did not load"))
}

/// One line of a chart.
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    /// Seconds and values, oldest first; `None` is a gap.
    pub points: Vec<Point>,
    /// Where the values went within each point, lowest and highest, when a point stands for
    /// many (a minute's average): drawn as a faint band around the line. Empty otherwise.
    pub band: Vec<(i64, Option<(f64, f64)>)>,
}

/// A moment marked on the time axis.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Marker {
    #[ts(type = "number")]
    pub at: i64,
    /// `deploy`, `rollback`, `alert` or `resolved`.
    pub kind: String,
    pub label: String,
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    /// Drawn above the plot in exports; the live page titles charts itself (in either language).
    pub title: &'a str,
    pub lines: &'a [Line],
    pub from: i64,
    pub to: i64,
    pub markers: &'a [Marker],
    /// The y axis starts at 0 and reaches at least this (100 for percentages).
    pub y_floor: f64,
    pub unit: &'a str,
    pub width: u32,
    pub height: u32,
    pub dark: bool,
    /// The learner's time zone, so the axis reads as their clock does.
    pub utc_offset_s: i64,
    /// Values to draw as faint horizontal lines (bands to compare with, such as DORA's).
    pub guides: &'a [f64],
}

/// Where the plot sits in the picture, so the page can map a pointer to a time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlotArea {
    pub left: i32,
    pub right: i32,
    pub top: i32,
    pub bottom: i32,
}

/// Colours that read on light and dark pages alike; a line keeps its colour by position.
const PALETTE: [RGBColor; 6] = [
    RGBColor(47, 127, 224),
    RGBColor(20, 168, 116),
    RGBColor(217, 72, 15),
    RGBColor(142, 68, 173),
    RGBColor(201, 138, 0),
    RGBColor(214, 51, 108),
];

fn marker_colour(kind: &str) -> RGBColor {
    match kind {
        "deploy" => RGBColor(20, 168, 116),
        "rollback" | "alert" => RGBColor(214, 51, 108),
        _ => RGBColor(120, 120, 120),
    }
}

fn clock(t: i64) -> String {
    let s = t.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn plotting<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &Spec,
) -> Result<PlotArea, String>
where
    DB::ErrorType: 'static,
{
    let max = spec
        .lines
        .iter()
        .flat_map(|l| {
            let highs = l.band.iter().filter_map(|b| b.1.map(|(_, hi)| hi));
            l.points.iter().filter_map(|p| p.1).chain(highs)
        })
        .fold(0.0_f64, f64::max);
    // Headroom over the highest point, so a line at the top is still seen as a line.
    let y_top = (max * 1.15).max(spec.y_floor).max(1e-9);
    let text = if spec.dark {
        RGBColor(200, 205, 215)
    } else {
        RGBColor(60, 66, 80)
    };
    let grid = if spec.dark {
        RGBColor(55, 60, 72)
    } else {
        RGBColor(225, 229, 236)
    };
    let span = (spec.to - spec.from).max(1);
    let mut builder = ChartBuilder::on(root);
    if !spec.title.is_empty() {
        builder.caption(spec.title, ("sans-serif", 14).into_font().color(&text));
    }
    let mut chart = builder
        .margin(6)
        .x_label_area_size(20)
        .y_label_area_size(46)
        .build_cartesian_2d(spec.from..spec.to, 0.0..y_top)
        .map_err(|e| e.to_string())?;
    let label_style = ("sans-serif", 11).into_font().color(&text);
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|t| {
            let local = clock(*t + spec.utc_offset_s);
            if span > 3 * 86_400 {
                // Weeks: the date, month-day.
                super::view::iso(*t + spec.utc_offset_s)[5..10].to_owned()
            } else if span > 3 * 3600 {
                local[..5].to_owned()
            } else {
                local
            }
        })
        .y_label_formatter(&|v| format_value(*v))
        .label_style(label_style)
        .axis_style(text.mix(0.6))
        .bold_line_style(grid)
        .light_line_style(grid.mix(0.4))
        .draw()
        .map_err(|e| e.to_string())?;
    for g in spec.guides.iter().filter(|g| **g <= y_top) {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(spec.from, *g), (spec.to, *g)],
                text.mix(0.35).stroke_width(1),
            )))
            .map_err(|e| e.to_string())?;
    }
    for m in spec
        .markers
        .iter()
        .filter(|m| (spec.from..=spec.to).contains(&m.at))
    {
        let colour = marker_colour(&m.kind);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(m.at, 0.0), (m.at, y_top)],
                colour.mix(0.8).stroke_width(1),
            )))
            .map_err(|e| e.to_string())?;
    }
    for (i, line) in spec.lines.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        // The band first, under its line: highs left to right, then lows back, per run.
        for run in line.band.split(|b| b.1.is_none()).filter(|r| r.len() > 1) {
            let highs = run.iter().filter_map(|(t, b)| b.map(|(_, hi)| (*t, hi)));
            let lows = run
                .iter()
                .rev()
                .filter_map(|(t, b)| b.map(|(lo, _)| (*t, lo)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    highs.chain(lows).collect::<Vec<_>>(),
                    colour.mix(0.18).filled(),
                )))
                .map_err(|e| e.to_string())?;
        }
        // Each run between gaps is its own path: a gap stays a hole.
        for run in line
            .points
            .split(|p| p.1.is_none())
            .filter(|r| !r.is_empty())
        {
            let style = colour.stroke_width(2);
            if run.len() == 1 {
                let (t, v) = (run[0].0, run[0].1.unwrap_or_default());
                chart
                    .draw_series(std::iter::once(Circle::new((t, v), 2, colour.filled())))
                    .map_err(|e| e.to_string())?;
            } else {
                chart
                    .draw_series(LineSeries::new(
                        run.iter().map(|(t, v)| (*t, v.unwrap_or_default())),
                        style,
                    ))
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    let (x, y) = chart.plotting_area().get_pixel_range();
    Ok(PlotArea {
        left: x.start,
        right: x.end,
        top: y.start,
        bottom: y.end,
    })
}

/// Numbers as a person reads them on an axis: 1.2k, 3.4M, 0.25.
pub fn format_value(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 || v == 0.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The chart as SVG, and where its plot area is.
pub fn svg(spec: &Spec) -> Result<(String, PlotArea), Error> {
    font_ready()?;
    let mut out = String::new();
    let area = {
        let root = SVGBackend::with_string(&mut out, (spec.width, spec.height)).into_drawing_area();
        let area = plotting(&root, spec).map_err(drawing)?;
        root.present().map_err(|e| drawing(e.to_string()))?;
        area
    };
    Ok((out, area))
}

/// Writes charts as one PNG dashboard at `path`, two to a row (replaced whole: an export cut
/// short leaves no half picture).
pub fn png(specs: &[Spec], path: &std::path::Path) -> Result<(), Error> {
    font_ready()?;
    let Some(first) = specs.first() else {
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("noChart"),
            "there is no chart to export",
        ));
    };
    let columns = specs.len().min(2) as u32;
    let rows = (specs.len() as u32).div_ceil(columns);
    let (w, h) = (first.width * columns, first.height * rows);
    let io = |e: std::io::Error| {
        Error::internal(format!(
            "the dashboard could not be saved as {}: {e}",
            path.display()
        ))
    };
    crate::atomic::write_with(
        path,
        |aside| {
            let root = BitMapBackend::new(aside, (w, h)).into_drawing_area();
            root.fill(&if first.dark {
                RGBColor(24, 27, 34)
            } else {
                WHITE
            })
            .map_err(|e| drawing(e.to_string()))?;
            let cells = root.split_evenly((rows as usize, columns as usize));
            for (cell, spec) in cells.iter().zip(specs) {
                plotting(cell, spec).map_err(drawing)?;
            }
            root.present().map_err(|e| drawing(e.to_string()))
        },
        io,
    )
}

fn drawing(e: String) -> Error {
    Error::internal(format!("a chart could not be drawn: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec<'a>(lines: &'a [Line], markers: &'a [Marker]) -> Spec<'a> {
        Spec {
            title: "",
            lines,
            from: 1000,
            to: 1300,
            markers,
            y_floor: 100.0,
            unit: "percent",
            width: 600,
            height: 200,
            dark: false,
            utc_offset_s: 0,
            guides: &[],
        }
    }

    #[test]
    fn a_gap_breaks_the_line_and_markers_are_drawn() {
        let mut points: Vec<Point> = (1000..1300).map(|t| (t, Some((t % 50) as f64))).collect();
        for p in &mut points[100..120] {
            p.1 = None;
        }
        let lines = [Line {
            label: "cpu".into(),
            points,
            band: Vec::new(),
        }];
        let markers = [Marker {
            at: 1150,
            kind: "deploy".into(),
            label: "0.2.0".into(),
        }];
        let (svg, area) = svg(&spec(&lines, &markers)).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..60]);
        // Two runs of the line, and the marker in its own colour.
        assert_eq!(svg.matches(r##"stroke="#2F7FE0""##).count(), 2, "{svg}");
        assert_eq!(svg.matches(r##"stroke="#14A874""##).count(), 1, "{svg}");
        assert!(svg.contains("00:16:40"), "time labels on the axis");
        assert!(area.left > 0 && area.right > area.left && area.bottom > area.top);
    }

    #[test]
    fn minutes_draw_a_band_from_their_lowest_to_their_highest_under_the_line() {
        let band: Vec<(i64, Option<(f64, f64)>)> = (0..60)
            .map(|m| (m * 60, (m != 30).then_some((10.0, 300.0))))
            .collect();
        let lines = [Line {
            label: "p95".into(),
            points: band.iter().map(|(t, b)| (*t, b.map(|_| 50.0))).collect(),
            band,
        }];
        let day = Spec {
            from: 0,
            to: 3540,
            ..spec(&lines, &[])
        };
        let (svg, _) = svg(&day).unwrap();
        // A band on each side of the missing minute, filled faintly in the line's colour.
        assert_eq!(svg.matches("<polygon").count(), 2, "{svg}");
        assert!(
            svg.contains(r##"<polygon opacity="0.18" fill="#2F7FE0""##),
            "{svg}"
        );
        // The axis reaches the band's top (345 with its headroom), not only the averages'.
        let top = svg
            .split("<polygon")
            .nth(1)
            .unwrap()
            .split(' ')
            .nth(3)
            .unwrap();
        assert_eq!(
            top, r#"points="52,28"#,
            "the band's top is near the plot's top: {top}"
        );
    }

    #[test]
    fn png_export_is_a_real_png() {
        let lines = [Line {
            label: "x".into(),
            points: vec![(1000, Some(1.0)), (1100, Some(2.0))],
            band: Vec::new(),
        }];
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("chart.png");
        let titled = Spec {
            title: "CPU",
            ..spec(&lines, &[])
        };
        png(&[titled.clone(), titled.clone(), titled], &file).unwrap();
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert!(bytes.len() > 2000, "more than an empty picture");
        // Two columns, two rows of 600 × 200.
        assert_eq!(&bytes[16..24], &[0, 0, 4, 176, 0, 0, 1, 144]);
    }

    #[test]
    fn values_read_as_people_write_them() {
        assert_eq!(format_value(0.0), "0");
        assert_eq!(format_value(0.25), "0.25");
        assert_eq!(format_value(12.34), "12.3");
        assert_eq!(format_value(250.0), "250");
        assert_eq!(format_value(12_345.0), "12k");
        assert_eq!(format_value(3_400_000.0), "3.4M");
    }

    #[test]
    fn the_embedded_font_has_no_hangul_and_a_nanum_font_does() {
        assert!(has_glyph(FONT, 'A') && !has_glyph(FONT, '한'));
        if let Ok(nanum) = std::fs::read(HANGUL_FONTS[0]) {
            assert!(has_glyph(&nanum, '한'));
        }
    }
}
