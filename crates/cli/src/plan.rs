//! `devloop dora`: the four DORA metrics of the workspace's app, from DevLoop's own history;
//! `devloop plan`: the backlog (list, add, move), and the workspace's commits linked to it.

use std::process::ExitCode;

use devloop_engine::plan::{history, links};
use devloop_engine::release;
use devloop_engine::settings::Paths;
use devloop_engine::store::plan::{Column, Kind, NewItem};
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
        Err(e) => return refused(e),
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
    if let Some(longest) = d.open_longest_s {
        println!(
            "  still open             {} incident(s), the oldest for {} so far",
            d.open_incidents,
            span(longest)
        );
    }
    ExitCode::SUCCESS
}

fn store() -> Result<Store, ExitCode> {
    Store::open(&Paths::from_env().database_file()).map_err(refused)
}

fn refused(e: devloop_engine::Error) -> ExitCode {
    crate::deploy::fail(&e.message, e.fix.as_deref())
}

/// `devloop plan list`: the board, column by column, after linking the workspace's commits.
pub fn list() -> ExitCode {
    let store = match store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let _ = links::scan(&crate::release::repo(None), &store, 1000);
    let items = match store.items() {
        Ok(i) => i,
        Err(e) => return refused(e),
    };
    if let Ok(Some(s)) = store.current_sprint(now()) {
        println!(
            "Sprint: {} (to {})",
            s.name,
            &devloop_engine::monitor::view::iso(s.ends)[..10]
        );
    }
    if items.is_empty() {
        println!("The backlog is empty: devloop plan add --title \"…\"");
        return ExitCode::SUCCESS;
    }
    for column in [Column::Backlog, Column::Sprint, Column::Doing, Column::Done] {
        let here: Vec<_> = items.iter().filter(|i| i.column == column).collect();
        if here.is_empty() {
            continue;
        }
        println!("{column:?}");
        for i in here {
            let commits = store.item_commits(i.id).map(|c| c.len()).unwrap_or(0);
            println!(
                "  #{:<4} {:<7} {}{}{}",
                i.id,
                format!("{:?}", i.kind).to_lowercase(),
                i.title,
                if commits > 0 {
                    format!("  ({commits} commit(s))")
                } else {
                    String::new()
                },
                if i.source.is_empty() {
                    String::new()
                } else {
                    format!("  [from {}]", i.source)
                }
            );
        }
    }
    ExitCode::SUCCESS
}

/// `devloop plan add`.
pub fn add(
    kind: &str,
    title: String,
    description: String,
    estimate: Option<u32>,
    infra: bool,
) -> ExitCode {
    let kind = match kind {
        "feature" => Kind::Feature,
        "bug" => Kind::Bug,
        "chore" => Kind::Chore,
        other => {
            eprintln!("devloop: `{other}` is not a kind: use feature, bug or chore");
            return ExitCode::from(REFUSED);
        }
    };
    let store = match store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let item = NewItem {
        kind,
        title,
        description,
        estimate,
        infra,
        source: String::new(),
    };
    match store.add_item(&item, now()) {
        Ok(id) => {
            println!("#{id} added to the backlog; a commit saying \"fix #{id}\" links to it");
            ExitCode::SUCCESS
        }
        Err(e) => refused(e),
    }
}

/// `devloop plan sprint NAME --days N`: a sprint starting now.
pub fn sprint(name: &str, days: u32) -> ExitCode {
    let store = match store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    match store.add_sprint(name, now(), days) {
        Ok(s) => {
            println!(
                "{} runs {} days, to {}",
                s.name,
                days,
                &devloop_engine::monitor::view::iso(s.ends)[..10]
            );
            ExitCode::SUCCESS
        }
        Err(e) => refused(e),
    }
}

/// `devloop plan move N COLUMN`: to the bottom of that column.
pub fn move_to(id: u64, column: &str) -> ExitCode {
    let column = match column {
        "backlog" => Column::Backlog,
        "sprint" => Column::Sprint,
        "doing" => Column::Doing,
        "done" => Column::Done,
        other => {
            eprintln!("devloop: `{other}` is not a column: use backlog, sprint, doing or done");
            return ExitCode::from(REFUSED);
        }
    };
    let store = match store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let bottom = store
        .items()
        .map(|all| {
            all.iter()
                .filter(|i| i.column == column)
                .map(|i| i.position)
                .fold(0.0, f64::max)
        })
        .unwrap_or(0.0);
    match store.move_item(id, column, bottom + 1.0, now()) {
        Ok(i) => {
            println!("#{} is in {:?}", i.id, i.column);
            ExitCode::SUCCESS
        }
        Err(e) => refused(e),
    }
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
