//! Every malformed or unsupported workflow in `tests/workflows/` is refused with the message in
//! its `.expect` file (file:line:col included). `DEVLOOP_BLESS=1` writes the `.expect` files,
//! to be read by a person before they are committed.

use std::path::{Path, PathBuf};

use devloop_engine::pipeline::{self, check_text};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/workflows")
}

fn render(name: &str, text: &str) -> String {
    let checked = check_text(&Path::new("tests/workflows").join(name), text);
    let mut out: Vec<String> = checked
        .errors
        .iter()
        .map(|d| format!("error: {d}"))
        .collect();
    out.extend(
        checked
            .unsupported
            .iter()
            .map(|d| format!("unsupported: {d}")),
    );
    out.extend(checked.skipped.iter().map(|d| format!("skipped: {d}")));
    out.extend(checked.warnings.iter().map(|d| format!("warning: {d}")));
    out.join("\n") + "\n"
}

#[test]
fn every_fixture_is_refused_with_its_expected_message() {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .collect();
    entries.sort();
    assert!(entries.len() >= 40, "only {} fixtures", entries.len());
    let bless = std::env::var_os("DEVLOOP_BLESS").is_some();
    let mut failures = Vec::new();
    for path in &entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let got = render(&name, &text);
        assert_ne!(got.trim(), "", "{name} was accepted");
        let expect = path.with_extension("expect");
        if bless {
            std::fs::write(&expect, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expect).unwrap_or_default();
        if got != want {
            failures.push(format!("{name}:\n--- expected\n{want}--- got\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_demo_projects_workflow_is_clean_and_planned_in_order() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../workshops/devops-loop/demo/.github/workflows/ci.yml");
    let checked = pipeline::check_file(&file, Path::new(".github/workflows/ci.yml"));
    assert!(
        checked.runnable(),
        "{:?} {:?}",
        checked.errors,
        checked.unsupported
    );
    assert_eq!(
        checked.plan.unwrap().stages,
        vec![vec!["build".to_owned()], vec!["test".to_owned()]]
    );
}

/// What DevLoop ships is what it teaches: no workflow of the workshop draws a linter warning.
#[test]
fn the_workshops_workflows_draw_no_warning() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../workshops/devops-loop/demo/.github/workflows");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().path();
        let checked = pipeline::check_file(&file, &file);
        assert!(
            checked.runnable(),
            "{}: {:?}",
            file.display(),
            checked.errors
        );
        assert!(checked.warnings.is_empty(), "{:#?}", checked.warnings);
        seen += 1;
    }
    assert!(seen >= 2, "only {seen} workflows");
}

/// Workflows shaped like the language starter workflows and the CI of real projects
/// (`tests/workflows/real/`) all start here, with no warning; what needs GitHub is named
/// once per action, and nothing else.
#[test]
fn real_world_workflows_run_here() {
    let dir = fixtures().join("real");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "only {} workflows", files.len());
    let mut skipped = Vec::new();
    for file in &files {
        let checked = pipeline::check_file(file, file);
        assert!(
            checked.runnable(),
            "{}: {:#?} {:#?}",
            file.display(),
            checked.errors,
            checked.unsupported
        );
        assert!(checked.warnings.is_empty(), "{:#?}", checked.warnings);
        skipped.extend(
            checked
                .skipped
                .iter()
                .map(|d| d.finding.params["uses"].clone()),
        );
    }
    skipped.sort();
    assert_eq!(
        skipped,
        [
            "codecov/codecov-action@v4",
            "docker/setup-buildx-action@v3",
            "golangci/golangci-lint-action@v6",
            "pypa/gh-action-pypi-publish@release/v1",
            "softprops/action-gh-release@v2"
        ]
    );
}

/// A warning is said, and the run still starts, as GitHub would run the file.
#[test]
fn warnings_do_not_stop_a_run() {
    let file = fixtures().join("59-contexts-name-nothing.yml");
    let checked = pipeline::check_file(&file, &file);
    assert!(checked.runnable(), "{:?}", checked.errors);
    let codes: Vec<&str> = checked
        .warnings
        .iter()
        .map(|d| d.finding.code.as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "stepIdUnknown",
            "matrixKeyUnknown",
            "stepNotYet",
            "stepIdUnknown",
            "needsNotNeeded",
            "jobHasNoMatrix"
        ]
    );
}

#[test]
fn a_huge_file_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.yml");
    let mut text = String::from("on: push\njobs:\n");
    while text.len() < 2 * 1024 * 1024 {
        text.push_str(&format!(
            "  job{}:\n    runs-on: x\n    steps: [{{run: echo}}]\n",
            text.len()
        ));
    }
    std::fs::write(&file, text).unwrap();
    let checked = pipeline::check_file(&file, Path::new("huge.yml"));
    assert!(
        checked.errors[0]
            .message
            .contains("a workflow is at most 1024 KiB"),
        "{:?}",
        checked.errors
    );
}

#[test]
fn independent_jobs_share_a_stage_and_dependents_follow() {
    let text = "on: push\njobs:\n  lint:\n    runs-on: x\n    steps: [{run: a}]\n  build:\n    runs-on: x\n    steps: [{run: b}]\n  test:\n    needs: [lint, build]\n    runs-on: x\n    steps: [{run: c}]\n  deploy:\n    needs: test\n    runs-on: x\n    steps: [{run: d}]\n";
    let checked = check_text(Path::new("w.yml"), text);
    let stages = checked.plan.unwrap().stages;
    assert_eq!(
        stages,
        vec![vec!["lint", "build"], vec!["test"], vec!["deploy"]]
    );
}

/// Random edits of a real workflow never make the reader panic or hang: each input is small,
/// so a hang would show as this test never finishing.
#[test]
fn random_input_never_panics() {
    let seed_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../workshops/devops-loop/demo/.github/workflows/ci.yml"),
    )
    .unwrap();
    let alphabet: Vec<char> = "[]{}:,-&*!|>'\"#%@`$ \n\t\r abc123${{}}?".chars().collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift64*: deterministic, so a failure can be replayed.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    for _ in 0..3000 {
        let mut chars: Vec<char> = seed_text.chars().collect();
        for _ in 0..(next() % 8 + 1) {
            let at = (next() as usize) % (chars.len() + 1);
            let c = alphabet[(next() as usize) % alphabet.len()];
            match next() % 3 {
                0 => chars.insert(at, c),
                1 if at < chars.len() => {
                    chars.remove(at);
                }
                _ if at < chars.len() => chars[at] = c,
                _ => {}
            }
        }
        let text: String = chars.into_iter().collect();
        let _ = check_text(Path::new("fuzz.yml"), &text);
    }
}

/// Hostile workflows get a refusal that names the place, and never exhaust the checker: deep
/// nesting and long chains in an expression (which overflowed the stack), a matrix of 100
/// million jobs (which allocated past 4 GB), a NUL byte (which hid the rest of the file), and
/// a 5,000-job `needs` chain (planned in linear time; `make bench-pipeline` times it).
#[test]
fn hostile_workflows_are_refused_with_their_place_and_exhaust_nothing() {
    let check = |text: &str| {
        let checked = check_text(Path::new("w.yml"), text);
        checked
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let job = |condition: &str| {
        format!("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - if: ${{{{ {condition} }}}}\n        run: echo\n")
    };
    let nested = format!("{}true{}", "(".repeat(1100), ")".repeat(1100));
    let said = check(&job(&nested));
    assert!(
        said.contains("w.yml:6:") && said.contains("more than 50 levels"),
        "{said}"
    );
    let called = format!("{}'x'{}", "toJSON(".repeat(300), ")".repeat(300));
    assert!(check(&job(&called)).contains("more than 50 levels"));
    let chained = vec!["true"; 600].join(" && ");
    assert!(check(&job(&chained)).contains("chains more than 50"));
    let indexed = format!("github{}", "['a']".repeat(600));
    assert!(check(&job(&indexed)).contains("chains more than 50"));
    // Within the limit, as deep as real workflows go, it is fine.
    let fine = format!("{}true{}", "(".repeat(20), ")".repeat(20));
    assert_eq!(check(&job(&fine)), "");

    let axes: String = (0..8)
        .map(|a| format!("        a{a}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n"))
        .collect();
    let matrix = format!("on: push\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix:\n{axes}    steps:\n      - run: echo\n");
    let said = check(&matrix);
    assert!(
        said.contains("w.yml:7:") && said.contains("makes 100000000 jobs"),
        "{said}"
    );

    let hidden = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\0\n  b:\n    steps: 1\n";
    let said = check(hidden);
    assert!(
        said.contains("w.yml:6:18") && said.contains("NUL byte"),
        "{said}"
    );

    let mut chain = String::from("on: push\njobs:\n");
    for i in 0..5000 {
        chain.push_str(&format!("  j{i}:\n    runs-on: x\n"));
        if i > 0 {
            chain.push_str(&format!("    needs: j{}\n", i - 1));
        }
        chain.push_str("    steps:\n      - run: echo\n");
    }
    let checked = check_text(Path::new("w.yml"), &chain);
    assert!(checked.errors.is_empty());
    let stages = checked.plan.unwrap().stages;
    assert_eq!(stages.len(), 5000);
    assert_eq!(stages[4999], ["j4999"]);
}
