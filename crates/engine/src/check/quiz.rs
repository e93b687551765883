//! Quizzes: the learner's answer against the lesson's, order and duplicates ignored.

use std::collections::BTreeSet;

use super::{Finding, Outcome};

/// Grades `chosen` against `answer`. The explanation is shown either way by the UI; the hint
/// here only says whether to look again.
pub fn grade(answer: &[String], chosen: &[String]) -> Outcome {
    let want: BTreeSet<&str> = answer.iter().map(String::as_str).collect();
    let got: BTreeSet<&str> = chosen.iter().map(String::as_str).collect();
    if want == got {
        Outcome::Pass
    } else if got.is_empty() {
        Outcome::found(Finding::new("chooseFirst"), "choose an answer first")
    } else if want.len() > 1 && got.is_subset(&want) {
        Outcome::found(
            Finding::new("partlyRight"),
            "right so far, but more than one answer is correct",
        )
    } else {
        Outcome::found(
            Finding::new("notQuite"),
            "not quite: read the explanation and try again",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn grading_ignores_order_and_names_partial_answers() {
        assert_eq!(grade(&v(&["a", "c"]), &v(&["c", "a"])), Outcome::Pass);
        assert!(
            matches!(grade(&v(&["a", "c"]), &v(&["a"])), Outcome::Fail { hint, .. } if hint.contains("more than one"))
        );
        assert!(matches!(
            grade(&v(&["b"]), &v(&["a"])),
            Outcome::Fail { .. }
        ));
        assert!(
            matches!(grade(&v(&["b"]), &[]), Outcome::Fail { hint, .. } if hint.contains("choose"))
        );
    }
}
