//! The backlog items a commit message names: `#12` anywhere, and whether the message says it
//! fixes or closes one (`fix #12`, `closes #3`, `Resolves: #7`), as GitHub reads them. An
//! issue number inside a word (`abc#12`), a colour (`#fff`) or a URL fragment is not one.

/// An item named in a message, and whether the message closes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub item: u64,
    pub closes: bool,
}

const CLOSING: [&str; 9] = [
    "close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved",
];

/// Every item `message` names, each once, in order of first mention.
pub fn mentions(message: &str) -> Vec<Mention> {
    let mut found: Vec<Mention> = Vec::new();
    let chars: Vec<char> = message.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '#' {
            i += 1;
            continue;
        }
        let before_ok =
            i == 0 || !(chars[i - 1].is_alphanumeric() || matches!(chars[i - 1], '/' | '#' | '&'));
        let digits: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let after = chars.get(i + 1 + digits.len());
        let after_ok = after.is_none_or(|c| !c.is_alphanumeric() && *c != '_');
        if before_ok && after_ok && !digits.is_empty() && digits.len() <= 9 {
            let item: u64 = digits.parse().unwrap_or(0);
            // The word before it, skipping a colon and spaces: "Fixes: #3", "fix #3".
            let head: String = chars[..i].iter().collect();
            let word = head
                .trim_end()
                .trim_end_matches(':')
                .rsplit(|c: char| !c.is_alphabetic())
                .next()
                .unwrap_or("")
                .to_lowercase();
            let closes = CLOSING.contains(&word.as_str());
            match found.iter_mut().find(|m| m.item == item) {
                Some(m) => m.closes |= closes,
                None if item > 0 => found.push(Mention { item, closes }),
                None => {}
            }
        }
        i += 1 + digits.len();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(item: u64, closes: bool) -> Mention {
        Mention { item, closes }
    }

    #[test]
    fn closing_words_close_and_other_mentions_link() {
        assert_eq!(mentions("fix #12: a broken health check"), [m(12, true)]);
        assert_eq!(
            mentions("feat: search (see #4, #5)"),
            [m(4, false), m(5, false)]
        );
        assert_eq!(mentions("Closes: #3"), [m(3, true)]);
        assert_eq!(mentions("refactor for #7\n\nResolves #7"), [m(7, true)]);
        assert_eq!(mentions("#1 first"), [m(1, false)]);
    }

    #[test]
    fn things_that_only_look_like_items_are_not() {
        assert!(mentions("colour #fff and #12ab").is_empty());
        assert!(mentions("abc#12 http://x/y#3 &#38; ##4").is_empty());
        assert!(mentions("#0 and # and #").is_empty());
        assert!(mentions("#1234567890123 too long").is_empty());
    }
}
