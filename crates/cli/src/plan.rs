//! `devloop plan`: the backlog (list, show, add, edit, move), its sprints, and the workspace's
//! commits linked to its items.

use std::process::ExitCode;

use devloop_engine::backlog::links;
use devloop_engine::context::{Context, StoreGuard};
use devloop_engine::plan::{detail, retro};
use devloop_engine::release;
use devloop_engine::store::now;
use devloop_engine::store::plan::{Column, Kind, NewItem};

use crate::exit::REFUSED;

/// The DevLoop's one store, held for the command.
pub(crate) fn store(devloop: &Context) -> Result<StoreGuard<'_>, ExitCode> {
    devloop.lock_store().map_err(refused)
}

pub(crate) fn refused(e: devloop_engine::Error) -> ExitCode {
    crate::deploy::fail(&e.message, e.fix.as_deref())
}

/// `devloop plan list`: the board, column by column, after linking the workspace's commits.
pub fn list(devloop: &Context) -> ExitCode {
    let store = match store(devloop) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let _ = links::scan(&crate::release::repo(devloop, None), &store, 1000);
    let items = match store.items() {
        Ok(i) => i,
        Err(e) => return refused(e),
    };
    if let Ok(Some(s)) = store.current_sprint(now()) {
        println!(
            "Sprint: {} (number {}, to {})",
            s.name,
            s.id,
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
            let commits = i.commits;
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

fn bad_kind(kind: &str) -> ExitCode {
    eprintln!("devloop: `{kind}` is not a kind: use feature, bug or chore");
    ExitCode::from(REFUSED)
}

/// `devloop plan add`.
pub fn add(
    devloop: &Context,
    kind: &str,
    title: String,
    description: String,
    estimate: Option<u32>,
    infra: bool,
) -> ExitCode {
    let Some(kind) = Kind::parse(kind) else {
        return bad_kind(kind);
    };
    let store = match store(devloop) {
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
pub fn sprint(devloop: &Context, name: &str, days: u32) -> ExitCode {
    let store = match store(devloop) {
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
pub fn move_to(devloop: &Context, id: u64, column: &str) -> ExitCode {
    let Some(column) = Column::parse(column) else {
        eprintln!("devloop: `{column}` is not a column: use backlog, sprint, doing or done");
        return ExitCode::from(REFUSED);
    };
    let store = match store(devloop) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match store.move_to_bottom(id, column, now()) {
        Ok(i) => {
            println!("#{} is in {:?}", i.id, i.column);
            ExitCode::SUCCESS
        }
        Err(e) => refused(e),
    }
}

/// `devloop plan show N`: the item, what it says, and what was done about it.
pub fn show(devloop: &Context, id: u64) -> ExitCode {
    let store = match store(devloop) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let repo = crate::release::repo(devloop, None);
    let d = match detail::detail(&store, &repo, &release::app_name(&repo), id) {
        Ok(d) => d,
        Err(e) => return refused(e),
    };
    let i = &d.item;
    let day = |t: i64| devloop_engine::monitor::view::iso(t)[..16].replace('T', " ");
    println!(
        "#{} {} ({:?}{}{}), in {:?}",
        i.id,
        i.title,
        i.kind,
        i.estimate
            .map(|e| format!(", estimate {e}"))
            .unwrap_or_default(),
        if i.infra { ", infrastructure" } else { "" },
        i.column
    );
    if !i.source.is_empty() {
        println!("  from {}", i.source);
    }
    if !i.description.is_empty() {
        println!();
        for line in i.description.lines() {
            println!("  {line}");
        }
        println!();
    }
    if d.commits.is_empty() {
        println!(
            "  no commit names it yet: say \"fix #{}\" in a commit message",
            i.id
        );
    }
    for c in &d.commits {
        println!(
            "  commit  {} {}{}",
            &c.sha[..c.sha.len().min(8)],
            c.summary,
            if c.closes { "  (closes it)" } else { "" }
        );
    }
    for r in &d.runs {
        println!(
            "  run     #{} {} {} {}",
            r.number,
            r.workflow,
            r.status,
            day(r.started_at)
        );
    }
    for r in &d.releases {
        println!("  release {} {}", r.version, day(r.released_at));
    }
    for x in &d.deploys {
        println!("  deploy  {} {} {}", x.version, x.status, day(x.at));
    }
    ExitCode::SUCCESS
}

/// `devloop plan edit N`: what is given replaces what the item said; the rest stays.
pub fn edit(
    devloop: &Context,
    id: u64,
    kind: Option<&str>,
    title: Option<String>,
    description: Option<String>,
    estimate: Option<u32>,
    infra: Option<bool>,
) -> ExitCode {
    let store = match store(devloop) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let was = match store.item(id) {
        Ok(i) => i,
        Err(e) => return refused(e),
    };
    let kind = match kind {
        None => was.kind,
        Some(k) => match Kind::parse(k) {
            Some(k) => k,
            None => return bad_kind(k),
        },
    };
    let item = NewItem {
        kind,
        title: title.unwrap_or(was.title),
        description: description.unwrap_or(was.description),
        estimate: estimate.or(was.estimate),
        infra: infra.unwrap_or(was.infra),
        source: String::new(),
    };
    match store.edit_item(id, &item) {
        Ok(i) => {
            println!("#{} now says: {}", i.id, i.title);
            ExitCode::SUCCESS
        }
        Err(e) => refused(e),
    }
}

/// `devloop plan end-sprint`: the running sprint ends now.
pub fn end_sprint(devloop: &Context) -> ExitCode {
    let store = match store(devloop) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match store.end_sprint(now()) {
        Ok(s) => {
            println!(
                "{} has ended; hold its retrospective: devloop retro --well \"…\" --improve \"…\"",
                s.name
            );
            ExitCode::SUCCESS
        }
        Err(e) => refused(e),
    }
}

/// `devloop plan carry`: what the loop raised moves into the sprint.
pub fn carry(devloop: &Context) -> ExitCode {
    let store = match store(devloop) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match retro::carry(&store, now()) {
        Ok(moved) if moved.is_empty() => {
            println!("Nothing the loop raised is waiting in the backlog");
            ExitCode::SUCCESS
        }
        Ok(moved) => {
            let ids: Vec<String> = moved.iter().map(|i| format!("#{i}")).collect();
            println!("Into the sprint: {}", ids.join(" "));
            ExitCode::SUCCESS
        }
        Err(e) => refused(e),
    }
}
