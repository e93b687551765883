//! The pack validator on a small valid pack and on each kind of broken one: every error names
//! file:line:col (or the file) and what to do.

use std::path::Path;

use devloop_engine::workshop::pack;

const MANIFEST: &str = r#"id = "mini"
version = "1.0.0"
demo = "demo"
lessons = ["code"]

[title]
en = "Mini"
ko = "미니"
"#;

const LESSON: &str = r#"stage = "code"

[[steps]]
id = "commit"
check = { kind = "git.commitCount", min = 2 }
solve = "git commit --allow-empty -m 'docs: more'"

[[steps]]
id = "quiz"
check = { kind = "quiz", choices = ["a", "b"], answer = ["b"] }
"#;

fn text(lang: &str) -> String {
    format!(
        r#"+++
title = "Code {lang}"
summary = "Commit"

[steps.commit]
title = "Commit {lang}"
hint = "git commit"

[steps.quiz]
title = "Quiz {lang}"
question = "Which?"
explanation = "Because."
choices = {{ a = "A", b = "B" }}
+++
# Code

![loop](img/loop.svg)
"#
    )
}

fn write(root: &Path, rel: &str, content: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// A valid pack at `<tmp>/mini`.
fn valid() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("mini");
    write(&root, "workshop.toml", MANIFEST);
    write(&root, "demo/README.md", "demo");
    write(&root, "lessons/code/lesson.toml", LESSON);
    write(&root, "lessons/code/en.md", &text("en"));
    write(&root, "lessons/code/ko.md", &text("ko"));
    write(&root, "lessons/code/img/loop.svg", "<svg/>");
    dir
}

/// Loads the pack after `mutate`, and returns every diagnostic as text.
fn errors(mutate: impl FnOnce(&Path)) -> String {
    let dir = valid();
    let root = dir.path().join("mini");
    mutate(&root);
    match pack::load(&root) {
        Ok(_) => panic!("the broken pack loaded"),
        Err(diags) => diags
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn a_valid_pack_loads_with_its_lessons_steps_and_both_languages() {
    let dir = valid();
    let p = pack::load(&dir.path().join("mini")).unwrap();
    assert_eq!(p.id, "mini");
    assert_eq!(p.lessons.len(), 1);
    let lesson = &p.lessons[0];
    assert_eq!(lesson.steps.len(), 2);
    assert_eq!(
        lesson.text(devloop_engine::settings::Locale::Ko).title,
        "Code ko"
    );
    assert!(lesson
        .text(devloop_engine::settings::Locale::En)
        .body
        .starts_with("# Code"));
    assert!(p.demo.unwrap().ends_with("demo"));
}

#[test]
fn bad_toml_names_its_line_and_column() {
    let e = errors(|r| write(r, "workshop.toml", "id = \"mini\"\nversion = \n"));
    assert!(e.starts_with("mini/workshop.toml:2:"), "{e}");
}

#[test]
fn a_missing_translation_names_the_file_to_write() {
    let e = errors(|r| std::fs::remove_file(r.join("lessons/code/ko.md")).unwrap());
    assert!(
        e.contains("mini/lessons/code/ko.md: lesson `code` has no ko translation"),
        "{e}"
    );
}

#[test]
fn an_unknown_check_kind_points_at_it() {
    let e = errors(|r| {
        write(
            r,
            "lessons/code/lesson.toml",
            &LESSON.replace("git.commitCount", "git.comitCount"),
        )
    });
    assert!(e.contains("mini/lessons/code/lesson.toml:5:"), "{e}");
    assert!(e.contains("git.comitCount"), "{e}");
}

#[test]
fn a_bad_regex_points_at_the_check() {
    let lesson = LESSON.replace(
        r#"{ kind = "git.commitCount", min = 2 }"#,
        r#"{ kind = "git.commitMessage", pattern = "feat(" }"#,
    );
    let e = errors(|r| write(r, "lessons/code/lesson.toml", &lesson));
    assert!(
        e.contains("mini/lessons/code/lesson.toml:5:9: the pattern `feat(` is not a valid regex"),
        "{e}"
    );
}

#[test]
fn step_ids_that_differ_between_languages_are_named_in_the_file_that_differs() {
    let e = errors(|r| {
        write(
            r,
            "lessons/code/ko.md",
            &text("ko").replace("[steps.commit]", "[steps.comit]"),
        )
    });
    assert!(
        e.contains("mini/lessons/code/ko.md:2:1: step `commit` has no text here"),
        "{e}"
    );
    assert!(e.contains("`comit` is not a step of this lesson"), "{e}");
    assert!(!e.contains("en.md"), "English is fine: {e}");
}

#[test]
fn a_missing_asset_is_named_where_it_is_used() {
    let e = errors(|r| std::fs::remove_file(r.join("lessons/code/img/loop.svg")).unwrap());
    assert!(
        e.contains("mini/lessons/code/en.md:17:9: `img/loop.svg` does not exist in the pack"),
        "{e}"
    );
}

#[test]
fn duplicate_lessons_and_steps_are_reported() {
    let e = errors(|r| {
        write(
            r,
            "workshop.toml",
            &MANIFEST.replace(r#"["code"]"#, r#"["code", "code"]"#),
        )
    });
    assert!(
        e.contains("mini/workshop.toml:4:20: lesson `code` is listed twice"),
        "{e}"
    );
    let e = errors(|r| {
        write(
            r,
            "lessons/code/lesson.toml",
            &LESSON.replace(r#"id = "quiz""#, r#"id = "commit""#),
        )
    });
    assert!(e.contains("step id `commit` is used twice"), "{e}");
}

#[test]
fn paths_escaping_the_pack_are_refused() {
    let e = errors(|r| {
        write(
            r,
            "lessons/code/en.md",
            &text("en").replace("img/loop.svg", "../../../../etc/passwd"),
        )
    });
    assert!(e.contains("climbs out of the pack"), "{e}");
    let e = errors(|r| {
        write(
            r,
            "workshop.toml",
            &MANIFEST.replace(r#"demo = "demo""#, r#"demo = "/etc""#),
        )
    });
    assert!(e.contains("demo project folder `/etc`"), "{e}");
    let e = errors(|r| {
        std::fs::remove_file(r.join("lessons/code/img/loop.svg")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", r.join("lessons/code/img/loop.svg")).unwrap();
    });
    assert!(e.contains("points outside the pack"), "{e}");
}

#[test]
fn an_incomplete_quiz_says_what_is_missing() {
    let e = errors(|r| {
        write(
            r,
            "lessons/code/en.md",
            &text("en").replace("explanation = \"Because.\"\n", ""),
        )
    });
    assert!(
        e.contains("quiz `quiz` needs a question, an explanation"),
        "{e}"
    );
}

#[test]
fn a_lesson_listed_without_a_folder_is_named_in_the_manifest() {
    let e = errors(|r| {
        write(
            r,
            "workshop.toml",
            &MANIFEST.replace(r#"["code"]"#, r#"["code", "deploy"]"#),
        )
    });
    assert!(
        e.contains("mini/workshop.toml:4:20: lesson `deploy` has no folder"),
        "{e}"
    );
}

#[test]
fn an_image_outside_the_pack_is_refused_at_its_line_however_it_is_written() {
    for written in [
        "/etc/passwd",
        "file:///etc/passwd",
        "http://example.com/x.png",
    ] {
        let said = errors(|root| {
            let md = text("en").replace("img/loop.svg", written);
            write(root, "lessons/code/en.md", &md);
        });
        assert!(
            said.contains("lessons/code/en.md:")
                && said.contains(&format!("`{written}` is not a file of the pack")),
            "{written}: {said}"
        );
    }
}

#[test]
fn an_id_that_could_be_a_command_or_markup_is_refused_at_its_place() {
    for bad in ["ws;touch pwned", "__proto__", "Commit", "a b", "<img>"] {
        let said = errors(|root| {
            let lesson = LESSON.replace("id = \"commit\"", &format!("id = {bad:?}"));
            write(root, "lessons/code/lesson.toml", &lesson);
        });
        assert!(
            said.contains("lessons/code/lesson.toml:")
                && said.contains(&format!("`{bad}` is not a step id")),
            "{bad}: {said}"
        );
    }
}
