//! `miri.audit` and `miri.audit.clip`: the AUDITOR's judgement by word lists. Immodest clothing
//! words fail a still prompt and are replaced by modest ones (a clip's action also fails on
//! immodest movement and on Miri opening her mouth); a rulebook rule phrased as a prohibition
//! ("Never show Miri barefoot", "Avoid red balloons") fails a prompt that holds all of its words,
//! and the fix takes them out. A broken answer (the `badAnswerRate` fault) is a careless
//! auditor's: it fails a faulty prompt but "fixes" only the lighting (a clip: adds "gently"), and
//! passes a clean one while listing a finding.

use serde_json::{Value, json};

/// Immodest words and what the fix puts in their place.
const IMMODEST: &[(&str, &str)] = &[
    ("sleeveless", "long-sleeved"),
    ("strapless", "long-sleeved"),
    ("spaghetti straps", "long sleeves"),
    ("off-shoulder", "high-necked"),
    ("off-the-shoulder", "high-necked"),
    ("bare shoulders", "covered shoulders"),
    ("low-cut", "high-necked"),
    ("backless", "closed-back"),
    ("crop top", "loose long-sleeved top"),
    ("bare midriff", "covered waist"),
    ("bikini", "long-sleeved swim dress"),
    ("swimsuit", "long-sleeved swim dress"),
];

/// What a clip's action may not do, and what the fix does instead.
const IMMODEST_MOTION: &[(&str, &str)] = &[
    ("lifts her skirt", "smooths her skirt"),
    ("lifts her dress", "smooths her dress"),
    ("skirt flies up", "skirt stays still"),
    ("dress flies up", "dress stays still"),
    ("sings", "hums with her mouth closed"),
    ("singing", "humming with her mouth closed"),
    ("opens her mouth", "keeps her mouth closed"),
    ("laughs", "smiles with her mouth closed"),
    ("talks", "nods"),
];

/// How a prohibition starts.
const PROHIBITIONS: &[&str] = &["never show", "never", "do not show", "do not", "don't show", "don't", "avoid", "no"];
/// Words a prohibition names that say nothing about the picture.
const FILLER: &[&str] = &["miri", "her", "she", "a", "an", "the", "in", "any", "of", "with", "shot", "shots", "still", "stills", "image", "images"];

pub fn answer(data: &Value, broken: bool) -> Value {
    let careless = |prompt: &mut Value| {
        let lighting = prompt["lighting"].as_str().unwrap_or_default().to_string();
        prompt["lighting"] = json!(format!("{lighting}, soft fill"));
    };
    judge(data["prompt"].clone(), &[IMMODEST], data, broken, careless)
}

/// A clip prompt: its action is judged, and corrected.
pub fn clip_answer(data: &Value, broken: bool) -> Value {
    let careless = |action: &mut Value| *action = json!(format!("{}, gently", action.as_str().unwrap_or_default()));
    judge(data["action"].clone(), &[IMMODEST, IMMODEST_MOTION], data, broken, careless)
}

fn judge(mut prompt: Value, tables: &[&[(&str, &str)]], data: &Value, broken: bool, careless: impl Fn(&mut Value)) -> Value {
    let original = prompt.clone();
    let mut findings = Vec::new();
    let texts = all_text(&prompt).to_lowercase();
    for (word, modest) in tables.iter().flat_map(|t| t.iter()) {
        if contains_phrase(&texts, word) {
            findings.push(json!({ "constraint": "modesty", "problem": format!("\"{word}\" is immodest for a child; use \"{modest}\"") }));
            rewrite(&mut prompt, &|t| replace_phrase(t, word, modest));
        }
    }
    for rule in data["rules"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        let words = prohibited_words(rule);
        if !words.is_empty() && words.iter().all(|w| contains_phrase(&texts, w)) {
            findings.push(json!({ "constraint": "rulebook", "problem": format!("breaks the rule \"{rule}\" ({})", words.join(", ")) }));
            rewrite(&mut prompt, &|t| words.iter().fold(t.to_string(), |t, w| replace_phrase(&t, w, "")));
        }
    }
    match (findings.is_empty(), broken) {
        (true, false) => json!({ "passed": true, "findings": [] }),
        (true, true) => json!({ "passed": true, "findings": [{ "constraint": "style", "problem": "could be warmer" }] }),
        (false, false) => json!({ "passed": false, "findings": findings, "fixed": prompt }),
        (false, true) => {
            let mut sloppy = original;
            careless(&mut sloppy);
            json!({ "passed": false, "findings": findings, "fixed": sloppy })
        }
    }
}

/// The picture words of a prohibition ("Never show Miri barefoot" → ["barefoot"]); none for a
/// rule that prohibits nothing this way.
fn prohibited_words(rule: &str) -> Vec<String> {
    let lower = rule.trim().trim_end_matches('.').to_lowercase();
    let Some(rest) = PROHIBITIONS.iter().find_map(|p| lower.strip_prefix(p).filter(|r| r.starts_with(' '))) else {
        return Vec::new();
    };
    rest.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
        .filter(|w| !w.is_empty() && !FILLER.contains(w))
        .map(str::to_string)
        .collect()
}

/// Every text field of a FLUX prompt object, joined.
fn all_text(prompt: &Value) -> String {
    let mut out = String::new();
    collect(prompt, &mut out);
    out
}

fn collect(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push_str(" | ");
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        Value::Object(m) => m.iter().filter(|(k, _)| k.as_str() != "type").for_each(|(_, x)| collect(x, out)),
        _ => {}
    }
}

/// Applies `f` to every text field (not the subjects' `type`).
fn rewrite(v: &mut Value, f: &dyn Fn(&str) -> String) {
    match v {
        Value::String(s) => *s = f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite(x, f)),
        Value::Object(m) => m.iter_mut().filter(|(k, _)| k.as_str() != "type").for_each(|(_, x)| rewrite(x, f)),
        _ => {}
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// Byte ranges where `phrase` stands as whole words in `text`, case-insensitively.
fn phrase_at(text: &str, phrase: &str) -> Vec<(usize, usize)> {
    let lower = text.to_lowercase();
    if lower.len() != text.len() || phrase.is_empty() {
        return Vec::new();
    }
    lower
        .match_indices(phrase)
        .filter(|(i, m)| {
            let before = lower[..*i].chars().next_back().is_none_or(|c| !is_word_char(c));
            let after = lower[i + m.len()..].chars().next().is_none_or(|c| !is_word_char(c));
            before && after
        })
        .map(|(i, m)| (i, i + m.len()))
        .collect()
}

fn contains_phrase(text: &str, phrase: &str) -> bool {
    !phrase_at(text, phrase).is_empty()
}

fn replace_phrase(text: &str, phrase: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end) in phrase_at(text, phrase) {
        out.push_str(&text[last..start]);
        out.push_str(with);
        last = end;
    }
    out.push_str(&text[last..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(scene: &str) -> Value {
        json!({
            "scene": scene,
            "subjects": [{ "type": "miri", "description": "Miri, Child physique, Young girl", "pose": "standing at rest", "position": "center third" }],
            "style": "cinematic film still", "lighting": "soft natural light", "camera": "wide shot",
        })
    }

    #[test]
    fn immodest_words_fail_and_the_fix_replaces_them() {
        let a = answer(&json!({ "prompt": prompt("Miri in a Sleeveless dress on the beach"), "rules": [] }), false);
        assert_eq!(a["passed"], false);
        assert_eq!(a["findings"][0]["constraint"], "modesty");
        assert_eq!(a["fixed"]["scene"], "Miri in a long-sleeved dress on the beach");
        let clean = answer(&json!({ "prompt": prompt("Miri in a long dress on the beach"), "rules": [] }), false);
        assert_eq!(clean, json!({ "passed": true, "findings": [] }));
    }

    #[test]
    fn a_prohibition_in_the_rulebook_fails_a_prompt_with_all_its_words() {
        let rules = json!(["Never show Miri barefoot.", "Avoid red balloons", "Keep the horizon level"]);
        let a = answer(&json!({ "prompt": prompt("Miri barefoot in the sand by a red kite"), "rules": rules }), false);
        assert_eq!(a["findings"].as_array().unwrap().len(), 1, "{a}");
        assert!(a["findings"][0]["problem"].as_str().unwrap().contains("Never show Miri barefoot"));
        assert_eq!(a["fixed"]["scene"], "Miri in the sand by a red kite");
        assert_eq!(prohibited_words("Don't show the moon"), ["moon"]);
        assert!(prohibited_words("Keep the horizon level").is_empty());
        assert!(!contains_phrase("barefooted", "barefoot"), "whole words only");
    }

    #[test]
    fn a_careless_auditor_fixes_the_wrong_field() {
        let a = answer(&json!({ "prompt": prompt("Miri in a sleeveless dress"), "rules": [] }), true);
        assert_eq!(a["passed"], false);
        assert_eq!(a["fixed"]["scene"], "Miri in a sleeveless dress");
        assert_eq!(a["fixed"]["lighting"], "soft natural light, soft fill");
    }

    #[test]
    fn a_clip_whose_miri_sings_or_lifts_her_skirt_is_fixed_in_its_action() {
        let a = clip_answer(&json!({ "action": "she lifts her skirt and sings to the moon", "rules": [] }), false);
        assert_eq!(a["passed"], false);
        assert_eq!(a["fixed"], "she smooths her skirt and hums with her mouth closed to the moon");
        assert_eq!(a["findings"].as_array().unwrap().len(), 2);
        assert_eq!(clip_answer(&json!({ "action": "she slowly looks up at the stars", "rules": [] }), false)["passed"], true);
        let careless = clip_answer(&json!({ "action": "she sings", "rules": [] }), true);
        assert_eq!(careless["fixed"], "she sings, gently");
    }
}
