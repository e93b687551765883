//! `devloop release` and `devloop releases`: the workspace's HEAD made a version (image,
//! archive, annotated tag), and the list of versions made.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use devloop_engine::context::Context;
use devloop_engine::docker::build::BuildEvent;
use devloop_engine::docker::Engine;
use devloop_engine::release::{self, ReleaseEvent};

use crate::exit::REFUSED;

fn fail(e: impl std::fmt::Display, fix: Option<&str>) -> ExitCode {
    eprintln!("devloop: {e}");
    if let Some(fix) = fix {
        eprintln!("  fix: {fix}");
    }
    ExitCode::from(REFUSED)
}

/// The project: `--repo`, else the git repository around the current folder (as
/// `devloop run` finds it), else the workspace.
pub fn repo(devloop: &Context, dir: Option<PathBuf>) -> PathBuf {
    dir.or_else(|| {
        git2::Repository::discover(".")
            .ok()
            .and_then(|r| r.workdir().map(std::path::Path::to_path_buf))
    })
    .unwrap_or_else(|| devloop.workspace())
}

pub async fn release(
    devloop: &Context,
    dir: Option<PathBuf>,
    version: Option<String>,
    dockerfile: Option<String>,
    dry_run: bool,
) -> ExitCode {
    let repo = repo(devloop, dir);
    let plan = {
        let repo = repo.clone();
        match tokio::task::spawn_blocking(move || release::plan(&repo)).await {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => return fail(&e.message, e.fix.as_deref()),
            Err(e) => return fail(e, None),
        }
    };
    println!(
        "{} {} → {} ({:?}: {} commit(s) since {})",
        plan.app,
        plan.last.as_deref().unwrap_or("(none)"),
        version.as_deref().unwrap_or(&plan.proposed),
        plan.bump,
        plan.commits.len(),
        plan.last
            .as_deref()
            .map_or("the start".into(), |v| format!("v{v}"))
    );
    println!("\n{}", plan.notes);
    if dry_run {
        return ExitCode::SUCCESS;
    }
    let engine = match Engine::connect_here().await {
        Ok(e) => e,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
    let opts = release::Options {
        version,
        dockerfile,
        ..Default::default()
    };
    let shown = |e: ReleaseEvent| {
        let mut out = std::io::stdout().lock();
        let _ = match e {
            ReleaseEvent::Phase { phase } => writeln!(out, "── {phase}"),
            ReleaseEvent::Compile { line } => writeln!(out, "  {line}"),
            ReleaseEvent::Build {
                event: BuildEvent::Context { files, bytes },
            } => writeln!(out, "context: {files} file(s), {bytes} bytes"),
            ReleaseEvent::Build {
                event: BuildEvent::Step { n, of, instruction },
            } => writeln!(out, "[{n}/{of}] {instruction}"),
            ReleaseEvent::Build {
                event: BuildEvent::Log { text },
            } => writeln!(out, "  {text}"),
            // Byte counts arrive per chunk; the total is printed once at the end.
            ReleaseEvent::Saving { .. } => Ok(()),
        };
    };
    match release::create(&engine, devloop.paths(), &repo, &opts, &shown).await {
        Ok(r) => {
            println!(
                "\nreleased {} {} ({}): image {} ({} MiB), archive {}, tag v{}",
                r.app,
                r.version,
                &r.sha[..7],
                &r.image_id,
                r.image_bytes / 1024 / 1024,
                r.archive,
                r.version
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.message, e.fix.as_deref()),
    }
}

pub fn list(devloop: &Context) -> ExitCode {
    let releases = match devloop.store_now(|s| s.releases()) {
        Ok(r) => r,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
    if releases.is_empty() {
        println!("No releases yet: `devloop release` in your workspace makes the first.");
        return ExitCode::SUCCESS;
    }
    println!(
        "{:<16} {:<10} {:<5} {:<8} {:>9}  archive",
        "app", "version", "", "commit", "image"
    );
    for r in releases {
        println!(
            "{:<16} {:<10} {:<5} {:<8} {:>7.1}MB  {}",
            r.app,
            r.version,
            if r.live { "live" } else { "" },
            &r.sha[..7.min(r.sha.len())],
            r.image_bytes as f64 / 1_000_000.0,
            r.archive
        );
    }
    ExitCode::SUCCESS
}
