//! `workflow_dispatch` inputs: what a person typed, checked against what the workflow declares
//! (required, choice options, booleans, numbers), with defaults filled in, as GitHub does
//! before it starts a run by hand.

use std::collections::BTreeMap;

use super::workflow::Input;
use crate::finding::Finding;

/// One thing wrong with the inputs given: a code for the UI's catalogs, and the English words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub finding: Finding,
    pub message: String,
}

/// The inputs a run gets, or every problem with what was given, each said with how to fix it.
pub fn resolve(
    declared: &[Input],
    given: &[(String, String)],
) -> Result<BTreeMap<String, String>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut say = |finding: Finding, message: String| problems.push(Problem { finding, message });
    let mut out: BTreeMap<String, String> = declared
        .iter()
        .filter_map(|i| Some((i.name.clone(), i.default.clone()?)))
        .collect();
    for (name, value) in given {
        if !declared.iter().any(|i| &i.name == name) {
            let names: Vec<&str> = declared.iter().map(|i| i.name.as_str()).collect();
            if names.is_empty() {
                say(
                    Finding::new("takesNoInputs").with("name", name),
                    format!(
                        "the workflow takes no inputs, but `{name}` was given; remove --input {name}=…"
                    ),
                );
            } else {
                say(
                    Finding::new("noSuchInput")
                        .with("name", name)
                        .with("names", names.join(", ")),
                    format!(
                        "the workflow has no input `{name}`; it has: {}",
                        names.join(", ")
                    ),
                );
            }
            continue;
        }
        out.insert(name.clone(), value.clone());
    }
    for input in declared {
        let value = out.get(&input.name).map(String::as_str).unwrap_or("");
        let name = &input.name;
        if value.is_empty() {
            if input.required {
                say(
                    Finding::new("inputRequired").with("name", name),
                    format!(
                        "input `{name}` is required{}: give it with --input {name}=…",
                        input
                            .description
                            .as_ref()
                            .map(|d| format!(" ({d})"))
                            .unwrap_or_default()
                    ),
                );
            }
            continue;
        }
        match input.kind.as_str() {
            "boolean" if value != "true" && value != "false" => say(
                Finding::new("inputNotBoolean")
                    .with("name", name)
                    .with("value", value),
                format!("input `{name}` is a boolean, so `{value}` will not do: use true or false"),
            ),
            "number" if value.trim().parse::<f64>().is_err() => say(
                Finding::new("inputNotNumber")
                    .with("name", name)
                    .with("value", value),
                format!("input `{name}` is a number, so `{value}` will not do"),
            ),
            "choice" if !input.options.iter().any(|o| o == value) => say(
                Finding::new("inputNotOption")
                    .with("name", name)
                    .with("value", value)
                    .with("options", input.options.join(", ")),
                format!(
                    "`{value}` is not one of input `{name}`'s options: {}",
                    input.options.join(", ")
                ),
            ),
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, kind: &str, required: bool, default: Option<&str>) -> Input {
        Input {
            name: name.into(),
            description: None,
            required,
            default: default.map(Into::into),
            kind: kind.into(),
            options: if kind == "choice" {
                vec!["staging".into(), "production".into()]
            } else {
                Vec::new()
            },
        }
    }

    fn given(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn defaults_fill_in_and_given_values_win() {
        let declared = [
            input("target", "choice", true, Some("staging")),
            input("dry", "boolean", false, Some("false")),
        ];
        let got = resolve(&declared, &given(&[("dry", "true")])).unwrap();
        assert_eq!(got["target"], "staging");
        assert_eq!(got["dry"], "true");
    }

    #[test]
    fn every_wrong_input_is_named_at_once() {
        let declared = [
            input("target", "choice", true, None),
            input("dry", "boolean", false, None),
            input("count", "number", false, None),
            input("who", "string", true, None),
        ];
        let problems = resolve(
            &declared,
            &given(&[
                ("target", "moon"),
                ("dry", "yes"),
                ("count", "many"),
                ("colour", "red"),
            ]),
        )
        .unwrap_err();
        let all = problems
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let codes: Vec<&str> = problems.iter().map(|p| p.finding.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "noSuchInput",
                "inputNotOption",
                "inputNotBoolean",
                "inputNotNumber",
                "inputRequired"
            ]
        );
        assert_eq!(problems.len(), 5, "{all}");
        assert!(all.contains("`moon` is not one of input `target`'s options: staging, production"));
        assert!(all.contains("`dry` is a boolean"));
        assert!(all.contains("`count` is a number"));
        assert!(all.contains("no input `colour`; it has: target, dry, count, who"));
        assert!(all.contains("input `who` is required: give it with --input who=…"));
    }
}
