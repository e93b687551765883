//! `devloop alerts`: the alert rules in force, one added, one removed. They live in
//! `alerts.json` in the settings folder, and a DevLoop that monitors takes a change up within a
//! second.

use std::process::ExitCode;

use devloop_engine::context::Context;
use devloop_engine::finding::Finding;
use devloop_engine::monitor::alert::{Comparator, Rule, Severity};
use devloop_engine::monitor::rules;

use crate::plan::refused;

/// What `devloop alerts add` is given.
#[derive(Debug, clap::Args)]
pub struct NewRule {
    pub name: String,
    /// A metric DevLoop collects, with labels to narrow it: `host.cpu`,
    /// `endpoint.errorRate{service=loop-service}`.
    #[arg(long)]
    pub metric: String,
    #[arg(long, conflicts_with = "below")]
    pub above: Option<f64>,
    #[arg(long)]
    pub below: Option<f64>,
    #[arg(long = "for", default_value_t = 30)]
    pub for_s: u64,
    #[arg(long, default_value = "warning", value_parser = ["info", "warning", "critical"])]
    pub severity: String,
    #[arg(long, default_value = "")]
    pub description: String,
}

pub fn list(devloop: &Context) -> ExitCode {
    let paths = devloop.paths();
    match rules::load(paths) {
        Ok(all) => {
            for r in &all {
                println!(
                    "{:<20} {} {} {} for {} s  [{:?}]",
                    r.name,
                    r.metric,
                    symbol(r.comparator),
                    r.threshold,
                    r.for_s,
                    r.severity
                );
            }
            println!("(kept in {})", rules::file(paths).display());
            ExitCode::SUCCESS
        }
        Err(e) => refused(e),
    }
}

fn symbol(c: Comparator) -> &'static str {
    match c {
        Comparator::Above => ">",
        Comparator::AtLeast => ">=",
        Comparator::Below => "<",
        Comparator::AtMost => "<=",
    }
}

pub fn add(devloop: &Context, new: NewRule) -> ExitCode {
    let (comparator, threshold) = match (new.above, new.below) {
        (Some(t), None) => (Comparator::Above, t),
        (None, Some(t)) => (Comparator::Below, t),
        _ => {
            return refused(devloop_engine::Error::said(
                devloop_engine::Code::InvalidInput,
                Finding::new("ruleNeedsThreshold"),
                "say when it fires: --above T or --below T",
            ))
        }
    };
    let severity = match new.severity.as_str() {
        "info" => Severity::Info,
        "critical" => Severity::Critical,
        _ => Severity::Warning,
    };
    change(devloop, |all| {
        all.push(Rule {
            name: new.name.trim().to_owned(),
            metric: new.metric.trim().to_owned(),
            comparator,
            threshold,
            for_s: new.for_s,
            severity,
            description: new.description.clone(),
        });
        Ok(format!("{} added", new.name.trim()))
    })
}

pub fn remove(devloop: &Context, name: &str) -> ExitCode {
    change(devloop, |all| {
        let before = all.len();
        all.retain(|r| r.name != name);
        if all.len() == before {
            return Err(devloop_engine::Error::said(
                devloop_engine::Code::InvalidInput,
                Finding::new("noAlert").with("rule", name),
                format!("there is no alert named `{name}`"),
            )
            .with_fix("devloop alerts"));
        }
        Ok(format!("{name} removed"))
    })
}

/// Applies `edit` to the rules in force, checks them all and saves them; nothing is written
/// when any is wrong.
fn change(
    devloop: &Context,
    edit: impl FnOnce(&mut Vec<Rule>) -> Result<String, devloop_engine::Error>,
) -> ExitCode {
    let paths = devloop.paths();
    let mut all = match rules::load(paths) {
        Ok(r) => r,
        Err(e) => return refused(e),
    };
    let said = match edit(&mut all) {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    match rules::check(&all).and_then(|()| rules::save(paths, &all)) {
        Ok(()) => {
            println!("{said}; {} rule(s) in force", all.len());
            ExitCode::SUCCESS
        }
        Err(e) => refused(e),
    }
}
