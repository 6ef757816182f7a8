//! `miri.rule`: the director's reason turned into a prohibition. A reason that already is one
//! ("Never show her barefoot") is kept as it is; a complaint ("Miri is barefoot", "too dark") becomes
//! "Never show Miri barefoot." / "Never show Miri too dark." A real vision model also looks at
//! the still; this one only reads. A broken answer describes the still instead of instructing.

use serde_json::{Value, json};

/// Openings that already instruct.
const IMPERATIVE: &[&str] = &["never ", "always ", "keep ", "avoid ", "do not ", "don't ", "no "];
/// Openings of a complaint that name its subject, dropped before the rest becomes the rule.
const SUBJECTS: &[&str] =
    &["miri is ", "miri's ", "she is ", "she's ", "her ", "it is ", "it's ", "the still is ", "the image is ", "this is "];

pub fn answer(data: &Value, broken: bool) -> Value {
    let reason = data["reason"].as_str().unwrap_or_default().trim().trim_end_matches(['.', '!']).to_string();
    if broken {
        return json!({ "rule": format!("The still shows {reason}.") });
    }
    let lower = reason.to_lowercase();
    if IMPERATIVE.iter().any(|p| lower.starts_with(p)) {
        let mut chars = reason.chars();
        let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
        return json!({ "rule": format!("{first}{}.", chars.as_str()) });
    }
    let rest = SUBJECTS.iter().find_map(|p| lower.strip_prefix(p).map(|_| &reason[p.len()..])).unwrap_or(&reason);
    json!({ "rule": format!("Never show Miri {}.", rest.trim()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complaint_becomes_a_prohibition() {
        assert_eq!(answer(&json!({ "reason": "Miri is barefoot." }), false)["rule"], "Never show Miri barefoot.");
        assert_eq!(answer(&json!({ "reason": "too dark" }), false)["rule"], "Never show Miri too dark.");
        assert_eq!(answer(&json!({ "reason": "never put her near water" }), false)["rule"], "Never put her near water.");
        assert_eq!(answer(&json!({ "reason": "barefoot" }), true)["rule"], "The still shows barefoot.");
    }
}
