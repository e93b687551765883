//! GitHub's workflow commands in a step's output (`::group::`, `::error …::`, `::set-output`, `::stop-commands::`…), done as GitHub's runner does them: each line is shown as GitHub shows it, or not at all.
//!
//! From "Workflow commands for GitHub Actions": a command is a line `::name k=v,k=v::message`;
//! `%25`, `%0D` and `%0A` escape `%` and line breaks in messages (and `%3A`, `%2C` `:` and `,`
//! in values); `::stop-commands::TOKEN` turns processing off until a line `::TOKEN::`.
//! `::add-mask::` is left to the run's masks, which see every line.

/// What the commands of one step's output leave behind.
#[derive(Debug, Default)]
pub struct Commands {
    /// The token that turns processing back on, while it is off.
    stopped: Option<String>,
    /// `ACTIONS_STEP_DEBUG` is `true`: `::debug::` lines are shown.
    debug: bool,
    /// Outputs set the deprecated way (`::set-output name=x::value`), still honoured on GitHub.
    pub outputs: Vec<(String, String)>,
}

impl Commands {
    pub fn new(debug: bool) -> Commands {
        Commands {
            debug,
            ..Commands::default()
        }
    }

    /// The line to show for `text` (and whether it goes with errors), or `None` to show none.
    pub fn line(&mut self, text: &str) -> Option<(String, bool)> {
        let trimmed = text.trim_start();
        if let Some(token) = &self.stopped {
            if trimmed.trim_end() == format!("::{token}::") {
                self.stopped = None;
                return None;
            }
            return Some((text.to_owned(), false));
        }
        let Some((name, params, message)) = parse(trimmed) else {
            return Some((text.to_owned(), false));
        };
        let message = unescape(message, false);
        match name {
            "group" => Some((format!("▸ {message}"), false)),
            "endgroup" => None,
            "error" | "warning" | "notice" => {
                let label = match name {
                    "error" => "Error",
                    "warning" => "Warning",
                    _ => "Notice",
                };
                let param = |key: &str| {
                    params
                        .iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v.as_str())
                };
                let title = param("title").map(|t| format!("{t}: ")).unwrap_or_default();
                let at = match (param("file"), param("line"), param("col")) {
                    (Some(f), Some(l), Some(c)) => format!(" ({f}:{l}:{c})"),
                    (Some(f), Some(l), None) => format!(" ({f}:{l})"),
                    (Some(f), None, _) => format!(" ({f})"),
                    _ => String::new(),
                };
                Some((format!("{label}: {title}{message}{at}"), name == "error"))
            }
            "debug" => self.debug.then(|| (format!("Debug: {message}"), false)),
            "set-output" => {
                let output = params.iter().find(|(k, _)| k == "name");
                if let Some((_, key)) = output {
                    self.outputs.push((key.clone(), message));
                }
                Some((
                    "Warning: the `set-output` command is deprecated (GitHub may turn it off): write `name=value` to $GITHUB_OUTPUT instead".into(),
                    false,
                ))
            }
            "stop-commands" => {
                // An empty token would turn commands off for good; GitHub refuses it.
                if !message.is_empty() {
                    self.stopped = Some(message);
                }
                None
            }
            // `add-mask` (the masks do it), `save-state` and the rest: shown as written.
            _ => Some((text.to_owned(), false)),
        }
    }
}

/// A command's parameters, `k=v` each.
type Params = Vec<(String, String)>;

/// `::name k=v,k=v::message` → its parts; `None` for a line that is not a command.
fn parse(line: &str) -> Option<(&str, Params, &str)> {
    let rest = line.strip_prefix("::")?;
    let (head, message) = rest.split_once("::")?;
    let (name, params) = match head.split_once(' ') {
        Some((name, params)) => (name, params),
        None => (head, ""),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let params = params
        .split(',')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), unescape(v, true)))
        .collect();
    Some((name, params, message))
}

/// Undoes the escapes GitHub's toolkit writes: `%25 %0D %0A` always, and in a parameter's
/// value also `%3A %2C`.
fn unescape(text: &str, value: bool) -> String {
    let mut out = text.replace("%0D", "\r").replace("%0A", "\n");
    if value {
        out = out.replace("%3A", ":").replace("%2C", ",");
    }
    out.replace("%25", "%")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(commands: &mut Commands, lines: &[&str]) -> Vec<String> {
        lines
            .iter()
            .filter_map(|l| commands.line(l))
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn commands_are_shown_as_github_shows_them_or_not_at_all() {
        let mut c = Commands::new(false);
        let out = shown(
            &mut c,
            &[
                "::group::Build",
                "compiling",
                "::endgroup::",
                "::error file=src/main.rs,line=3,col=5,title=Oops::it broke%0Ahere",
                "::warning::careful",
                "::notice file=README.md::note",
                "::debug::hidden unless step debug is on",
                "::set-output name=version::1.2.3",
                "not :: a command",
            ],
        );
        assert_eq!(
            out,
            [
                "▸ Build",
                "compiling",
                "Error: Oops: it broke\nhere (src/main.rs:3:5)",
                "Warning: careful",
                "Notice: note (README.md)",
                "Warning: the `set-output` command is deprecated (GitHub may turn it off): write `name=value` to $GITHUB_OUTPUT instead",
                "not :: a command",
            ]
        );
        assert_eq!(c.outputs, [("version".to_owned(), "1.2.3".to_owned())]);
        assert!(c.line("::error::x").unwrap().1, "errors go with stderr");
        let mut debugging = Commands::new(true);
        assert_eq!(
            shown(&mut debugging, &["::debug::now shown"]),
            ["Debug: now shown"]
        );
    }

    #[test]
    fn stop_commands_shows_commands_as_text_until_its_token() {
        let mut c = Commands::new(false);
        let out = shown(
            &mut c,
            &[
                "::stop-commands::pause-1",
                "::error::not an error now",
                "::set-output name=x::y",
                "::pause-1::",
                "::warning::processed again",
            ],
        );
        assert_eq!(
            out,
            [
                "::error::not an error now",
                "::set-output name=x::y",
                "Warning: processed again",
            ]
        );
        assert!(c.outputs.is_empty());
    }
}
