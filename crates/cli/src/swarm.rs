//! `devloop swarm init`, `leave` and `status`: this machine as a one-node Docker Swarm, made and left by DevLoop, or the learner's own, which DevLoop never leaves; `status` also lists the app's tasks, as `docker service ps` would.

use std::process::ExitCode;

use devloop_engine::context::Context;
use devloop_engine::docker::Engine;
use devloop_engine::swarm::{self, short, Joined, Left};

use crate::deploy::fail;

async fn engine() -> Result<Engine, ExitCode> {
    Engine::connect_here()
        .await
        .map_err(|e| fail(&e.message, e.fix.as_deref()))
}

/// `devloop swarm init`.
pub async fn init(devloop: &Context) -> ExitCode {
    let engine = match engine().await {
        Ok(e) => e,
        Err(code) => return code,
    };
    match swarm::init(&engine, devloop.paths()).await {
        Ok(Joined::Made { cluster }) => {
            println!("this machine is now a one-node swarm ({}), advertised on 127.0.0.1 only; `devloop swarm leave` undoes it", short(&cluster));
            ExitCode::SUCCESS
        }
        Ok(Joined::AlreadyOurs { cluster }) => {
            println!(
                "already the one-node swarm DevLoop made ({})",
                short(&cluster)
            );
            ExitCode::SUCCESS
        }
        Ok(Joined::Learners { cluster }) => {
            println!("this machine is already in a swarm ({}) that DevLoop did not make: DevLoop uses it as it is and will never leave it", short(&cluster));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.message, e.fix.as_deref()),
    }
}

/// `devloop swarm leave`.
pub async fn leave(devloop: &Context) -> ExitCode {
    let engine = match engine().await {
        Ok(e) => e,
        Err(code) => return code,
    };
    match swarm::leave(&engine, devloop.paths()).await {
        Ok(Left::Left { cluster }) => {
            println!(
                "left the swarm DevLoop made ({}); this machine is as it was",
                short(&cluster)
            );
            ExitCode::SUCCESS
        }
        Ok(Left::NoSwarm) => {
            println!("this machine is in no swarm: nothing to leave");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.message, e.fix.as_deref()),
    }
}

/// `devloop swarm status`.
pub async fn status(devloop: &Context) -> ExitCode {
    let engine = match engine().await {
        Ok(e) => e,
        Err(code) => return code,
    };
    match swarm::state(&engine, devloop.paths()).await {
        Ok(s) => {
            match &s.cluster {
                None if s.worker() => println!(
                    "swarm: {}, worker (services are made on a manager; not made by DevLoop: DevLoop never leaves it)",
                    s.node_state
                ),
                None => println!(
                    "swarm: {} (no swarm; `devloop swarm init` makes one)",
                    s.node_state
                ),
                Some(c) => println!(
                    "swarm: {} ({}), {}, {}",
                    s.node_state,
                    short(c),
                    if s.manager { "manager" } else { "worker" },
                    if s.made_by_devloop {
                        "made by DevLoop"
                    } else {
                        "not made by DevLoop: DevLoop never leaves it"
                    }
                ),
            }
            if s.cluster.is_some() && s.manager {
                return tasks(devloop, engine).await;
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.message, e.fix.as_deref()),
    }
}

/// The app's service on the swarm, task by task.
async fn tasks(devloop: &Context, engine: Engine) -> ExitCode {
    let app = devloop.app();
    let owner = match devloop_engine::instance::of(&devloop.paths().data_dir) {
        Ok(o) => o,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
    let engine = engine.owned_by(&owner);
    let all = match swarm::service::tasks(&engine, &app).await {
        Ok(t) => t,
        Err(e) => return fail(&e.message, e.fix.as_deref()),
    };
    if all.is_empty() {
        println!("{app}: not on the swarm (`devloop deploy --target swarm` puts it there)");
        return ExitCode::SUCCESS;
    }
    println!("{app} on the swarm:");
    println!(
        "  {:<20} {:<10} {:<12} {:<10} {:<10} error",
        "task", "version", "node", "desired", "state"
    );
    for t in all {
        println!(
            "  {:<20} {:<10} {:<12} {:<10} {:<10} {}",
            t.name,
            t.version,
            t.node,
            t.desired,
            t.state,
            t.error.as_deref().unwrap_or("")
        );
    }
    ExitCode::SUCCESS
}
