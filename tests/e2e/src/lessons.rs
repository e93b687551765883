//! Lessons as a learner takes them: real commits checked, commands run after asking, the workspace moved, and a hostile pack that runs nothing.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::steps::*;
use crate::webdriver::Result;

pub(crate) fn the_code_lesson_follows_real_commits_and_keeps_progress_after_a_restart() -> Result<()>
{
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

pub(crate) fn a_runnable_command_asks_first_then_shows_its_output() -> Result<()> {
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

pub(crate) fn the_build_lessons_pipeline_step_runs_devloop_from_do_it_for_me() -> Result<()> {
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

pub(crate) fn the_learner_moves_the_workspace_and_the_workshop_follows() -> Result<()> {
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

/// A server on loopback that counts every request it gets: the hostile pack's payloads all
/// point at it, so any request at all is something that got through.
pub(crate) struct Tripwire {
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
pub(crate) const PWNED: &str = r#"
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
pub(crate) fn pwned_files(home: &Home) -> Vec<String> {
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
pub(crate) fn a_hostile_pack_runs_nothing_loads_nothing_and_never_leaves_the_app() -> Result<()> {
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
