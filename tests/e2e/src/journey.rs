//! The learner's journey: the workshop taken in the real app as its text says, never with "Do
//! it for me": the Run buttons on its commands, the edits it describes, the terminal commands it
//! shows, and the pages and buttons it names. All twelve lessons end green, with the committed
//! change released and live on the stable address and the Plan lesson's item #1 done by the
//! commit that closed it; and Code, Release and Deploy are taken again in Korean, each page
//! scanned for English as the learner finishes it.

use std::path::Path;
use std::process::Command;

use crate::korean::english_here;
use crate::steps::{
    check, open_lesson, retro_notes, step_status_is, DemoApp, Home, ARROW_RIGHT, LESSONS,
};
use crate::webdriver::{self, Result};

/// A container the Deploy lesson runs by hand, with no DevLoop label: removed at the end.
struct HandRun;
impl Drop for HandRun {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "-f", "loop-service"])
            .output();
    }
}

/// The swarm the Swarm lesson makes, should the journey stop before the lesson leaves it: the
/// service it deployed there is removed and the swarm left, so the shared daemon is as it was.
struct SwarmMade(std::path::PathBuf);
impl Drop for SwarmMade {
    fn drop(&mut self) {
        let marker = self.0.join("swarm.json");
        let Ok(text) = std::fs::read_to_string(&marker) else {
            return;
        };
        let docker = |args: &[&str]| {
            let _ = Command::new("docker").args(args).output();
        };
        let instance = std::fs::read_to_string(self.0.join("instance")).unwrap_or_default();
        let ours = Command::new("docker")
            .args([
                "service",
                "ls",
                "-q",
                "--filter",
                &format!("label=dev.devloop.instance={}", instance.trim()),
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        for id in ours.split_whitespace() {
            docker(&["service", "rm", id]);
        }
        std::thread::sleep(std::time::Duration::from_secs(3));
        docker(&["swarm", "leave", "--force"]);
        if text.contains("\"bridge_made\":true") {
            docker(&["network", "rm", "docker_gwbridge"]);
        }
    }
}

/// A command in the learner's terminal, in the workspace: the shell they would type it in,
/// with `devloop` on PATH and this home's DevLoop.
fn terminal(home: &Home, addr: &str, line: &str) -> Result<String> {
    let cli_dir = super::Binaries::locate()
        .cli
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let out = Command::new("bash")
        .args(["-c", line])
        .current_dir(home.workspace())
        .env(
            "PATH",
            format!(
                "{}:{}",
                cli_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("DEVLOOP_CONFIG_DIR", home.config())
        .env("DEVLOOP_WORKSPACE", home.workspace())
        .env("DEVLOOP_DATA_DIR", home.data())
        .env("DEVLOOP_PROXY_ADDR", addr)
        .env_remove("CARGO_TARGET_DIR")
        .env("GIT_AUTHOR_NAME", "Learner")
        .env("GIT_AUTHOR_EMAIL", "learner@example.com")
        .env("GIT_COMMITTER_NAME", "Learner")
        .env("GIT_COMMITTER_EMAIL", "learner@example.com")
        .output()
        .map_err(|e| e.to_string())?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    check(out.status.success(), format!("$ {line}\n{text}"))?;
    Ok(text)
}

/// Presses Run on the lesson's `n`th code block, confirms, and waits for its output under the
/// block; `ok` says whether it must exit 0.
fn press_run(s: &webdriver::Session, n: usize, ok: bool) -> Result<String> {
    press_run_within(s, n, ok, std::time::Duration::from_secs(20))
}

/// The same, for a command that takes up to `patience`.
fn press_run_within(
    s: &webdriver::Session,
    n: usize,
    ok: bool,
    patience: std::time::Duration,
) -> Result<String> {
    s.click(&s.find(&format!(
        "[data-testid=lesson-body] [data-testid=run-block-{n}]"
    ))?)?;
    s.click(&s.find("[data-testid=confirm-run]")?)?;
    let out = format!(".block-output[data-output='{n}'] [data-testid=command-output]");
    let el = s.wait_up_to(&format!("the output of block {n}"), patience, || {
        Ok(s.find_all(&out)?.into_iter().next())
    })?;
    let exit = s.attribute(&el, "data-exit")?.unwrap_or_default();
    let text = s.text(&el)?;
    check(
        (exit == "0") == ok,
        format!("block {n} exited {exit}: {text}"),
    )?;
    Ok(text)
}

/// Answers a quiz with `choices` and waits for it to pass. The clicks go through the page:
/// step cards above it grow and shrink as their checks report, and a pointer aimed a moment
/// before can land beside a radio button.
fn answer(s: &webdriver::Session, step: &str, choices: &[&str]) -> Result<()> {
    let at = |e: String| format!("quiz {step}: {e}");
    for c in choices {
        s.find(&format!("[data-testid=choice-{step}-{c}]"))
            .map_err(at)?;
        s.execute(&format!(
            "document.querySelector('[data-testid=choice-{step}-{c}]').click();"
        ))
        .map_err(at)?;
    }
    s.find(&format!("[data-testid=answer-{step}]"))
        .map_err(at)?;
    s.execute(&format!(
        "document.querySelector('[data-testid=answer-{step}]').click();"
    ))
    .map_err(at)?;
    step_status_is(s, step, "pass").map_err(at)
}

/// Every step of the open lesson has passed: the progress bar is full.
fn lesson_green(s: &webdriver::Session, lesson: &str) -> Result<()> {
    s.wait(&format!("every step of {lesson} passed"), || {
        let steps = s.find_all("[data-testid=lesson-page] li.step")?;
        let mut all = !steps.is_empty();
        for st in &steps {
            all &= s.attribute(st, "data-status")?.as_deref() == Some("pass");
        }
        Ok(all.then_some(()))
    })
}

fn edit(home: &Home, file: &str, from: &str, to: &str) -> Result<()> {
    let path = home.workspace().join(file);
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    check(text.contains(from), format!("{file} has {from:?}"))?;
    std::fs::write(&path, text.replacen(from, to, 1)).map_err(|e| e.to_string())
}

pub fn the_whole_workshop_as_its_text_says() -> Result<()> {
    let demo = DemoApp::launch()?;
    let _hand_run = HandRun;
    let _swarm = SwarmMade(demo.home.data());
    let (home, addr, s) = (&demo.home, demo.addr.as_str(), &demo.app.session);

    // Intro: the workspace exists once the workshop opens.
    open_lesson(s, "intro")?;
    answer(s, "why-loop", &["b"])?;
    lesson_green(s, "intro")?;

    // Plan: PLAN.md as the lesson shows it, committed with its Run button; then the board.
    open_lesson(s, "plan")?;
    std::fs::write(
        home.workspace().join("PLAN.md"),
        "# Plan\n\n- [ ] Show the version on the page in bold\n- [ ] Add a /version endpoint\n",
    )
    .map_err(|e| e.to_string())?;
    press_run(s, 1, true)?;
    s.click(&s.find("[data-testid=nav-plan]")?)?;
    s.type_text(&s.find("[data-testid=sprint-name]")?, "Sprint 1")?;
    s.click(&s.find("[data-testid=sprint-start]")?)?;
    s.wait_text("[data-testid=column-sprint]", "the sprint", |t| {
        t.starts_with("Sprint 1")
    })?;
    s.type_text(
        &s.find("[data-testid=item-title]")?,
        "Show the version on the page in bold",
    )?;
    s.click(&s.find("[data-testid=item-add]")?)?;
    s.wait("the new card focused", || {
        Ok(s.focused_testid()?.filter(|id| id == "item-1"))
    })?;
    s.press(ARROW_RIGHT)?;
    s.wait_text("[data-testid=column-sprint]", "#1 in the sprint", |t| {
        t.contains("#1")
    })?;
    s.type_text(
        &s.find("[data-testid=item-title]")?,
        "Alert when more than 1% of requests fail",
    )?;
    s.click(&s.find("[data-testid=item-infra]")?)?;
    s.click(&s.find("[data-testid=item-add]")?)?;
    s.wait_text("[data-testid=column-backlog]", "#2 added", |t| {
        t.contains("#2")
    })?;
    terminal(
        home,
        addr,
        "git commit --allow-empty -m \"chore: start on #1\"",
    )?;
    open_lesson(s, "plan")?;
    answer(s, "small-items", &["c"])?;
    lesson_green(s, "plan")?;

    take_code(home, addr, s)?;

    // Build: its three Run buttons.
    open_lesson(s, "build")?;
    press_run(s, 0, true)?;
    press_run(s, 1, true)?;
    press_run(s, 2, true)?;
    answer(s, "reproducible", &["b"])?;
    lesson_green(s, "build")?;

    // Test: the report, a test of one's own, the red branch and back.
    open_lesson(s, "test")?;
    press_run(s, 0, true)?;
    let main_rs = home.workspace().join("src/main.rs");
    let code = std::fs::read_to_string(&main_rs).map_err(|e| e.to_string())?;
    let tests_end = code
        .rfind('}')
        .ok_or("src/main.rs has no tests module to add to")?;
    std::fs::write(
        &main_rs,
        format!(
            "{}\n    #[test]\n    fn my_health_is_ok() {{\n        let (status, _, body) = route(\"GET\", \"/health\", &Metrics::default());\n        assert_eq!(status, 200);\n        assert_eq!(body, \"ok\\n\");\n    }}\n}}\n",
            &code[..tests_end]
        ),
    )
    .map_err(|e| e.to_string())?;
    terminal(home, addr, "cargo test --offline")?;
    terminal(home, addr, "git commit -qam 'test: my health test'")?;
    // The red run on its branch fails on purpose: its block exits non-zero.
    press_run(s, 2, false)?;
    press_run(s, 3, true)?;
    answer(s, "red-stops-the-line", &["c"])?;
    lesson_green(s, "test")?;

    // Continuous: the release job the text shows, added to ci.yml.
    open_lesson(s, "continuous")?;
    let ci = home.workspace().join(".github/workflows/ci.yml");
    let mut yaml = std::fs::read_to_string(&ci).map_err(|e| e.to_string())?;
    yaml.push_str("  release:\n    needs: test\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - name: Release build\n        run: cargo build --release --locked\n");
    std::fs::write(&ci, yaml).map_err(|e| e.to_string())?;
    answer(s, "manual-gate", &["delivery"])?;
    answer(s, "korean-terms", &["b"])?;
    answer(s, "what-ci-covers", &["code", "build", "test"])?;
    lesson_green(s, "continuous")?;

    let nothing = |_: &str| Ok(());
    take_release(home, s, &nothing)?;

    let page = take_deploy(s, &nothing)?;
    check(
        page.contains("version <b>0.2.0</b>"),
        format!("the hand-run container answers with the bold version: {page}"),
    )?;

    // What the learner committed is what answers on the stable address.
    live_has_the_change(addr)?;
    // And the Plan lesson's item is done: the commit that closed it went live.
    s.click(&s.find("[data-testid=nav-plan]")?)?;
    s.wait_text("[data-testid=column-done]", "#1 done by itself", |t| {
        t.contains("#1") && t.contains("Show the version on the page in bold")
    })?;

    the_ops_half(home, addr, s)
}

/// Presses a step's Check until it passes: for what DevLoop records a little later (a minute
/// of metrics, an alert resolving), as a learner would press it again.
fn check_until_pass(s: &webdriver::Session, step: &str, seconds: u64) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        let card = s.find(&format!("[data-testid=step-{step}]"))?;
        if s.attribute(&card, "data-status")?.as_deref() == Some("pass") {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!(
                "{step} did not pass within {seconds} s: {}",
                s.text(&card)?
            ));
        }
        s.execute(&format!(
            "document.querySelector('[data-testid=check-{step}]')?.click();"
        ))?;
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
}

fn set(s: &webdriver::Session, testid: &str, value: &str) -> Result<()> {
    s.execute(&format!(
        "const e = document.querySelector('[data-testid={testid}]'); e.value = '{value}'; e.dispatchEvent(new Event('input', {{ bubbles: true }}));"
    ))
    .map(drop)
}

/// Operate, Monitor and Refine, as their text says, on what the Dev half left.
fn the_ops_half(home: &Home, addr: &str, s: &webdriver::Session) -> Result<()> {
    // Operate: the restart policy by its Run button; scale to three, then the autoscaler and
    // peak traffic on the Operate page; and the autoscaler off again at the end.
    open_lesson(s, "operate")?;
    press_run(s, 0, true)?;
    press_run(s, 1, true)?;
    s.click(&s.find("[data-testid=nav-operate]")?)?;
    set(s, "scale-to", "3")?;
    s.click(&s.find("[data-testid=scale]")?)?;
    s.wait("three replicas", || {
        let el = s.find("[data-testid=operate-replicas]")?;
        Ok((s.attribute(&el, "data-count")?.as_deref() == Some("3")).then_some(()))
    })?;
    s.click(&s.find("[data-testid=autoscaler-on]")?)?;
    set(s, "autoscaler-min", "3")?;
    set(s, "autoscaler-max", "4")?;
    set(s, "autoscaler-target", "20")?;
    s.click(&s.find("[data-testid=autoscaler-save]")?)?;
    set(s, "load-rps", "150")?;
    set(s, "load-duration", "10")?;
    s.click(&s.find("[data-testid=load-run]")?)?;
    s.wait("the autoscaler to add a replica", || {
        let el = s.find("[data-testid=operate-replicas]")?;
        Ok((s.attribute(&el, "data-count")?.as_deref() == Some("4")).then_some(()))
    })?;
    s.wait_text("[data-testid=load-report]", "the load run's report", |t| {
        !t.trim().is_empty()
    })?;
    s.click(&s.find("[data-testid=autoscaler-on]")?)?;
    s.click(&s.find("[data-testid=autoscaler-save]")?)?;
    open_lesson(s, "operate")?;
    check_until_pass(s, "autoscaled", 30)?;
    answer(s, "self-healing", &["c"])?;
    lesson_green(s, "operate")?;

    take_swarm(addr, s)?;

    // Monitor: the metrics by hand, an error counted, peak traffic charted, a probe that
    // fires while the container is frozen and resolves once it is not.
    open_lesson(s, "monitor")?;
    press_run(s, 0, true)?;
    press_run(s, 1, true)?;
    terminal(home, addr, "devloop load --rps 250 --duration 6")?;
    terminal(home, addr, "devloop probes http://127.0.0.1:8088/health")?;
    terminal(home, addr, "docker pause loop-service")?;
    s.click(&s.find("[data-testid=nav-monitor]")?)?;
    s.wait("ProbeDown to fire", || {
        Ok(
            s.find_all("[data-testid=alert-active][data-rule=ProbeDown]")?
                .into_iter()
                .next(),
        )
    })?;
    terminal(home, addr, "docker unpause loop-service")?;
    open_lesson(s, "monitor")?;
    check_until_pass(s, "probe-alert", 60)?;
    // A minute of metrics is kept when it closes: the peak shows within a minute or so.
    check_until_pass(s, "peak-traffic", 90)?;
    answer(s, "good-alert", &["b"])?;
    lesson_green(s, "monitor")?;

    // Refine: the retrospective on the Refine page, then the next sprint from what it taught.
    open_lesson(s, "refine")?;
    s.click(&s.find("[data-testid=nav-refine]")?)?;
    retro_notes(
        s,
        "A commit saying closes took the item to Done by itself",
        "Alert when a deploy is rolled back",
    )?;
    s.wait_text("[data-testid=notes-improve]", "the improvement", |t| {
        t.contains("Alert when a deploy is rolled back")
    })?;
    s.click(&s.find("[data-testid=nav-plan]")?)?;
    s.click(&s.find("[data-testid=sprint-end]")?)?;
    s.click(&s.find("[data-testid=confirm-run]")?)?;
    s.wait_text("[data-testid=sprint-ended]", "the sprint ended", |t| {
        t.contains("Sprint 1")
    })?;
    s.type_text(&s.find("[data-testid=sprint-name]")?, "Sprint 2")?;
    s.click(&s.find("[data-testid=sprint-start]")?)?;
    s.wait_text("[data-testid=column-sprint]", "the next sprint", |t| {
        t.starts_with("Sprint 2") && t.contains("Alert when a deploy is rolled back")
    })?;
    open_lesson(s, "refine")?;
    answer(s, "refine", &["a"])?;
    lesson_green(s, "refine")?;

    // Every push run the lessons caused is green; the one red run is the Test lesson's, on its
    // own branch, as the lesson means it to be.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    let runs = loop {
        let runs = home.cli(&["runs"], &[])?;
        if !runs.contains(" running ") {
            break runs;
        }
        check(
            std::time::Instant::now() < deadline,
            format!("runs still going after 3 minutes:\n{runs}"),
        )?;
        std::thread::sleep(std::time::Duration::from_secs(2));
    };
    let rows: Vec<Vec<&str>> = runs
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .filter(|r: &Vec<&str>| r.len() >= 4)
        .collect();
    check(
        rows.len() >= 5,
        format!("the lessons ran the pipeline:\n{runs}"),
    )?;
    for row in &rows {
        let (status, branch) = (row[1], row[3]);
        let meant = branch == "try-red" && status == "failure";
        check(
            status == "success" || meant,
            format!("a run the lessons caused is {status} on {branch}:\n{runs}"),
        )?;
    }
    check(
        rows.iter().any(|r| r[3] == "try-red" && r[1] == "failure"),
        format!("the Test lesson's red run is there:\n{runs}"),
    )?;

    // Twelve lessons of twelve, green.
    for lesson in LESSONS {
        s.execute(&format!("location.hash = '#/lesson/{lesson}';"))?;
        s.find(&format!(
            "[data-testid=lesson-page][data-lesson={lesson}] li.step"
        ))?;
        lesson_green(s, lesson).map_err(|e| format!("{lesson}: {e}"))?;
    }
    Ok(())
}

/// When one machine is not enough, as its text says: the swarm made by the Run button, the
/// release deployed to it from the Deploy page, scaled and a task killed on the Operate page,
/// the broken release by the lesson's commands (its deploy fails, as the text says it will),
/// and the service home again with the swarm left.
fn take_swarm(addr: &str, s: &webdriver::Session) -> Result<()> {
    open_lesson(s, "swarm")?;
    press_run(s, 0, true)?;
    check_until_pass(s, "swarm-init", 20)?;
    s.click(&s.find("[data-testid=nav-deploy]")?)?;
    s.find("[data-testid=swarm-panel][data-kind=ours]")?;
    s.click(&s.find("[data-testid=target-swarm]")?)?;
    s.execute("const v = document.querySelector('[data-testid=deploy-version]'); v.value = '0.2.0'; v.dispatchEvent(new Event('change', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=strategy-blueGreen]")?)?;
    set(s, "deploy-replicas", "2")?;
    s.click(&s.find("[data-testid=deploy-run]")?)?;
    s.wait("two tasks of 0.2.0 live on the swarm", || {
        let tasks = s
            .execute("return [...document.querySelectorAll('[data-testid=deploy-live] [data-testid=replica]')].filter((r) => r.textContent.includes('loop-service.')).length;")?
            .as_u64();
        Ok((tasks == Some(2)).then_some(()))
    })?;
    live_has_the_change(addr)?;
    open_lesson(s, "swarm")?;
    check_until_pass(s, "on-swarm", 20)?;
    let tasks = press_run(s, 2, true)?;
    check(
        tasks.contains("loop-service.1") && tasks.contains("Running"),
        format!("docker service ps lists the tasks: {tasks}"),
    )?;

    // The Operate page: three tasks, then one killed and Swarm's replacement in its slot.
    s.click(&s.find("[data-testid=nav-operate]")?)?;
    s.find("[data-testid=swarm-tasks]")?;
    set(s, "scale-to", "3")?;
    s.click(&s.find("[data-testid=scale]")?)?;
    s.wait("three tasks", || {
        let el = s.find("[data-testid=swarm-tasks]")?;
        Ok((s.attribute(&el, "data-serving")?.as_deref() == Some("3")).then_some(()))
    })?;
    open_lesson(s, "swarm")?;
    check_until_pass(s, "scaled", 20)?;
    s.click(&s.find("[data-testid=nav-operate]")?)?;
    s.click(&s.find("[data-testid=chaos]")?)?;
    s.wait("Swarm to replace the killed task", || {
        let failed = s.find_all("[data-testid=swarm-task][data-state=failed]")?;
        let el = s.find("[data-testid=swarm-tasks]")?;
        let serving = s.attribute(&el, "data-serving")?;
        Ok((!failed.is_empty() && serving.as_deref() == Some("3")).then_some(()))
    })?;
    open_lesson(s, "swarm")?;
    check_until_pass(s, "task-replaced", 20)?;
    // Monitor shows the same tasks, and charts and follows their containers by task name.
    s.click(&s.find("[data-testid=nav-monitor]")?)?;
    s.find("[data-testid=swarm-tasks][data-serving='3']")?;
    s.wait("the tasks' memory charted", || {
        let chart = s.find("[data-testid=chart-containerMemory]")?;
        Ok((s.attribute(&chart, "data-empty")?.as_deref() == Some("false")).then_some(()))
    })?;
    let followed = s
        .execute("return [...document.querySelectorAll('[data-testid=logs-replica] option')].filter((o) => o.textContent.includes('loop-service.')).length;")?
        .as_u64();
    check(
        followed == Some(3),
        format!("the logs follow the three tasks: {followed:?}"),
    )?;
    // A Korean learner sees the same pages with the swarm running, a replaced task and all,
    // in Korean.
    s.click(&s.find("[data-testid=locale-ko]")?)?;
    let mut english = Vec::new();
    for (hash, ready) in [
        ("#/monitor", "[data-testid=swarm-tasks]"),
        ("#/operate", "[data-testid=swarm-tasks]"),
        ("#/deploy", "[data-testid=swarm-panel]"),
        ("#/lesson/swarm", "[data-testid=lesson-body]"),
    ] {
        english.extend(crate::korean::english_on(s, hash, ready)?);
    }
    s.click(&s.find("[data-testid=locale-en]")?)?;
    check(
        english.is_empty(),
        format!(
            "English on the Korean pages with the swarm running:\n{}",
            english.join("\n")
        ),
    )?;
    open_lesson(s, "swarm")?;

    // The broken release: committed, released, deployed (refused by Swarm), reverted. (Block
    // 4 is the kill by hand, which the page's button did instead.)
    // A release builds in a clean checkout; Swarm takes a health check's start period, its
    // retries and the monitor window to give up on the new task.
    let minutes = std::time::Duration::from_secs(120);
    press_run(s, 5, true)?;
    press_run_within(s, 6, true, minutes)?;
    let refused = press_run_within(s, 7, false, minutes)?;
    check(
        refused.contains("rolled") || refused.contains("rollback"),
        format!("the deploy says Swarm rolled it back: {refused}"),
    )?;
    live_has_the_change(addr)?;
    press_run(s, 8, true)?;
    check_until_pass(s, "rolled-back", 20)?;

    // Home again, and the swarm left.
    press_run_within(s, 9, true, minutes)?;
    press_run(s, 10, true)?;
    live_has_the_change(addr)?;
    check_until_pass(s, "home-again", 20)?;
    answer(s, "why-no-traffic", &["b"])?;
    lesson_green(s, "swarm")
}

/// The Code lesson: a branch, the change the text describes, its commit, the merge.
fn take_code(home: &Home, addr: &str, s: &webdriver::Session) -> Result<()> {
    open_lesson(s, "code")?;
    press_run(s, 0, true)?;
    edit(
        home,
        "src/main.rs",
        "<p>version {VERSION}</p>",
        "<p>version <b>{VERSION}</b></p>",
    )?;
    terminal(
        home,
        addr,
        "git commit -am \"feat: show the version in bold, closes #1\"",
    )?;
    terminal(
        home,
        addr,
        "git switch main && git merge feature/bold-version",
    )?;
    answer(s, "why-small-merges", &["a"])?;
    lesson_green(s, "code")
}

/// The Release lesson: the version set and Cargo.lock in step, both committed, then Create
/// release on the Releases page; `on_page` looks at that page before and after.
fn take_release(
    home: &Home,
    s: &webdriver::Session,
    on_page: &dyn Fn(&str) -> Result<()>,
) -> Result<()> {
    open_lesson(s, "release")?;
    edit(
        home,
        "Cargo.toml",
        "version = \"0.1.0\"",
        "version = \"0.2.0\"",
    )?;
    press_run(s, 0, true)?;
    press_run(s, 1, true)?;
    s.click(&s.find("[data-testid=nav-releases]")?)?;
    s.wait("0.2.0 proposed", || {
        Ok((s
            .execute("return document.querySelector('[data-testid=release-version]')?.value;")?
            .as_str()
            == Some("0.2.0"))
        .then_some(()))
    })?;
    on_page("releases")?;
    s.click(&s.find("[data-testid=create-release]")?)?;
    s.wait_text("[data-testid=release-made]", "0.2.0 released", |t| {
        t.contains("0.2.0")
    })?;
    on_page("releases")?;
    open_lesson(s, "release")?;
    answer(s, "semver", &["b"])?;
    lesson_green(s, "release")
}

/// The Deploy lesson: by hand first, then 0.2.0 blue-green on two replicas from the Deploy
/// page; returns what the hand-run container answered.
fn take_deploy(s: &webdriver::Session, on_page: &dyn Fn(&str) -> Result<()>) -> Result<String> {
    open_lesson(s, "deploy")?;
    press_run(s, 0, true)?;
    let page = press_run(s, 1, true)?;
    s.click(&s.find("[data-testid=nav-deploy]")?)?;
    s.wait("0.2.0 offered", || {
        Ok((s
            .execute("return [...document.querySelectorAll('[data-testid=deploy-version] option')].map((o) => o.value).includes('0.2.0');")?
            .as_bool()
            == Some(true))
        .then_some(()))
    })?;
    s.execute("const v = document.querySelector('[data-testid=deploy-version]'); v.value = '0.2.0'; v.dispatchEvent(new Event('change', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=strategy-blueGreen]")?)?;
    s.execute("const r = document.querySelector('[data-testid=deploy-replicas]'); r.value = '2'; r.dispatchEvent(new Event('input', { bubbles: true }));")?;
    s.click(&s.find("[data-testid=deploy-run]")?)?;
    s.wait_text("[data-testid=deploy-live]", "0.2.0 live", |t| {
        t.contains("0.2.0")
    })?;
    on_page("deploy page")?;
    open_lesson(s, "deploy")?;
    answer(s, "zero-downtime", &["a"])?;
    lesson_green(s, "deploy")?;
    Ok(page)
}

/// What the stable address serves has the committed change.
fn live_has_the_change(addr: &str) -> Result<()> {
    let live = Command::new("curl")
        .args(["-s", "--max-time", "3", &format!("http://{addr}/")])
        .output()
        .map_err(|e| e.to_string())?;
    let body = String::from_utf8_lossy(&live.stdout);
    check(
        body.contains("version <b>0.2.0</b>"),
        format!("the stable address serves the committed change: {body}"),
    )
}

/// A lesson page the learner just finished reads in Korean only (code, their words aside).
fn korean_only(s: &webdriver::Session, lesson: &str) -> Result<()> {
    let found = english_here(s, lesson)?;
    check(
        found.is_empty(),
        format!(
            "English on the finished {lesson} lesson:\n{}",
            found.join("\n")
        ),
    )
}

pub fn code_release_and_deploy_again_in_korean() -> Result<()> {
    let demo = DemoApp::launch_in("ko_KR.UTF-8", &[])?;
    let _hand_run = HandRun;
    let (home, addr, s) = (&demo.home, demo.addr.as_str(), &demo.app.session);
    let korean = |page: &str| korean_only(s, page);
    take_code(home, addr, s)?;
    korean("code")?;
    take_release(home, s, &korean)?;
    korean("release")?;
    take_deploy(s, &korean)?;
    korean("deploy")?;
    live_has_the_change(addr)
}
