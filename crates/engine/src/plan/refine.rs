//! Refine: the DORA metrics now and week by week, each placed in a performance band for
//! comparison, and charted with the bands' edges as guide lines. The bands are those of the
//! 2023 Accelerate State of DevOps report; a learner's laptop is not a company, so the page
//! says they are for comparison, not a grade.

use serde::Serialize;
use ts_rs::TS;

use super::dora::Dora;
use crate::monitor::chart::{self, Line, PlotArea, Spec};
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Band {
    Elite,
    High,
    Medium,
    Low,
}

const DAY: f64 = 86_400.0;

/// Deploys a day: elite several a day (at least one), high at least weekly, medium at least
/// monthly.
pub fn frequency_band(per_day: f64) -> Band {
    match per_day {
        d if d >= 1.0 => Band::Elite,
        d if d >= 1.0 / 7.0 => Band::High,
        d if d >= 1.0 / 30.0 => Band::Medium,
        _ => Band::Low,
    }
}

/// Lead time: elite under a day, high under a week, medium under a month.
pub fn lead_time_band(seconds: i64) -> Band {
    match seconds as f64 {
        s if s < DAY => Band::Elite,
        s if s < 7.0 * DAY => Band::High,
        s if s < 30.0 * DAY => Band::Medium,
        _ => Band::Low,
    }
}

/// Change failure rate: elite at most 5 %, high 10 %, medium 15 %.
pub fn failure_band(percent: f64) -> Band {
    match percent {
        p if p <= 5.0 => Band::Elite,
        p if p <= 10.0 => Band::High,
        p if p <= 15.0 => Band::Medium,
        _ => Band::Low,
    }
}

/// Time to restore: elite under an hour, high under a day, medium under a week.
pub fn restore_band(seconds: i64) -> Band {
    match seconds as f64 {
        s if s < 3600.0 => Band::Elite,
        s if s < DAY => Band::High,
        s if s < 7.0 * DAY => Band::Medium,
        _ => Band::Low,
    }
}

/// Each metric's band, when it has a value.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Bands {
    pub frequency: Band,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_time: Option<Band>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_failure: Option<Band>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_restore: Option<Band>,
}

pub fn bands(d: &Dora) -> Bands {
    Bands {
        frequency: frequency_band(d.deploys_per_day),
        lead_time: d.lead_time_median_s.map(lead_time_band),
        change_failure: d.change_failure_percent.map(failure_band),
        time_to_restore: d.time_to_restore_median_s.map(restore_band),
    }
}

/// One metric's chart over the weeks.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MetricChart {
    /// `frequency`, `leadTime`, `changeFailure`, `timeToRestore` (failed deployment recovery
    /// time), `rework`.
    pub id: String,
    pub svg: String,
    pub area: PlotArea,
}

/// The five charts of `weeks` (each the week's start and its figures): deploys a day, lead time
/// and recovery time in hours, failure and rework rates in percent, each with its bands' edges
/// (rework, new in the 2024 report, has none).
pub fn charts(
    weeks: &[(i64, Dora)],
    width: u32,
    height: u32,
    dark: bool,
    utc_offset_s: i64,
) -> Result<Vec<MetricChart>, Error> {
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
        return Ok(Vec::new());
    };
    let hours = |s: Option<i64>| s.map(|s| s as f64 / 3600.0);
    // Each chart: its id, the weekly points, the bands' edges, the least the y axis shows.
    type Weekly<'a> = (&'a str, Vec<crate::monitor::series::Point>, &'a [f64], f64);
    let series: [Weekly; 5] = [
        (
            "frequency",
            weeks
                .iter()
                .map(|(t, d)| (*t, Some(d.deploys_per_day)))
                .collect(),
            &[1.0 / 7.0, 1.0],
            1.2,
        ),
        (
            "leadTime",
            weeks
                .iter()
                .map(|(t, d)| (*t, hours(d.lead_time_median_s)))
                .collect(),
            &[24.0, 168.0],
            30.0,
        ),
        (
            "changeFailure",
            weeks
                .iter()
                .map(|(t, d)| (*t, d.change_failure_percent))
                .collect(),
            &[5.0, 10.0, 15.0],
            20.0,
        ),
        (
            "timeToRestore",
            weeks
                .iter()
                .map(|(t, d)| (*t, hours(d.time_to_restore_median_s)))
                .collect(),
            &[1.0, 24.0],
            2.0,
        ),
        (
            "rework",
            weeks.iter().map(|(t, d)| (*t, d.rework_percent)).collect(),
            &[],
            20.0,
        ),
    ];
    series
        .into_iter()
        .map(|(id, points, guides, floor)| {
            let lines = [Line {
                label: id.into(),
                points,
                band: Vec::new(),
            }];
            let (svg, area) = chart::svg(&Spec {
                title: "",
                lines: &lines,
                from: first.0,
                to: last.0,
                markers: &[],
                y_floor: floor,
                unit: "",
                width,
                height,
                dark,
                utc_offset_s,
                guides,
            })?;
            Ok(MetricChart {
                id: id.into(),
                svg,
                area,
            })
        })
        .collect()
}

/// What the Refine page shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RefineView {
    pub app: String,
    /// The last seven days.
    pub current: Dora,
    pub bands: Bands,
    pub charts: Vec<MetricChart>,
}

/// The Refine page for `app`: this week's figures and bands, and `weeks` weeks charted.
#[allow(clippy::too_many_arguments)]
pub fn view(
    store: &crate::store::Store,
    repo: &std::path::Path,
    app: &str,
    now: i64,
    weeks: i64,
    size: (u32, u32),
    dark: bool,
    utc_offset_s: i64,
) -> Result<RefineView, Error> {
    let by_week = super::history::weekly(store, repo, app, now, weeks.max(1))?;
    let current = by_week
        .last()
        .map(|(_, d)| d.clone())
        .unwrap_or_else(|| super::dora::compute(&[], &[], &[], now, now, 3600));
    Ok(RefineView {
        app: app.to_owned(),
        bands: bands(&current),
        charts: charts(&by_week, size.0, size.1, dark, utc_offset_s)?,
        current,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bands_edges_fall_where_the_report_puts_them() {
        assert_eq!(frequency_band(3.0), Band::Elite);
        assert_eq!(frequency_band(1.0 / 7.0), Band::High);
        assert_eq!(frequency_band(0.05), Band::Medium);
        assert_eq!(frequency_band(0.0), Band::Low);
        assert_eq!(lead_time_band(3600), Band::Elite);
        assert_eq!(lead_time_band(86_400), Band::High);
        assert_eq!(lead_time_band(40 * 86_400), Band::Low);
        assert_eq!(failure_band(5.0), Band::Elite);
        assert_eq!(failure_band(12.0), Band::Medium);
        assert_eq!(failure_band(40.0), Band::Low);
        assert_eq!(restore_band(59 * 60), Band::Elite);
        assert_eq!(restore_band(2 * 86_400), Band::Medium);
    }

    #[test]
    fn a_metric_with_no_value_has_no_band_and_weeks_are_charted_with_guides() {
        let empty = super::super::dora::compute(&[], &[], &[], 0, 86_400, 3600);
        let b = bands(&empty);
        assert_eq!(b.frequency, Band::Low);
        assert_eq!(
            (b.lead_time, b.change_failure, b.time_to_restore),
            (None, None, None)
        );
        let weeks: Vec<(i64, Dora)> = (0..4).map(|w| (w * 7 * 86_400, empty.clone())).collect();
        let drawn = charts(&weeks, 400, 160, false, 0).unwrap();
        assert_eq!(
            drawn.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            [
                "frequency",
                "leadTime",
                "changeFailure",
                "timeToRestore",
                "rework"
            ]
        );
        let texts: Vec<&str> = drawn[0].svg.split("<text").skip(1).collect();
        assert!(
            texts.iter().any(|t| t.contains("01-")),
            "weeks are labelled by date: {texts:?}"
        );
        assert!(charts(&[], 400, 160, false, 0).unwrap().is_empty());
    }
}
