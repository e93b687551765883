//! Lesson markdown to safe HTML: pulldown-cmark renders, our rules rewrite links and images,
//! and ammonia removes anything that could run, load or navigate.
//!
//! Two layers on purpose. The rewrite decides what lessons may link to (fragments, and
//! http(s) pages shown as external links the UI opens outside the app); ammonia then cleans
//! the HTML as a whole, including raw HTML an author (or an attacker) wrote in the markdown.

use std::collections::HashSet;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use serde::Serialize;
use ts_rs::TS;

/// The URL scheme lesson images are served under (a Tauri custom protocol).
pub const ASSET_SCHEME: &str = "devloop-pack";

/// A fenced code block, so the UI can offer Copy (and Run, for runnable ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CodeBlock {
    /// The language from the fence (`sh`, `rust`...), empty when none.
    pub lang: String,
    pub code: String,
    /// Written as ```` ```sh run ````: the learner may run it in the workspace after confirming.
    pub runnable: bool,
}

/// A rendered lesson body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Rendered {
    /// Sanitised HTML; code blocks carry `data-block="N"` indexing [`Rendered::code_blocks`].
    pub html: String,
    pub code_blocks: Vec<CodeBlock>,
    /// Every image the lesson names, as written, for the validator to check: only relative
    /// paths inside the pack are shown.
    #[serde(skip)]
    #[ts(skip)]
    pub assets: Vec<String>,
}

/// Renders `markdown`. `asset_url` maps a relative image path to the URL that serves it, or
/// `None` when the image must not be shown (missing, or outside the pack).
pub fn render(markdown: &str, asset_url: &dyn Fn(&str) -> Option<String>) -> Rendered {
    let mut code_blocks = Vec::new();
    let mut assets = Vec::new();
    let mut in_code: Option<CodeBlock> = None;
    let mut events = Vec::new();
    // Image alt text arrives as events between Start(Image) and End(Image); when an image is
    // dropped, that text is kept as plain text so the lesson still reads.
    let mut dropped_image_depth = 0usize;

    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_HEADING_ATTRIBUTES;
    // Inside an inline element that swallows (see `swallows`): its closing tag, until which
    // everything goes; the end of its block ends it too.
    let mut skipping: Option<String> = None;
    for event in Parser::new_ext(markdown, options) {
        if let Some(close) = &skipping {
            match &event {
                Event::InlineHtml(h) if h.to_ascii_lowercase().contains(close.as_str()) => {
                    skipping = None;
                    continue;
                }
                Event::End(_) => skipping = None,
                _ => continue,
            }
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let mut words = info.split_whitespace();
                let lang = words.next().unwrap_or("").to_owned();
                let runnable = words.any(|w| w == "run");
                in_code = Some(CodeBlock {
                    lang,
                    code: String::new(),
                    runnable,
                });
            }
            Event::Text(text) if in_code.is_some() => {
                if let Some(block) = in_code.as_mut() {
                    block.code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(block) = in_code.take() {
                    let html =
                        format!(
                        "<pre data-block=\"{}\"{}><code class=\"language-{}\">{}</code></pre>\n",
                        code_blocks.len(),
                        if block.runnable { " data-run=\"true\"" } else { "" },
                        escape(&block.lang),
                        escape(&block.code),
                    );
                    events.push(Event::Html(CowStr::from(html)));
                    code_blocks.push(block);
                }
            }
            Event::Start(Tag::Link {
                dest_url,
                title,
                link_type,
                ..
            }) => {
                events.push(Event::Html(CowStr::from(open_link(
                    &dest_url, &title, link_type,
                ))));
            }
            Event::End(TagEnd::Link) => events.push(Event::Html(CowStr::from("</a>"))),
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                assets.push(dest_url.to_string());
                let url = relative(&dest_url).then(|| asset_url(&dest_url));
                match url.flatten() {
                    Some(url) => events.push(Event::Html(CowStr::from(format!(
                        "<img src=\"{}\" title=\"{}\" alt=\"",
                        escape(&url),
                        escape(&title)
                    )))),
                    None => dropped_image_depth += 1,
                }
            }
            Event::End(TagEnd::Image) => {
                if dropped_image_depth > 0 {
                    dropped_image_depth -= 1;
                } else {
                    events.push(Event::Html(CowStr::from("\">")));
                }
            }
            Event::Text(text) if dropped_image_depth == 0 && inside_image(&events) => {
                events.push(Event::Html(CowStr::from(escape(&text))));
            }
            // Raw HTML that opens a raw-text or foreign element (style, script, math, svg…)
            // could make the parser read the rest of the lesson as its content: that block, or
            // that inline element up to its closing tag or the end of its paragraph, is dropped
            // alone, before the sanitiser ever sees it.
            Event::Html(h) if swallows(&h).is_some() => {}
            Event::InlineHtml(h) if swallows(&h).is_some() => {
                let tag = swallows(&h).unwrap_or_default();
                if !h.to_ascii_lowercase().contains(&format!("</{tag}")) {
                    skipping = Some(format!("</{tag}"));
                }
            }
            other => events.push(other),
        }
    }
    let mut raw = String::new();
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    Rendered {
        html: sanitiser().clean(&raw).to_string(),
        code_blocks,
        assets,
    }
}

/// True when raw HTML opens an element whose content the HTML parser reads differently
/// (raw text, foreign MathML/SVG content, a comment that may never close), the way mutation
/// payloads hide markup. Comments are stripped from a lesson anyway.
fn swallows(html: &str) -> Option<&'static str> {
    let lower = html.to_ascii_lowercase();
    let opens = [
        "<style",
        "<script",
        "<math",
        "<svg",
        "<textarea",
        "<title",
        "<xmp",
        "<noscript",
        "<noembed",
        "<noframes",
        "<iframe",
        "<plaintext",
        "<template",
        "<!--",
        "<table",
        "<mglyph",
        "<malignmark",
    ];
    opens
        .iter()
        .find(|tag| lower.contains(*tag))
        .map(|tag| tag.trim_start_matches('<'))
}

/// True while the last opened tag in `events` is an `<img ... alt="` we are filling in.
fn inside_image(events: &[Event<'_>]) -> bool {
    matches!(events.last(), Some(Event::Html(h)) if h.ends_with("alt=\""))
}

/// The opening tag for a link: fragments stay links; http(s) becomes an external link the UI
/// opens in the system browser; anything else (javascript:, data:, file:, other lessons for
/// now) keeps its text and loses its target.
/// What every id in a lesson starts with (and the in-page links to them).
pub const ID_PREFIX: &str = "lesson-";

fn open_link(dest: &str, title: &str, _kind: LinkType) -> String {
    let dest = dest.trim();
    if let Some(fragment) = dest.strip_prefix('#') {
        return format!(
            "<a href=\"#{ID_PREFIX}{}\" title=\"{}\">",
            escape(fragment),
            escape(title)
        );
    }
    let lower = dest.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return format!(
            "<a data-external=\"{}\" title=\"{}\">",
            escape(dest),
            escape(if title.is_empty() { dest } else { title })
        );
    }
    "<a>".to_owned()
}

/// A relative path (no scheme, not absolute): the only kind of image a lesson may show.
pub fn relative(dest: &str) -> bool {
    !dest.is_empty() && !dest.starts_with('/') && !dest.starts_with('\\') && !dest.contains(':')
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// ammonia with a short allowlist: text structure, tables, code, images from the pack only.
fn sanitiser() -> ammonia::Builder<'static> {
    let tags: HashSet<&str> = [
        "a",
        "blockquote",
        "br",
        "code",
        "del",
        "details",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "img",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "span",
        "strong",
        "summary",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    ]
    .into_iter()
    .collect();
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(tags)
        .clean_content_tags(["script", "style"].into_iter().collect())
        // `lang` marks a term in another language (a Korean lesson naming the English one),
        // so screen readers say it right; it holds a language tag and runs nothing.
        .add_generic_attributes(["title", "lang"])
        .add_tag_attributes("a", ["href", "data-external"])
        .add_tag_attributes("img", ["src", "alt"])
        .add_tag_attributes("pre", ["data-block", "data-run"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("ol", ["start"])
        .add_tag_attributes("h1", ["id"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        // A heading `{#alert}` would otherwise become `window.alert`, the element: every id a
        // lesson gives is prefixed, so none can shadow a global the page relies on.
        .id_prefix(Some(ID_PREFIX))
        .url_schemes([ASSET_SCHEME].into_iter().collect())
        // Only in-page fragments may stay relative; anything else relative is dropped.
        .url_relative(ammonia::UrlRelative::Custom(Box::new(FragmentsOnly)))
        .link_rel(None)
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| {
            // An external link must stay http(s): a data attribute is never a safe place for
            // a `javascript:` URL, even though the browser would not run it by itself.
            if element == "a" && attribute == "data-external" {
                let lower = value.trim().to_ascii_lowercase();
                if !(lower.starts_with("https://") || lower.starts_with("http://")) {
                    return None;
                }
            }
            Some(value.into())
        });
    builder
}

#[derive(Debug)]
struct FragmentsOnly;

impl ammonia::UrlRelativeEvaluate<'_> for FragmentsOnly {
    fn evaluate<'a>(&self, url: &'a str) -> Option<std::borrow::Cow<'a, str>> {
        url.starts_with('#')
            .then_some(std::borrow::Cow::Borrowed(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        render(md, &|p| Some(format!("{ASSET_SCHEME}://localhost/{p}"))).html
    }

    /// What must never survive into the web view, in any letter case.
    fn assert_inert(out: &str) {
        let lower = out.to_ascii_lowercase();
        for bad in [
            "<script",
            "javascript:",
            "onerror",
            "onload",
            "onclick",
            "<iframe",
            "<svg",
            "<object",
            "<embed",
            "<form",
            "<meta",
            "<base",
            "<link",
            "<style",
            "style=",
            "data:",
            "vbscript:",
            "http://evil",
            "https://evil",
            "alert(",
        ] {
            assert!(!lower.contains(bad), "{bad:?} survived in:\n{out}");
        }
    }

    #[test]
    fn plain_markdown_keeps_its_structure() {
        let out = html("# Title {#top}\n\nSome **bold** and `code`.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(out.contains("<h1 id=\"lesson-top\">Title</h1>"), "{out}");
        assert!(out.contains("<strong>bold</strong>"));
        assert!(out.contains("<code>code</code>"));
        assert!(out.contains("<li>one</li>"));
        assert!(out.contains("<td>2</td>"));
    }

    #[test]
    fn a_math_style_payload_drops_only_itself() {
        for payload in [
            "<math><style><img src=x onerror=alert(1)></style></math>",
            "<math><mtext><table><mglyph><style><!--</style><img title=\"--&gt;&lt;img src=1 onerror=alert(1)&gt;\">",
            "<math><style>",
        ] {
            let out = html(&format!("Before.\n\n{payload}\n\nAfter the payload.\n"));
            assert_inert(&out);
            assert!(out.contains("Before."), "{out}");
            assert!(
                out.contains("After the payload."),
                "the rest of the lesson survives {payload}: {out}"
            );
        }
    }

    #[test]
    fn no_id_a_lesson_gives_can_shadow_a_global() {
        let out = html("## Pwned {#__pwned}\n\n<h2 id=\"alert\">raw</h2>\n");
        assert!(out.contains("id=\"lesson-__pwned\""), "{out}");
        assert!(out.contains("id=\"lesson-alert\""), "{out}");
        assert!(
            !out.contains("id=\"__pwned\"") && !out.contains("id=\"alert\""),
            "{out}"
        );
    }

    #[test]
    fn script_tags_and_event_handlers_are_removed() {
        let out = html("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n<p onclick=\"alert(1)\">hi</p>\n\n<div style=\"background:url(https://evil.example/x)\">s</div>");
        assert_inert(&out);
        assert!(out.contains("hi"));
    }

    #[test]
    fn javascript_links_lose_their_target_in_every_spelling() {
        for md in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](jav&#x61;script:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "[x](  javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
            "[x](vbscript:msgbox(1))",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        ] {
            let out = html(md);
            assert_inert(&out);
            assert!(out.contains('x'), "{md} lost its text: {out}");
        }
    }

    #[test]
    fn frames_svg_tricks_and_page_level_tags_are_removed() {
        let out = html("<iframe src=\"https://evil.example\"></iframe>\n\n<svg onload=alert(1)><script>alert(1)</script></svg>\n\n<svg><a xlink:href=\"javascript:alert(1)\"><text>t</text></a></svg>\n\n<object data=\"https://evil.example/x.swf\"></object><embed src=\"https://evil.example/e\">\n\n<form action=\"https://evil.example\"><input></form>\n\n<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\"><base href=\"https://evil.example/\"><link rel=stylesheet href=\"https://evil.example/s.css\"><style>body{}</style>");
        assert_inert(&out);
    }

    #[test]
    fn remote_and_data_images_are_not_loaded_but_their_alt_text_stays() {
        let out = html("![a diagram](https://evil.example/track.png)\n\n![inline](data:image/png;base64,AAAA)\n\n<img src=\"https://evil.example/x.png\">");
        assert_inert(&out);
        assert!(!out.contains("src="), "{out}");
        assert!(out.contains("a diagram"), "{out}");
    }

    #[test]
    fn pack_images_are_served_through_the_pack_scheme() {
        let r = render("![the loop](img/loop.svg)", &|p| {
            Some(format!("{ASSET_SCHEME}://localhost/{p}"))
        });
        assert!(
            r.html
                .contains("<img src=\"devloop-pack://localhost/img/loop.svg\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("alt=\"the loop\""), "{}", r.html);
        assert_eq!(r.assets, vec!["img/loop.svg"]);
        let missing = render("![gone](img/none.png)", &|_| None);
        assert!(!missing.html.contains("<img"));
        assert!(missing.html.contains("gone"));
    }

    #[test]
    fn external_links_are_marked_for_the_system_browser_not_followed_in_the_app() {
        let out = html("[GitHub Actions docs](https://docs.github.com/actions)");
        assert!(
            out.contains("data-external=\"https://docs.github.com/actions\""),
            "{out}"
        );
        assert!(!out.contains("href=\"https"), "{out}");
        let out = html("[top](#top)");
        assert!(out.contains("href=\"#lesson-top\""), "{out}");
    }

    #[test]
    fn code_blocks_are_indexed_and_runnable_ones_are_marked() {
        let r = render("```sh run\ngit log --oneline\n```\n\n```rust\nfn main() {}\n```\n\n```html\n<script>alert(1)</script>\n```\n", &|_| None);
        assert_eq!(r.code_blocks.len(), 3);
        assert!(r.code_blocks[0].runnable);
        assert_eq!(r.code_blocks[0].code, "git log --oneline\n");
        assert!(!r.code_blocks[1].runnable);
        assert!(
            r.html.contains("<pre data-block=\"0\" data-run=\"true\">"),
            "{}",
            r.html
        );
        // Code shown as code, escaped: visible, never executed.
        assert!(
            r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("<script"));
    }

    #[test]
    fn oversized_and_deeply_nested_input_renders_without_blowing_up() {
        let deep = ">".repeat(2_000) + " deep";
        let out = html(&deep);
        assert!(out.contains("deep"));
        let wide = "[a](#b) ".repeat(20_000);
        assert!(html(&wide).len() > 20_000);
    }
}
