//! The `devloop` command: every GUI action of DevLoop, runnable from a terminal or a test.

mod doctor;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// DevLoop: learn DevOps by going around the loop on your own machine.
#[derive(Debug, Parser)]
#[command(name = "devloop", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check that Docker, git, disk space and the workspace are ready; exits 0 only when nothing fails.
    Doctor {
        /// Print the report as JSON (the same shape the app's System check panel uses).
        #[arg(long)]
        json: bool,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Doctor { json } => doctor::run(json).await,
    }
}
