//! Every page and lesson rendered in Korean, scanned for English outside code.

use crate::steps::*;
use crate::webdriver::{self, Result};

/// English sentences on the page outside code: three Latin words in a row, in any text the
/// learner reads that is not code, a command, a path or their own content (`data-own`).
pub(crate) const ENGLISH_OUTSIDE_CODE: &str = r#"
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
pub(crate) fn english_on(s: &webdriver::Session, hash: &str, ready: &str) -> Result<Vec<String>> {
    s.execute(&format!("location.hash = '{hash}';"))?;
    s.find(ready)?;
    // Pages fill in from the backend; a second lets the lesson checks report.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    english_here(s, hash)
}

/// The English outside code on the page as it is now, each line led by `at`.
pub(crate) fn english_here(s: &webdriver::Session, at: &str) -> Result<Vec<String>> {
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
pub(crate) const BROKEN_WORKFLOW: &str = "name: broken
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
pub(crate) const MARKETPLACE_WORKFLOW: &str = "name: marketplace
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

pub(crate) fn every_page_and_lesson_in_korean_has_no_english_outside_code() -> Result<()> {
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
