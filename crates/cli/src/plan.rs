//! `devloop dora`: the four DORA metrics of the workspace's app, from DevLoop's own history.

use std::process::ExitCode;

use devloop_engine::plan::history;
use devloop_engine::release;
use devloop_engine::settings::Paths;
use devloop_engine::store::{now, Store};

use crate::workflow::REFUSED;

/// `3h 05m`, `2d 4h`, `42 s`.
fn span(s: i64) -> String {
    match s {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{}h {:02}m", s / 3600, s / 60 % 60),
        s => format!("{}d {}h", s / 86_400, s / 3600 % 24),
    }
}

pub fn dora(days: i64) -> ExitCode {
    let paths = Paths::from_env();
    let repo = crate::release::repo(None);
    let app = release::app_name(&repo);
    let d = match Store::open(&paths.database_file())
        .and_then(|s| history::dora_for(&s, &repo, &app, now(), days))
    {
        Ok(d) => d,
        Err(e) => {
            eprintln!("devloop: {}", e.message);
            return ExitCode::from(REFUSED);
        }
    };
    let or_none = |v: Option<String>| v.unwrap_or_else(|| "no data yet".into());
    println!("DORA for {app}, the last {days} day(s), from DevLoop's own history");
    println!(
        "  deployment frequency   {:.2} a day ({} deploy(s))",
        d.deploys_per_day, d.deploys
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
        "  change failure rate    {}",
        or_none(d.change_failure_percent.map(|p| format!("{p:.0} %")))
    );
    println!(
        "  time to restore        {} ({} incident(s))",
        or_none(
            d.time_to_restore_median_s
                .map(|s| format!("median {}", span(s)))
        ),
        d.incidents
    );
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
