//! `devloop dora`: the four DORA metrics of the workspace's app, from DevLoop's own history;
//! `devloop retro`: a sprint's retrospective beside its figures, and notes added to it.

use std::process::ExitCode;

use devloop_engine::context::Context;
use devloop_engine::plan::dora::Dora;
use devloop_engine::plan::{history, retro};
use devloop_engine::release;
use devloop_engine::store::now;
use devloop_engine::store::retro::NoteKind;

use crate::plan::{refused, store};

/// `3h 05m`, `2d 4h`, `42 s`.
fn span(s: i64) -> String {
    match s {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{}h {:02}m", s / 3600, s / 60 % 60),
        s => format!("{}d {}h", s / 86_400, s / 3600 % 24),
    }
}

pub fn dora(devloop: &Context, days: i64) -> ExitCode {
    let repo = crate::release::repo(devloop, None);
    let app = release::app_name(&repo);
    let d = match devloop.store_now(|s| history::dora_for(s, &repo, &app, now(), days)) {
        Ok(d) => d,
        Err(e) => return refused(e),
    };
    println!("DORA for {app}, the last {days} day(s), from DevLoop's own history");
    print_dora(&d);
    ExitCode::SUCCESS
}

/// The five metrics of the 2024 report, a line each, with the counts behind them.
fn print_dora(d: &Dora) {
    let or_none = |v: Option<String>| v.unwrap_or_else(|| "no data yet".into());
    // "24 a day", not "24.00 a day".
    let per_day = format!("{:.2}", d.deploys_per_day);
    let per_day = per_day.trim_end_matches('0').trim_end_matches('.');
    println!(
        "  deployment frequency   {per_day} a day ({} live deploy(s))",
        d.live_deploys
    );
    println!(
        "  lead time for changes  {} ({} change(s){})",
        or_none(
            d.lead_time_median_s
                .zip(d.lead_time_p90_s)
                .map(|(m, p)| format!("median {}, p90 {}", span(m), span(p)))
        ),
        d.changes,
        if d.skewed_changes > 0 {
            format!(
                "; {} stamped after their deploy, counted as 0",
                d.skewed_changes
            )
        } else {
            String::new()
        }
    );
    println!(
        "  change failure rate    {} ({} of {} deploy(s) failed)",
        or_none(d.change_failure_percent.map(|p| format!("{p:.0} %"))),
        d.failed_deploys,
        d.deploys
    );
    println!(
        "  recovery time          {} ({} incident(s), {} with a known recovery time)",
        or_none(
            d.time_to_restore_median_s
                .map(|s| format!("median {}", span(s)))
        ),
        d.incidents,
        d.restored
    );
    println!(
        "  rework rate            {} ({} of {} live deploy(s) fixed an incident in production)",
        or_none(d.rework_percent.map(|p| format!("{p:.0} %"))),
        d.rework_deploys,
        d.live_deploys
    );
    if d.drills > 0 {
        println!(
            "  drills, kept apart     {} (replicas killed on purpose, alerts during a simulated peak)",
            d.drills
        );
    }
    if let Some(longest) = d.open_longest_s {
        println!(
            "  still open             {} incident(s), the oldest for {} so far",
            d.open_incidents,
            span(longest)
        );
    }
}

/// `devloop retro`: with notes, adds them to the sprint's retrospective (an improvement
/// becomes a backlog item); then shows it beside the sprint's figures.
pub fn retro(
    devloop: &Context,
    sprint: Option<u64>,
    well: &[String],
    not: &[String],
    improve: &[String],
) -> ExitCode {
    let store = match store(devloop) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let repo = crate::release::repo(devloop, None);
    let app = release::app_name(&repo);
    let t = now();
    let view = match retro::view(&store, &repo, &app, sprint, t) {
        Ok(v) => v,
        Err(e) => return refused(e),
    };
    let said = [
        (NoteKind::Well, well),
        (NoteKind::Not, not),
        (NoteKind::Improve, improve),
    ];
    for (kind, texts) in said {
        for text in texts {
            match store.add_note(view.sprint.id, kind, text, t) {
                Ok(n) => {
                    if let Some(item) = n.item {
                        println!("#{item} added to the backlog: {}", n.text);
                    }
                }
                Err(e) => return refused(e),
            }
        }
    }
    let view = match retro::view(&store, &repo, &app, Some(view.sprint.id), t) {
        Ok(v) => v,
        Err(e) => return refused(e),
    };
    println!("Retrospective of {}", view.sprint.name);
    for (kind, title) in [
        (NoteKind::Well, "Went well"),
        (NoteKind::Not, "Did not go well"),
        (NoteKind::Improve, "To improve"),
    ] {
        println!("  {title}");
        let notes: Vec<_> = view.notes.iter().filter(|n| n.kind == kind).collect();
        if notes.is_empty() {
            println!("    (nothing yet)");
        }
        for n in notes {
            match n.item {
                Some(item) => println!("    - {} (#{item})", n.text),
                None => println!("    - {}", n.text),
            }
        }
    }
    println!(
        "  {} item(s) done, {}{} raised by the loop",
        view.done,
        view.left
            .map(|n| format!("{n} left in the sprint, "))
            .unwrap_or_default(),
        view.raised
    );
    println!("The sprint's figures");
    print_dora(&view.metrics);
    if let Some((name, before)) = &view.before {
        println!("{name}'s, to compare");
        print_dora(before);
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(super::span(42), "42 s");
        assert_eq!(super::span(300), "5 min");
        assert_eq!(super::span(3 * 3600 + 5 * 60), "3h 05m");
        assert_eq!(super::span(2 * 86_400 + 4 * 3600), "2d 4h");
    }
}
