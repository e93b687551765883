//! One chart of 4 series by 3600 points (an hour at one-second resolution) to SVG, as the
//! Monitor page asks for every second. Target: under 5 ms.

use criterion::{criterion_group, criterion_main, Criterion};
use devloop_engine::monitor::chart::{self, Line, Marker, Spec};

fn hour_of_four_series() -> Vec<Line> {
    (0..4)
        .map(|i| Line {
            band: Vec::new(),
            label: format!("series {i}"),
            points: (0..3600)
                .map(|t| {
                    // A wavy line with a gap now and then, as real series have.
                    let v = 50.0 + 30.0 * ((t as f64 / 60.0) + f64::from(i)).sin();
                    (t, (t % 600 >= 5).then_some(v))
                })
                .collect(),
        })
        .collect()
}

fn svg(c: &mut Criterion) {
    let lines = hour_of_four_series();
    let markers = [Marker {
        at: 1800,
        kind: "deploy".into(),
        label: "0.2.0".into(),
    }];
    let spec = Spec {
        title: "",
        lines: &lines,
        from: 0,
        to: 3599,
        markers: &markers,
        y_floor: 100.0,
        unit: "%",
        width: 640,
        height: 180,
        dark: false,
        utc_offset_s: 0,
        guides: &[],
    };
    c.bench_function("chart: 4 series x 3600 points to SVG", |b| {
        b.iter(|| chart::svg(std::hint::black_box(&spec)).unwrap())
    });
}

criterion_group!(benches, svg);
criterion_main!(benches);
