//! What the CLI prints, made safe for a terminal, and quiet once its reader is gone.
//!
//! Text a learner or a workflow wrote (a plan title, a step's output) may hold escape sequences
//! that change the window title, write the clipboard (OSC 52) or switch screens; only colours
//! (SGR) pass. A reader that goes away (`devloop runs | head`) is no panic: output stops, and
//! the command finishes its work (a server keeps serving, a run keeps its history).

use std::io::Write;

/// `text` with every control character and escape sequence dropped except colours and tabs.
pub fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    // CSI: parameters and intermediates, then one final byte; only `m` (SGR) stays.
    let csi = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String| {
        let mut params = String::new();
        let mut last = None;
        for n in chars.by_ref() {
            if ('\u{40}'..='\u{7e}').contains(&n) {
                last = Some(n);
                break;
            }
            if !('\u{20}'..='\u{3f}').contains(&n) {
                break;
            }
            params.push(n);
        }
        if last == Some('m') && params.chars().all(|p| p.is_ascii_digit() || p == ';') {
            out.push_str("\u{1b}[");
            out.push_str(&params);
            out.push('m');
        }
    };
    while let Some(c) = chars.next() {
        match c {
            // The one-character CSI some terminals still honour.
            '\u{9b}' => csi(&mut chars, &mut out),
            '\u{1b}' => match chars.next() {
                Some('[') => csi(&mut chars, &mut out),
                // OSC, DCS, SOS, PM, APC: a string up to BEL or ST (ESC \), all dropped.
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    while let Some(n) = chars.next() {
                        if n == '\u{7}' {
                            break;
                        }
                        if n == '\u{1b}' {
                            if chars.peek() == Some(&'\\') {
                                chars.next();
                            }
                            break;
                        }
                    }
                }
                // Any other escape is two characters, both dropped.
                _ => {}
            },
            '\t' | '\n' => out.push(c),
            // C0 (carriage return, backspace, bell…), DEL, and C1 (`\u{9b}` is a CSI too).
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Prints `text` and a newline on standard output (or error), made safe; once the reader is
/// gone, nothing more is written there.
pub fn line(text: &str, to_stderr: bool) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static CLOSED: [AtomicBool; 2] = [AtomicBool::new(false), AtomicBool::new(false)];
    let closed = &CLOSED[usize::from(to_stderr)];
    if closed.load(Ordering::Relaxed) {
        return;
    }
    let text = safe(text);
    let written = if to_stderr {
        writeln!(std::io::stderr().lock(), "{text}")
    } else {
        writeln!(std::io::stdout().lock(), "{text}")
    };
    if written.is_err() {
        closed.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_stay_and_every_other_escape_goes() {
        let hostile = "a\u{1b}]52;c;ZXZpbA==\u{7}b\u{1b}]0;owned\u{1b}\\c\u{1b}[?1049hd\u{1b}[2Je\r\u{8}f\u{9b}31mg";
        // The one-character CSI becomes the two-character one when it is only a colour.
        assert_eq!(safe(hostile), "abcdef\u{1b}[31mg");
        assert_eq!(
            safe("\u{1b}[1;31mred\u{1b}[0m\tok"),
            "\u{1b}[1;31mred\u{1b}[0m\tok"
        );
        assert_eq!(safe("plain 한국어 text"), "plain 한국어 text");
        // A sequence cut short takes nothing after it but itself.
        assert_eq!(safe("x\u{1b}"), "x");
        assert_eq!(safe("x\u{1b}]unterminated"), "x");
    }
}
