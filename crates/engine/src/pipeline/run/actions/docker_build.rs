//! `docker/build-push-action`: the image built through the local daemon, with the build's
//! steps in the job's log. Pushing needs a registry, which a machine offline does not have,
//! so `push: true` is refused with a note rather than silently skipped.

use std::collections::BTreeMap;

use super::{Action, Context, Done};
use crate::docker::build::{self, BuildEvent, BuildRequest};
use crate::docker::Engine;

pub struct BuildPush;

/// `a, b` or one a line: GitHub's list inputs.
fn list(cx: &Context, key: &str) -> Vec<String> {
    cx.lines(key)
        .iter()
        .flat_map(|l| l.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn pairs(cx: &Context, key: &str) -> Result<BTreeMap<String, String>, String> {
    cx.lines(key)
        .iter()
        .map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| format!("`{key}` wants KEY=VALUE lines, and `{l}` is not one"))
        })
        .collect()
}

impl Action for BuildPush {
    fn name(&self) -> &'static str {
        "docker/build-push-action"
    }

    fn run(&self, cx: &Context) -> Result<Done, String> {
        if cx.input("push") == Some("true") {
            return Err("`push: true` needs a container registry, and DevLoop works offline: remove `push` (the image stays in the local engine, where DevLoop deploys from)".into());
        }
        let tags = list(cx, "tags");
        if tags.is_empty() {
            return Err(
                "`tags` is required here: name the image, for example `tags: my-app:dev`".into(),
            );
        }
        let context = cx.resolve(cx.input("context").unwrap_or("."));
        let dockerfile = match cx.input("file") {
            // `file` is relative to the workspace on GitHub; the build wants it in the context.
            Some(f) => {
                let full = cx.resolve(f);
                full.strip_prefix(&context)
                    .map(|p| p.display().to_string())
                    .map_err(|_| {
                        format!(
                            "`file: {f}` is outside the build context {}",
                            context.display()
                        )
                    })?
            }
            None => "Dockerfile".into(),
        };
        let request = BuildRequest {
            context,
            dockerfile,
            tags,
            build_args: pairs(cx, "build-args")?,
            labels: pairs(cx, "labels")?,
        };
        let log = cx.clone();
        let built = tokio::runtime::Handle::current()
            .block_on(async {
                let engine = Engine::connect_here().await?;
                build::build(&engine, &request, &move |e| match e {
                    BuildEvent::Context { files, bytes } => {
                        log.log(format!("build context: {files} file(s), {bytes} bytes"))
                    }
                    BuildEvent::Step { n, of, instruction } => {
                        log.log(format!("Step {n}/{of} : {instruction}"))
                    }
                    BuildEvent::Log { text } => log.log(text),
                })
                .await
            })
            .map_err(super::said)?;
        cx.log(format!(
            "built {} as {}",
            built.image_id,
            built.tags.join(", ")
        ));
        Ok(Done::success()
            .output("imageid", built.image_id.clone())
            .output("digest", built.image_id))
    }
}
