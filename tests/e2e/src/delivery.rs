//! Release, Deploy and Operate: a release from its page, blue-green and a rollback, chaos and the autoscaler, and the delivery pipeline waiting for a person.

use std::path::Path;
use std::process::Command;

use crate::steps::*;
use crate::webdriver::{self, Result};

pub(crate) fn a_release_from_the_releases_page_builds_tags_and_lists_it() -> Result<()> {
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

pub(crate) fn a_release_deployed_blue_green_answers_on_the_stable_address_and_a_broken_one_rolls_back(
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

pub(crate) fn chaos_is_healed_and_peak_traffic_makes_the_autoscaler_add_a_replica() -> Result<()> {
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

/// A pipeline through the whole Dev half of the loop and into production.
pub(crate) const DELIVERY: &str = r#"name: delivery
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

pub(crate) fn one_click_runs_build_test_release_and_deploy_and_delivery_waits_for_a_person(
) -> Result<()> {
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
