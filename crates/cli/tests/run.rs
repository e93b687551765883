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
