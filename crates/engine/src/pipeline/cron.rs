//! `on.schedule` cron lines, checked as GitHub reads them: five POSIX fields, with `*`, `,`,
//! `-` and `/`, months and weekdays also by name, and none of the non-standard `@daily` forms.

use crate::finding::Finding;

/// What is wrong with a cron line: a code for the catalogs and the English words.
#[derive(Debug)]
pub struct Bad {
    pub finding: Finding,
    pub message: String,
}

/// The five fields: their name in the messages, their range, and names they accept.
const FIELDS: [(&str, u32, u32, &[&str]); 5] = [
    ("minute", 0, 59, &[]),
    ("hour", 0, 23, &[]),
    ("day of the month", 1, 31, &[]),
    (
        "month",
        1,
        12,
        &[
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ],
    ),
    (
        "day of the week",
        0,
        6,
        &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    ),
];

pub fn check(line: &str) -> Result<(), Bad> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    if line.trim_start().starts_with('@') {
        return Err(Bad {
            finding: Finding::new("cronShorthand"),
            message: "GitHub does not accept the `@daily` kind of shorthand".into(),
        });
    }
    if fields.len() != 5 {
        return Err(Bad {
            finding: Finding::new("cronFieldCount").with("count", fields.len()),
            message: format!("it has {} fields, and a cron line has five", fields.len()),
        });
    }
    for (i, (field, (name, lo, hi, names))) in fields.iter().zip(FIELDS).enumerate() {
        if !field.split(',').all(|part| part_ok(part, lo, hi, names)) {
            return Err(Bad {
                finding: Finding::new("cronField")
                    .with("field", i + 1)
                    .with("value", field)
                    .with("lo", lo)
                    .with("hi", hi),
                message: format!("the {name} field `{field}` is not a value from {lo} to {hi}, a range, a list or a step"),
            });
        }
    }
    Ok(())
}

/// One comma-separated part: `*`, `n`, `a-b`, each optionally `/step`.
fn part_ok(part: &str, lo: u32, hi: u32, names: &[&str]) -> bool {
    let (base, step) = match part.split_once('/') {
        Some((b, s)) => (b, Some(s)),
        None => (part, None),
    };
    if let Some(step) = step {
        if !step.parse::<u32>().is_ok_and(|s| s >= 1 && s <= hi.max(1)) {
            return false;
        }
    }
    let value = |v: &str| -> Option<u32> {
        v.parse::<u32>()
            .ok()
            .or_else(|| {
                names
                    .iter()
                    .position(|n| n.eq_ignore_ascii_case(v))
                    .map(|i| i as u32 + lo)
            })
            .filter(|n| (lo..=hi).contains(n))
    };
    match base {
        "*" => true,
        _ => match base.split_once('-') {
            Some((a, b)) => matches!((value(a), value(b)), (Some(a), Some(b)) if a <= b),
            None => value(base).is_some(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // https://docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#schedule
    #[test]
    fn the_documented_forms_pass() {
        for line in [
            "30 5 * * 1,3",
            "30 5,17 * * *",
            "*/15 * * * *",
            "0 0 1 JAN-MAR MON-FRI",
            "15 4 * * sun",
            "0 12 1-31/2 * *",
        ] {
            assert!(check(line).is_ok(), "{line}");
        }
    }

    #[test]
    fn wrong_lines_name_the_field() {
        let field = |line: &str| {
            check(line)
                .unwrap_err()
                .finding
                .params
                .get("field")
                .cloned()
        };
        assert_eq!(field("60 * * * *").as_deref(), Some("1"));
        assert_eq!(field("0 24 * * *").as_deref(), Some("2"));
        assert_eq!(field("0 0 0 * *").as_deref(), Some("3"));
        assert_eq!(field("0 0 * 13 *").as_deref(), Some("4"));
        assert_eq!(field("0 0 * * 7").as_deref(), Some("5"));
        assert_eq!(field("0 0 * * MON-").as_deref(), Some("5"));
        assert_eq!(field("*/0 * * * *").as_deref(), Some("1"));
        assert_eq!(check("0 0 * *").unwrap_err().finding.code, "cronFieldCount");
        assert_eq!(check("@daily").unwrap_err().finding.code, "cronShorthand");
    }
}
