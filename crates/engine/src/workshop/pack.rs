//! The lesson pack format, loaded and validated in one pass.
//!
//! ```text
//! workshops/<pack>/
//!   workshop.toml          id, version, title.{en,ko}, demo, lessons = ["intro", ...]
//!   demo/                  the demo project copied into the learner's workspace
//!   lessons/<lesson>/
//!     lesson.toml          stage, [[steps]] with id, check = { kind = ... }, solve
//!     en.md, ko.md         +++ TOML front matter (title, summary, [steps.<id>] texts) +++ markdown
//!     img/...              assets the markdown may show
//! ```
//!
//! Steps and checks live once in `lesson.toml`; only words are translated. Every problem is a
//! [`Diagnostic`] with file:line:col and a fix, and loading reports all of them at once.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::path;
use crate::check::Spec;
use crate::diagnostic::{shown, Diagnostic};
use crate::finding::Finding;
use crate::markdown;
use crate::settings::Locale;
use crate::stage::Stage;

/// The languages every lesson must be written in.
pub const LOCALES: [Locale; 2] = [Locale::En, Locale::Ko];

/// A loaded, valid pack.
#[derive(Debug, Clone)]
pub struct Pack {
    pub root: PathBuf,
    pub id: String,
    pub version: String,
    pub title: Texts,
    /// The demo project folder, inside the pack.
    pub demo: Option<PathBuf>,
    pub lessons: Vec<Lesson>,
}

/// One string per language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub en: String,
    pub ko: String,
}

impl Texts {
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::En => &self.en,
            Locale::Ko => &self.ko,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Lesson {
    pub id: String,
    pub dir: PathBuf,
    pub stage: Option<Stage>,
    pub steps: Vec<Step>,
    /// The lesson's words, per language.
    pub text: BTreeMap<&'static str, LessonText>,
}

impl Lesson {
    pub fn text(&self, locale: Locale) -> &LessonText {
        &self.text[locale_key(locale)]
    }
}

#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    pub check: Spec,
    /// A command that does the step for a stuck learner, after they confirm.
    pub solve: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LessonText {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub steps: BTreeMap<String, StepText>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepText {
    pub title: String,
    #[serde(default)]
    pub hint: Option<String>,
    #[serde(default)]
    pub question: Option<String>,
    #[serde(default)]
    pub explanation: Option<String>,
    #[serde(default)]
    pub choices: BTreeMap<String, String>,
}

fn locale_key(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "en",
        Locale::Ko => "ko",
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    id: String,
    version: String,
    title: Texts,
    #[serde(default)]
    demo: Option<Spanned<String>>,
    lessons: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonFile {
    #[serde(default)]
    stage: Option<Stage>,
    #[serde(default)]
    steps: Vec<StepFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    id: Spanned<String>,
    check: Spanned<Spec>,
    #[serde(default)]
    solve: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    summary: String,
    #[serde(default)]
    steps: BTreeMap<Spanned<String>, StepText>,
}

/// Reads and validates the pack in `root`. Returns every problem found, not just the first.
pub fn load(root: &Path) -> Result<Pack, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let base = root.parent().unwrap_or(root);
    let manifest_path = root.join("workshop.toml");
    let show = |p: &Path| shown(p, base);

    let text = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => text,
        Err(e) => {
            return Err(vec![Diagnostic::file(
                &show(&manifest_path),
                Finding::new("manifestUnreadable").with("said", &e),
                format!("cannot read the pack manifest: {e}"),
                "create workshop.toml with id, version, [title] en/ko, and lessons = [...]",
            )])
        }
    };
    let manifest: ManifestFile = match toml::from_str(&text) {
        Ok(m) => m,
        Err(e) => return Err(vec![toml_diag(&show(&manifest_path), &text, 0, &e)]),
    };

    let demo = manifest
        .demo
        .as_ref()
        .and_then(|d| match path::resolve(root, root, d.get_ref()) {
            Ok(p) if p.is_dir() => Some(p),
            Ok(_) | Err(_) => {
                diags.push(Diagnostic::at(
                    &show(&manifest_path),
                    &text,
                    d.span().start,
                    Finding::new("demoNotFolder").with("folder", d.get_ref()),
                    format!(
                        "the demo project folder `{}` is not a folder inside the pack",
                        d.get_ref()
                    ),
                    "point `demo` at a folder next to workshop.toml",
                ));
                None
            }
        });

    let mut seen = HashSet::new();
    let mut lessons = Vec::new();
    for id in &manifest.lessons {
        let at = id.span().start;
        if !is_id(id.get_ref()) {
            diags.push(Diagnostic::at(
                &show(&manifest_path),
                &text,
                at,
                Finding::new("badLessonId").with("id", id.get_ref()),
                format!("`{}` is not a lesson id", id.get_ref()),
                ID_FIX,
            ));
            continue;
        }
        if !seen.insert(id.get_ref().clone()) {
            diags.push(Diagnostic::at(
                &show(&manifest_path),
                &text,
                at,
                Finding::new("lessonTwice").with("id", id.get_ref()),
                format!("lesson `{}` is listed twice", id.get_ref()),
                "list each lesson once",
            ));
            continue;
        }
        let dir = match path::resolve(root, &root.join("lessons"), id.get_ref()) {
            Ok(dir) if dir.is_dir() => dir,
            _ => {
                diags.push(Diagnostic::at(
                    &show(&manifest_path),
                    &text,
                    at,
                    Finding::new("lessonNoFolder").with("id", id.get_ref()),
                    format!("lesson `{}` has no folder lessons/{}/", id.get_ref(), id.get_ref()),
                    format!("create lessons/{}/ with lesson.toml, en.md and ko.md, or remove it from `lessons`", id.get_ref()),
                ));
                continue;
            }
        };
        if let Some(lesson) = load_lesson(root, id.get_ref(), &dir, &show, &mut diags) {
            lessons.push(lesson);
        }
    }

    if diags.is_empty() {
        Ok(Pack {
            root: root.to_path_buf(),
            id: manifest.id,
            version: manifest.version,
            title: manifest.title,
            demo,
            lessons,
        })
    } else {
        Err(diags)
    }
}

fn load_lesson(
    root: &Path,
    id: &str,
    dir: &Path,
    show: &dyn Fn(&Path) -> PathBuf,
    diags: &mut Vec<Diagnostic>,
) -> Option<Lesson> {
    let file = dir.join("lesson.toml");
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::file(
                &show(&file),
                Finding::new("lessonUnreadable").with("said", &e),
                format!("cannot read: {e}"),
                "add lesson.toml with the lesson's [[steps]]",
            ));
            return None;
        }
    };
    let parsed: LessonFile = match toml::from_str(&text) {
        Ok(p) => p,
        Err(e) => {
            diags.push(toml_diag(&show(&file), &text, 0, &e));
            return None;
        }
    };
    let before = diags.len();
    let mut step_ids = HashSet::new();
    for step in &parsed.steps {
        if !is_id(step.id.get_ref()) {
            diags.push(Diagnostic::at(
                &show(&file),
                &text,
                step.id.span().start,
                Finding::new("badStepId").with("id", step.id.get_ref()),
                format!("`{}` is not a step id", step.id.get_ref()),
                ID_FIX,
            ));
        }
        if !step_ids.insert(step.id.get_ref().clone()) {
            diags.push(Diagnostic::at(
                &show(&file),
                &text,
                step.id.span().start,
                Finding::new("stepTwice").with("id", step.id.get_ref()),
                format!("step id `{}` is used twice", step.id.get_ref()),
                "give every step its own id",
            ));
        }
        for problem in step.check.get_ref().problems() {
            diags.push(Diagnostic::at(
                &show(&file),
                &text,
                step.check.span().start,
                Finding::new("checkInvalid").with("said", &problem),
                problem,
                "correct the check in lesson.toml",
            ));
        }
    }

    let mut texts = BTreeMap::new();
    for locale in LOCALES {
        let key = locale_key(locale);
        let md_file = dir.join(format!("{key}.md"));
        let md = match std::fs::read_to_string(&md_file) {
            Ok(t) => t,
            Err(_) => {
                diags.push(Diagnostic::file(
                    &show(&md_file),
                    Finding::new("noTranslation")
                        .with("id", id)
                        .with("file", format!("{key}.md")),
                    format!("lesson `{id}` has no {key} translation"),
                    format!(
                        "write lessons/{id}/{key}.md with the same steps as the other language"
                    ),
                ));
                continue;
            }
        };
        if let Some(t) = load_text(root, dir, &md_file, &md, &parsed.steps, show, diags) {
            texts.insert(key, t);
        }
    }

    (diags.len() == before).then(|| Lesson {
        id: id.to_owned(),
        dir: dir.to_path_buf(),
        stage: parsed.stage,
        steps: parsed
            .steps
            .into_iter()
            .map(|s| Step {
                id: s.id.into_inner(),
                check: s.check.into_inner(),
                solve: s.solve,
            })
            .collect(),
        text: texts,
    })
}

fn load_text(
    root: &Path,
    dir: &Path,
    file: &Path,
    md: &str,
    steps: &[StepFile],
    show: &dyn Fn(&Path) -> PathBuf,
    diags: &mut Vec<Diagnostic>,
) -> Option<LessonText> {
    let Some((front, offset, body)) = split_front_matter(md) else {
        diags.push(Diagnostic::at(
            &show(file),
            md,
            0,
            Finding::new("noFrontMatter"),
            "the lesson text has no +++ front matter",
            "start the file with +++, title = \"…\", summary = \"…\", the step texts, then +++",
        ));
        return None;
    };
    let fm: FrontMatter = match toml::from_str(front) {
        Ok(fm) => fm,
        Err(e) => {
            diags.push(toml_diag(&show(file), md, offset, &e));
            return None;
        }
    };
    for step in steps {
        let id = step.id.get_ref();
        let Some((_, text)) = fm.steps.iter().find(|(k, _)| k.get_ref() == id) else {
            diags.push(Diagnostic::at(
                &show(file),
                md,
                offset,
                Finding::new("stepNoText").with("id", id),
                format!("step `{id}` has no text here"),
                format!(
                    "add [steps.{id}] with a title (and question, choices, explanation for a quiz)"
                ),
            ));
            continue;
        };
        if let Spec::Quiz { choices, .. } = step.check.get_ref() {
            let written: Vec<&String> = text.choices.keys().collect();
            let wanted: Vec<&String> = choices.iter().collect();
            let mut sorted = wanted.clone();
            sorted.sort();
            if text.question.is_none() || text.explanation.is_none() || written != sorted {
                let choices = wanted
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let finding = Finding::new("quizIncomplete")
                    .with("id", id)
                    .with("choices", choices);
                diags.push(Diagnostic::at(&show(file), md, offset, finding, format!("quiz `{id}` needs a question, an explanation, and one text for each choice {wanted:?}"), format!("complete [steps.{id}] with question, explanation and choices")));
            }
        }
    }
    for key in fm.steps.keys() {
        if !steps.iter().any(|s| s.id.get_ref() == key.get_ref()) {
            diags.push(Diagnostic::at(
                &show(file),
                md,
                offset + key.span().start,
                Finding::new("notAStep").with("id", key.get_ref()),
                format!("`{}` is not a step of this lesson", key.get_ref()),
                "step ids must match lesson.toml exactly, in every language",
            ));
        }
    }
    for asset in markdown::render(body, &|_| None).assets {
        // An absolute path, `file:` or a web address is never shown: the pack must say so now,
        // not the learner find an empty frame.
        if !markdown::relative(&asset) {
            let at = md.find(asset.as_str()).unwrap_or(0);
            diags.push(Diagnostic::at(
                &show(file),
                md,
                at,
                Finding::new("assetOutside").with("asset", &asset),
                format!("`{asset}` is not a file of the pack; a lesson shows only its own images"),
                "put the image in the lesson folder and link it with a relative path",
            ));
            continue;
        }
        if let Err(e) = path::resolve(root, dir, &asset) {
            let at = md.find(asset.as_str()).unwrap_or(0);
            diags.push(Diagnostic::at(
                &show(file),
                md,
                at,
                Finding::new("assetRefused")
                    .with("asset", &asset)
                    .with("said", &e),
                e.to_string(),
                "put the image in the lesson folder and link it with a relative path",
            ));
        }
    }
    Some(LessonText {
        title: fm.title,
        summary: fm.summary,
        body: body.to_owned(),
        steps: fm
            .steps
            .into_iter()
            .map(|(k, v)| (k.into_inner(), v))
            .collect(),
    })
}

/// Lesson and step ids are what a terminal command names (`devloop lesson check code
/// commit`) and what a page's addresses hold: lowercase letters, digits and dashes only, so
/// no id can be a shell command or markup.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

const ID_FIX: &str = "use lowercase letters, digits and dashes, like `first-commit`";

/// Splits `+++\n<toml>\n+++\n<markdown>`: returns the TOML, its byte offset, and the body.
fn split_front_matter(md: &str) -> Option<(&str, usize, &str)> {
    let rest = md
        .strip_prefix("+++\n")
        .or_else(|| md.strip_prefix("+++\r\n"))?;
    let offset = md.len() - rest.len();
    let end = rest.find("\n+++")?;
    let after = &rest[end + 4..];
    let body = after
        .strip_prefix("\r\n")
        .or_else(|| after.strip_prefix('\n'))
        .unwrap_or(after);
    Some((&rest[..=end], offset, body))
}

fn toml_diag(file: &Path, text: &str, offset: usize, e: &toml::de::Error) -> Diagnostic {
    let at = offset + e.span().map_or(0, |s| s.start);
    Diagnostic::at(
        file,
        text,
        at,
        // The TOML parser's words, quoted: they name what it expected.
        Finding::new("tomlInvalid").with("said", e.message().trim()),
        e.message().trim().to_owned(),
        "fix the TOML at this position",
    )
}
