//! `devloop workshop validate`, `devloop workshop trust`, `devloop lesson check` and
//! `devloop workspace …`: the workshop engine for instructors, learners and CI.

use std::path::Path;
use std::process::ExitCode;

use devloop_engine::check::{Context, Outcome};
use devloop_engine::context::Context as DevLoop;
use devloop_engine::workshop::pack::{self, Pack};
use devloop_engine::workshop::trust::{self, CommandKind, Trust};
use devloop_engine::Error;

use crate::exit::REFUSED;

/// Loads the pack, or prints every problem with file:line:col and its fix.
fn load(dir: &Path) -> Result<Pack, ExitCode> {
    pack::load(dir).map_err(|diags| {
        for d in &diags {
            eprintln!("{d}");
        }
        eprintln!("\n{} problem(s) in {}", diags.len(), dir.display());
        ExitCode::from(REFUSED)
    })
}

/// Prints an engine error with its fix.
fn report(e: &Error) -> ExitCode {
    eprintln!("devloop: {e}");
    if let Some(fix) = &e.fix {
        eprintln!("  fix: {fix}");
    }
    ExitCode::FAILURE
}

/// The workspace in force: settings, `DEVLOOP_WORKSPACE`, or `~/DevLoop`.
/// Validates the pack in `dir`.
pub fn validate(dir: &Path) -> ExitCode {
    match load(dir) {
        Ok(p) => {
            let steps: usize = p.lessons.iter().map(|l| l.steps.len()).sum();
            println!(
                "✓ {} {}: {} lessons, {steps} steps, in en and ko",
                p.id,
                p.version,
                p.lessons.len()
            );
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// Runs the checks of one lesson (or one step of it) against the learner's workspace.
/// `devloop lesson check [PACK] LESSON [STEP]`: a first word that is a pack folder names the
/// pack; else it is the lesson, in the pack the app opened last (what the app's "Same check in
/// a terminal" shows, with no path of the app's own in it).
pub async fn check_args(devloop: &DevLoop, args: &[String]) -> ExitCode {
    let first = Path::new(&args[0]);
    if first.join("workshop.toml").is_file() {
        let Some(lesson) = args.get(1) else {
            eprintln!(
                "devloop: name the lesson after the pack: devloop lesson check {} code",
                args[0]
            );
            return ExitCode::from(REFUSED);
        };
        return check(devloop, first, lesson, args.get(2).map(String::as_str)).await;
    }
    if args.len() > 2 {
        eprintln!(
            "devloop: {} is not a lesson pack folder (it has no workshop.toml)",
            args[0]
        );
        return ExitCode::from(REFUSED);
    }
    let remembered = devloop.paths().load().ok().and_then(|s| s.pack);
    let Some(pack) = remembered.filter(|p| p.join("workshop.toml").is_file()) else {
        eprintln!("devloop: which lesson pack? The app has not opened one here yet; name its folder first");
        eprintln!(
            "  fix: devloop lesson check workshops/devops-loop {}",
            args.join(" ")
        );
        return ExitCode::from(REFUSED);
    };
    check(devloop, &pack, &args[0], args.get(1).map(String::as_str)).await
}

pub async fn check(
    devloop: &DevLoop,
    dir: &Path,
    lesson_id: &str,
    step_id: Option<&str>,
) -> ExitCode {
    let p = match load(dir) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let Some(lesson) = p.lessons.iter().find(|l| l.id == lesson_id) else {
        let ids: Vec<&str> = p.lessons.iter().map(|l| l.id.as_str()).collect();
        eprintln!(
            "devloop: no lesson `{lesson_id}` in {}; lessons: {}",
            p.id,
            ids.join(", ")
        );
        return ExitCode::from(REFUSED);
    };
    let paths = devloop.paths();
    let ctx = Context {
        workspace: devloop.workspace(),
        database: Some(paths.database_file()),
    };
    let trust = match Trust::of(&p, paths) {
        Ok(t) => t,
        Err(e) => return report(&e),
    };
    let mut all_passed = true;
    let mut ran = 0;
    for step in lesson
        .steps
        .iter()
        .filter(|s| step_id.is_none_or(|id| id == s.id))
    {
        ran += 1;
        if step.check.is_quiz() {
            println!("- {:<24} quiz: answered in the app", step.id);
            continue;
        }
        if trust::runs_a_command(&step.check) && !trust.trusted {
            all_passed = false;
            let refusal = trust.refusal();
            println!("! {:<24} not run: {}", step.id, refusal.message);
            println!("  {:<24} fix: {}", "", trust.cli);
            continue;
        }
        match step.check.evaluate(&ctx).await {
            Outcome::Pass => println!("✓ {:<24} passed", step.id),
            Outcome::Fail { hint, .. } => {
                all_passed = false;
                println!("✗ {:<24} {hint}", step.id);
            }
            Outcome::Error { why, .. } => {
                all_passed = false;
                println!("! {:<24} could not check: {why}", step.id);
            }
        }
    }
    if ran == 0 {
        eprintln!(
            "devloop: lesson `{lesson_id}` has no step `{}`",
            step_id.unwrap_or("")
        );
        return ExitCode::from(REFUSED);
    }
    if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Lists the commands the pack in `dir` would run and trusts it, after asking (unless `yes`).
pub fn trust(devloop: &DevLoop, dir: &Path, yes: bool) -> ExitCode {
    let p = match load(dir) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let paths = devloop.paths();
    let view = match Trust::of(&p, paths) {
        Ok(t) => t,
        Err(e) => return report(&e),
    };
    if view.shipped {
        println!(
            "✓ {} is the workshop DevLoop ships; it is trusted already",
            p.id
        );
        return ExitCode::SUCCESS;
    }
    println!(
        "{} ({}) would run these commands in your workspace:",
        p.id,
        dir.display()
    );
    if view.commands.is_empty() {
        println!("  (none)");
    }
    for c in &view.commands {
        let kind = match c.kind {
            CommandKind::Check => "check, by itself while the lesson is open",
            CommandKind::Solve => "solve, when you ask",
            CommandKind::Run => "Run button, when you press it",
        };
        println!("\n  {} · {kind}", c.lesson);
        for line in c.command.lines() {
            crate::terminal::line(&format!("    $ {line}"), false);
        }
    }
    if view.trusted {
        println!("\n✓ trusted already (this content, {:.12})", view.digest);
        return ExitCode::SUCCESS;
    }
    if !yes {
        print!("\nTrust this pack to run them? [y/N] ");
        let _ = std::io::Write::flush(&mut std::io::stdout());
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("not trusted: its checks that run commands, its Run buttons and its solves stay off");
            return ExitCode::from(REFUSED);
        }
    }
    match trust::grant(&p, paths, &view.digest) {
        Ok(_) => {
            println!(
                "✓ trusted {} (this content, {:.12}); if it changes, DevLoop asks again",
                p.id, view.digest
            );
            ExitCode::SUCCESS
        }
        Err(e) => report(&e),
    }
}

/// Moves the workspace aside and recreates it from the pack's demo project.
pub fn reset_workspace(devloop: &DevLoop, dir: &Path) -> ExitCode {
    let p = match load(dir) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let Some(demo) = p.demo else {
        eprintln!("devloop: pack {} has no demo project", p.id);
        return ExitCode::from(REFUSED);
    };
    let workspace = devloop.workspace();
    match devloop_engine::workspace::reset(&demo, &workspace) {
        Ok(Some(old)) => {
            println!(
                "✓ {} starts fresh; your previous work is in {}",
                workspace.display(),
                old.display()
            );
            ExitCode::SUCCESS
        }
        Ok(None) => {
            println!("✓ created {}", workspace.display());
            ExitCode::SUCCESS
        }
        Err(e) => report(&e),
    }
}

/// Stores another workspace folder in the settings.
pub fn set_workspace(devloop: &DevLoop, path: &Path) -> ExitCode {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match devloop.paths().set_workspace(&absolute) {
        Ok(()) => {
            println!("✓ the workspace is now {}", absolute.display());
            ExitCode::SUCCESS
        }
        Err(e) => report(&e),
    }
}
