//! The `devloop` command: every GUI action of DevLoop, runnable from a terminal or a test.

// Every line the CLI prints goes through `terminal::line`: made safe for a terminal, and a
// closed pipe ends the command quietly. Defined before the modules, so they use these.
macro_rules! println {
    () => {
        $crate::terminal::line("", false)
    };
    ($($arg:tt)*) => {
        $crate::terminal::line(&format!($($arg)*), false)
    };
}
macro_rules! eprintln {
    () => {
        $crate::terminal::line("", true)
    };
    ($($arg:tt)*) => {
        $crate::terminal::line(&format!($($arg)*), true)
    };
}

mod alerts;
mod deploy;
mod doctor;
mod exit;
mod plan;
mod refine;
mod release;
mod run;
mod shell;
mod signals;
mod swarm;
mod terminal;
mod workflow;
mod workshop;

use std::path::PathBuf;
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
    /// Lesson packs, for instructors.
    Workshop {
        #[command(subcommand)]
        command: WorkshopCommand,
    },
    /// Run a GitHub Actions workflow of the repository here, with live output; exits 0 only when it succeeds, 3 when refused before running.
    Run {
        /// The repository (default: the one around the current folder).
        #[arg(long)]
        repo: Option<PathBuf>,
        /// The workflow file (default: the only one in .github/workflows).
        #[arg(long)]
        workflow: Option<PathBuf>,
        /// Run only this job.
        #[arg(long)]
        job: Option<String>,
        /// A workflow_dispatch input, NAME=VALUE (repeatable).
        #[arg(long = "input", value_parser = run::key_value)]
        inputs: Vec<(String, String)>,
        /// A secret, NAME=VALUE (repeatable); masked as *** in all output.
        #[arg(long = "secret", value_parser = run::key_value)]
        secrets: Vec<(String, String)>,
        /// Secrets file with NAME=value lines (default: ~/.config/devloop/secrets.env).
        #[arg(long)]
        secrets_file: Option<PathBuf>,
        /// Run run #N again: its workflow and inputs at its commit.
        #[arg(long, value_name = "N", conflicts_with_all = ["workflow", "inputs"])]
        rerun: Option<u64>,
        /// With --rerun: run only the jobs that failed (and those that need them), keeping
        /// the jobs that succeeded with their outputs.
        #[arg(long, requires = "rerun")]
        failed: bool,
    },
    /// The run history, newest first.
    Runs,
    /// Open a shell where a failed step of run #N ran, with the environment it had (secrets
    /// left out); with a command after `--`, run that there instead.
    Shell {
        /// The run.
        number: u64,
        /// The job whose failed step to enter (default: the first with one).
        #[arg(long)]
        job: Option<String>,
        /// A command to run there instead of a shell.
        #[arg(last = true)]
        command: Vec<String>,
    },
    /// Make HEAD of the workspace a release: the next version from its conventional commits,
    /// the image built and tagged (version and short sha), saved as an archive, and tagged in git.
    Release {
        /// The repository (default: the one around the current folder, else the workspace).
        #[arg(long)]
        repo: Option<PathBuf>,
        /// Use this version instead of the proposed one.
        #[arg(long)]
        version: Option<String>,
        /// The Dockerfile, relative to the repository.
        #[arg(long)]
        file: Option<String>,
        /// Show the proposed version and notes, and make nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The releases made, newest first.
    Releases,
    /// Make a release of the workspace's app live at 127.0.0.1:8080 (see `devloop proxy`),
    /// with no downtime for blue-green and rolling; a version that fails its health check is
    /// rolled back. Serves until Ctrl+C, unless the app already runs the service: then the
    /// app deploys it and keeps serving.
    Deploy {
        /// The repository whose app is deployed (default: the one around the current folder, else the workspace).
        #[arg(long)]
        repo: Option<PathBuf>,
        /// The release to deploy (default: the newest).
        #[arg(long)]
        version: Option<String>,
        /// blue-green, rolling or recreate.
        #[arg(long, default_value = "blue-green")]
        strategy: String,
        #[arg(long, default_value_t = 2, value_parser = replica_count)]
        replicas: u32,
        /// The path a healthy replica answers 200 on.
        #[arg(long, default_value = "/health")]
        health: String,
        /// Deploy, then exit instead of serving.
        #[arg(long)]
        no_serve: bool,
        /// local (this machine's Docker engine) or swarm (a Docker Swarm service; `devloop swarm
        /// init` first). Default: where the traffic goes now.
        #[arg(long)]
        target: Option<String>,
    },
    /// The deploy history, newest first.
    Deploys,
    /// What the service runs now, and which DevLoop process runs it.
    Service,
    /// Run the service here until Ctrl+C, as the app does while it is open: the stable
    /// address, what is live adopted, healing, autoscaling and monitoring, for `devloop
    /// deploy`, `scale` and `autoscale` to act through.
    Serve {
        /// The repository whose app is served (default: the one around the current folder, else the workspace).
        #[arg(long)]
        repo: Option<PathBuf>,
    },
    /// Run N replicas of the live version (through the DevLoop that runs the service).
    Scale {
        #[arg(value_parser = replica_count)]
        replicas: u32,
    },
    /// Let the autoscaler set the replica count from the traffic or the CPU, or switch it off.
    Autoscale {
        /// Switch the autoscaler off.
        #[arg(long, conflicts_with_all = ["rps", "cpu"])]
        off: bool,
        /// Target requests a second per replica.
        #[arg(long, conflicts_with = "cpu")]
        rps: Option<f64>,
        /// Target CPU per replica, in percent of one core (a replica may use 50).
        #[arg(long)]
        cpu: Option<f64>,
        #[arg(long, default_value_t = 1)]
        min: u32,
        #[arg(long, default_value_t = 4)]
        max: u32,
        /// Seconds the load must stay above target before adding replicas.
        #[arg(long, default_value_t = 3)]
        up_window: u64,
        /// Seconds the load must stay low before removing one.
        #[arg(long, default_value_t = 10)]
        down_window: u64,
        /// Seconds after a change before the next.
        #[arg(long, default_value_t = 5)]
        cooldown: u64,
    },
    /// The addresses Monitor probes every second beside the service's own health address
    /// (http:// only); they replace the list. With none, prints the list.
    Probes { urls: Vec<String> },
    /// Where the service answers (a loopback address, from its next start); with no argument,
    /// says where. DEVLOOP_PROXY_ADDR overrides it for one shell.
    Proxy { address: Option<String> },
    /// Simulate peak traffic against the deployed service (see `devloop proxy`); exits 0 only
    /// when every request got a 2xx answer.
    Load {
        /// Requests a second, once the ramp is over.
        #[arg(long, default_value_t = 100)]
        rps: u32,
        /// Seconds.
        #[arg(long, default_value_t = 10)]
        duration: u64,
        /// Requests on their way at once, at most.
        #[arg(long, default_value_t = 64)]
        concurrency: u32,
        /// Seconds to grow from nothing to the full rate.
        #[arg(long, default_value_t = 0)]
        ramp: u64,
        #[arg(long, default_value = "/")]
        path: String,
    },
    /// The backlog: its items, new ones, moves on the board.
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// The four DORA metrics of the workspace's app from DevLoop's own history: deployment
    /// frequency, lead time for changes, change failure rate, time to restore.
    Dora {
        /// How many days back.
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(i64).range(1..=365))]
        days: i64,
    },
    /// This machine as a one-node Docker Swarm: made and left by DevLoop, or the learner's
    /// own, which DevLoop never leaves.
    Swarm {
        #[command(subcommand)]
        command: SwarmCommand,
    },
    /// The alert rules: with no subcommand, those in force.
    Alerts {
        #[command(subcommand)]
        command: Option<AlertsCommand>,
    },
    /// A sprint's retrospective (the running one, or the last) beside its figures; each
    /// `--improve` becomes a backlog item.
    Retro {
        /// The sprint's number (`devloop plan list` shows the running one).
        #[arg(long)]
        sprint: Option<u64>,
        /// What went well (repeatable).
        #[arg(long)]
        well: Vec<String>,
        /// What did not go well (repeatable).
        #[arg(long)]
        not: Vec<String>,
        /// What to improve: becomes a backlog item (repeatable).
        #[arg(long)]
        improve: Vec<String>,
    },
    /// Continuous Delivery (a person deploys each release) or Continuous Deployment (a green
    /// push run deploys by itself); with no argument, says which is on.
    Mode {
        #[arg(value_parser = ["delivery", "deployment"])]
        mode: Option<String>,
    },
    /// GitHub Actions workflow files.
    Workflow {
        #[command(subcommand)]
        command: WorkflowCommand,
    },
    /// The learner's workspace.
    Workspace {
        #[command(subcommand)]
        command: WorkspaceCommand,
    },
    /// Lessons, for learners and CI.
    Lesson {
        #[command(subcommand)]
        command: LessonCommand,
    },
}

#[derive(Debug, Subcommand)]
enum SwarmCommand {
    /// Make a one-node swarm of this machine, advertised on 127.0.0.1 only.
    Init,
    /// Leave the swarm DevLoop made (a swarm it did not make is never left).
    Leave,
    /// The swarm as the daemon says it, and whether DevLoop made it.
    Status,
}

#[derive(Debug, Subcommand)]
enum AlertsCommand {
    /// A new rule: it fires when METRIC stays above (or below) the threshold for --for seconds.
    Add(alerts::NewRule),
    /// Remove the rule named NAME.
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
enum PlanCommand {
    /// The board, column by column (the workspace's commits that name items are linked first).
    List,
    /// Item N: what it says, and the commits, runs, releases and deploys about it.
    Show { id: u64 },
    /// Change what item N says; what is not given stays.
    Edit {
        id: u64,
        #[arg(long, value_parser = ["feature", "bug", "chore"])]
        kind: Option<String>,
        #[arg(long)]
        title: Option<String>,
        /// Markdown.
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        estimate: Option<u32>,
        /// Whether it needs infrastructure work: true or false.
        #[arg(long)]
        infra: Option<bool>,
    },
    /// End the running sprint now, to hold its retrospective.
    EndSprint,
    /// Move what the loop raised (retrospective improvements, alerts', runs' and deploys' bugs)
    /// from the backlog into the sprint.
    Carry,
    /// A new item at the bottom of the backlog.
    Add {
        #[arg(long, default_value = "feature", value_parser = ["feature", "bug", "chore"])]
        kind: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long)]
        estimate: Option<u32>,
        /// It needs infrastructure work (the DevOps engineer's part).
        #[arg(long)]
        infra: bool,
    },
    /// Start a sprint now: a name and how many days it runs.
    Sprint {
        name: String,
        #[arg(long, default_value_t = 14)]
        days: u32,
    },
    /// Item N to a column: backlog, sprint, doing or done.
    Move {
        id: u64,
        #[arg(value_parser = ["backlog", "sprint", "doing", "done"])]
        column: String,
    },
}

#[derive(Debug, Subcommand)]
enum WorkshopCommand {
    /// Check a pack: every problem with file:line:col and its fix; exits 2 when there are any.
    Validate { dir: PathBuf },
    /// Show the commands a pack would run (checks, solves, Run buttons), then trust it to run
    /// them. The workshop DevLoop ships is trusted already; trust is kept for this content only.
    Trust {
        dir: PathBuf,
        /// Trust without asking (after reading the list some other way).
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
enum WorkflowCommand {
    /// Check a workflow: errors and what DevLoop does not run, as file:line:col; exits 3 when refused.
    Check { file: PathBuf },
}

#[derive(Debug, Subcommand)]
enum WorkspaceCommand {
    /// Use another folder as the workspace from now on (the old one stays where it is).
    Set { path: PathBuf },
    /// Move the workspace aside (nothing is deleted) and start it fresh from the pack's demo project.
    Reset {
        /// The pack folder, e.g. workshops/devops-loop.
        pack: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum LessonCommand {
    /// Run a lesson's checks (or one step's) against the workspace; exits 0 when all pass.
    /// `[PACK] LESSON [STEP]`: without the pack folder, the one the app opened last.
    Check {
        /// The pack folder (e.g. workshops/devops-loop), then the lesson and maybe a step.
        #[arg(num_args = 1..=3, value_name = "[PACK] LESSON [STEP]")]
        args: Vec<String>,
    },
}

/// A replica count the engine accepts; clap refuses any other with the range.
fn replica_count(text: &str) -> Result<u32, String> {
    let range = devloop_engine::deploy::REPLICAS;
    text.parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| format!("{text} is not in {}..={}", range.start(), range.end()))
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // One DevLoop for the command: its paths and its store, opened once when first needed.
    let devloop = devloop_engine::context::Context::from_env();
    match cli.command {
        Command::Doctor { json } => doctor::run(&devloop, json).await,
        Command::Workshop {
            command: WorkshopCommand::Validate { dir },
        } => workshop::validate(&dir),
        Command::Workshop {
            command: WorkshopCommand::Trust { dir, yes },
        } => workshop::trust(&devloop, &dir, yes),
        Command::Workflow {
            command: WorkflowCommand::Check { file },
        } => workflow::check(&file),
        Command::Runs => run::list(&devloop),
        Command::Shell {
            number,
            job,
            command,
        } => shell::enter(&devloop, number, job.as_deref(), &command),
        Command::Release {
            repo,
            version,
            file,
            dry_run,
        } => release::release(&devloop, repo, version, file, dry_run).await,
        Command::Releases => release::list(&devloop),
        Command::Deploy {
            repo,
            version,
            strategy,
            replicas,
            health,
            no_serve,
            target,
        } => {
            deploy::deploy(
                &devloop,
                deploy::Options {
                    repo,
                    version,
                    strategy,
                    replicas,
                    health,
                    no_serve,
                    target,
                },
            )
            .await
        }
        Command::Deploys => deploy::list(&devloop).await,
        Command::Service => deploy::status(&devloop).await,
        Command::Serve { repo } => deploy::serve(&devloop, repo).await,
        Command::Scale { replicas } => deploy::scale(&devloop, replicas).await,
        Command::Autoscale {
            off,
            rps,
            cpu,
            min,
            max,
            up_window,
            down_window,
            cooldown,
        } => {
            use devloop_engine::operate::autoscale::{Metric, Policy};
            let (metric, target) = match (rps, cpu) {
                (_, Some(cpu)) => (Metric::Cpu, cpu),
                (Some(rps), None) => (Metric::Rps, rps),
                (None, None) => (Metric::Rps, Policy::default().target_per_replica),
            };
            let policy = Policy {
                min,
                max,
                metric,
                target_per_replica: target,
                up_window_ms: up_window * 1000,
                down_window_ms: down_window * 1000,
                cooldown_ms: cooldown * 1000,
            };
            deploy::autoscale(&devloop, !off, policy).await
        }
        Command::Proxy { address } => deploy::proxy(&devloop, address.as_deref()),
        Command::Probes { urls } => deploy::probes(&devloop, &urls),
        Command::Load {
            rps,
            duration,
            concurrency,
            ramp,
            path,
        } => deploy::load(&devloop, rps, duration, concurrency, ramp, path).await,
        Command::Mode { mode } => deploy::mode(&devloop, mode.as_deref()),
        Command::Swarm {
            command: SwarmCommand::Init,
        } => swarm::init(&devloop).await,
        Command::Swarm {
            command: SwarmCommand::Leave,
        } => swarm::leave(&devloop).await,
        Command::Swarm {
            command: SwarmCommand::Status,
        } => swarm::status(&devloop).await,
        Command::Alerts { command: None } => alerts::list(&devloop),
        Command::Alerts {
            command: Some(AlertsCommand::Add(rule)),
        } => alerts::add(&devloop, rule),
        Command::Alerts {
            command: Some(AlertsCommand::Remove { name }),
        } => alerts::remove(&devloop, &name),
        Command::Dora { days } => refine::dora(&devloop, days),
        Command::Retro {
            sprint,
            well,
            not,
            improve,
        } => refine::retro(&devloop, sprint, &well, &not, &improve),
        Command::Plan {
            command: PlanCommand::Show { id },
        } => plan::show(&devloop, id),
        Command::Plan {
            command:
                PlanCommand::Edit {
                    id,
                    kind,
                    title,
                    description,
                    estimate,
                    infra,
                },
        } => plan::edit(
            &devloop,
            id,
            kind.as_deref(),
            title,
            description,
            estimate,
            infra,
        ),
        Command::Plan {
            command: PlanCommand::EndSprint,
        } => plan::end_sprint(&devloop),
        Command::Plan {
            command: PlanCommand::Carry,
        } => plan::carry(&devloop),
        Command::Plan {
            command: PlanCommand::List,
        } => plan::list(&devloop),
        Command::Plan {
            command:
                PlanCommand::Add {
                    kind,
                    title,
                    description,
                    estimate,
                    infra,
                },
        } => plan::add(&devloop, &kind, title, description, estimate, infra),
        Command::Plan {
            command: PlanCommand::Move { id, column },
        } => plan::move_to(&devloop, id, &column),
        Command::Plan {
            command: PlanCommand::Sprint { name, days },
        } => plan::sprint(&devloop, &name, days),
        Command::Run {
            repo,
            workflow,
            job,
            inputs,
            secrets,
            secrets_file,
            rerun,
            failed,
        } => {
            run::run(
                &devloop,
                run::Options {
                    repo,
                    workflow,
                    rerun,
                    failed,
                    launch: devloop_engine::pipeline::launch::Options {
                        job,
                        inputs,
                        secrets,
                        secrets_file,
                        // A `devloop/deploy` step serves from this process while the run lasts.
                        service: Some(Default::default()),
                        ..Default::default()
                    },
                },
            )
            .await
        }
        Command::Workspace {
            command: WorkspaceCommand::Reset { pack },
        } => workshop::reset_workspace(&devloop, &pack),
        Command::Workspace {
            command: WorkspaceCommand::Set { path },
        } => workshop::set_workspace(&devloop, &path),
        Command::Lesson {
            command: LessonCommand::Check { args },
        } => workshop::check_args(&devloop, &args).await,
    }
}
