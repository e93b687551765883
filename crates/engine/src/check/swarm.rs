//! Swarm checks, against the daemon's swarm and this DevLoop's deploy history: the node is a manager, the app is live on the swarm with its tasks running, Swarm replaced a task that died, Swarm rolled a failed deploy back, and the swarm DevLoop made is left with the service back on this machine.

use std::path::{Path, PathBuf};

use super::{Finding, Outcome, Spec};
use crate::docker::Engine;
use crate::record::deploy::{DeployStatus, Target};
use crate::store::deploys::DeployRecord;
use crate::store::Store;
use crate::swarm;

/// This DevLoop's deploys of `app`, newest first (none without a history).
async fn deploys(db: PathBuf, app: String) -> Result<Vec<DeployRecord>, String> {
    crate::blocking(move || {
        if !db.exists() {
            return Ok(Vec::new());
        }
        Ok(Store::open(&db)?
            .deploys(500)?
            .into_iter()
            .filter(|d| d.app == app)
            .collect())
    })
    .await
    .map_err(|e| e.message)
}

/// The daemon, acting for the DevLoop whose data folder is `data`.
async fn engine(data: &Path) -> Result<Engine, String> {
    let owner = crate::instance::read(data).unwrap_or_default();
    Engine::connect_here()
        .await
        .map(|e| e.owned_by(&owner))
        .map_err(|e| e.message)
}

pub async fn evaluate(spec: &Spec, database: Option<PathBuf>) -> Outcome {
    let Some(db) = database else {
        return Outcome::error("the deploy history is not available here");
    };
    let data = db.parent().map(Path::to_path_buf).unwrap_or_default();
    let engine = match engine(&data).await {
        Ok(e) => e,
        Err(e) => return Outcome::error(e),
    };
    let state = match swarm::state_in(&engine, &data).await {
        Ok(s) => s,
        Err(e) => return Outcome::error(e.message),
    };
    let no_swarm = || {
        Outcome::found(
            Finding::new("swarmNotYet").run("devloop swarm init"),
            "this machine is in no swarm yet: the Deploy page's Make a swarm, or `devloop swarm init`",
        )
    };
    match spec {
        Spec::SwarmActive {} => {
            if state.cluster.is_some() && state.manager {
                Outcome::Pass
            } else {
                no_swarm()
            }
        }
        Spec::SwarmLive {
            app,
            version,
            replicas,
        } => {
            if state.cluster.is_none() {
                return no_swarm();
            }
            let todo = format!(
                "devloop deploy --target swarm{} --replicas {replicas}",
                version
                    .as_ref()
                    .map(|v| format!(" --version {v}"))
                    .unwrap_or_default()
            );
            let history = match deploys(db, app.clone()).await {
                Ok(h) => h,
                Err(e) => return Outcome::error(e),
            };
            let live = history.iter().find(|d| d.status == DeployStatus::Live);
            let Some(live) = live.filter(|d| d.target == Target::Swarm) else {
                return Outcome::found(
                    Finding::new("notOnSwarm").with("app", app).run(&todo),
                    format!("{app} is not live on the swarm: `{todo}` or the Deploy page"),
                );
            };
            let tasks = match swarm::service::tasks(&engine, app).await {
                Ok(t) => t,
                Err(e) => return Outcome::error(e.message),
            };
            // What runs now, which a rollback may have made older than the deploy asked for.
            let want = version.clone().unwrap_or_else(|| live.version.clone());
            let running = tasks
                .iter()
                .filter(|t| t.serving() && t.version == want)
                .count() as u32;
            if running < *replicas {
                return Outcome::found(
                    Finding::new("fewTasks")
                        .with("running", running)
                        .with("app", app)
                        .with("version", &want)
                        .with("tasks", replicas)
                        .run(format!("devloop scale {replicas}")),
                    format!(
                        "{running} task(s) of {app} {want} run on the swarm; this step needs {replicas}"
                    ),
                );
            }
            Outcome::Pass
        }
        Spec::SwarmHealed { app } => {
            let tasks = match swarm::service::tasks(&engine, app).await {
                Ok(t) => t,
                Err(e) => return Outcome::error(e.message),
            };
            let replaced = tasks.iter().any(|dead| {
                dead.state == "failed"
                    && tasks
                        .iter()
                        .any(|t| t.slot == dead.slot && t.serving() && t.at_ms > dead.at_ms)
            });
            if replaced {
                Outcome::Pass
            } else {
                Outcome::found(
                    Finding::new("noTaskReplaced").with("app", app),
                    format!(
                        "no task of {app} has died and come back yet: press Kill a replica on the Operate page"
                    ),
                )
            }
        }
        Spec::SwarmRolledBack { app } => match deploys(db, app.clone()).await {
            Err(e) => Outcome::error(e),
            Ok(h)
                if h.iter()
                    .any(|d| d.target == Target::Swarm && d.status == DeployStatus::RolledBack) =>
            {
                Outcome::Pass
            }
            Ok(_) => Outcome::found(
                Finding::new("noSwarmRollback").with("app", app),
                format!(
                    "no deploy of {app} to the swarm has been rolled back yet: release the broken health check and deploy it"
                ),
            ),
        },
        Spec::SwarmLeft { app } => {
            let history = match deploys(db, app.clone()).await {
                Ok(h) => h,
                Err(e) => return Outcome::error(e),
            };
            // Home again presupposes having been away: a deploy to the swarm went live once.
            let went = history
                .iter()
                .any(|d| d.target == Target::Swarm && d.status == DeployStatus::Live);
            if !went {
                let todo = "devloop deploy --target swarm";
                return Outcome::found(
                    Finding::new("notOnSwarm").with("app", app).run(todo),
                    format!("{app} has not been live on the swarm yet: `{todo}` or the Deploy page"),
                );
            }
            let on_swarm = history
                .iter()
                .find(|d| d.status == DeployStatus::Live)
                .is_some_and(|d| d.target == Target::Swarm);
            if on_swarm {
                return Outcome::found(
                    Finding::new("stillOnSwarm")
                        .with("app", app)
                        .run("devloop deploy --target local"),
                    format!("{app} still runs on the swarm: move it back first (`devloop deploy --target local`)"),
                );
            }
            if state.made_by_devloop {
                return Outcome::found(
                    Finding::new("swarmStillMade").run("devloop swarm leave"),
                    "the swarm DevLoop made is still here: the Deploy page's Leave the swarm, or `devloop swarm leave`",
                );
            }
            Outcome::Pass
        }
        _ => Outcome::error("not a swarm check"),
    }
}
