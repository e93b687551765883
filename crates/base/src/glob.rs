//! Glob patterns compiled to the `regex` crate, so a hostile pattern costs linear time; written here because no glob crate speaks GitHub's filter dialect (`**` anywhere, `+`).

/// Which rules a pattern is read by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// GitHub's `on.push` filters (branches, tags, paths): `+` repeats the character before
    /// it, as GitHub's filter pattern cheat sheet says.
    Filter,
    /// File paths: `hashFiles`, artifact paths, `.dockerignore`. `+` is itself.
    Path,
}

/// A compiled pattern. In both dialects `*` is any run of characters but `/`, `**` any run
/// at all (`**/` also none, so `**/x` matches `x`), `?` one character but `/`, `[a-z]` and
/// `[!a-z]` a class, and `\` makes the next character itself.
#[derive(Debug, Clone)]
pub struct Glob(regex::Regex);

/// A pattern never needs more: beyond it, the pattern is refused rather than compiled.
const SIZE_LIMIT: usize = 1 << 20;

impl Glob {
    /// `None` when the pattern is too large to compile.
    pub fn new(pattern: &str, dialect: Dialect) -> Option<Glob> {
        let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
        let chars: Vec<char> = pattern.chars().collect();
        let mut re = String::from("^");
        // Whether what `re` ends with is one character or class, which `+` may repeat.
        let mut repeatable = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            let one = match c {
                '*' if chars.get(i) == Some(&'*') => {
                    i += 1;
                    let whole_part = re.ends_with('^') || re.ends_with('/');
                    if whole_part && chars.get(i) == Some(&'/') {
                        i += 1;
                        re.push_str("(?:.*/)?");
                    } else {
                        re.push_str(".*");
                    }
                    false
                }
                '*' => {
                    re.push_str("[^/]*");
                    false
                }
                '?' => {
                    re.push_str("[^/]");
                    true
                }
                '+' if dialect == Dialect::Filter && repeatable => {
                    re.push('+');
                    false
                }
                '[' => match class(&chars[i..]) {
                    Some((class, used)) => {
                        i += used;
                        re.push_str(&class);
                        true
                    }
                    None => {
                        re.push_str(r"\[");
                        true
                    }
                },
                '\\' if i < chars.len() => {
                    re.push_str(&regex::escape(&chars[i].to_string()));
                    i += 1;
                    true
                }
                c => {
                    re.push_str(&regex::escape(&c.to_string()));
                    true
                }
            };
            repeatable = one;
        }
        re.push('$');
        regex::RegexBuilder::new(&re)
            .size_limit(SIZE_LIMIT)
            .build()
            .ok()
            .map(Glob)
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.0.is_match(text)
    }
}

/// `pattern` matches all of `text`; a pattern that cannot compile matches nothing.
pub fn matches(pattern: &str, text: &str, dialect: Dialect) -> bool {
    Glob::new(pattern, dialect).is_some_and(|g| g.is_match(text))
}

/// The class after a `[`: its regex and how many characters it used, up to its `]`.
fn class(rest: &[char]) -> Option<(String, usize)> {
    let (negated, start) = match rest.first() {
        Some('!' | '^') => (true, 1),
        _ => (false, 0),
    };
    // A `]` first in the class is itself, as in every glob dialect.
    let close = rest
        .iter()
        .enumerate()
        .skip(start + 1)
        .find(|(_, c)| **c == ']')
        .map(|(i, _)| i)?;
    let mut out = String::from(if negated { "[^/" } else { "[" });
    for &c in &rest[start..close] {
        if c == '-' {
            out.push('-');
        } else {
            out.push_str(&regex::escape(&c.to_string()));
        }
    }
    out.push(']');
    Some((out, close + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Dialect::{Filter, Path};

    #[test]
    fn stars_stop_at_slashes_and_double_stars_do_not() {
        assert!(matches("**/Cargo.lock", "Cargo.lock", Path));
        assert!(matches("**/Cargo.lock", "a/b/Cargo.lock", Path));
        assert!(!matches("**/Cargo.lock", "aCargo.lock", Path));
        assert!(matches("src/*.rs", "src/main.rs", Path));
        assert!(!matches("src/*.rs", "src/a/main.rs", Path));
        assert!(matches("src/**/*.rs", "src/main.rs", Path));
        assert!(matches("src/**/*.rs", "src/a/main.rs", Path));
        assert!(matches("./src/*.rs", "src/main.rs", Path));
        // GitHub's cheat sheet: `**.js` is every .js file in the repository.
        assert!(matches("**.js", "a/b/app.js", Filter));
        assert!(matches(
            "releases/**-alpha",
            "releases/v2/beta-alpha",
            Filter
        ));
        assert!(matches("feature/*", "feature/x", Filter));
        assert!(!matches("feature/*", "feature/x/y", Filter));
    }

    #[test]
    fn classes_question_marks_plus_and_escapes() {
        assert!(matches("[CB]at", "Cat", Filter));
        assert!(!matches("[CB]at", "Rat", Filter));
        assert!(matches("v[0-9].[0-9]", "v1.2", Filter));
        assert!(!matches("v[!0-9]", "v1", Path));
        assert!(matches("v[!0-9]", "vx", Path));
        assert!(matches("Octoc?t", "Octocat", Filter));
        assert!(!matches("a?b", "a/b", Path));
        // `+` repeats in GitHub's filters and is itself in paths.
        assert!(matches("ver-1+", "ver-111", Filter));
        assert!(!matches("ver-1+", "ver-111", Path));
        assert!(matches("c++", "c++", Path));
        assert!(matches(r"c\+\+", "c++", Filter));
        assert!(matches(r"\*", "*", Path));
        assert!(!matches(r"\*", "x", Path));
        // An unclosed class is a literal `[`; regex syntax is never let through.
        assert!(matches("a[b", "a[b", Path));
        assert!(matches("(a|b).{2}$", "(a|b).{2}$", Path));
    }

    #[test]
    fn a_hostile_pattern_is_answered_at_once() {
        // Backtracking glob matchers take exponential time on this; a regex is linear.
        let pattern = "*a".repeat(40) + "b";
        let text = "a".repeat(60);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(matches(&pattern, &text, Path)).unwrap());
        // Not a timing target: the old matcher does not finish at all in a test's lifetime.
        let answer = rx.recv_timeout(std::time::Duration::from_secs(30));
        assert_eq!(answer, Ok(false));
        assert!(
            Glob::new(&"[ab]".repeat(200_000), Path).is_none(),
            "bounded"
        );
    }
}
