//! `devloop/release@v1`: the job's commit made a release, as `devloop release` does: the
//! image built from the job's workspace (where the pipeline built the binary), tagged, saved,
//! and the learner's repository tagged `v<version>`. A commit released before (by this
//! workflow's push run, say) is not released twice: the step hands on that release, so a
//! deploy after it ships it.

use std::path::PathBuf;

use super::{Action, Context, Done};
use crate::docker::build::BuildEvent;
use crate::docker::Engine;
use crate::release::{self, ReleaseEvent};

pub struct Release;

impl Action for Release {
    fn name(&self) -> &'static str {
        "devloop/release"
    }

    fn run(&self, cx: &Context) -> Result<Done, String> {
        let Some(paths) = cx.paths.clone() else {
            return Err("releases need DevLoop's data folder, which this run was not given".into());
        };
        let opts = release::Options {
            version: cx.input("version").map(str::to_owned),
            dockerfile: cx.input("dockerfile").map(str::to_owned),
            context: cx.input("context").map(str::to_owned),
            app: cx.input("app").map(str::to_owned),
            tag_repo: Some(PathBuf::from(&cx.repo)),
            built_in_place: true,
        };
        // The commit the job checked out is the one a release would be made of.
        let sha = git2::Repository::open(&cx.workspace)
            .ok()
            .and_then(|r| r.head().ok()?.target())
            .map_or_else(|| cx.sha.clone(), |oid| oid.to_string());
        let app = opts
            .app
            .clone()
            .unwrap_or_else(|| release::app_name(&cx.workspace));
        if let Some(made) = released_before(&paths, &sha, &app)? {
            cx.log(format!(
                "{} is already released as {} {}: this run ships that release",
                &sha[..sha.len().min(7)],
                made.app,
                made.version
            ));
            return Ok(done(&made));
        }
        let log = cx.clone();
        let made = tokio::runtime::Handle::current()
            .block_on(async {
                let engine = Engine::connect_here().await?;
                release::create(&engine, &paths, &cx.workspace, &opts, &move |e| match e {
                    ReleaseEvent::Phase { phase } => log.log(format!("── {phase}")),
                    ReleaseEvent::Build {
                        event: BuildEvent::Step { n, of, instruction },
                    } => log.log(format!("Step {n}/{of} : {instruction}")),
                    ReleaseEvent::Compile { line } => log.log(line),
                    ReleaseEvent::Build { .. } | ReleaseEvent::Saving { .. } => {}
                })
                .await
            })
            .map_err(super::said)?;
        cx.log(format!(
            "released {} {} (image {}, archive {})",
            made.app, made.version, made.image_id, made.archive
        ));
        Ok(done(&made))
    }
}

/// The release of `app` already made of commit `sha`.
fn released_before(
    paths: &crate::settings::Paths,
    sha: &str,
    app: &str,
) -> Result<Option<release::ReleaseRecord>, String> {
    if sha.is_empty() {
        return Ok(None);
    }
    let all = crate::store::Store::open(&paths.database_file())
        .and_then(|s| s.releases())
        .map_err(super::said)?;
    Ok(all.into_iter().find(|r| r.sha == sha && r.app == app))
}

/// The step's outputs for release `made`.
fn done(made: &release::ReleaseRecord) -> Done {
    Done::success()
        .output("version", made.version.clone())
        .output("tag", format!("v{}", made.version))
        .output("image", format!("{}:{}", made.app, made.version))
}
