//! The Refine page and an item's detail on a year of history (1460 commits, 292 releases and
//! deploys, alerts and heals). Targets: the Refine page's data, 8 weeks charted, under 100 ms;
//! an item's detail under 50 ms. Both are asked for whenever the page opens.

use criterion::{criterion_group, criterion_main, Criterion};
use devloop_engine::plan::{detail, refine};
use refine_bench::{year, APP, NOW};

fn bench(c: &mut Criterion) {
    let h = year(4 * 365);
    let mut g = c.benchmark_group("refine");
    g.sample_size(20);
    g.bench_function("refine page, 8 weeks of a year's history", |b| {
        b.iter(|| {
            refine::view(&h.store, &h.repo, APP, NOW, 8, (640, 160), false, 0).expect("the view")
        })
    });
    g.bench_function("an item named by 146 commits", |b| {
        b.iter(|| detail::detail(&h.store, &h.repo, APP, h.busy_item).expect("the item"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
