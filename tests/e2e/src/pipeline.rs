//! The Pipeline page: a workflow run live and cancelled, a red push run, a million log lines, inputs, artifacts, a summary and re-runs.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use crate::steps::*;
use crate::webdriver::Result;

pub(crate) fn one_click_runs_the_demo_workflow_live_and_cancel_stops_a_long_step() -> Result<()> {
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

pub(crate) fn a_commit_that_breaks_a_test_turns_the_push_run_red_at_the_test_job() -> Result<()> {
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
pub(crate) struct Process {
    pid: u32,
    ppid: u32,
    args: Vec<String>,
}

pub(crate) fn processes() -> Vec<Process> {
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

pub(crate) fn a_million_log_lines_stay_smooth_and_searchable() -> Result<()> {
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

pub(crate) fn inputs_artifacts_and_a_summary_show_and_a_rerun_repeats_the_run() -> Result<()> {
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
