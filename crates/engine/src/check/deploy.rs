//! Release and deploy checks: what DevLoop has released, from its release history, and what
//! it has made live, from its deploy history and the running containers that carry its labels.

use crate::record::deploy::DeployStatus;
use std::path::PathBuf;

use super::{Finding, Outcome, Spec};
use crate::deploy::replica;
use crate::docker::Engine;
use crate::store::Store;

/// `release.made`: the release history has `version` of `app`. A tag and an image made by
/// hand are not a release the Deploy page can offer, so only DevLoop's record counts.
pub fn release_made(app: &str, version: &str, database: Option<&std::path::Path>) -> Outcome {
    let todo =
        format!("the Releases page's Create release, or `devloop release --version {version}`");
    let command = format!("devloop release --version {version}");
    let none = |todo: &str| {
        Outcome::found(
            Finding::new("notReleased")
                .with("app", app)
                .with("version", version)
                .run(&command),
            format!("DevLoop has not released {app} yet: {todo}"),
        )
    };
    let Some(db) = database.filter(|d| d.exists()) else {
        return none(&todo);
    };
    match Store::open(db).and_then(|s| s.releases()) {
        Err(e) => Outcome::error(e.message),
        Ok(all) if all.iter().any(|r| r.app == app && r.version == version) => Outcome::Pass,
        Ok(all) => match all.iter().find(|r| r.app == app) {
            Some(newest) => Outcome::found(
                Finding::new("otherRelease")
                    .with("app", app)
                    .with("newest", &newest.version)
                    .with("version", version)
                    .run(&command),
                format!(
                    "the newest release of {app} is {}; this step needs {version}: {todo}",
                    newest.version
                ),
            ),
            None => none(&todo),
        },
    }
}

pub async fn evaluate(spec: &Spec, database: Option<PathBuf>) -> Outcome {
    let Spec::DeployLive {
        app,
        version,
        replicas,
    } = spec
    else {
        return Outcome::error("not a deploy check");
    };
    let Some(db) = database else {
        return Outcome::error("the deploy history is not available here");
    };
    let todo = format!(
        "devloop deploy{} --replicas {replicas}",
        version
            .as_ref()
            .map(|v| format!(" --version {v}"))
            .unwrap_or_default()
    );
    let app_name = app.clone();
    let owner = db
        .parent()
        .and_then(crate::instance::read)
        .unwrap_or_default();
    let newest = crate::blocking(move || {
        if !db.exists() {
            return Ok(None);
        }
        Store::open(&db)?.deploys(200).map(|all| {
            all.into_iter()
                .find(|d| d.app == app_name && d.status == DeployStatus::Live)
        })
    })
    .await;
    let newest = match newest {
        Ok(d) => d,
        Err(e) => return Outcome::error(e.message),
    };
    let Some(live) = newest else {
        return Outcome::found(
            Finding::new("notDeployed").with("app", app).run(&todo),
            format!("DevLoop has not deployed {app} yet: `{todo}` or the Deploy page"),
        );
    };
    if let Some(v) = version {
        if &live.version != v {
            return Outcome::found(
                Finding::new("otherVersionLive")
                    .with("app", app)
                    .with("live", &live.version)
                    .with("version", v)
                    .run(&todo),
                format!(
                    "{app} {} is live; this step needs {v}: `{todo}`",
                    live.version
                ),
            );
        }
    }
    // Counted among this DevLoop's own replicas (`owner`, read above): the data folder
    // holding the database is its identity, another DevLoop's are not the learner's.
    let engine = match Engine::connect_here().await {
        Ok(e) => e.owned_by(&owner),
        Err(e) => return Outcome::error(e.message),
    };
    let running = match replica::list(&engine, app).await {
        Ok(list) => list
            .iter()
            .filter(|r| r.running && r.version == live.version)
            .count() as u32,
        Err(e) => return Outcome::error(e.message),
    };
    if running < *replicas {
        return Outcome::found(
            Finding::new("fewReplicas")
                .with("running", running)
                .with("app", app)
                .with("version", &live.version)
                .with("replicas", replicas)
                .run(&todo),
            format!(
                "{running} replica(s) of {app} {} run; this step needs {replicas}: `{todo}`",
                live.version
            ),
        );
    }
    Outcome::Pass
}
