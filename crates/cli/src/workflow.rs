//! `devloop workflow check`: the compatibility report the app shows before a run.

use std::path::Path;
use std::process::ExitCode;

use devloop_engine::pipeline;

use crate::exit::REFUSED;

pub fn check(file: &Path) -> ExitCode {
    let checked = pipeline::check_file(file, file);
    for d in &checked.errors {
        eprintln!("error: {d}");
    }
    for d in &checked.unsupported {
        eprintln!("not run here: {d}");
    }
    for d in &checked.skipped {
        eprintln!("skipped here: {d}");
    }
    for d in &checked.warnings {
        eprintln!("warning: {d}");
    }
    if !checked.runnable() {
        eprintln!(
            "\n{} refused: {} error(s), {} thing(s) DevLoop does not run",
            file.display(),
            checked.errors.len(),
            checked.unsupported.len()
        );
        return ExitCode::from(REFUSED);
    }
    if let (Some(wf), Some(plan)) = (&checked.workflow, &checked.plan) {
        println!(
            "✓ {} ({}) is ready to run locally",
            file.display(),
            wf.name.as_deref().unwrap_or("unnamed")
        );
        for (i, stage) in plan.stages.iter().enumerate() {
            println!("  stage {}: {}", i + 1, stage.join(", "));
        }
    }
    ExitCode::SUCCESS
}
