//! `devloop run` as a learner runs it: a run of one job (`--job`) needs only that job and the
//! jobs it needs to be runnable here; what the others ask for is said only when it is run.

mod common;

use common::{devloop, git, text};

#[test]
fn a_run_of_one_job_is_not_refused_for_what_another_job_asks() {
    let home = tempfile::tempdir().unwrap();
    let ws = home.path().join("ws");
    std::fs::create_dir_all(ws.join(".github/workflows")).unwrap();
    std::fs::write(
        ws.join(".github/workflows/ci.yml"),
        "on: workflow_dispatch\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo built\n  test:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo tested\n  integration:\n    runs-on: ubuntu-latest\n    environment: staging\n    steps:\n      - run: echo never here\n",
    )
    .unwrap();
    git(&ws, &["init", "-q", "-b", "main"]);
    git(&ws, &["add", "-A"]);
    git(&ws, &["commit", "-qm", "ci: three jobs"]);

    let one = devloop(home.path(), &["run", "--job", "test"]);
    let said = text(&one);
    assert!(one.status.success(), "{said}");
    assert!(said.contains("built") && said.contains("tested"), "{said}");
    assert!(
        !said.contains("never here") && !said.contains("not run here"),
        "{said}"
    );

    // The job that asks for a deployment environment, or the whole workflow, is still refused.
    for args in [&["run", "--job", "integration"][..], &["run"][..]] {
        let refused = devloop(home.path(), args);
        assert!(!refused.status.success());
        assert!(
            text(&refused).contains("a deployment environment (`environment:`)"),
            "{args:?}: {}",
            text(&refused)
        );
    }
}

/// `devloop run` says before it runs what the Pipeline page shows beside the Run button: the
/// actions skipped here and what the linter warns about; the run still goes on.
#[test]
fn a_run_in_a_terminal_says_its_warnings_and_skipped_actions_first() {
    let home = tempfile::tempdir().unwrap();
    let ws = home.path().join("ws");
    std::fs::create_dir_all(ws.join(".github/workflows")).unwrap();
    std::fs::write(
        ws.join(".github/workflows/ci.yml"),
        "on: workflow_dispatch\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: codecov/codecov-action@v4\n      - run: echo \"::set-output name=a::1\"\n",
    )
    .unwrap();
    git(&ws, &["init", "-q", "-b", "main"]);
    git(&ws, &["add", "-A"]);
    git(&ws, &["commit", "-qm", "ci: warned"]);
    let out = devloop(home.path(), &["run"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        err.contains("skipped here: .github/workflows/ci.yml:6:15: the action `codecov/codecov-action@v4` needs GitHub"),
        "{err}"
    );
    assert!(
        err.contains("warning: .github/workflows/ci.yml:7:20: the workflow command `::set-output` is deprecated"),
        "{err}"
    );
}
