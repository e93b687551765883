//! The home screen and the app around it: the loop drawn and walked by keyboard, the two languages, the CSP, the status bar and the system check.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::steps::*;
use crate::webdriver::Result;

pub(crate) fn home_draws_the_loop_with_eight_stages_and_the_refine_path() -> Result<()> {
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

pub(crate) fn clicking_a_stage_opens_its_page_and_escape_comes_home() -> Result<()> {
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

pub(crate) fn the_csp_stops_injected_scripts_and_eval() -> Result<()> {
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

pub(crate) fn arrow_keys_walk_the_loop_and_enter_opens_a_stage() -> Result<()> {
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

pub(crate) fn switching_to_korean_changes_the_text_and_survives_a_restart() -> Result<()> {
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

pub(crate) fn first_start_follows_the_os_locale() -> Result<()> {
    let app = Home::new().launch("ko_KR.UTF-8", &[])?;
    home_title_is(&app.session, TITLE_KO)?;
    Ok(())
}

pub(crate) fn switching_language_on_a_stage_page_keeps_the_page() -> Result<()> {
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

pub(crate) fn the_status_bar_shows_docker_connected_and_devloop_doctor_agrees() -> Result<()> {
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

pub(crate) fn the_system_check_lists_every_check_and_its_cli_twin() -> Result<()> {
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

pub(crate) fn without_docker_the_app_says_so_and_shows_the_fix() -> Result<()> {
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
