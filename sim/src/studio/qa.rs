//! `miri.qa`: QA on a still by reading the director's newest complaint. A complaint that already
//! is a good edit command ("Remove the bench") is proposed as it is; one about the light ("too
//! dark", "חשוך מדי") corrects the prompt's lighting — or, for a still with no FLUX prompt on
//! record, proposes the matching edit command; anything else gets a question and no proposal.
//! It answers in the complaint's language. A real vision model also looks at the still; this
//! one only reads. A broken answer proposes a vague command, which Miri refuses.

use super::newest_said;
use miri_core::prompt::edit;
use serde_json::{Value, json};

/// Complaint words that mean the still is too dark, and too bright.
const DARK: &[&str] = &["dark", "dim", "gloomy", "shadow", "shadowy", "חשוך", "חשוכה", "כהה", "אפל", "אפלה", "צל"];
const BRIGHT: &[&str] = &["bright", "harsh", "glare", "overexposed", "washed", "בהיר", "בהירה", "מסנוור", "חזק"];

pub fn answer(data: &Value, broken: bool) -> Value {
    let complaint = newest_said(data);
    let hebrew = complaint.chars().any(|c| ('\u{05D0}'..='\u{05EA}').contains(&c));
    let say = |he: &str, en: &str| if hebrew { he.to_string() } else { en.to_string() };
    if broken {
        return json!({ "reply": say("אפשר לשפר.", "It could be better."), "proposal": { "kind": "edit", "command": "Make it better" } });
    }
    if edit::validate(&complaint).is_empty() {
        return json!({
            "reply": say("אפשר לעשות את זה בעריכה אחת של התמונה.", "That is one edit of the still."),
            "proposal": { "kind": "edit", "command": complaint },
        });
    }
    let words: Vec<String> = complaint
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.strip_prefix('ה').filter(|_| hebrew && w.chars().count() > 3).unwrap_or(w).to_string())
        .collect();
    let mentions = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    let light = if mentions(DARK) {
        Some(("soft warm lantern light, her face evenly lit", "תאורה חמה ורכה של פנס, הפנים שלה מוארות באחידות", "warm, even lantern light on her face", "Brighten the light on Miri's face"))
    } else if mentions(BRIGHT) {
        Some(("soft dim moonlight, gentle shadows", "אור ירח רך ועמום, צללים עדינים", "soft, dim moonlight", "Darken the light around Miri"))
    } else {
        None
    };
    let Some((lighting, summary_he, summary_en, command)) = light else {
        return json!({
            "reply": say(
                "מה בדיוק מפריע בתמונה? ציין/י דבר אחד שצריך להשתנות (למשל התאורה, הרקע או חפץ מסוים).",
                "What exactly is wrong with the still? Name one thing to change (the light, the background, a prop).",
            ),
        });
    };
    let prompt = &data["prompt"];
    if prompt.is_object() {
        let mut fixed = prompt.clone();
        fixed["lighting"] = json!(lighting);
        return json!({
            "reply": say("הבעיה בתאורה שבפרומפט. אני מציע לתקן אותה:", "The prompt's lighting is at fault. I propose correcting it:"),
            "proposal": { "kind": "prompt", "summary": say(summary_he, summary_en), "prompt": fixed },
        });
    }
    json!({
        "reply": say("אפשר לתקן את התאורה בעריכה של התמונה.", "The light can be fixed by editing the still."),
        "proposal": { "kind": "edit", "command": command },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(complaint: &str, prompt: Value) -> Value {
        answer(&json!({ "prompt": prompt, "conversation": [{ "speaker": "user", "content": complaint }] }), false)
    }

    fn prompt() -> Value {
        json!({ "scene": "a garden", "subjects": [], "style": "film", "lighting": "dim blue moonlight", "camera": "eye level" })
    }

    #[test]
    fn a_dark_still_gets_a_lighting_fix_in_the_complaints_language() {
        let a = asked("התאורה חשוכה מדי", prompt());
        assert_eq!(a["proposal"]["kind"], "prompt");
        assert_eq!(a["proposal"]["prompt"]["lighting"], "soft warm lantern light, her face evenly lit");
        assert_eq!(a["proposal"]["prompt"]["scene"], "a garden", "only the lighting changes");
        assert!(a["proposal"]["summary"].as_str().unwrap().contains("פנס"));
        let a = asked("It is too bright", prompt());
        assert_eq!(a["proposal"]["prompt"]["lighting"], "soft dim moonlight, gentle shadows");
        assert!(a["reply"].as_str().unwrap().starts_with("The prompt"));
        let a = asked("too dark", Value::Null);
        assert_eq!(a["proposal"], json!({ "kind": "edit", "command": "Brighten the light on Miri's face" }));
    }

    #[test]
    fn an_edit_command_is_proposed_as_it_is_and_a_vague_wish_gets_a_question() {
        assert_eq!(asked("Remove the bench", prompt())["proposal"], json!({ "kind": "edit", "command": "Remove the bench" }));
        let a = asked("I don't like it", prompt());
        assert!(a.get("proposal").is_none() && a["reply"].as_str().unwrap().contains("Name one thing"));
        let broken = answer(&json!({ "conversation": [{ "speaker": "user", "content": "Remove the bench" }] }), true);
        assert!(!edit::validate(broken["proposal"]["command"].as_str().unwrap()).is_empty(), "the broken answer is refusable");
    }
}
