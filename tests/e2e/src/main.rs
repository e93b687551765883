//! End-to-end tests of the real DevLoop app: WebKit under Xvfb, driven through tauri-driver.
//!
//! Run with `make e2e` (which builds the app, starts Xvfb and dockerd when needed). Each test
//! launches the app with its own settings folder, so tests never see each other's choices.
//! Set `DEVLOOP_SCREENSHOTS=dir` to save the home screen in both languages.

mod driver;
mod journey;
mod webdriver;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;

use driver::App;
use journey::{code_release_and_deploy_again_in_korean, the_whole_workshop_as_its_text_says};
use webdriver::Result;

const ESCAPE: &str = "\u{E00C}";
const ENTER: &str = "\u{E007}";
const ARROW_LEFT: &str = "\u{E012}";
const ARROW_RIGHT: &str = "\u{E014}";
const ARROW_UP: &str = "\u{E013}";

const STAGES: [&str; 8] = [
    "plan", "code", "build", "test", "release", "deploy", "operate", "monitor",
];

/// Where the binaries under test are: next to this one (`target/<profile>/`) unless overridden.
struct Binaries {
    app: PathBuf,
    cli: PathBuf,
}

impl Binaries {
    fn locate() -> Binaries {
        let dir = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let pick = |var: &str, name: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .unwrap_or_else(|| dir.join(name))
        };
        Binaries {
            app: pick("DEVLOOP_APP", "devloop-app"),
            cli: pick("DEVLOOP_CLI", "devloop"),
        }
    }
}

/// A fresh settings folder and workspace for one test.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
    fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }
    fn workspace(&self) -> PathBuf {
        self.dir.path().join("DevLoop")
    }
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }
    /// Launches the app with this home and `lang` as the OS locale, plus any `extra` variables.
    fn launch(&self, lang: &str, extra: &[(&str, &OsStr)]) -> Result<App> {
        let config = self.config();
        let workspace = self.workspace();
        let data = self.data();
        let mut env: Vec<(&str, &OsStr)> = vec![
            ("DEVLOOP_CONFIG_DIR", config.as_os_str()),
            ("DEVLOOP_WORKSPACE", workspace.as_os_str()),
            ("DEVLOOP_DATA_DIR", data.as_os_str()),
            ("LANG", OsStr::new(lang)),
            ("LC_ALL", OsStr::new(lang)),
        ];
        env.extend_from_slice(extra);
        App::launch(&Binaries::locate().app, &env)
    }

    /// `devloop …` in a terminal beside the app: the same home, the service at `addr`.
    fn devloop(&self, addr: &str, args: &[&str]) -> Result<String> {
        self.cli(args, &[("DEVLOOP_PROXY_ADDR", addr)])
    }

    /// `devloop args` on this home, as a learner's terminal runs it; fails unless it succeeds.
    fn cli(&self, args: &[&str], env: &[(&str, &str)]) -> Result<String> {
        let out = Command::new(Binaries::locate().cli)
            .args(args)
            .current_dir(self.workspace())
            .env("DEVLOOP_CONFIG_DIR", self.config())
            .env("DEVLOOP_WORKSPACE", self.workspace())
            .env("DEVLOOP_DATA_DIR", self.data())
            .envs(env.iter().copied())
            .output()
            .map_err(|e| e.to_string())?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        check(out.status.success(), format!("devloop {args:?}: {text}"))?;
        Ok(text)
    }
}

/// The shipped workshop's lessons, in its order.
const LESSONS: [&str; 11] = [
    "intro",
    "plan",
    "code",
    "build",
    "test",
    "continuous",
    "release",
    "deploy",
    "operate",
    "monitor",
    "refine",
];

const TITLE_EN: &str = "The DevOps loop";
const TITLE_KO: &str = "데브옵스 루프";

/// Waits until the home screen's heading reads `title`: the quickest sign of the UI language.
fn home_title_is(s: &webdriver::Session, title: &str) -> Result<()> {
    s.wait_text(
        "[data-testid=home] h1",
        &format!("the title {title:?}"),
        |t| t == title,
    )
    .map(drop)
}

fn check(condition: bool, message: impl Into<String>) -> Result<()> {
    if condition {
        Ok(())
    } else {
        Err(message.into())
    }
}

fn home_draws_the_loop_with_eight_stages_and_the_refine_path() -> Result<()> {
    let app = Home::new().launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    s.find("[data-testid=loop-figure]")?;
    let links = s.find_all("[data-testid=loop-figure] a.stage")?;
    let ids: Vec<String> = links
        .iter()
        .map(|l| s.attribute(l, "data-testid").map(Option::unwrap_or_default))
        .collect::<Result<_>>()?;
    let expected: Vec<String> = STAGES.iter().map(|st| format!("stage-{st}")).collect();
    check(
        ids == expected,
        format!("stages in loop order, got {ids:?}"),
    )?;
    s.find("[data-testid=refine-path]")?;
    let figure = s.text(&s.find("[data-testid=loop-figure]")?)?;
    check(
        figure.contains("Refine & repeat"),
        format!("refine label missing from {figure:?}"),
    )?;
    // The practices are taught with the right definitions.
    let delivery = s.text(&s.find("[data-testid=practice-delivery]")?)?;
    check(
        delivery.contains("a person decides when"),
        format!("delivery text: {delivery}"),
    )?;
    let deployment = s.text(&s.find("[data-testid=practice-deployment]")?)?;
    check(
        deployment.contains("by itself"),
        format!("deployment text: {deployment}"),
    )?;
    Ok(())
}

fn clicking_a_stage_opens_its_page_and_escape_comes_home() -> Result<()> {
    let app = Home::new().launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    // A learner clicks the stage's circle.
    s.click(&s.find("[data-testid=stage-code] circle")?)?;
    let page = s.find("[data-testid=stage-page]")?;
    check(
        s.attribute(&page, "data-stage")?.as_deref() == Some("code"),
        "code page open",
    )?;
    s.wait_text("[data-testid=stage-title]", "the Code title", |t| {
        t == "Code"
    })?;
    let empty = s.text(&s.find("[data-testid=stage-empty]")?)?;
    check(
        empty.contains("Nothing to run here yet"),
        format!("honest empty state, got {empty:?}"),
    )?;
    s.press(ESCAPE)?;
    s.find("[data-testid=home]")?;
    check(
        s.find_all("[data-testid=stage-page]")?.is_empty(),
        "stage page closed",
    )?;
    // Focus returns to the stage the learner left, so the keyboard keeps its place.
    s.wait("focus back on Code", || {
        Ok(s.focused_testid()?.filter(|id| id == "stage-code"))
    })
    .map(drop)
}

fn the_csp_stops_injected_scripts_and_eval() -> Result<()> {
    let app = Home::new().launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    s.find("[data-testid=home]")?;
    let result = s.execute(
        "const el = document.createElement('script');
         el.textContent = 'window.__devloopPwned = true;';
         document.body.appendChild(el);
         let evalRan = false;
         try { evalRan = (0, eval)('true'); } catch (e) { evalRan = false; }
         return { inline: window.__devloopPwned === true, eval: evalRan, tauriGlobal: typeof window.__TAURI__ };",
    )?;
    check(
        result["inline"] == false,
        format!("an injected inline script ran: {result}"),
    )?;
    check(result["eval"] == false, format!("eval ran: {result}"))?;
    check(
        result["tauriGlobal"] == "undefined",
        format!("the global __TAURI__ object is exposed: {result}"),
    )
}

fn arrow_keys_walk_the_loop_and_enter_opens_a_stage() -> Result<()> {
    let app = Home::new().launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    s.find("[data-testid=stage-plan]")?;
    s.execute("document.querySelector('[data-testid=stage-plan]').focus();")?;
    s.press(ARROW_RIGHT)?;
    check(
        s.focused_testid()?.as_deref() == Some("stage-code"),
        format!("→ from Plan focuses Code, got {:?}", s.focused_testid()?),
    )?;
    s.press(ARROW_LEFT)?;
    s.press(ARROW_LEFT)?;
    check(
        s.focused_testid()?.as_deref() == Some("stage-monitor"),
        format!("← wraps to Monitor, got {:?}", s.focused_testid()?),
    )?;
    s.press(ENTER)?;
    s.wait_text("[data-testid=stage-title]", "the Monitor page", |t| {
        t == "Monitor"
    })?;
    Ok(())
}

fn switching_to_korean_changes_the_text_and_survives_a_restart() -> Result<()> {
    let home = Home::new();
    let shots = std::env::var_os("DEVLOOP_SCREENSHOTS").map(PathBuf::from);
    {
        let app = home.launch("en_US.UTF-8", &[])?;
        let s = &app.session;
        home_title_is(s, TITLE_EN)?;
        if let Some(dir) = &shots {
            s.wait_text("[data-testid=status-docker]", "the Docker status", |t| {
                t.contains("API")
            })?;
            save(dir, "home-en.png", &s.screenshot()?)?;
            s.execute("document.querySelector('[data-testid=practices]').scrollIntoView();")?;
            save(dir, "practices-en.png", &s.screenshot()?)?;
            s.execute("document.querySelector('[data-testid=home]').scrollIntoView();")?;
        }
        s.click(&s.find("[data-testid=locale-ko]")?)?;
        home_title_is(s, TITLE_KO)?;
        let plan = s.find("[data-testid=stage-plan]")?;
        let label = s.attribute(&plan, "aria-label")?.unwrap_or_default();
        check(
            label.contains("계획"),
            format!("stage label in Korean, got {label:?}"),
        )?;
        let lang = s.execute("return document.documentElement.lang;")?;
        check(lang == "ko", format!("document language, got {lang}"))?;
        if let Some(dir) = &shots {
            s.wait_text("[data-testid=status-docker]", "the Docker status", |t| {
                t.contains("API")
            })?;
            save(dir, "home-ko.png", &s.screenshot()?)?;
        }
    }
    // Same settings folder, English OS: the learner's choice wins.
    let app = home.launch("en_US.UTF-8", &[])?;
    home_title_is(&app.session, TITLE_KO)?;
    Ok(())
}

fn first_start_follows_the_os_locale() -> Result<()> {
    let app = Home::new().launch("ko_KR.UTF-8", &[])?;
    home_title_is(&app.session, TITLE_KO)?;
    Ok(())
}

fn switching_language_on_a_stage_page_keeps_the_page() -> Result<()> {
    let app = Home::new().launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    s.click(&s.find("[data-testid=stage-test] circle")?)?;
    s.wait_text("[data-testid=stage-title]", "the Test page", |t| {
        t == "Test"
    })?;
    s.click(&s.find("[data-testid=locale-ko]")?)?;
    s.wait_text(
        "[data-testid=stage-title]",
        "the Test page in Korean",
        |t| t == "테스트",
    )?;
    Ok(())
}

fn the_status_bar_shows_docker_connected_and_devloop_doctor_agrees() -> Result<()> {
    let home = Home::new();
    let app = home.launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    let docker = s.wait("Docker to show as connected", || {
        let Some(el) = s
            .find_all("[data-testid=status-docker]")?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        Ok((s.attribute(&el, "data-status")?.as_deref() == Some("pass")).then_some(el))
    })?;
    let shown = s.text(&docker)?;

    let out = Command::new(&Binaries::locate().cli)
        .args(["doctor", "--json"])
        .env("DEVLOOP_CONFIG_DIR", home.config())
        .env("DEVLOOP_WORKSPACE", home.workspace())
        .output()
        .map_err(|e| format!("cannot run devloop: {e}"))?;
    let report: Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("doctor --json: {e}"))?;
    check(
        out.status.success(),
        format!("devloop doctor exits 0 when the app shows all green: {report}"),
    )?;
    let version = report["docker"]["version"]["version"]
        .as_str()
        .unwrap_or("?");
    let api = report["docker"]["version"]["apiVersion"]
        .as_str()
        .unwrap_or("?");
    check(
        shown.contains(version) && shown.contains(&format!("API {api}")),
        format!("status bar {shown:?} vs doctor {version} / API {api}"),
    )
}

fn the_system_check_lists_every_check_and_its_cli_twin() -> Result<()> {
    let app = Home::new().launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    s.click(&s.find("[data-testid=open-system]")?)?;
    s.find("[data-testid=system-page]")?;
    for id in ["docker", "git", "rust", "disk", "workspace"] {
        let row = s.find(&format!("[data-testid=check-{id}]"))?;
        let status = s.attribute(&row, "data-status")?.unwrap_or_default();
        check(
            ["pass", "warn"].contains(&status.as_str()),
            format!("{id} is {status}"),
        )?;
    }
    let cli = s.text(&s.find("[data-testid=system-page] [data-testid=cli-command]")?)?;
    check(cli == "devloop doctor", format!("CLI twin, got {cli:?}"))
}

fn without_docker_the_app_says_so_and_shows_the_fix() -> Result<()> {
    let home = Home::new();
    let socket = home.dir.path().join("no-docker.sock");
    let host = format!("unix://{}", socket.display());
    let app = home.launch("en_US.UTF-8", &[("DOCKER_HOST", OsStr::new(&host))])?;
    let s = &app.session;
    s.wait_text(
        "[data-testid=status-docker]",
        "Docker shown as not reachable",
        |t| t.contains("not reachable"),
    )?;
    s.click(&s.find("[data-testid=open-system]")?)?;
    let problem = s.find("[data-testid=check-docker] [data-testid=problem]")?;
    check(
        s.attribute(&problem, "data-code")?.as_deref() == Some("dockerUnavailable"),
        "the UI branches on the error code",
    )?;
    let text = s.text(&problem)?;
    // The reason itself, from the catalog, rather than the code's general headline.
    check(
        text.contains("There is no Docker socket at")
            && text.contains("the Docker engine is not running, or not installed"),
        format!("the reason, said from the catalog: {text}"),
    )?;
    check(
        text.contains(&socket.display().to_string()),
        format!("names the socket: {text}"),
    )?;
    let verdict = s.text(&s.find("[data-testid=verdict]")?)?;
    check(
        verdict.starts_with("Not ready"),
        format!("verdict: {verdict}"),
    )
}

/// Runs git in the learner's workspace, as the learner would in a terminal.
fn git(dir: &Path, args: &[&str]) -> Result<()> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Learner")
        .env("GIT_AUTHOR_EMAIL", "learner@example.com")
        .env("GIT_COMMITTER_NAME", "Learner")
        .env("GIT_COMMITTER_EMAIL", "learner@example.com")
        .output()
        .map_err(|e| e.to_string())?;
    check(
        out.status.success(),
        format!("git {args:?}: {}", String::from_utf8_lossy(&out.stderr)),
    )
}

fn step_status_is(s: &webdriver::Session, step: &str, status: &str) -> Result<()> {
    let css = format!("[data-testid=step-{step}]");
    s.wait(&format!("step {step} to be {status}"), || {
        let Some(el) = s.find_all(&css)?.into_iter().next() else {
            return Ok(None);
        };
        Ok((s.attribute(&el, "data-status")?.as_deref() == Some(status)).then_some(()))
    })
}

fn open_lesson(s: &webdriver::Session, lesson: &str) -> Result<()> {
    s.click(&s.find("[data-testid=nav-workshop]")?)?;
    s.click(&s.find(&format!("[data-testid=lesson-{lesson}]"))?)?;
    s.find(&format!(
        "[data-testid=lesson-page][data-lesson={lesson}] [data-testid=lesson-body]"
    ))
    .map(drop)
}

fn the_code_lesson_follows_real_commits_and_keeps_progress_after_a_restart() -> Result<()> {
    let home = Home::new();
    let shots = std::env::var_os("DEVLOOP_SCREENSHOTS").map(PathBuf::from);
    {
        let app = home.launch("en_US.UTF-8", &[])?;
        let s = &app.session;
        open_lesson(s, "code")?;
        // The stage's roles stand beside the lesson.
        s.wait_text(
            "[data-testid=lesson-roles]",
            "the DevOps engineer's part",
            |t| t.contains("Keeps the repository healthy"),
        )?;
        // Check before doing anything: a hint, not a pass.
        s.click(&s.find("[data-testid=check-branch]")?)?;
        s.wait_text("[data-testid=hint-branch]", "the hint", |t| {
            t.contains("feature/bold-version")
        })?;
        step_status_is(s, "branch", "fail")?;

        // The learner works in a terminal; the steps follow without a click.
        let ws = home.workspace();
        git(&ws, &["switch", "-c", "feature/bold-version"])?;
        step_status_is(s, "branch", "pass")?;
        let main_rs = ws.join("src/main.rs");
        let code = std::fs::read_to_string(&main_rs).map_err(|e| e.to_string())?;
        std::fs::write(
            &main_rs,
            code.replace(
                "<p>version {VERSION}</p>",
                "<p>version <b>{VERSION}</b></p>",
            ),
        )
        .map_err(|e| e.to_string())?;
        git(&ws, &["commit", "-am", "feat: show the version in bold"])?;
        step_status_is(s, "change", "pass")?;

        // The quiz: a right answer, with its explanation. Clicked through the page: the cards
        // above it change height as their checks report.
        s.find("[data-testid=choice-why-small-merges-a]")?;
        s.execute("document.querySelector('[data-testid=choice-why-small-merges-a]').click(); document.querySelector('[data-testid=answer-why-small-merges]').click();")?;
        s.wait_text(
            "[data-testid=explanation-why-small-merges]",
            "the explanation",
            |t| t.starts_with("Correct."),
        )?;
        step_status_is(s, "why-small-merges", "pass")?;
        if let Some(dir) = &shots {
            save(dir, "lesson-en.png", &s.screenshot()?)?;
        }

        // Switching language mid-lesson keeps the lesson and its progress.
        s.click(&s.find("[data-testid=locale-ko]")?)?;
        s.wait_text("[data-testid=step-branch] h3", "the step in Korean", |t| {
            t == "feature/bold-version 브랜치 만들기"
        })?;
        step_status_is(s, "branch", "pass")?;
        if let Some(dir) = &shots {
            save(dir, "lesson-ko.png", &s.screenshot()?)?;
        }
    }
    // A restart: progress is still there, and the loop shows it on the Code stage.
    let app = home.launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    s.find("[data-testid=stage-progress-code]")?;
    open_lesson(s, "code")?;
    step_status_is(s, "branch", "pass")?;
    step_status_is(s, "change", "pass")?;
    step_status_is(s, "why-small-merges", "pass")?;
    // Not merged yet: never shown as done.
    let merge = s.find("[data-testid=step-merge]")?;
    let status = s.attribute(&merge, "data-status")?.unwrap_or_default();
    check(
        status != "pass",
        format!("merge shows {status} before any merge: {}", s.text(&merge)?),
    )
}

fn a_runnable_command_asks_first_then_shows_its_output() -> Result<()> {
    let home = Home::new();
    let app = home.launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    open_lesson(s, "intro")?;
    s.click(&s.find("[data-testid=lesson-body] [data-testid^=run-block-]")?)?;
    s.find("[data-testid=confirm-dialog]")?;
    s.click(&s.find("[data-testid=confirm-run]")?)?;
    // The output appears right under the block that was run, not at the foot of the page.
    let under = "[data-testid=lesson-body] pre[data-block] + .block-tools + .block-output [data-testid=command-output]";
    let out = s.find(under)?;
    check(
        s.attribute(&out, "data-exit")?.as_deref() == Some("0"),
        "git log exits 0",
    )?;
    s.wait_text(under, "git log output", |t| {
        t.contains("chore: start from the DevLoop demo project")
    })?;
    // After a language switch the re-rendered blocks still have their Copy and Run buttons.
    s.click(&s.find("[data-testid=locale-ko]")?)?;
    s.wait_text("[data-testid=lesson-body]", "the lesson in Korean", |t| {
        t.contains("루프")
    })?;
    s.find("[data-testid=lesson-body] [data-testid^=run-block-]")?;
    // The lesson ends with the way to the next one.
    s.wait_text("[data-testid=next-lesson]", "the next lesson named", |t| {
        t.starts_with("다음 레슨:")
    })?;
    s.click(&s.find("[data-testid=next-lesson]")?)?;
    s.wait("the Plan lesson to open", || {
        let Some(page) = s.find_all("[data-testid=lesson-page]")?.into_iter().next() else {
            return Ok(None);
        };
        Ok((s.attribute(&page, "data-lesson")?.as_deref() == Some("plan")).then_some(()))
    })?;
    s.find("[data-testid=lesson-body] [data-testid^=run-block-]")
        .map(drop)
}

fn the_build_lessons_pipeline_step_runs_devloop_from_do_it_for_me() -> Result<()> {
    let home = Home::new();
    let app = home.launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    open_lesson(s, "build")?;
    // No run yet: the step's first check says so (and its hint appears above the buttons).
    step_status_is(s, "pipeline-green", "fail")?;
    // The solve is `devloop run …`: the CLI beside the app is on the PATH of what it starts.
    s.click(&s.find("[data-testid=solve-pipeline-green]")?)?;
    s.click(&s.find("[data-testid=confirm-run]")?)?;
    step_status_is(s, "pipeline-green", "pass")?;
    s.wait_text(
        "[data-testid=command-output]",
        "the run's own output",
        |t| t.contains("run #1: ci") && t.contains("run Success"),
    )?;
    // The pipeline page has the same run in its history.
    s.click(&s.find("[data-testid=nav-pipeline]")?)?;
    s.wait_text("[data-testid=run-history]", "run #1 in the history", |t| {
        t.contains("#1") && t.contains("succeeded")
    })
    .map(drop)
}

fn the_learner_moves_the_workspace_and_the_workshop_follows() -> Result<()> {
    let home = Home::new();
    let user_home = home.dir.path().join("home");
    std::fs::create_dir_all(&user_home).map_err(|e| e.to_string())?;
    let moved = home.dir.path().join("moved/DevLoop");
    std::fs::create_dir_all(moved.parent().unwrap_or(&moved)).map_err(|e| e.to_string())?;
    let app = home.launch(
        "en_US.UTF-8",
        &[
            ("DEVLOOP_WORKSPACE", OsStr::new("")),
            ("HOME", user_home.as_os_str()),
        ],
    )?;
    let s = &app.session;
    s.click(&s.find("[data-testid=open-system]")?)?;
    s.click(&s.find("[data-testid=workspace-change]")?)?;
    let input = s.find("[data-testid=workspace-input]")?;
    check(
        s.focused_testid()?.as_deref() == Some("workspace-input"),
        "the field takes focus when it opens",
    )?;
    // A relative path is refused with a reason, and nothing changes.
    s.type_text(&input, "relative/DevLoop")?;
    s.click(&s.find("[data-testid=workspace-save]")?)?;
    s.wait_text(
        "[data-testid=check-workspace] [data-testid=problem]",
        "the refusal",
        |t| t.contains("is not a full path"),
    )?;
    s.type_text(&input, &moved.display().to_string())?;
    s.click(&s.find("[data-testid=workspace-save]")?)?;
    s.wait_text("[data-testid=check-workspace]", "the new path", |t| {
        t.contains("moved/DevLoop")
    })?;
    s.click(&s.find("[data-testid=nav-workshop]")?)?;
    s.wait_text(
        "[data-testid=workshop-page]",
        "the workshop in the new place",
        |t| t.contains("moved/DevLoop"),
    )?;
    s.wait("the new workspace to be a repository", || {
        Ok(moved.join(".git").is_dir().then_some(()))
    })
}

fn job_state_is(s: &webdriver::Session, scope: &str, job: &str, state: &str) -> Result<()> {
    let css = format!("{scope} [data-testid=job-{job}]");
    s.wait(&format!("job {job} to be {state}"), || {
        let Some(el) = s.find_all(&css)?.into_iter().next() else {
            return Ok(None);
        };
        Ok((s.attribute(&el, "data-state")?.as_deref() == Some(state)).then_some(()))
    })
}

fn one_click_runs_the_demo_workflow_live_and_cancel_stops_a_long_step() -> Result<()> {
    let home = Home::new();
    let app = home.launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    // The workshop creates the workspace; add a slow workflow beside the demo's own.
    s.click(&s.find("[data-testid=nav-workshop]")?)?;
    s.find("[data-testid=lesson-intro]")?;
    let slow = home.workspace().join(".github/workflows/slow.yml");
    std::fs::write(&slow, "name: slow\non: push\njobs:\n  wait:\n    runs-on: x\n    steps:\n      - run: echo waiting && sleep 600\n")
        .map_err(|e| e.to_string())?;

    s.click(&s.find("[data-testid=nav-pipeline]")?)?;
    let ci = "[data-testid=workflow][data-file='.github/workflows/ci.yml']";
    // The demo workflow builds and tests: that is CI; no release job yet, so no Delivery.
    let present = |practice: &str| -> Result<Option<String>> {
        let el = s.find(&format!("{ci} [data-testid=bracket-{practice}]"))?;
        s.attribute(&el, "data-present")
    };
    check(
        present("integration")?.as_deref() == Some("true"),
        "the CI bracket spans the build and test jobs",
    )?;
    check(
        present("delivery")?.as_deref() == Some("false"),
        "Continuous Delivery is shown as not there yet",
    )?;
    let build = s.find(&format!("{ci} [data-testid=job-build]"))?;
    check(
        s.attribute(&build, "data-stage")?.as_deref() == Some("build"),
        "the build job sits on the loop's Build stage",
    )?;
    s.click(&s.find(&format!("{ci} [data-testid=run-workflow]"))?)?;
    // A log line arrives while the build is still going: test has not started yet.
    s.wait_text("[data-testid=run-log]", "the first log line", |t| {
        !t.trim().is_empty()
    })?;
    let test_job = s.find(&format!("{ci} [data-testid=job-test]"))?;
    let early = s.attribute(&test_job, "data-state")?.unwrap_or_default();
    check(
        early == "queued" || early == "running",
        format!("the log streamed live (test was {early})"),
    )?;
    job_state_is(s, ci, "build", "success")?;
    job_state_is(s, ci, "test", "success")?;
    s.wait_text("[data-testid=run-history]", "the run in the history", |t| {
        t.contains("#1")
    })?;
    if let Some(dir) = std::env::var_os("DEVLOOP_SCREENSHOTS") {
        save(Path::new(&dir), "pipeline-en.png", &s.screenshot()?)?;
    }

    // Back on the loop, Build and Test show the run's result.
    s.click(&s.find("[data-testid=back-home], a[href='#/']")?)?;
    let dot = s.find("[data-testid=stage-run-build]")?;
    check(
        s.attribute(&dot, "data-status")?.as_deref() == Some("success"),
        "the loop shows the green run on Build",
    )?;
    s.click(&s.find("[data-testid=nav-pipeline]")?)?;

    let slow_wf = "[data-testid=workflow][data-file='.github/workflows/slow.yml']";
    s.click(&s.find(&format!("{slow_wf} [data-testid=run-workflow]"))?)?;
    job_state_is(s, slow_wf, "wait", "running")?;
    let started = std::time::Instant::now();
    s.click(&s.find(&format!("{slow_wf} [data-testid=cancel-run]"))?)?;
    job_state_is(s, slow_wf, "wait", "cancelled")?;
    check(
        started.elapsed() < std::time::Duration::from_secs(5),
        format!("cancel took {:?}", started.elapsed()),
    )
}

fn a_commit_that_breaks_a_test_turns_the_push_run_red_at_the_test_job() -> Result<()> {
    let bus = NotificationBus::start()?;
    let home = Home::new();
    let app = home.launch(
        "en_US.UTF-8",
        &[("DBUS_SESSION_BUS_ADDRESS", OsStr::new(&bus.address))],
    )?;
    let s = &app.session;
    s.click(&s.find("[data-testid=nav-pipeline]")?)?;
    let ci = "[data-testid=workflow][data-file='.github/workflows/ci.yml']";
    s.find(ci)?;
    // The learner breaks the health endpoint's unit test and commits on main: a push.
    let ws = home.workspace();
    let main_rs = ws.join("src/main.rs");
    let code = std::fs::read_to_string(&main_rs).map_err(|e| e.to_string())?;
    std::fs::write(
        &main_rs,
        code.replace("\"ok\\n\".to_owned()", "\"not ok\\n\".to_owned()"),
    )
    .map_err(|e| e.to_string())?;
    git(
        &ws,
        &["commit", "-am", "fix: a health body that breaks the test"],
    )?;
    job_state_is(s, ci, "build", "success")?;
    job_state_is(s, ci, "test", "failure")?;
    // Nobody pressed anything, so the desktop says main went red, and where.
    s.wait("the failed run's notification", || {
        let said = bus.said();
        Ok((said.contains("DevLoop: a push run failed")
            && said.contains(".github/workflows/ci.yml run #")
            && said.contains("failed at job test"))
        .then_some(()))
    })?;
    // The run opens on its red job by itself, and that log names the test that failed.
    s.wait("the red job's log shown without a click", || {
        let Some(log) = s.find_all("[data-testid=run-log]")?.into_iter().next() else {
            return Ok(None);
        };
        Ok(s.attribute(&log, "aria-label")?
            .is_some_and(|l| l.ends_with("· test"))
            .then_some(()))
    })?;
    s.wait_text(
        "[data-testid=run-log]",
        "the failing test in the log",
        |t| t.contains("health_answers_ok"),
    )?;
    // Away and back: the graph shows that run's results, not "not run yet".
    s.click(&s.find("[data-testid=nav-workshop]")?)?;
    s.find("[data-testid=lesson-intro]")?;
    s.click(&s.find("[data-testid=nav-pipeline]")?)?;
    job_state_is(s, ci, "build", "success")?;
    job_state_is(s, ci, "test", "failure")?;
    // A box of that run opens its log from the history.
    s.click(&s.find(&format!("{ci} [data-testid=job-test]"))?)?;
    s.wait_text(
        "[data-testid=run-log]",
        "the failing test in the stored log",
        |t| t.contains("health_answers_ok"),
    )?;
    // "Re-run failed jobs", with its terminal twin: build is kept from the red run, and only
    // test runs again (and fails again: the commit is still broken).
    let panel = s.find("[data-testid=run-panel]")?;
    let first = s.attribute(&panel, "data-number")?.unwrap_or_default();
    s.wait_text(
        "[data-testid=run-panel]",
        "the failed-jobs re-run's terminal twin",
        |t| t.contains(&format!("devloop run --rerun {first} --failed")),
    )?;
    s.click(&s.find("[data-testid=rerun-failed]")?)?;
    s.wait("the re-run's panel", || {
        let Some(panel) = s.find_all("[data-testid=run-panel]")?.into_iter().next() else {
            return Ok(None);
        };
        let number = s.attribute(&panel, "data-number")?.unwrap_or_default();
        let status = s.attribute(&s.find("[data-testid=run-status]")?, "class")?;
        Ok((number != first && status.is_some_and(|c| c.contains("status-failure"))).then_some(()))
    })?;
    s.click(&s.find("[data-testid=run-job-build]")?)?;
    s.wait_text(
        "[data-testid=run-log]",
        "build kept from the red run",
        |t| t.contains(&format!("kept from run #{first}, where it succeeded")),
    )?;
    // "Open a shell where it failed": a terminal opens on a shell in the failed step's
    // folder, with the step's environment; the same as `devloop shell N --job test`.
    let panel = s.find("[data-testid=run-panel]")?;
    let again = s.attribute(&panel, "data-number")?.unwrap_or_default();
    s.wait_text(
        "[data-testid=run-panel]",
        "the shell's terminal twin",
        |t| t.contains(&format!("devloop shell {again} --job test")),
    )?;
    s.click(&s.find("[data-testid=shell-test]")?)?;
    let (terminal, shell) = s.wait("a terminal with the step's shell", || {
        let all = processes();
        let Some(devloop) = all.iter().find(|p| {
            p.args.len() >= 5 && p.args[1..5] == ["shell", again.as_str(), "--job", "test"]
        }) else {
            return Ok(None);
        };
        Ok(all
            .iter()
            .find(|p| p.ppid == devloop.pid && p.args.first().is_some_and(|a| a == "bash"))
            .map(|bash| (devloop.ppid, bash.pid)))
    })?;
    let cwd = std::fs::read_link(format!("/proc/{shell}/cwd")).map_err(|e| e.to_string())?;
    let environ = std::fs::read(format!("/proc/{shell}/environ")).map_err(|e| e.to_string())?;
    let _ = Command::new("kill").arg(terminal.to_string()).status();
    check(
        cwd.ends_with(format!("runs/{again}/work/test")),
        format!("the shell runs in {}", cwd.display()),
    )?;
    check(
        environ.split(|b| *b == 0).any(|v| v == b"GITHUB_JOB=test"),
        "the shell has the step's environment",
    )
}

/// A process of this machine: its id, its parent's, and its arguments.
struct Process {
    pid: u32,
    ppid: u32,
    args: Vec<String>,
}

fn processes() -> Vec<Process> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // `pid (name) state ppid …`: the name may hold spaces, so read after its `)`.
            let ppid = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let args = cmdline
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            Some(Process { pid, ppid, args })
        })
        .collect()
}

/// The workspace's workflows, written as the learner would, after the workshop created it.
fn with_workflow(home: &Home, s: &webdriver::Session, name: &str, yaml: &str) -> Result<()> {
    s.click(&s.find("[data-testid=nav-workshop]")?)?;
    s.find("[data-testid=lesson-intro]")?;
    std::fs::write(home.workspace().join(".github/workflows").join(name), yaml)
        .map_err(|e| e.to_string())?;
    s.click(&s.find("[data-testid=nav-pipeline]")?)?;
    Ok(())
}

fn a_million_log_lines_stay_smooth_and_searchable() -> Result<()> {
    let home = Home::new();
    let app = home.launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    with_workflow(
        &home,
        s,
        "flood.yml",
        "name: flood\non: workflow_dispatch\njobs:\n  flood:\n    runs-on: x\n    steps:\n      - run: seq 1 1000000\n",
    )?;
    let wf = "[data-testid=workflow][data-file='.github/workflows/flood.yml']";
    let started = std::time::Instant::now();
    s.click(&s.find(&format!("{wf} [data-testid=run-workflow]"))?)?;
    job_state_is(s, wf, "flood", "success")?;
    // The step title plus a million lines, all in the view's buffer...
    s.wait("every line in the view", || {
        let log = s.find("[data-testid=run-log]")?;
        Ok((s.attribute(&log, "data-lines")?.as_deref() == Some("1000001")).then_some(()))
    })?;
    eprintln!("1,000,000 lines shown after {:?}", started.elapsed());
    // ...but only a screenful of rows in the page, following the newest line.
    let rows = s.find_all("[data-testid=run-log] .row")?.len();
    check(rows > 0 && rows < 200, format!("{rows} rows in the DOM"))?;
    s.wait_text("[data-testid=run-log]", "the last line in sight", |t| {
        t.contains("1000000")
    })?;
    // Search jumps to a line in the middle.
    let search = s.find("[data-testid=log-search]")?;
    s.type_text(&search, "654321")?;
    s.wait_text("[data-testid=log-hits]", "one match", |t| {
        t.contains("1 of 1")
    })?;
    s.wait("the match in sight", || {
        Ok(s.find_all("[data-testid=run-log] .row.current")?
            .into_iter()
            .next())
    })
    .and_then(|row| {
        let text = s.text(&row)?;
        check(
            text.ends_with("654321"),
            format!("the current row is {text}"),
        )
    })
}

fn inputs_artifacts_and_a_summary_show_and_a_rerun_repeats_the_run() -> Result<()> {
    let home = Home::new();
    let app = home.launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    with_workflow(
        &home,
        s,
        "ship.yml",
        r###"name: ship
on:
  workflow_dispatch:
    inputs:
      target:
        type: choice
        options: [staging, production]
        default: staging
jobs:
  package:
    runs-on: x
    steps:
      - run: mkdir -p out && echo "for ${{ inputs.target }}" > out/notes.txt
      - uses: actions/upload-artifact@v4
        with:
          name: notes-${{ inputs.target }}
          path: out/
      - run: |
          echo "## Shipped to ${{ inputs.target }}" >> $GITHUB_STEP_SUMMARY
          echo '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">' >> $GITHUB_STEP_SUMMARY
"###,
    )?;
    let wf = "[data-testid=workflow][data-file='.github/workflows/ship.yml']";
    // The form offers the choice; the CLI twin follows what is picked.
    s.find(&format!("{wf} [data-testid=input-target]"))?;
    s.execute(&format!(
        "const el = document.querySelector(\"{wf} [data-testid=input-target]\"); el.value = 'production'; el.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    ))?;
    s.wait_text(
        &format!("{wf} [data-testid=cli-command]"),
        "the input in the CLI twin",
        |t| t.contains("--input target=production"),
    )?;
    s.click(&s.find(&format!("{wf} [data-testid=run-workflow]"))?)?;
    job_state_is(s, wf, "package", "success")?;
    let panel = s.wait_text(
        "[data-testid=run-panel]",
        "the finished run's details",
        |t| t.contains("notes-production") && t.contains("target=production"),
    )?;
    check(
        panel.contains("Shipped to production"),
        "the step summary is shown",
    )?;
    let pwned =
        s.execute("return window.__pwned === undefined ? null : String(window.__pwned);")?;
    check(
        pwned.is_null(),
        format!("the summary ran a script: {pwned}"),
    )?;
    check(
        home.data()
            .join("runs/1/artifacts/notes-production/notes.txt")
            .is_file(),
        "the artifact is kept with the run",
    )?;
    if let Some(dir) = std::env::var_os("DEVLOOP_SCREENSHOTS") {
        s.execute("document.querySelector('[data-testid=run-log]').closest('section').scrollIntoView({ block: 'start' });")?;
        save(Path::new(&dir), "pipeline-run-en.png", &s.screenshot()?)?;
    }

    s.click(&s.find("[data-testid=rerun]")?)?;
    s.wait_text(
        "[data-testid=run-history]",
        "the re-run in the history",
        |t| t.contains("#2") && t.contains("re-run of #1"),
    )?;
    s.wait_text(
        "[data-testid=run-panel]",
        "the re-run kept the input",
        |t| t.contains("Run #2") && t.contains("succeeded") && t.contains("notes-production"),
    )?;
    // Filters narrow the history.
    let branch = s.find("[data-testid=filter-branch]")?;
    s.type_text(&branch, "no-such-branch")?;
    s.wait_text(
        "[data-testid=pipeline-page]",
        "the empty filter result",
        |t| t.contains("No run matches these filters."),
    )
    .map(drop)
}

/// Removes the demo images a test released, pass or fail; the test refuses to start where
/// such an image already exists, so nothing a learner made is touched.
struct DemoImages(Vec<String>);
impl Drop for DemoImages {
    fn drop(&mut self) {
        for image in &self.0 {
            let _ = Command::new("docker").args(["rmi", "-f", image]).output();
        }
    }
}

/// The demo's static binary, built in the workspace as the Release lesson does it.
/// A loopback address nothing listens on, for the app's deploy proxy in one test.
fn free_loopback_addr() -> Result<String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.to_string())
        .map_err(|e| e.to_string())
}

/// Releases the demo from the Releases page, as a learner would: nothing is built by hand
/// first, since the release builds its commit in a clean checkout. Returns the released
/// commit's short sha.
fn release_the_demo(home: &Home, s: &webdriver::Session) -> Result<String> {
    // The workshop makes the workspace.
    s.click(&s.find("[data-testid=nav-workshop]")?)?;
    s.find("[data-testid=lesson-intro]")?;
    let ws = home.workspace();
    let sha = String::from_utf8_lossy(
        &Command::new("git")
            .args(["rev-parse", "--short=7", "HEAD"])
            .current_dir(&ws)
            .output()
            .map_err(|e| e.to_string())?
            .stdout,
    )
    .trim()
    .to_owned();
    s.click(&s.find("[data-testid=nav-releases]")?)?;
    s.wait_text(
        "[data-testid=release-plan]",
        "the proposed first version",
        |t| t.contains("The next release of loop-service") && t.contains("No release yet"),
    )?;
    check(
        s.execute("return document.querySelector('[data-testid=release-version]').value;")?
            .as_str()
            == Some("0.1.0"),
        "0.1.0 is proposed",
    )?;
    s.click(&s.find("[data-testid=create-release]")?)?;
    s.wait_text("[data-testid=release-made]", "the release made", |t| {
        t.contains("loop-service 0.1.0 is released.")
    })?;
    s.wait_text(
        "[data-testid=releases-list]",
        "the release in the list",
        |t| t.contains("loop-service 0.1.0") && t.contains(&sha),
    )?;
    Ok(sha)
}

fn a_release_from_the_releases_page_builds_tags_and_lists_it() -> Result<()> {
    let taken = Command::new("docker")
        .args(["images", "-q", "loop-service:0.1.0"])
        .output()
        .map_err(|e| e.to_string())?;
    check(
        taken.stdout.is_empty(),
        "an image loop-service:0.1.0 exists on this machine; this test will not touch it",
    )?;
    let home = Home::new();
    let app = home.launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    let sha = release_the_demo(&home, s)?;
    let _cleanup = DemoImages(vec![
        "loop-service:0.1.0".into(),
        format!("loop-service:{sha}"),
    ]);
    let ws = home.workspace();
    if let Some(dir) = std::env::var_os("DEVLOOP_SCREENSHOTS") {
        save(Path::new(&dir), "releases-en.png", &s.screenshot()?)?;
    }
    // Real effects: the git tag, the image with both tags, the archive.
    let tags = Command::new("git")
        .args(["tag", "-l"])
        .current_dir(&ws)
        .output()
        .map_err(|e| e.to_string())?;
    check(
        String::from_utf8_lossy(&tags.stdout).trim() == "v0.1.0",
        "the commit is tagged v0.1.0",
    )?;
    for image in [
        "loop-service:0.1.0".to_owned(),
        format!("loop-service:{sha}"),
    ] {
        let out = Command::new("docker")
            .args(["images", "-q", &image])
            .output()
            .map_err(|e| e.to_string())?;
        check(!out.stdout.is_empty(), format!("{image} exists"))?;
    }
    check(
        home.data()
            .join("releases/loop-service-0.1.0.tar")
            .is_file(),
        "the archive is saved",
    )?;
    // With the release made, the next plan starts from it.
    s.wait_text(
        "[data-testid=release-plan]",
        "the plan after the release",
        |t| t.contains("Last release 0.1.0") && t.contains("already released as 0.1.0"),
    )?;
    let button = s.find("[data-testid=create-release]")?;
    check(
        s.attribute(&button, "disabled")?.is_some(),
        "nothing new: Create release is off",
    )
}

/// Removes the containers a test deployed, pass or fail: only DevLoop's (the deploy label).
struct DemoContainers;
impl Drop for DemoContainers {
    fn drop(&mut self) {
        let ids = Command::new("docker")
            .args([
                "ps",
                "-aq",
                "--filter",
                "label=dev.devloop.app=loop-service",
                "--filter",
                "label=dev.devloop.deploy",
            ])
            .output();
        if let Ok(ids) = ids {
            for id in String::from_utf8_lossy(&ids.stdout).split_whitespace() {
                let _ = Command::new("docker").args(["rm", "-f", id]).output();
            }
        }
    }
}

fn a_release_deployed_blue_green_answers_on_the_stable_address_and_a_broken_one_rolls_back(
) -> Result<()> {
    let demo = DemoApp::launch()?;
    let (home, addr, s) = (&demo.home, demo.addr.as_str(), &demo.app.session);
    release_the_demo(home, s)?;

    s.click(&s.find("[data-testid=nav-deploy]")?)?;
    s.wait_text("[data-testid=deploy-live]", "nothing live yet", |t| {
        t.contains("Nothing of loop-service is live yet")
    })?;
    // The page's text names the address the service really answers on, not the default.
    s.wait_text(
        "[data-testid=deploy-intro]",
        "the real stable address",
        |t| t.contains(&format!("({addr})")),
    )?;
    s.click(&s.find("[data-testid=strategy-blueGreen]")?)?;
    s.wait_text(
        "[data-testid=deploy-page]",
        "the CLI twin of the deploy",
        |t| t.contains("devloop deploy --version 0.1.0 --strategy blue-green --replicas 2"),
    )?;
    s.click(&s.find("[data-testid=deploy-run]")?)?;
    s.wait_text("[data-testid=deploy-live]", "0.1.0 live", |t| {
        t.contains("loop-service 0.1.0 is live")
    })?;
    check(
        s.find_all("[data-testid=replica]")?.len() == 2,
        "two replicas take the traffic",
    )?;
    // The stable address answers with the version, as curl shows a learner.
    let out = Command::new("curl")
        .args(["-s", "--max-time", "3", &format!("http://{addr}/")])
        .output()
        .map_err(|e| e.to_string())?;
    let body = String::from_utf8_lossy(&out.stdout);
    check(
        body.contains("version 0.1.0"),
        format!("curl {addr}: {body}"),
    )?;
    s.wait_text(
        "[data-testid=deploy-history]",
        "the deploy in the history",
        |t| t.contains("0.1.0") && t.contains("live"),
    )?;
    if let Some(dir) = std::env::var_os("DEVLOOP_SCREENSHOTS") {
        save(Path::new(&dir), "deploy-en.png", &s.screenshot()?)?;
    }
    // Published on loopback only.
    let ports = Command::new("docker")
        .args([
            "ps",
            "--filter",
            "label=dev.devloop.app=loop-service",
            "--format",
            "{{.Ports}}",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    let ports = String::from_utf8_lossy(&ports.stdout);
    check(
        ports.lines().count() == 2 && ports.lines().all(|l| l.starts_with("127.0.0.1:")),
        format!("ports: {ports}"),
    )?;

    // A fix that breaks the health endpoint, released as 0.1.1 and deployed: it never takes
    // traffic, rolls back by itself, and 0.1.0 stays live.
    let ws = home.workspace();
    let main_rs = ws.join("src/main.rs");
    let code = std::fs::read_to_string(&main_rs).map_err(|e| e.to_string())?;
    std::fs::write(
        &main_rs,
        code.replace(
            "(\"GET\", \"/health\") => (200,",
            "(\"GET\", \"/health\") => (500,",
        ),
    )
    .map_err(|e| e.to_string())?;
    // Committed, not built: the release builds the commit itself. A release made from the
    // folder's earlier build would be healthy, and would not roll back.
    git(&ws, &["commit", "-qam", "fix: a health check that fails"])?;
    s.click(&s.find("[data-testid=nav-releases]")?)?;
    s.wait_text("[data-testid=release-plan]", "0.1.1 proposed", |t| {
        t.contains("Last release 0.1.0") && t.contains("commits since: 1")
    })?;
    s.click(&s.find("[data-testid=create-release]")?)?;
    s.wait_text("[data-testid=release-made]", "0.1.1 released", |t| {
        t.contains("loop-service 0.1.1 is released.")
    })?;
    s.click(&s.find("[data-testid=nav-deploy]")?)?;
    s.find("[data-testid=deploy-version]")?;
    s.execute("const v = document.querySelector('[data-testid=deploy-version]'); v.value = '0.1.1'; v.dispatchEvent(new Event('change', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=deploy-run]")?)?;
    s.wait_text(
        "[data-testid=deploy-page]",
        "the rollback and its reason",
        |t| {
            // What failed, what the check found, and what still serves, in that order.
            t.contains("loop-service 0.1.1 failed its health check (/health).")
                && t.contains("the health check expects 200")
                && t.contains("loop-service 0.1.0 is still live")
        },
    )?;
    s.wait_text("[data-testid=deploy-live]", "0.1.0 still live", |t| {
        t.contains("loop-service 0.1.0 is live")
    })?;
    s.wait_text(
        "[data-testid=deploy-history]",
        "the rollback in the history, its reason from the catalog",
        |t| t.contains("rolled back") && t.contains("the health check expects 200"),
    )?;
    let out = Command::new("curl")
        .args(["-s", "--max-time", "3", &format!("http://{addr}/health")])
        .output()
        .map_err(|e| e.to_string())?;
    check(
        String::from_utf8_lossy(&out.stdout) == "ok\n",
        "the old version still answers its health check",
    )?;
    // The releases page says which release runs: 0.1.0, not the one rolled back.
    s.click(&s.find("[data-testid=nav-releases]")?)?;
    s.wait("0.1.0 marked live", || {
        let live = s.find_all("[data-live=true]")?;
        Ok(
            (live.len() == 1 && s.attribute(&live[0], "data-version")?.as_deref() == Some("0.1.0"))
                .then_some(()),
        )
    })?;
    // The rollback, one click from the plan: a bug item with the reason.
    s.click(&s.find("[data-testid=nav-deploy]")?)?;
    let row = "[data-testid=deploy-history] tr[data-status=rolled-back] [data-testid=to-plan]";
    s.click(&s.find(row)?)?;
    s.wait_text("[data-testid=planned]", "the bug item", |t| {
        t.contains("#1")
    })?;
    s.click(&s.find("[data-testid=nav-plan]")?)?;
    s.wait_text(
        "[data-testid=column-backlog]",
        "the rollback as a bug",
        |t| {
            t.contains("#1")
                && t.contains("loop-service 0.1.1 rolled-back")
                && t.contains("deploy #")
        },
    )
    .map(drop)
}

fn chaos_is_healed_and_peak_traffic_makes_the_autoscaler_add_a_replica() -> Result<()> {
    let demo = DemoApp::launch()?;
    let (home, addr, s) = (&demo.home, demo.addr.as_str(), &demo.app.session);
    release_the_demo(home, s)?;
    s.click(&s.find("[data-testid=nav-deploy]")?)?;
    s.find("[data-testid=deploy-run]")?;
    s.execute("const r = document.querySelector('[data-testid=deploy-replicas]'); r.value = '1'; r.dispatchEvent(new Event('input', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=deploy-run]")?)?;
    s.wait_text("[data-testid=deploy-live]", "0.1.0 live", |t| {
        t.contains("loop-service 0.1.0 is live")
    })?;

    s.click(&s.find("[data-testid=nav-operate]")?)?;
    let count = |s: &webdriver::Session| -> Result<Option<String>> {
        let el = s.find("[data-testid=operate-replicas]")?;
        s.attribute(&el, "data-count")
    };
    s.wait("one replica", || {
        Ok((count(s)?.as_deref() == Some("1")).then_some(()))
    })?;
    // Its output, live: the line the service prints when it starts.
    s.click(&s.find("[data-testid=replica-logs]")?)?;
    s.wait_text("[data-testid=run-log]", "the replica's own output", |t| {
        t.contains("loop-service 0.1.0 listening on port 8080")
    })?;
    // Chaos: the replica dies; within seconds another one answers, and the log says so.
    s.click(&s.find("[data-testid=chaos]")?)?;
    s.wait_text("[data-testid=ops-log]", "the heal in the log", |t| {
        t.contains("killed") && t.contains("replaced it in")
    })?;
    let out = Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "3",
            &format!("http://{addr}/"),
        ])
        .output()
        .map_err(|e| e.to_string())?;
    check(
        String::from_utf8_lossy(&out.stdout) == "200",
        "healed: the service answers",
    )?;

    // The autoscaler on, with a low target; then peak traffic.
    s.click(&s.find("[data-testid=autoscaler-on]")?)?;
    s.execute("const t = document.querySelector('[data-testid=autoscaler-target]'); t.value = '20'; t.dispatchEvent(new Event('input', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=autoscaler-save]")?)?;
    s.execute("const r = document.querySelector('[data-testid=load-rps]'); r.value = '120'; r.dispatchEvent(new Event('input', { bubbles: true })); const d = document.querySelector('[data-testid=load-duration]'); d.value = '8'; d.dispatchEvent(new Event('input', { bubbles: true }));")?;
    s.wait_text("[data-testid=operate-page]", "the load's CLI twin", |t| {
        t.contains("devloop load --rps 120 --duration 8")
    })?;
    s.click(&s.find("[data-testid=load-run]")?)?;
    s.wait("the autoscaler to add a replica", || {
        Ok(count(s)?
            .and_then(|c| c.parse::<u32>().ok())
            .filter(|c| *c >= 2))
    })?;
    s.wait_text(
        "[data-testid=autoscaler-decisions]",
        "the decision and its reason",
        |t| t.contains("per replica"),
    )?;
    s.wait_text("[data-testid=ops-log]", "the load run in the log", |t| {
        t.contains("simulated peak traffic: 120 requests/s for 8 s")
    })?;
    // The Operate lesson's check reads the same log: the autoscaler answered a load run.
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workshops/devops-loop");
    let pack = pack.to_string_lossy();
    home.devloop(addr, &["lesson", "check", &pack, "operate", "autoscaled"])?;

    // A terminal acts through the app, which runs the service: no second proxy, no clash.
    let off = home.devloop(addr, &["autoscale", "--off"])?;
    check(off.contains("autoscaler off"), off.clone())?;
    // 5: more than the autoscaler's maximum of 4, so this is surely the terminal's doing.
    let scaled = home.devloop(addr, &["scale", "5"])?;
    check(
        scaled.contains("(5 replica(s)), run by DevLoop process"),
        scaled.clone(),
    )?;
    s.wait("the page to show the terminal's scale", || {
        Ok((count(s)?.as_deref() == Some("5")).then_some(()))
    })?;
    s.wait_text(
        "[data-testid=ops-log]",
        "the terminal's scale in the log",
        |t| t.contains("by hand, from a terminal"),
    )?;
    // In Korean, the log is Korean too (the notifications follow the same choice).
    s.click(&s.find("[data-testid=locale-ko]")?)?;
    s.wait_text("[data-testid=ops-log]", "the log in Korean", |t| {
        t.contains("터미널에서 직접") && t.contains("최대 트래픽 흉내")
    })
    .map(drop)
}

/// Writes what went well and one improvement in the Refine page's retrospective.
fn retro_notes(s: &webdriver::Session, well: &str, improve: &str) -> Result<()> {
    s.type_text(&s.find("[data-testid=note-well]")?, well)?;
    s.click(&s.find("[data-testid=note-add-well]")?)?;
    s.type_text(&s.find("[data-testid=note-improve]")?, improve)?;
    s.click(&s.find("[data-testid=note-add-improve]")?)
}

/// A pipeline through the whole Dev half of the loop and into production.
const DELIVERY: &str = r#"name: delivery
on:
  push:
    branches: [main]
  workflow_dispatch:
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cargo build --release --locked
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cargo test --locked
  release:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Static binary for the image
        run: cargo build --release --locked --target x86_64-unknown-linux-gnu
        env:
          RUSTFLAGS: -C target-feature=+crt-static
      - uses: devloop/release@v1
  deploy:
    needs: release
    runs-on: ubuntu-latest
    steps:
      - uses: devloop/deploy@v1
        with:
          replicas: 1
"#;

fn one_click_runs_build_test_release_and_deploy_and_delivery_waits_for_a_person() -> Result<()> {
    let demo = DemoApp::launch()?;
    let (home, addr, s) = (&demo.home, demo.addr.as_str(), &demo.app.session);
    with_workflow(home, s, "delivery.yml", DELIVERY)?;
    let wf = "[data-testid=workflow][data-file='.github/workflows/delivery.yml']";
    // Every practice has its jobs here: the brackets say so.
    for practice in ["integration", "delivery", "deployment"] {
        let el = s.find(&format!("{wf} [data-testid=bracket-{practice}]"))?;
        check(
            s.attribute(&el, "data-present")?.as_deref() == Some("true"),
            format!("{practice} is in this workflow"),
        )?;
    }
    // One click: a person's run, so the deploy at its end goes ahead.
    s.click(&s.find(&format!("{wf} [data-testid=run-workflow]"))?)?;
    for job in ["build", "test", "release", "deploy"] {
        job_state_is(s, wf, job, "success")?;
    }
    let out = Command::new("curl")
        .args(["-s", "--max-time", "3", &format!("http://{addr}/")])
        .output()
        .map_err(|e| e.to_string())?;
    check(
        String::from_utf8_lossy(&out.stdout).contains("loop-service"),
        format!("the service answers on {addr}"),
    )?;

    // A commit on main under Continuous Delivery: the run releases 0.1.1, then waits.
    git(
        &home.workspace(),
        &["add", ".github/workflows/delivery.yml"],
    )?;
    git(
        &home.workspace(),
        &["commit", "-qm", "ci: deliver from the pipeline"],
    )?;
    s.wait_text("[data-testid=run-history]", "the push run done", |t| {
        t.lines()
            .any(|l| l.contains("delivery.yml") && l.contains("push"))
            && !t.contains("running")
    })?;
    s.click(&s.find("[data-testid=nav-deploy]")?)?;
    s.wait_text("[data-testid=deploy-live]", "0.1.0 still live", |t| {
        t.contains("loop-service 0.1.0 is live")
    })?;
    let mode = s.find("[data-testid=deploy-mode]")?;
    check(
        s.attribute(&mode, "data-continuous")?.as_deref() == Some("false"),
        "Continuous Delivery is the default",
    )?;
    s.wait_text(
        "[data-testid=deploy-waiting]",
        "0.1.1 waits for a person",
        |t| t.contains("loop-service 0.1.1"),
    )?;
    // The person's click: the manual gate of Continuous Delivery.
    s.click(&s.find("[data-testid='approve-0.1.1']")?)?;
    s.wait_text(
        "[data-testid=deploy-live]",
        "0.1.1 live after the click",
        |t| t.contains("loop-service 0.1.1 is live"),
    )?;
    s.wait_text(
        "[data-testid=deploy-history]",
        "the candidate approved",
        |t| t.contains("deployed by a person"),
    )?;
    // Switching to Continuous Deployment shows on the pipeline page too.
    s.click(&s.find("[data-testid=continuous-deployment]")?)?;
    s.click(&s.find("[data-testid=nav-pipeline]")?)?;
    s.wait("the pipeline page to say Continuous Deployment", || {
        let Some(badge) = s.find_all("[data-testid=mode-badge]")?.into_iter().next() else {
            return Ok(None);
        };
        Ok((s.attribute(&badge, "data-continuous")?.as_deref() == Some("true")).then_some(()))
    })?;

    // Closing the loop: an alert becomes a bug in the plan with one click, a commit fixes it,
    // Continuous Deployment takes it live, and the item is done by itself; Refine counts the
    // change's lead time.
    home.devloop(addr, &["plan", "sprint", "Sprint 1", "--days", "7"])?;
    let port = free_loopback_addr()?
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse::<u16>().ok())
        .ok_or("a free port")?;
    // Nothing answers there: ProbeDown fires.
    home.devloop(
        addr,
        &["probes", &format!("http://127.0.0.1:{port}/health")],
    )?;
    s.click(&s.find("[data-testid=nav-monitor]")?)?;
    s.wait("ProbeDown to fire", || {
        Ok(
            s.find_all(
                "[data-testid=alert-active][data-rule=ProbeDown] [data-testid=add-to-plan]",
            )?
            .into_iter()
            .next(),
        )
    })?;
    s.click(&s.find("[data-testid=add-to-plan]")?)?;
    s.wait_text("[data-testid=planned]", "the alert as bug #1", |t| {
        t.contains("bug #1")
    })?;
    git(
        &home.workspace(),
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "fix #1: probe the address the service answers on",
        ],
    )?;
    s.click(&s.find("[data-testid=nav-pipeline]")?)?;
    s.wait_text("[data-testid=run-history]", "the fix's run done", |t| {
        // The first run by hand, then two pushes of delivery.yml.
        t.matches("delivery.yml").count() >= 3 && !t.contains("running")
    })?;
    s.click(&s.find("[data-testid=nav-plan]")?)?;
    s.wait_text("[data-testid=column-done]", "#1 done by itself", |t| {
        t.contains("#1") && t.contains("ProbeDown on probe.up")
    })?;
    s.click(&s.find("[data-testid=nav-refine]")?)?;
    s.wait_text("[data-testid=dora-lead-time]", "the fix's lead time", |t| {
        t.contains("median")
    })?;
    // The fix for what production raised was unplanned work: rework, and counted as such.
    s.wait_text(
        "[data-testid=dora-rework-of]",
        "the fix counted as rework",
        |t| t.starts_with("1 of "),
    )?;
    // At the default window size every chart fits its card.
    let overflowing = s.execute(
        "return [...document.querySelectorAll('[data-testid=refine-page] .card')]\
           .filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.dataset.testid);",
    )?;
    check(
        overflowing.as_array().is_some_and(Vec::is_empty),
        format!("cards whose chart overflows: {overflowing}"),
    )?;

    // The retrospective of the first round: what went well, and one improvement, which
    // becomes item #2.
    retro_notes(
        s,
        "The fix went live by itself",
        "Show the live version in the page title",
    )?;
    s.wait_text(
        "[data-testid=notes-improve]",
        "the improvement as item #2",
        |t| t.contains("Show the live version in the page title #2"),
    )?;
    s.wait_text("[data-testid=retro]", "the note's CLI twin", |t| {
        t.contains("devloop retro --sprint 1 --improve 'Show the live version in the page title'")
    })?;
    s.wait_text(
        "[data-testid=retro-frequency]",
        "the sprint's deploys",
        |t| t.contains("a day"),
    )?;

    // The second round starts from it: the sprint ends, the next one brings #2 in.
    s.click(&s.find("[data-testid=nav-plan]")?)?;
    s.click(&s.find("[data-testid=sprint-end]")?)?;
    // Ending a sprint is asked first, with its CLI twin.
    s.wait_text("[data-testid=confirm-dialog]", "the question first", |t| {
        t.contains("End Sprint 1 now?") && t.contains("devloop plan end-sprint")
    })?;
    s.click(&s.find("[data-testid=confirm-run]")?)?;
    s.wait_text("[data-testid=sprint-ended]", "the sprint ended", |t| {
        t.contains("Sprint 1 has ended")
    })?;
    s.wait_text("[data-testid=taught]", "what the loop raised", |t| {
        t.contains("#2 Show the live version in the page title")
    })?;
    s.type_text(&s.find("[data-testid=sprint-name]")?, "Sprint 2")?;
    s.click(&s.find("[data-testid=sprint-start]")?)?;
    s.wait_text("[data-testid=column-sprint]", "#2 in the new sprint", |t| {
        t.starts_with("Sprint 2") && t.contains("#2")
    })?;
    if let Some(dir) = std::env::var_os("DEVLOOP_SCREENSHOTS") {
        save(Path::new(&dir), "plan-en.png", &s.screenshot()?)?;
    }
    s.wait_text(
        "[data-testid=plan-page]",
        "the new sprint's CLI twin",
        |t| t.contains("devloop plan sprint 'Sprint 2' --days 14 && devloop plan carry"),
    )?;
    git(
        &home.workspace(),
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "fix #2: the live version in the title",
        ],
    )?;
    s.click(&s.find("[data-testid=nav-pipeline]")?)?;
    s.wait_text(
        "[data-testid=run-history]",
        "the second fix's run done",
        |t| t.matches("delivery.yml").count() >= 4 && !t.contains("running"),
    )?;
    s.click(&s.find("[data-testid=nav-plan]")?)?;
    s.wait_text("[data-testid=column-done]", "#2 done by itself", |t| {
        t.contains("#1") && t.contains("#2")
    })?;
    // Sprint 2's retrospective stands beside Sprint 1's figures.
    s.click(&s.find("[data-testid=nav-refine]")?)?;
    s.wait_text(
        "[data-testid=retro-figures]",
        "both sprints' figures",
        |t| t.contains("Sprint 2") && t.contains("Sprint 1"),
    )?;
    if let Some(dir) = std::env::var_os("DEVLOOP_SCREENSHOTS") {
        s.execute("document.querySelector('[data-testid=retro]').scrollIntoView();")?;
        save(Path::new(&dir), "refine-en.png", &s.screenshot()?)?;
    }
    s.wait_text(
        "[data-testid=retro-items]",
        "the second round's item done",
        |t| t.starts_with("1 item(s) done"),
    )
    .map(drop)
}

/// The real app on a home of its own, its service on a free loopback address, for tests that
/// deploy the demo. Fields drop in order: the app goes first, so it cannot heal what the
/// guards then remove.
struct DemoApp {
    app: App,
    home: Home,
    addr: String,
    _containers: DemoContainers,
    _images: AllDemoImages,
}

impl DemoApp {
    fn launch() -> Result<DemoApp> {
        DemoApp::launch_with(&[])
    }

    /// The same, with more variables for the app.
    fn launch_with(extra: &[(&str, &OsStr)]) -> Result<DemoApp> {
        DemoApp::launch_in("en_US.UTF-8", extra)
    }

    /// The same, with `lang` as the OS locale.
    fn launch_in(lang: &str, extra: &[(&str, &OsStr)]) -> Result<DemoApp> {
        demo_is_free()?;
        let (images, containers) = (AllDemoImages, DemoContainers);
        let addr = free_loopback_addr()?;
        let home = Home::new();
        let mut env = vec![("DEVLOOP_PROXY_ADDR", OsStr::new(&addr))];
        env.extend_from_slice(extra);
        let app = home.launch(lang, &env)?;
        Ok(DemoApp {
            app,
            home,
            addr,
            _containers: containers,
            _images: images,
        })
    }
}

/// Refuses to start where a learner's `loop-service` image or container exists: these tests
/// remove every one of them when they end.
fn demo_is_free() -> Result<()> {
    for args in [
        &["images", "-q", "loop-service"][..],
        &[
            "ps",
            "-aq",
            "--filter",
            "label=dev.devloop.app=loop-service",
        ][..],
    ] {
        let out = Command::new("docker")
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        check(
            out.stdout.is_empty(),
            "loop-service images or containers exist on this machine; this test will not touch them",
        )?;
    }
    Ok(())
}

/// Removes every `loop-service` image a test made, pass or fail (the test refuses to start
/// where one already exists, so none is a learner's).
struct AllDemoImages;
impl Drop for AllDemoImages {
    fn drop(&mut self) {
        if let Ok(out) = Command::new("docker")
            .args([
                "images",
                "--format",
                "{{.Repository}}:{{.Tag}}",
                "loop-service",
            ])
            .output()
        {
            for image in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = Command::new("docker").args(["rmi", "-f", image]).output();
            }
        }
    }
}

fn the_monitor_page_draws_live_charts_shows_values_under_the_pointer_and_exports() -> Result<()> {
    let home = Home::new();
    let app = home.launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    s.click(&s.find("[data-testid=nav-monitor]")?)?;
    // The host's CPU, drawn by plotters, with samples in it after a second or two.
    let drawn = |s: &webdriver::Session| -> Result<Option<String>> {
        let chart = s.find("[data-testid=chart-hostCpu]")?;
        if s.attribute(&chart, "data-empty")?.as_deref() != Some("false") {
            return Ok(None);
        }
        let svg = s.execute(
            "return document.querySelector('[data-testid=chart-hostCpu] svg').outerHTML;",
        )?;
        Ok(svg.as_str().map(str::to_owned))
    };
    let first = s.wait("the host CPU chart with samples", || drawn(s))?;
    check(first.contains("<polyline"), "a line is drawn")?;
    // Once a second the picture moves on.
    let later = s.wait("the chart to move", || {
        Ok(drawn(s)?.filter(|svg| *svg != first))
    })?;
    check(later.starts_with("<svg"), "still an SVG")?;
    // Without a service, its charts say how to get some.
    let requests = s.text(&s.find("[data-testid=chart-requests]")?)?;
    check(
        requests.contains("Nothing is deployed"),
        format!("requests: {requests}"),
    )?;
    // The pointer over the plot shows the time and the value there.
    s.execute(
        "const p = document.querySelector('[data-testid=chart-hostCpu] .plot'); const b = p.getBoundingClientRect(); p.dispatchEvent(new PointerEvent('pointermove', { clientX: b.right - 20, clientY: b.top + 50, bubbles: true }));",
    )?;
    s.wait_text(
        "[data-testid=hover-values]",
        "the values under the pointer",
        |t| t.contains("host.cpu") && t.contains('%'),
    )?;
    if let Some(dir) = std::env::var_os("DEVLOOP_SCREENSHOTS") {
        save(Path::new(&dir), "monitor-en.png", &s.screenshot()?)?;
    }
    // A rule edited to watch a metric DevLoop does not collect is refused, saying what it meant.
    s.find("[data-testid=rule-metric-HostCpuHigh]")?;
    s.execute("const m = document.querySelector('[data-testid=rule-metric-HostCpuHigh]'); m.value = 'host.cpus'; m.dispatchEvent(new Event('input', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=rules-save]")?)?;
    // Said beside the rules, where the learner pressed Save, not at the top of a long page.
    s.wait_text("[data-testid=rules-problem]", "the rule's error", |t| {
        // The names are set as code now, so no backticks show.
        t.contains("host.cpus is not a metric DevLoop collects; did you mean host.cpu?")
    })?;
    // Put right, and a rule of the learner's own added with the form, with its CLI twin.
    s.execute("const m = document.querySelector('[data-testid=rule-metric-HostCpuHigh]'); m.value = 'host.cpu'; m.dispatchEvent(new Event('input', { bubbles: true }));")?;
    let add = |name: &str, metric: &str, threshold: &str| -> Result<()> {
        s.type_text(&s.find("[data-testid=rule-new-name]")?, name)?;
        s.type_text(&s.find("[data-testid=rule-new-metric]")?, metric)?;
        s.type_text(&s.find("[data-testid=rule-new-threshold]")?, threshold)?;
        s.click(&s.find("[data-testid=rule-add]")?)
    };
    add("SlowDeploys", "endpoint.p99", "500")?;
    s.wait_text("[data-testid=rules]", "the new rule and its twin", |t| {
        t.contains("devloop alerts add SlowDeploys --metric endpoint.p99 --above 500 --for 30 --severity warning")
    })?;
    // The same name again is refused, and the table stays as it was.
    add("SlowDeploys", "host.cpu", "90")?;
    s.wait_text(
        "[data-testid=rules-problem]",
        "the duplicate refused",
        |t| t.contains("Two alerts are named SlowDeploys"),
    )?;
    check(
        s.find_all("[data-testid=rule-remove-SlowDeploys]")?.len() == 1,
        "one SlowDeploys rule",
    )?;
    // A terminal removes it; the monitoring app takes the file up, and the page shows it.
    home.cli(&["alerts", "remove", "SlowDeploys"], &[])?;
    s.wait("the page to lose the rule the terminal removed", || {
        s.execute("location.hash = '#/plan';")?;
        s.execute("location.hash = '#/monitor';")?;
        std::thread::sleep(std::time::Duration::from_millis(300));
        Ok((!s
            .find_all("[data-testid=rule-remove-ProbeDown]")?
            .is_empty()
            && s.find_all("[data-testid=rule-remove-SlowDeploys]")?
                .is_empty())
        .then_some(()))
    })?;
    // Export: a real PNG file, and CSV with a time column.
    s.click(&s.find("[data-testid=export-png]")?)?;
    let said = s.wait_text("[data-testid=exported]", "the PNG's path", |t| {
        t.contains(".png")
    })?;
    let path = said.trim_start_matches("Saved to ").trim();
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    check(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000,
        format!("{path}: {} bytes", bytes.len()),
    )?;
    s.click(&s.find("[data-testid=export-csv]")?)?;
    let said = s.wait_text("[data-testid=exported]", "the CSV's path", |t| {
        t.contains(".csv")
    })?;
    let path = said.trim_start_matches("Saved to ").trim();
    let csv = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    check(
        csv.starts_with("time,") && csv.contains(",host.cpu"),
        format!("{path}: {}", &csv[..csv.len().min(200)]),
    )
}

/// A session bus of the test's own, with a monitor that writes down every desktop
/// notification sent on it: the app's notifications, seen where a notification daemon would
/// receive them (none runs under Xvfb).
struct NotificationBus {
    address: String,
    daemon: std::process::Child,
    monitor: std::process::Child,
    seen: tempfile::NamedTempFile,
}

impl NotificationBus {
    fn start() -> Result<NotificationBus> {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(std::process::Stdio::piped())
            // It says it may not raise its file limit, which does not matter here.
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("dbus-daemon (apt-get install dbus-daemon): {e}"))?;
        let mut address = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(daemon.stdout.take().ok_or("no stdout")?),
            &mut address,
        )
        .map_err(|e| e.to_string())?;
        let address = address.trim().to_owned();
        let seen = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
        let monitor = Command::new("dbus-monitor")
            .args([
                "--address",
                &address,
                "interface='org.freedesktop.Notifications'",
            ])
            .stdout(seen.reopen().map_err(|e| e.to_string())?)
            .spawn()
            .map_err(|e| format!("dbus-monitor (apt-get install dbus-bin): {e}"))?;
        // The monitor is listening once it has said hello on the bus.
        std::thread::sleep(std::time::Duration::from_millis(300));
        Ok(NotificationBus {
            address,
            daemon,
            monitor,
            seen,
        })
    }

    /// Everything sent to the notification service so far.
    fn said(&self) -> String {
        std::fs::read_to_string(self.seen.path()).unwrap_or_default()
    }
}

impl Drop for NotificationBus {
    fn drop(&mut self) {
        let _ = self.monitor.kill();
        let _ = self.monitor.wait();
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// A tiny web service this test starts and stops: 200 on any path while it runs.
struct Pingable {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Pingable {
    fn start(port: u16) -> Result<Pingable> {
        let listener =
            std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = std::sync::Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            use std::io::{Read, Write};
            while !stopped.load(std::sync::atomic::Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        let _ = s.set_nonblocking(false);
                        let mut buf = [0u8; 1024];
                        let _ = s.read(&mut buf);
                        let _ = s.write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                        );
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
                }
            }
        });
        Ok(Pingable {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Pingable {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn with_the_demo_deployed_monitor_charts_its_traffic_and_a_probe_alert_fires_and_resolves(
) -> Result<()> {
    let bus = NotificationBus::start()?;
    let demo = DemoApp::launch_with(&[("DBUS_SESSION_BUS_ADDRESS", OsStr::new(&bus.address))])?;
    let (home, addr, s) = (&demo.home, demo.addr.as_str(), &demo.app.session);
    release_the_demo(home, s)?;
    home.devloop(addr, &["deploy", "--replicas", "1"])?;
    // The deploy was announced on the desktop.
    s.wait("the deploy's notification", || {
        Ok(bus.said().contains("DevLoop: deployed").then_some(()))
    })?;

    s.click(&s.find("[data-testid=nav-monitor]")?)?;
    let max = |s: &webdriver::Session, chart: &str| -> Result<f64> {
        let el = s.find(&format!("[data-testid=chart-{chart}]"))?;
        Ok(s.attribute(&el, "data-max")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0))
    };
    // The container's memory, read from its stats stream.
    s.wait("the container's memory charted", || {
        Ok((max(s, "containerMemory")? > 0.0).then_some(()))
    })?;
    // Peak traffic shows as requests per second.
    home.devloop(addr, &["load", "--rps", "80", "--duration", "4"])?;
    s.wait("requests/s to rise past 50", || {
        Ok((max(s, "requests")? >= 50.0).then_some(()))
    })?;
    // The replica's own lines beside the charts, filtered by level.
    s.find("[data-testid=logs-replica]")?;
    s.execute("const r = document.querySelector('[data-testid=logs-replica]'); r.value = r.options[1].value; r.dispatchEvent(new Event('change', { bubbles: true }));")?;
    s.wait_text(
        "[data-testid=monitor-logs]",
        "the replica's start-up line",
        |t| t.contains("loop-service 0.1.0 listening on port 8080"),
    )?;
    s.execute("const l = document.querySelector('[data-testid=logs-level]'); l.value = 'error'; l.dispatchEvent(new Event('change', { bubbles: true }));")?;
    s.wait_text(
        "[data-testid=monitor-logs]",
        "info lines filtered out",
        |t| !t.contains("listening on port 8080"),
    )?;
    s.wait("the demo's own /metrics to be read", || {
        Ok(s.find_all("[data-testid=scraped-pick] option")?
            .len()
            .gt(&1)
            .then_some(()))
    })?;

    // A probe of a service the test runs: up, then stopped (ProbeDown fires), then back.
    let port = free_loopback_addr()?
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse::<u16>().ok())
        .ok_or("a free port")?;
    let url = format!("http://127.0.0.1:{port}/health");
    let server = Pingable::start(port)?;
    home.devloop(addr, &["probes", &url])?;
    s.wait("the probe charted as up", || {
        let el = s.find("[data-testid=chart-probes]")?;
        Ok((s.attribute(&el, "data-empty")?.as_deref() == Some("false")).then_some(()))
    })?;
    drop(server);
    s.wait("ProbeDown to fire", || {
        Ok(
            s.find_all("[data-testid=alert-active][data-rule=ProbeDown]")?
                .into_iter()
                .next(),
        )
    })?;
    s.wait("the alert's notification", || {
        Ok(bus
            .said()
            .contains("DevLoop alert: ProbeDown")
            .then_some(()))
    })?;
    // One click makes it a bug item in the plan, carrying what fired and where.
    s.click(&s.find("[data-testid=add-to-plan]")?)?;
    s.wait_text("[data-testid=planned]", "the bug item's number", |t| {
        t.contains("bug #1")
    })?;
    let backlog = home.devloop(addr, &["plan", "list"])?;
    check(
        backlog.contains("#1    bug     ProbeDown on probe.up{url=http://127.0.0.1:")
            && backlog.contains("[from alert ProbeDown on probe.up"),
        backlog.clone(),
    )?;
    let _server = Pingable::start(port)?;
    s.wait("ProbeDown to resolve", || {
        Ok(s.find_all("[data-testid=alert-active]")?
            .is_empty()
            .then_some(()))
    })?;
    s.execute("document.querySelector('[data-testid=alerts] details').open = true;")?;
    // The history comes from the database, where lesson checks read it too.
    s.wait_text(
        "[data-testid=alert-history]",
        "the resolved alert in the history",
        |t| t.contains("ProbeDown") && t.contains("resolved") && t.contains("fired for"),
    )?;
    s.wait("the resolution's notification", || {
        Ok(bus
            .said()
            .contains("DevLoop resolved: ProbeDown")
            .then_some(()))
    })?;
    // Refine reads the same history: one deploy this week, and the lead time of what it shipped.
    s.click(&s.find("[data-testid=nav-refine]")?)?;
    s.wait_text("[data-testid=dora-frequency]", "this week's deploy", |t| {
        t.contains("1 deploy(s) this week")
    })?;
    s.wait_text(
        "[data-testid=dora-lead-time]",
        "the lead time of the release",
        |t| t.contains("median") && t.contains("p90"),
    )
    .map(drop)
}

fn the_backlog_board_adds_moves_by_keyboard_and_drag_opens_an_item_and_agrees_with_the_cli(
) -> Result<()> {
    let home = Home::new();
    let app = home.launch("en_US.UTF-8", &[])?;
    let s = &app.session;
    s.click(&s.find("[data-testid=nav-plan]")?)?;
    s.wait_text("[data-testid=column-done]", "the empty Done column", |t| {
        t.contains("items move here when their fix goes live")
    })?;
    // A sprint first: the Sprint column takes its name.
    s.execute("const n = document.querySelector('[data-testid=sprint-name]'); n.value = 'Sprint 1'; n.dispatchEvent(new Event('input', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=sprint-start]")?)?;
    s.wait_text(
        "[data-testid=column-sprint]",
        "the sprint's name on its column",
        |t| t.starts_with("Sprint 1"),
    )?;
    s.wait_text("[data-testid=plan-page]", "the sprint's CLI twin", |t| {
        t.contains("devloop plan sprint 'Sprint 1' --days 14")
    })?;
    // A bug, added with the form; its CLI twin is shown.
    s.execute("const k = document.querySelector('[data-testid=item-kind]'); k.value = 'bug'; k.dispatchEvent(new Event('change', { bubbles: true })); const t = document.querySelector('[data-testid=item-title]'); t.value = \"Health check flaps under load\"; t.dispatchEvent(new Event('input', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=item-add]")?)?;
    s.wait_text("[data-testid=column-backlog]", "#1 in the backlog", |t| {
        t.contains("#1") && t.contains("Health check flaps under load")
    })?;
    s.wait_text("[data-testid=plan-page]", "the add's CLI twin", |t| {
        t.contains("devloop plan add --kind bug --title 'Health check flaps under load'")
    })?;
    // The keyboard: the new card has the focus; → twice takes it to Doing.
    s.wait("the new card focused", || {
        Ok(s.focused_testid()?.filter(|id| id == "item-1"))
    })?;
    s.press(ARROW_RIGHT)?;
    s.wait_text("[data-testid=column-sprint]", "#1 in the sprint", |t| {
        t.contains("#1")
    })?;
    s.press(ARROW_RIGHT)?;
    s.wait_text("[data-testid=column-doing]", "#1 doing", |t| {
        t.contains("#1")
    })?;
    s.wait_text("[data-testid=plan-page]", "the move's CLI twin", |t| {
        t.contains("devloop plan move 1 doing")
    })?;
    // The terminal sees the same board.
    let list = home.cli(&["plan", "list"], &[])?;
    check(
        list.contains("Doing\n  #1    bug     Health check flaps under load"),
        list.clone(),
    )?;
    // The home loop now says what Plan holds.
    s.execute("location.hash = '#/';")?;
    s.wait_text(
        "[data-testid=stage-state-plan]",
        "the sprint on the loop",
        |t| t == "1 in the sprint",
    )?;

    // Drag and drop with a real pointer: a second item from the backlog onto the sprint.
    s.click(&s.find("[data-testid=nav-plan]")?)?;
    s.type_text(&s.find("[data-testid=item-title]")?, "Dark mode")?;
    s.click(&s.find("[data-testid=item-add]")?)?;
    s.wait_text("[data-testid=column-backlog]", "#2 in the backlog", |t| {
        t.contains("#2")
    })?;
    s.drag(
        &s.find("[data-testid=item-2]")?,
        &s.find("[data-testid=column-sprint]")?,
    )?;
    s.wait_text(
        "[data-testid=column-sprint]",
        "#2 dropped in the sprint",
        |t| t.contains("#2") && t.contains("Dark mode"),
    )?;
    s.wait_text("[data-testid=plan-page]", "the drop's CLI twin", |t| {
        t.contains("devloop plan move 2 sprint")
    })?;
    // A click opens the item; its description is markdown, and what is hostile in it is gone.
    s.click(&s.find("[data-testid=item-2]")?)?;
    s.type_text(
        &s.find("[data-testid=edit-description]")?,
        "Follow the **system** theme.\n\n<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>",
    )?;
    s.click(&s.find("[data-testid=item-save]")?)?;
    s.wait_text(
        "[data-testid=item-description]",
        "the description shown",
        |t| t.contains("Follow the system theme."),
    )?;
    let rendered = s.execute(
        "const d = document.querySelector('[data-testid=item-description]'); \
         return [d.querySelectorAll('strong').length, d.querySelectorAll('script, [onerror], img[src]').length, document.title];",
    )?;
    check(
        rendered == serde_json::json!([1, 0, "DevLoop"]),
        format!("bold kept, no script, handler or image source left, title untouched: {rendered}"),
    )?;
    s.wait_text("[data-testid=item-panel]", "the edit's CLI twin", |t| {
        t.contains("devloop plan edit 2 --description 'Follow the **system** theme.")
    })?;
    s.wait_text(
        "[data-testid=item-commits]",
        "no commit yet, and how to link one",
        |t| t.contains("\"fix #2\""),
    )?;
    // Esc closes it and the keyboard is back on the card; Enter opens it again.
    s.press(ESCAPE)?;
    s.wait("the panel closed, the card focused", || {
        Ok((s.find_all("[data-testid=item-panel]")?.is_empty()
            && s.focused_testid()?.as_deref() == Some("item-2"))
        .then_some(()))
    })?;
    s.press(ENTER)?;
    s.wait_text("[data-testid=item-panel]", "the panel by keyboard", |t| {
        t.contains("#2 Dark mode")
    })?;
    s.press(ESCAPE)?;
    s.wait("the card focused again", || {
        Ok((s.focused_testid()?.as_deref() == Some("item-2")).then_some(()))
    })?;
    // → takes it to Doing, under #1; ↑ walks up to #1.
    s.press(ARROW_RIGHT)?;
    s.wait_text("[data-testid=column-doing]", "#2 doing, under #1", |t| {
        t.find("#1").zip(t.find("#2")).is_some_and(|(a, b)| a < b)
    })?;
    s.press(ARROW_UP)?;
    s.wait("↑ on #1", || {
        Ok((s.focused_testid()?.as_deref() == Some("item-1")).then_some(()))
    })?;
    let shown = home.cli(&["plan", "show", "2"], &[])?;
    check(
        shown.starts_with("#2 Dark mode (Feature), in Doing") && shown.contains("**system**"),
        shown.clone(),
    )?;
    // In Korean, the board and the retrospective speak it too.
    s.click(&s.find("[data-testid=locale-ko]")?)?;
    s.wait_text(
        "[data-testid=column-doing]",
        "the Doing column in Korean",
        |t| t.starts_with("진행 중"),
    )?;
    s.click(&s.find("[data-testid=nav-refine]")?)?;
    s.wait_text("[data-testid=retro]", "the retrospective in Korean", |t| {
        t.contains("잘된 점") && t.contains("개선할 점")
    })?;
    Ok(())
}

/// A server on loopback that counts every request it gets: the hostile pack's payloads all
/// point at it, so any request at all is something that got through.
struct Tripwire {
    port: u16,
    hits: std::sync::Arc<parking_lot::Mutex<Vec<String>>>,
}

impl Tripwire {
    fn start() -> Result<Tripwire> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let hits = std::sync::Arc::new(parking_lot::Mutex::new(Vec::new()));
        let seen = std::sync::Arc::clone(&hits);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut line = String::new();
                let _ =
                    std::io::BufRead::read_line(&mut std::io::BufReader::new(&stream), &mut line);
                seen.lock().push(line.trim().to_owned());
                let _ = std::io::Write::write_all(
                    &mut &stream,
                    b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        });
        Ok(Tripwire { port, hits })
    }

    fn hits(&self) -> Vec<String> {
        self.hits.lock().clone()
    }
}

/// What payloads could have done, read through the prototypes' own getters, so no element the
/// markup names (`<img name="title">`, `id="__pwned"`) can stand in for the answer.
const PWNED: &str = r#"
const root = Object.getOwnPropertyDescriptor(Document.prototype, 'documentElement').get.call(document);
const title = Object.getOwnPropertyDescriptor(Document.prototype, 'title').get.call(document);
const body = Object.getOwnPropertyDescriptor(Document.prototype, 'querySelector').value.call(document, '[data-testid=lesson-body]');
return {
  pwned: Element.prototype.getAttribute.call(root, 'data-pwned'),
  title,
  href: location.href,
  dangerous: body ? body.querySelectorAll('script, iframe, object, embed, form, svg, math, style, link, meta, [onerror], [onload], [onclick], [style], [name]').length : -1,
  ids: body ? [...body.querySelectorAll('[id]')].map((e) => e.id).filter((id) => !id.startsWith('lesson-')) : [],
};
"#;

/// The pack's commands create `pwned-by-*` files in the workspace.
fn pwned_files(home: &Home) -> Vec<String> {
    std::fs::read_dir(home.workspace())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pwned"))
        .collect()
}

/// The hostile pack of `tests/packs/hostile`, loaded as an instructor's pack: in English and
/// Korean nothing in it runs a script, makes a request or takes the window away; it opens in
/// restricted mode and runs none of its commands until the learner, having seen them, trusts it.
fn a_hostile_pack_runs_nothing_loads_nothing_and_never_leaves_the_app() -> Result<()> {
    let home = Home::new();
    let wire = Tripwire::start()?;
    // The app opens the pack folder named devops-loop under DEVLOOP_WORKSHOPS.
    let packs = home.dir.path().join("workshops");
    let pack = packs.join("devops-loop");
    std::fs::create_dir_all(&packs).map_err(|e| e.to_string())?;
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../packs/hostile");
    let copied = Command::new("cp").arg("-a").arg(&src).arg(&pack).status();
    check(
        copied.map(|s| s.success()).unwrap_or(false),
        "copy the hostile pack",
    )?;
    for file in [
        "workshop.toml",
        "lessons/hostile/en.md",
        "lessons/hostile/ko.md",
        "lessons/hostile/img/evil.svg",
    ] {
        let path = pack.join(file);
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        std::fs::write(&path, text.replace("HOSTILE_PORT", &wire.port.to_string()))
            .map_err(|e| e.to_string())?;
    }

    let app = home.launch("en_US.UTF-8", &[("DEVLOOP_WORKSHOPS", packs.as_os_str())])?;
    let s = &app.session;
    s.click(&s.find("[data-testid=nav-workshop]")?)?;
    s.find("[data-testid=pack-restricted]")?;
    for locale in ["en", "ko"] {
        if locale == "ko" {
            s.click(&s.find("[data-testid=locale-ko]")?)?;
            s.click(&s.find("[data-testid=nav-workshop]")?)?;
        }
        open_lesson(s, "hostile")?;
        s.wait_text("[data-testid=lesson-body]", "the hostile lesson", |t| {
            t.contains("hostile-marker")
        })?;
        s.find("[data-testid=lesson-restricted]")?;
        // The step whose check would run a command says why it did not, in this language.
        s.find("[data-testid=hint-probe][data-finding=packNotTrusted]")?;
        check(
            s.find_all("[data-testid^=run-block-], [data-testid^=solve-]")?
                .is_empty(),
            format!("{locale}: a Run or Solve button in restricted mode"),
        )?;
        // Every link the pack's text made (the app's own, to the Workshop page, aside).
        for link in s.find_all("[data-testid=lesson-body] a, [data-testid=lesson-page] aside a")? {
            let _ = s.click(&link);
        }
        // What markup that slipped through could do: navigate the window itself.
        for target in [
            "devloop-pack://localhost/hostile/img/evil.svg".to_owned(),
            format!("http://127.0.0.1:{}/phish.html", wire.port),
            "data:text/html,<b>replaced</b>".to_owned(),
        ] {
            s.execute(&format!(
                "setTimeout(() => {{ location.href = {target:?}; }}, 0);"
            ))?;
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
        // Long enough for the step checks' polling (3 s) to have come round.
        std::thread::sleep(std::time::Duration::from_secs(4));
        let result = s.execute(PWNED)?;
        check(
            result["pwned"].is_null(),
            format!("{locale}: a script ran: {result}"),
        )?;
        check(
            result["title"] == "DevLoop",
            format!("{locale}: the title changed: {result}"),
        )?;
        check(
            result["href"]
                .as_str()
                .is_some_and(|h| h.ends_with("#/lesson/hostile") && !h.starts_with("devloop-pack")),
            format!("{locale}: the window left the app: {result}"),
        )?;
        check(
            result["dangerous"] == 0,
            format!("{locale}: dangerous markup survived: {result}"),
        )?;
        check(
            result["ids"].as_array().is_some_and(|a| a.is_empty()),
            format!("{locale}: an id that could shadow a global: {result}"),
        )?;
        check(
            wire.hits().is_empty(),
            format!("{locale}: requests left the app: {:?}", wire.hits()),
        )?;
        check(
            pwned_files(&home).is_empty(),
            format!(
                "{locale}: a command ran without trust: {:?}",
                pwned_files(&home)
            ),
        )?;
    }

    // Trusted after seeing its commands, its check runs: the gate was what held it.
    s.click(&s.find("[data-testid=nav-workshop]")?)?;
    s.click(&s.find("[data-testid=trust-review]")?)?;
    s.wait_text("[data-testid=trust-commands]", "the commands listed", |t| {
        t.contains("touch pwned-by-check") && t.contains("touch pwned-by-run")
    })?;
    s.click(&s.find("[data-testid=trust-grant]")?)?;
    s.wait("the restricted notice gone", || {
        Ok(s.find_all("[data-testid=pack-restricted]")?
            .is_empty()
            .then_some(()))
    })?;
    open_lesson(s, "hostile")?;
    s.wait("the trusted check ran", || {
        Ok(pwned_files(&home)
            .contains(&"pwned-by-check".to_owned())
            .then_some(()))
    })?;
    check(
        wire.hits().is_empty(),
        format!("requests left the app: {:?}", wire.hits()),
    )
}

/// English sentences on the page outside code: three Latin words in a row, in any text the
/// learner reads that is not code, a command, a path or their own content (`data-own`).
const ENGLISH_OUTSIDE_CODE: &str = r#"
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const el = node.parentElement;
  if (!el || el.closest('code, pre, kbd, samp, script, style, svg, textarea, [data-own], [lang="en"], [hidden], dialog:not([open])')) continue;
  const text = node.textContent ?? '';
  const m = text.match(/[A-Za-z]{2,}(?:[ ,'’]+[A-Za-z]{2,}){2,}/);
  if (m) out.push(`${m[0]}  ⟵  ${text.trim().slice(0, 100)}`);
}
return out;
"#;

/// Opens `hash` and waits for the page's content to settle, then lists its English.
fn english_on(s: &webdriver::Session, hash: &str, ready: &str) -> Result<Vec<String>> {
    s.execute(&format!("location.hash = '{hash}';"))?;
    s.find(ready)?;
    // Pages fill in from the backend; a second lets the lesson checks report.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    english_here(s, hash)
}

/// The English outside code on the page as it is now, each line led by `at`.
fn english_here(s: &webdriver::Session, at: &str) -> Result<Vec<String>> {
    let hash = at;
    let found = s.execute(ENGLISH_OUTSIDE_CODE)?;
    Ok(found
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str())
                .map(|t| format!("{hash}: {t}"))
                .collect()
        })
        .unwrap_or_default())
}

/// A workflow with a problem of each common kind, as a learner's first tries have them.
const BROKEN_WORKFLOW: &str = "name: broken
on: [push, pul_request]
jobs:
  build:
    run-on: ubuntu-latest
    timeout-minutes: soon
    env: [A, B]
    steps:
      - run: echo ${{ github.sha ) }}
  test:
    runs-on: ubuntu-latest
    needs: biuld
    container: rust:1
    steps:
      - uses: some/thing@v1
";

/// A runnable workflow whose marketplace action is skipped here, twice, and which a linter
/// warns about: untrusted text in a script, a deprecated command, an `if:` always true.
const MARKETPLACE_WORKFLOW: &str = "name: marketplace
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: codecov/codecov-action@v4
      - uses: codecov/codecov-action@v4
      - run: echo \"${{ github.event.head_commit.message }}\"
      - if: ${{ success() }} && ${{ github.ref == 'refs/heads/main' }}
        run: echo \"::set-output name=a::1\"
      - run: echo ${{ matrix.os }}
";

fn every_page_and_lesson_in_korean_has_no_english_outside_code() -> Result<()> {
    let home = Home::new();
    let app = home.launch("ko_KR.UTF-8", &[])?;
    let s = &app.session;
    home_title_is(s, TITLE_KO)?;
    let mut found = english_on(s, "#/", "[data-testid=home]")?;
    for (hash, ready) in [
        (
            "#/system",
            "[data-testid=system-page] [data-testid=verdict]",
        ),
        ("#/workshop", "[data-testid=lesson-intro]"),
        (
            "#/pipeline",
            "[data-testid=pipeline-page] [data-testid=workflow]",
        ),
        ("#/releases", "[data-testid=release-plan]"),
        ("#/deploy", "[data-testid=deploy-page]"),
        ("#/operate", "[data-testid=operate-page]"),
        ("#/monitor", "[data-testid=monitor-page]"),
        ("#/plan", "[data-testid=plan-page]"),
        ("#/refine", "[data-testid=refine-page]"),
    ] {
        found.extend(english_on(s, hash, ready)?);
    }
    for stage in STAGES {
        found.extend(english_on(
            s,
            &format!("#/stage/{stage}"),
            "[data-testid=stage-page]",
        )?);
    }
    for lesson in LESSONS {
        found.extend(english_on(
            s,
            &format!("#/lesson/{lesson}"),
            "[data-testid=lesson-body]",
        )?);
    }
    // What the workflow check finds is said in Korean: every kind of problem a first try has,
    // and the notes on a marketplace action that is skipped here.
    let workflows = home.workspace().join(".github/workflows");
    for (name, yaml) in [
        ("broken.yml", BROKEN_WORKFLOW),
        ("marketplace.yml", MARKETPLACE_WORKFLOW),
    ] {
        std::fs::write(workflows.join(name), yaml).map_err(|e| e.to_string())?;
    }
    found.extend(english_on(
        s,
        "#/pipeline",
        "[data-testid=workflow][data-file='.github/workflows/marketplace.yml'] [data-testid=workflow-notes]",
    )?);
    s.wait_text(
        "[data-testid=workflow][data-file='.github/workflows/broken.yml'] [data-testid=workflow-problems]",
        "the broken workflow's problems in Korean",
        |t| {
            t.contains("jobs.build의 키가 아닙니다")
                && t.contains("runs-on을(를) 뜻했나요?")
                && t.contains("양수여야 합니다")
                && t.contains("biuld")
        },
    )?;
    // A refusal is said in Korean too: a misspelt metric in an alert rule.
    english_on(s, "#/monitor", "[data-testid=rule-metric-HostCpuHigh]")?;
    s.execute("const m = document.querySelector('[data-testid=rule-metric-HostCpuHigh]'); m.value = 'host.cpus'; m.dispatchEvent(new Event('input', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=rules-save]")?)?;
    s.wait_text(
        "[data-testid=rules-problem]",
        "the rule's refusal in Korean",
        |t| t.contains("host.cpus") && t.contains("지표가 아닙니다"),
    )?;
    found.extend(english_here(s, "#/monitor (a refused rule)")?);
    check(
        found.is_empty(),
        format!(
            "English outside code in the Korean UI:\n{}",
            found.join("\n")
        ),
    )
}

fn save(dir: &Path, name: &str, png: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(name), png).map_err(|e| format!("{}: {e}", dir.join(name).display()))
}

/// Each test function becomes a trial named after it.
macro_rules! trials {
    ($($test:ident),* $(,)?) => {
        vec![$(Trial::test(stringify!($test), || $test().map_err(Failed::from))),*]
    };
}

fn main() {
    let mut args = Arguments::from_args();
    // One display, one app at a time: parallel WebKit windows would fight over focus.
    args.test_threads = Some(1);
    let bins = Binaries::locate();
    for (what, path) in [("app", &bins.app), ("CLI", &bins.cli)] {
        if !path.is_file() {
            eprintln!(
                "devloop-e2e: the {what} binary {} is missing; run `make e2e`",
                path.display()
            );
            std::process::exit(2);
        }
    }
    let trials = trials![
        home_draws_the_loop_with_eight_stages_and_the_refine_path,
        clicking_a_stage_opens_its_page_and_escape_comes_home,
        arrow_keys_walk_the_loop_and_enter_opens_a_stage,
        the_csp_stops_injected_scripts_and_eval,
        switching_to_korean_changes_the_text_and_survives_a_restart,
        first_start_follows_the_os_locale,
        switching_language_on_a_stage_page_keeps_the_page,
        the_status_bar_shows_docker_connected_and_devloop_doctor_agrees,
        the_system_check_lists_every_check_and_its_cli_twin,
        without_docker_the_app_says_so_and_shows_the_fix,
        the_code_lesson_follows_real_commits_and_keeps_progress_after_a_restart,
        a_runnable_command_asks_first_then_shows_its_output,
        the_learner_moves_the_workspace_and_the_workshop_follows,
        the_build_lessons_pipeline_step_runs_devloop_from_do_it_for_me,
        one_click_runs_the_demo_workflow_live_and_cancel_stops_a_long_step,
        a_commit_that_breaks_a_test_turns_the_push_run_red_at_the_test_job,
        a_million_log_lines_stay_smooth_and_searchable,
        inputs_artifacts_and_a_summary_show_and_a_rerun_repeats_the_run,
        a_release_from_the_releases_page_builds_tags_and_lists_it,
        a_release_deployed_blue_green_answers_on_the_stable_address_and_a_broken_one_rolls_back,
        one_click_runs_build_test_release_and_deploy_and_delivery_waits_for_a_person,
        chaos_is_healed_and_peak_traffic_makes_the_autoscaler_add_a_replica,
        a_hostile_pack_runs_nothing_loads_nothing_and_never_leaves_the_app,
        the_monitor_page_draws_live_charts_shows_values_under_the_pointer_and_exports,
        with_the_demo_deployed_monitor_charts_its_traffic_and_a_probe_alert_fires_and_resolves,
        the_backlog_board_adds_moves_by_keyboard_and_drag_opens_an_item_and_agrees_with_the_cli,
        every_page_and_lesson_in_korean_has_no_english_outside_code,
        the_whole_workshop_as_its_text_says,
        code_release_and_deploy_again_in_korean,
    ];
    libtest_mimic::run(&args, trials).exit();
}
