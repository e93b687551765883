//! A learner in the real DevOps-loop pack: lessons render per language, checks and quizzes are
//! recorded, lesson commands run in the workspace, and only the pack's own commands can run.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use devloop_engine::check::Outcome;
use devloop_engine::settings::Locale;
use devloop_engine::store::Store;
use devloop_engine::workshop::learner::Learner;
use devloop_engine::workshop::pack;
use devloop_engine::Code;

fn learner(ws: &Path) -> Arc<Learner> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workshops/devops-loop");
    let p = pack::load(&dir).expect("the shipped pack is valid");
    let l = Learner::new(p, ws.join("DevLoop"), Store::in_memory().unwrap());
    l.ensure_workspace().unwrap();
    l
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_fails_with_a_hint_then_passes_after_the_real_change_and_is_remembered() {
    let home = tempfile::tempdir().unwrap();
    let l = learner(home.path());
    let first = l.check("code", "branch", 100).await.unwrap();
    let Outcome::Fail { hint, .. } = &first.outcome else {
        panic!("{first:?}")
    };
    assert!(hint.contains("feature/bold-version"), "{hint}");
    assert_eq!(first.progress.attempts, 1);

    let ok = Command::new("git")
        .args(["branch", "feature/bold-version"])
        .current_dir(l.workspace())
        .status()
        .unwrap();
    assert!(ok.success());
    let second = l.check("code", "branch", 200).await.unwrap();
    assert_eq!(second.outcome, Outcome::Pass);
    assert_eq!(second.progress.passed_at, Some(200));

    let overview = l.overview(Locale::En).unwrap();
    assert_eq!(overview.lessons.len(), 12);
    assert_eq!(
        overview
            .lessons
            .iter()
            .find(|s| s.id == "code")
            .unwrap()
            .passed,
        1
    );
    let view = l.lesson("code", Locale::Ko, 300).unwrap();
    assert_eq!(
        view.steps[0].progress.as_ref().unwrap().passed_at,
        Some(200)
    );
}

#[test]
fn a_lesson_renders_in_the_chosen_language_with_its_cli_twins() {
    let home = tempfile::tempdir().unwrap();
    let l = learner(home.path());
    let ko = l.lesson("continuous", Locale::Ko, 1).unwrap();
    assert_eq!(ko.title, "지속적 통합, 지속적 제공, 지속적 배포");
    assert!(ko.html.contains("<strong>"), "{}", ko.html);
    let quiz = ko
        .steps
        .iter()
        .find(|s| s.id == "manual-gate")
        .unwrap()
        .quiz
        .as_ref()
        .unwrap();
    assert!(quiz
        .choices
        .iter()
        .any(|c| c.text == "지속적 제공 (지속적 전달)"));
    assert!(!quiz.multiple);
    let en = l.lesson("continuous", Locale::En, 1).unwrap();
    assert_eq!(en.steps.len(), ko.steps.len());
    assert_eq!(
        en.steps[0].cli,
        "devloop lesson check continuous pipeline-order"
    );
    assert!(
        en.steps
            .iter()
            .find(|s| s.id == "what-ci-covers")
            .unwrap()
            .quiz
            .as_ref()
            .unwrap()
            .multiple
    );
}

#[test]
fn quizzes_explain_after_any_answer_and_refuse_unknown_choices() {
    let home = tempfile::tempdir().unwrap();
    let l = learner(home.path());
    let wrong = l
        .answer(
            "continuous",
            "manual-gate",
            &["deployment".into()],
            Locale::En,
            5,
        )
        .unwrap();
    assert!(matches!(wrong.outcome, Outcome::Fail { .. }));
    assert!(wrong.explanation.contains("Continuous Delivery"));
    let right = l
        .answer(
            "continuous",
            "manual-gate",
            &["delivery".into()],
            Locale::En,
            6,
        )
        .unwrap();
    assert_eq!(right.outcome, Outcome::Pass);
    assert_eq!(
        right.progress.chosen.as_deref(),
        Some(&["delivery".to_owned()][..])
    );
    let err = l
        .answer(
            "continuous",
            "manual-gate",
            &["<script>".into()],
            Locale::En,
            7,
        )
        .unwrap_err();
    assert_eq!(err.code, Code::InvalidInput);

    // Reopened in Korean (a language switch), the answered quiz explains itself in Korean; an
    // unanswered one reveals nothing.
    let ko = l.lesson("continuous", Locale::Ko, 8).unwrap();
    let explanation = |id: &str| {
        ko.steps
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.quiz.as_ref())
            .and_then(|q| q.explanation.clone())
    };
    assert!(
        explanation("manual-gate").is_some_and(|e| e.contains("지속적 제공")),
        "{:?}",
        explanation("manual-gate")
    );
    assert_eq!(explanation("korean-terms"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_runnable_blocks_written_in_the_pack_run_and_their_output_comes_back() {
    let home = tempfile::tempdir().unwrap();
    let l = learner(home.path());
    let view = l.lesson("intro", Locale::En, 1).unwrap();
    let index = view.code_blocks.iter().position(|b| b.runnable).unwrap();
    let run = l.run_block("intro", index, Locale::En).await.unwrap();
    assert_eq!(run.exit_code, Some(0));
    assert!(
        run.output
            .contains("chore: start from the DevLoop demo project"),
        "{}",
        run.output
    );
    let plain = view.code_blocks.iter().position(|b| !b.runnable);
    if let Some(plain) = plain {
        assert_eq!(
            l.run_block("intro", plain, Locale::En)
                .await
                .unwrap_err()
                .code,
            Code::InvalidInput
        );
    }
    assert_eq!(
        l.run_block("intro", 999, Locale::En)
            .await
            .unwrap_err()
            .code,
        Code::InvalidInput
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn solve_does_the_step_and_reset_forgets_the_lesson() {
    let home = tempfile::tempdir().unwrap();
    let l = learner(home.path());
    let run = l.solve("plan", "write-plan").await.unwrap();
    assert_eq!(run.exit_code, Some(0), "{run:?}");
    assert_eq!(
        l.check("plan", "write-plan", 1).await.unwrap().outcome,
        Outcome::Pass
    );
    l.reset_lesson("plan").unwrap();
    assert!(l.lesson("plan", Locale::En, 2).unwrap().steps[0]
        .progress
        .is_none());
}

#[test]
fn assets_resolve_only_inside_the_pack() {
    let home = tempfile::tempdir().unwrap();
    let l = learner(home.path());
    assert!(l.asset("/code/../../../../etc/passwd").is_none());
    assert!(l.asset("/nope/x.png").is_none());
    assert!(l.asset("/code/lesson.toml").is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_commit_in_the_workspace_re_checks_the_lesson_without_pressing_anything() {
    let home = tempfile::tempdir().unwrap();
    let l = learner(home.path());
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let _watch = devloop_engine::workshop::watch::watch(
        Arc::clone(&l),
        "code".into(),
        || 42,
        move |r| {
            sink.lock().unwrap().push(r);
        },
    )
    .unwrap();
    let ok = Command::new("git")
        .args(["switch", "-qc", "feature/bold-version"])
        .current_dir(l.workspace())
        .status()
        .unwrap();
    assert!(ok.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let passed = seen
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.step == "branch" && r.outcome == Outcome::Pass);
        if passed {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no re-check after the branch was made: {:?}",
            seen.lock().unwrap()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The checks' own reads (libgit2 opening `.git`, a command they run) are not changes: an idle
/// open lesson is looked at only as often as its polling allows (steps not passed yet, every
/// few seconds), never in a loop that feeds itself.
#[tokio::test(flavor = "multi_thread")]
async fn an_idle_open_lesson_is_not_checked_again_and_again() {
    let home = tempfile::tempdir().unwrap();
    let l = learner(home.path());
    let seen = Arc::new(std::sync::Mutex::new(0usize));
    let sink = Arc::clone(&seen);
    let _watch = devloop_engine::workshop::watch::watch(
        Arc::clone(&l),
        "code".into(),
        || 42,
        move |_| *sink.lock().unwrap() += 1,
    )
    .unwrap();
    std::fs::write(l.workspace().join("notes.txt"), "one change\n").unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let after_the_change = *seen.lock().unwrap();
    assert!(after_the_change > 0, "the change was checked");
    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
    let idle = *seen.lock().unwrap() - after_the_change;
    // At most one poll every 3 s of the lesson's 3 hands-on steps: 4 rounds in 10 s.
    let steps = 3;
    assert!(idle <= 4 * steps, "{idle} check results in 10 idle seconds");
    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
    let later = *seen.lock().unwrap() - after_the_change - idle;
    assert!(later <= 4 * steps, "the rate grew: {idle} then {later}");
}

/// The hostile pack of the repository's tests, copied where the test may change it.
fn hostile_copy(home: &Path) -> std::path::PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/packs/hostile");
    let dest = home.join("packs/hostile");
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    assert!(Command::new("cp")
        .args(["-a"])
        .arg(&src)
        .arg(&dest)
        .status()
        .unwrap()
        .success());
    dest
}

fn paths(home: &Path) -> devloop_engine::settings::Paths {
    devloop_engine::settings::Paths {
        config_dir: home.join("config"),
        workspace_override: Some(home.join("ws")),
        default_workspace: home.join("ws"),
        data_dir: home.join("data"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pack_devloop_did_not_ship_runs_no_command_until_trusted_and_asks_again_when_changed() {
    let home = tempfile::tempdir().unwrap();
    let dir = hostile_copy(home.path());
    let paths = paths(home.path());
    let l = devloop_engine::workshop::open(&paths, &dir).unwrap();
    let ws = l.workspace().to_path_buf();
    let trust = l.trust().unwrap();
    assert!(!trust.trusted && !trust.shipped);
    let listed: Vec<&str> = trust.commands.iter().map(|c| c.command.as_str()).collect();
    assert!(
        listed.iter().any(|c| c.contains("pwned-by-check"))
            && listed.iter().any(|c| c.contains("pwned-by-solve"))
            && listed.iter().any(|c| c.contains("pwned-by-run")),
        "every command is listed before trust: {listed:?}"
    );
    assert!(l.lesson("hostile", Locale::En, 1).unwrap().restricted);
    // Its images are served from inside it; its link out of it is not.
    assert!(l.asset("/hostile/img/evil.svg").is_some());
    assert!(l.asset("/hostile/img/passwd.svg").is_none());

    // Restricted: the check that would run a command says why instead, records nothing;
    // the check that only reads state still works; the solve and the Run button are refused.
    let probe = l.check("hostile", "probe", 2).await.unwrap();
    let Outcome::Error { finding, .. } = &probe.outcome else {
        panic!("{probe:?}")
    };
    assert_eq!(finding.as_ref().unwrap().code, "packNotTrusted");
    assert_eq!(probe.progress.attempts, 0);
    assert_eq!(
        l.check("hostile", "workspace", 3).await.unwrap().outcome,
        Outcome::Pass
    );
    assert_eq!(
        l.solve("hostile", "workspace").await.unwrap_err().code,
        Code::Untrusted
    );
    assert_eq!(
        l.run_block("hostile", 0, Locale::En)
            .await
            .unwrap_err()
            .code,
        Code::Untrusted
    );
    let made: Vec<_> = std::fs::read_dir(&ws)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pwned"))
        .collect();
    assert!(made.is_empty(), "a command ran without trust: {made:?}");

    // Trusted for the content that was shown: the check runs.
    l.grant_trust(&paths, &trust.digest).unwrap();
    l.check("hostile", "probe", 4).await.unwrap();
    assert!(ws.join("pwned-by-check").exists());
    drop(l);
    let again = devloop_engine::workshop::open(&paths, &dir).unwrap();
    assert!(again.trust().unwrap().trusted, "trust is remembered");
    drop(again);

    // One changed word is another pack: it asks again.
    let en = dir.join("lessons/hostile/en.md");
    let text = std::fs::read_to_string(&en).unwrap();
    std::fs::write(&en, text.replace("Every trick", "Each trick")).unwrap();
    let changed = devloop_engine::workshop::open(&paths, &dir).unwrap();
    assert!(!changed.trust().unwrap().trusted);
    assert_eq!(
        changed
            .solve("hostile", "workspace")
            .await
            .unwrap_err()
            .code,
        Code::Untrusted
    );
}

/// A pack's command check that never passes, with the lesson open and nobody doing anything
/// for 30 s: it runs at most once each 15 s, and the rate does not grow.
#[tokio::test(flavor = "multi_thread")]
async fn an_idle_open_lesson_runs_its_command_check_at_a_bounded_rate_that_does_not_grow() {
    let home = tempfile::tempdir().unwrap();
    let dir = hostile_copy(home.path());
    let p = pack::load(&dir).unwrap();
    // Vouched for, so its command runs: the rate is what is measured.
    let l = Learner::new(p, home.path().join("ws"), Store::in_memory().unwrap());
    l.ensure_workspace().unwrap();
    let runs = || {
        std::fs::read_to_string(home.path().join("probe-runs.txt"))
            .unwrap_or_default()
            .lines()
            .count()
    };
    let _watch =
        devloop_engine::workshop::watch::watch(Arc::clone(&l), "hostile".into(), || 42, |_| {})
            .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let start = runs();
    let mut windows = Vec::new();
    for _ in 0..2 {
        let before = runs();
        tokio::time::sleep(std::time::Duration::from_secs(15)).await;
        windows.push(runs() - before);
    }
    assert!(
        windows.iter().all(|&n| n <= 2) && windows[1] <= windows[0] + 1,
        "command check runs in two idle 15 s windows (after {start} at the start): {windows:?}"
    );
}
