//! The shipped DevOps-loop workshop, taken for real: the pack validates, and a learner who does
//! each lesson's steps (here, its `solve` commands) turns every check from not-yet to passed,
//! in a fresh workspace, with real git, cargo, Docker and the `devloop` CLI (the pipeline
//! steps run workflows with it, so this test lives beside the CLI).

use std::path::{Path, PathBuf};
use std::process::Command;

use devloop_engine::check::{Context, Outcome, Spec};
use devloop_engine::settings::Locale;
use devloop_engine::stage::Stage;
use devloop_engine::workshop::pack::{self, Pack};
use devloop_engine::workspace;

fn pack_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workshops/devops-loop")
}

fn load() -> Pack {
    pack::load(&pack_dir()).unwrap_or_else(|diags| {
        panic!(
            "{}",
            diags
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

#[test]
fn the_workshop_validates_and_covers_every_stage_in_both_languages() {
    let p = load();
    for stage in Stage::ALL {
        assert!(
            p.lessons.iter().any(|l| l.stage == Some(stage)),
            "no lesson for {stage:?}"
        );
    }
    for lesson in &p.lessons {
        assert!(
            lesson.steps.iter().any(|s| s.check.is_quiz()),
            "{} has no quiz",
            lesson.id
        );
        let hands_on = lesson.steps.iter().filter(|s| !s.check.is_quiz()).count();
        assert!(hands_on > 0, "{} has no hands-on step", lesson.id);
        for locale in [Locale::En, Locale::Ko] {
            let text = lesson.text(locale);
            assert!(!text.body.trim().is_empty(), "{} {locale:?}", lesson.id);
            for step in &lesson.steps {
                assert!(
                    text.steps.contains_key(&step.id),
                    "{}/{} {locale:?}",
                    lesson.id,
                    step.id
                );
            }
        }
    }
}

#[test]
fn the_continuous_lesson_teaches_the_right_definitions() {
    let p = load();
    let lesson = p.lessons.iter().find(|l| l.id == "continuous").unwrap();
    let answer = |id: &str| match &lesson.steps.iter().find(|s| s.id == id).unwrap().check {
        Spec::Quiz { answer, .. } => answer.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(answer("manual-gate"), ["delivery"]);
    assert_eq!(answer("what-ci-covers"), ["code", "build", "test"]);
    let ko = lesson.text(Locale::Ko);
    assert!(ko
        .body
        .contains("지속적 제공 (지속적 전달, <span lang=\"en\">Continuous Delivery</span>)"));
    assert!(ko
        .body
        .contains("지속적 배포 (<span lang=\"en\">Continuous Deployment</span>)"));
    let en = lesson.text(Locale::En);
    assert!(en.body.contains("**a person decides when to click**"));
}

/// Refuses to run where a learner's own `loop-service` container or image exists: the test
/// never removes what it did not create.
fn docker_is_free_for_the_walkthrough() {
    let busy = |args: &[&str]| {
        let out = Command::new("docker")
            .args(args)
            .output()
            .expect("docker CLI");
        !String::from_utf8_lossy(&out.stdout).trim().is_empty()
    };
    assert!(
        !busy(&["ps", "-aq", "--filter", "name=^loop-service$"]),
        "a container called loop-service exists on this machine; this test will not touch it"
    );
    assert!(
        !busy(&["images", "-q", "loop-service:0.2.0"]),
        "an image loop-service:0.2.0 exists on this machine; this test will not touch it"
    );
    assert!(
        !busy(&["ps", "-aq", "--filter", "label=dev.devloop.app=loop-service"]),
        "DevLoop-deployed loop-service containers exist on this machine; this test will not touch them"
    );
    let swarm = Command::new("docker")
        .args(["info", "--format", "{{.Swarm.LocalNodeState}}"])
        .output()
        .expect("docker CLI");
    assert_eq!(
        String::from_utf8_lossy(&swarm.stdout).trim(),
        "inactive",
        "this machine is in a swarm; the Swarm lesson makes and leaves one of its own"
    );
}

/// Removes the container and image the walkthrough created, pass or fail.
struct Cleanup;
impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "-f", "loop-service"])
            .output();
        // The replicas `devloop deploy` started (they carry its labels).
        if let Ok(ids) = Command::new("docker")
            .args([
                "ps",
                "-aq",
                "--filter",
                "label=dev.devloop.app=loop-service",
                "--filter",
                "label=dev.devloop.deploy",
            ])
            .output()
        {
            for id in String::from_utf8_lossy(&ids.stdout).split_whitespace() {
                let _ = Command::new("docker").args(["rm", "-f", id]).output();
            }
        }
        // A Swarm lesson cut short: its service, and the swarm it made (none was here before,
        // checked at the start).
        let _ = Command::new("docker")
            .args(["service", "rm", "loop-service"])
            .output();
        let _ = Command::new("docker")
            .args(["swarm", "leave", "--force"])
            .output();
        // The Release lesson's release tags its image twice (0.2.0 and the commit's short sha):
        // removing it by id takes both tags, as it does the Swarm lesson's broken 0.2.1. Neither
        // existed before (checked at the start).
        if let Ok(ids) = Command::new("docker")
            .args(["images", "-q", "--filter", "reference=loop-service:0.2.*"])
            .output()
        {
            for id in String::from_utf8_lossy(&ids.stdout).split_whitespace() {
                let _ = Command::new("docker").args(["rmi", "-f", id]).output();
            }
        }
    }
}

/// The service's host for the walkthrough, stopped (as a closed app would be) at the end.
struct Serving(std::process::Child);
impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Steps whose state an earlier lesson already established, so they pass on arrival.
const GIVEN: [&str; 2] = ["intro/workspace", "operate/healthy"];

#[tokio::test(flavor = "multi_thread")]
async fn a_learner_goes_round_the_whole_loop_and_every_check_follows() {
    docker_is_free_for_the_walkthrough();
    let _cleanup = Cleanup;
    let p = load();
    let home = tempfile::tempdir().unwrap();
    let ws = home.path().join("DevLoop");
    workspace::create(p.demo.as_ref().unwrap(), &ws).unwrap();
    let data = home.path().join("data");
    let ctx = Context {
        workspace: ws.clone(),
        database: Some(data.join("devloop.sqlite")),
    };
    // Deploys serve on a port of their own, so a busy 8080 on this machine does not matter.
    let proxy_addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    // `devloop` as a learner has it on PATH, writing its history where the checks read it.
    let cli_dir = Path::new(env!("CARGO_BIN_EXE_devloop")).parent().unwrap();
    let path = format!(
        "{}:{}",
        cli_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let learner_env = |cmd: &mut Command| {
        cmd.current_dir(&ws)
            .env_remove("CARGO_TARGET_DIR")
            .env("PATH", &path)
            .env("DEVLOOP_DATA_DIR", &data)
            .env("DEVLOOP_CONFIG_DIR", home.path().join("config"))
            // The learner's DevLoop knows its workspace: the plan follows deploys there.
            .env("DEVLOOP_WORKSPACE", &ws)
            .env("DEVLOOP_PROXY_ADDR", &proxy_addr)
            .env("GIT_AUTHOR_NAME", "Learner")
            .env("GIT_AUTHOR_EMAIL", "learner@example.com")
            .env("GIT_COMMITTER_NAME", "Learner")
            .env("GIT_COMMITTER_EMAIL", "learner@example.com");
    };
    // The app runs the service while it is open; `devloop serve` is its stand-in here, and the
    // lessons' `devloop deploy`, `scale` and `autoscale` go through it.
    let mut serve = Command::new(env!("CARGO_BIN_EXE_devloop"));
    serve.args(["serve", "--repo"]).arg(&ws);
    learner_env(&mut serve);
    let _serving = Serving(
        serve
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("devloop serve"),
    );

    for lesson in &p.lessons {
        let steps: Vec<_> = lesson.steps.iter().filter(|s| !s.check.is_quiz()).collect();
        for step in &steps {
            let name = format!("{}/{}", lesson.id, step.id);
            let before = step.check.evaluate(&ctx).await;
            if !GIVEN.contains(&name.as_str()) {
                assert!(
                    before != Outcome::Pass,
                    "{name} passed before the learner did anything"
                );
            }
        }
        // The Swarm lesson's last step leaves the swarm its first made: each of its steps is
        // checked as the learner reaches it (a step once passed stays passed).
        let as_they_go = lesson.id == "swarm";
        for step in &steps {
            let Some(solve) = &step.solve else { continue };
            let mut sh = Command::new("sh");
            sh.args(["-c", solve]);
            learner_env(&mut sh);
            let out = sh.output().unwrap();
            assert!(
                out.status.success(),
                "{}/{} solve failed:\n{}{}",
                lesson.id,
                step.id,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            if as_they_go {
                passes(&step.check, &ctx, &format!("{}/{}", lesson.id, step.id)).await;
            }
        }
        for step in steps.iter().filter(|_| !as_they_go) {
            let name = format!("{}/{}", lesson.id, step.id);
            // Health checks and the first HTTP answer can take a few seconds to settle.
            let mut outcome = step.check.evaluate(&ctx).await;
            for _ in 0..40 {
                if outcome == Outcome::Pass {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                outcome = step.check.evaluate(&ctx).await;
            }
            assert_eq!(outcome, Outcome::Pass, "{name} after the learner's work");
        }
    }

    // Round the loop once, the history has DORA's figures: deploys, and the lead time of the
    // commits they shipped.
    let mut dora = Command::new(env!("CARGO_BIN_EXE_devloop"));
    dora.arg("dora");
    learner_env(&mut dora);
    let out = dora.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("DORA for loop-service"), "{text}");
    assert!(
        !text.contains(" 0 a day"),
        "the walkthrough's deploys count: {text}"
    );
    assert!(
        text.contains("median"),
        "lead times from the released commits: {text}"
    );

    // The Plan lesson's item #1 is the Code lesson's change: its commit says "closes #1", and
    // the Deploy lesson took it live, so it is done without anybody moving it.
    let mut list = Command::new(env!("CARGO_BIN_EXE_devloop"));
    list.args(["plan", "list"]);
    learner_env(&mut list);
    let out = list.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let done = text
        .split("Done")
        .nth(1)
        .unwrap_or_else(|| panic!("no Done column in {text}"));
    assert!(done.contains("#1 "), "#1 is done: {text}");
}

/// Evaluates `check` until it passes (health checks and Swarm take a few seconds to settle).
async fn passes(check: &devloop_engine::check::Spec, ctx: &Context, name: &str) {
    let mut outcome = check.evaluate(ctx).await;
    for _ in 0..120 {
        if outcome == Outcome::Pass {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        outcome = check.evaluate(ctx).await;
    }
    assert_eq!(outcome, Outcome::Pass, "{name} after the learner's work");
}
