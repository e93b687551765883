//! Text helpers two domains share: the "did you mean" a checker adds to an unknown name.

/// True when `a` is likely a typo of `b`: the same but for case, or one edit apart.
pub fn similar(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || strsim::levenshtein(a, b) <= 1
}

#[cfg(test)]
mod tests {
    use super::similar;

    #[test]
    fn one_edit_or_a_change_of_case_is_a_likely_typo() {
        assert!(similar("runs-on", "runs_on"));
        assert!(similar("steps", "step"));
        assert!(similar("Needs", "needs"));
        assert!(!similar("jbos", "jobs"), "a swap is two edits");
        assert!(!similar("env", "name"));
        assert!(similar("스텝", "스탭"), "counted in characters, not bytes");
    }
}
