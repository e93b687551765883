//! `devloop/release@v1`: the job's commit made a release, as `devloop release` does: the
//! image built from the job's workspace (where the pipeline built the binary), tagged, saved,
//! and the learner's repository tagged `v<version>`.

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
        };
        let log = cx.clone();
        let made = tokio::runtime::Handle::current()
            .block_on(async {
                let engine = Engine::connect_here().await?;
                release::create(&engine, &paths, &cx.workspace, &opts, &move |e| match e {
                    ReleaseEvent::Phase { phase } => log.log(format!("── {phase}")),
                    ReleaseEvent::Build {
                        event: BuildEvent::Step { n, of, instruction },
                    } => log.log(format!("Step {n}/{of} : {instruction}")),
                    ReleaseEvent::Build { .. } | ReleaseEvent::Saving { .. } => {}
                })
                .await
            })
            .map_err(super::said)?;
        cx.log(format!(
            "released {} {} (image {}, archive {})",
            made.app, made.version, made.image_id, made.archive
        ));
        Ok(Done::success()
            .output("version", made.version.clone())
            .output("tag", format!("v{}", made.version))
            .output("image", format!("{}:{}", made.app, made.version)))
    }
}
