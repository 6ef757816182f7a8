//! Edit commands for the FLUX.2 edit endpoint (architecture §5). The endpoint follows one short
//! imperative instruction well and a vague wish badly ("make it better" changes something random
//! and costs a generation), so a command must start with its verb, name a concrete object, stay
//! under sixteen words and be one command; a vague one is refused with the reason.

use super::text::{has_phrase, hebrew_stems, normalise, words};
use super::tag::Tag;
use super::violation::{Check, Violation};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub const MAX_WORDS: usize = 15;

/// Imperative verbs an edit may start with (English, and Hebrew in imperative and future form).
const VERBS: &[&str] = &[
    "change", "replace", "remove", "add", "move", "make", "turn", "set", "swap", "rotate", "shift",
    "raise", "lower", "brighten", "darken", "widen", "narrow", "crop", "zoom", "recolor", "recolour",
    "put", "place", "give", "close", "open", "tilt", "adjust", "increase", "decrease", "reduce",
    "warm", "cool", "soften", "sharpen", "straighten", "center", "centre", "flip", "mirror",
    "extend", "shorten", "lengthen", "hide", "show", "dim", "blur", "fill", "paint", "dress",
    "keep", "use", "delete", "erase", "insert", "bring", "push", "pull", "lift", "reframe",
    "relight", "enlarge", "shrink", "color", "colour", "tuck", "fold", "let",
    "שנה", "שני", "תשנה", "תשני", "החלף", "החליפי", "תחליף", "תחליפי", "הסר", "הסירי", "תסיר",
    "תסירי", "הוסף", "הוסיפי", "תוסיף", "תוסיפי", "הזז", "הזיזי", "תזיז", "תזיזי", "סובב", "סובבי",
    "הגדל", "הגדילי", "הקטן", "הקטיני", "הבהר", "הבהירי", "החשך", "החשיכי", "צבע", "צבעי", "שים",
    "שימי", "תשים", "תשימי", "הפוך", "הפכי", "תן", "תני", "סגור", "סגרי", "פתח", "פתחי", "מחק",
    "מחקי", "קרב", "הרחק", "יישר", "ישר", "טשטש", "הדגש", "הלבש", "הלבישי",
];

/// Wishes that name no change a model can make.
const VAGUE: &[&str] = &[
    "better", "nicer", "prettier", "cooler", "improve", "enhance", "fix", "fix it", "cinematic",
    "more cinematic", "professional", "more professional", "epic", "pop", "awesome", "amazing",
    "look good", "look better", "more interesting", "interesting", "something", "somehow",
    "whatever", "stuff", "tweak", "polish", "perfect", "vibe", "vibes", "good", "great",
    "יותר טוב", "טוב יותר", "שפר", "תשפר", "תשפרי", "תקן", "תתקן", "תתקני", "יפה יותר",
    "קולנועי", "קולנועית", "מקצועי", "משהו",
];

/// Words that point at something without naming it.
const PLACEHOLDERS: &[&str] = &[
    "it", "this", "that", "these", "those", "them", "everything", "anything", "things", "all",
    "a", "an", "the", "more", "less", "some", "זה", "זאת", "את", "הכל", "כל", "יותר", "פחות", "משהו",
];

/// Every rule the command breaks (empty when it passes).
pub fn validate(command: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    let text = normalise(command);
    let w = words(&text);
    if w.is_empty() {
        out.push(Violation::new(Check::EditVerbFirst, "the command is empty: start with a verb, e.g. \"Change the camera angle to top-down\""));
        return out;
    }
    let sentences = text
        .split(['.', '!', '?', ';', '\n'])
        .filter(|s| !words(s).is_empty())
        .count();
    if sentences > 1 || has_phrase(&w, "and then") || has_phrase(&w, "then also") {
        out.push(Violation::new(Check::EditSingle, "one command per edit: split this into separate edits"));
    }
    if w.len() > MAX_WORDS {
        out.push(Violation::new(Check::EditLength, format!("{} words; an edit command has at most {MAX_WORDS}", w.len())));
    }
    let first = w[0];
    if !VERBS.contains(&first) {
        out.push(Violation::new(
            Check::EditVerbFirst,
            format!("start with the verb of the change (change, replace, remove, add, …), not {first:?}"),
        ));
    }
    let vague: Vec<&str> = VAGUE
        .iter()
        .copied()
        .filter(|v| if v.contains(' ') { has_phrase(&w, v) } else { w.iter().any(|x| hebrew_stems(x).any(|s| s == *v)) })
        .collect();
    if !vague.is_empty() {
        out.push(Violation::new(
            Check::EditVague,
            format!("{} says what to feel, not what to change: name the object and the change, e.g. \"Change the sky to dusk orange\"", vague.join(", ")),
        ));
    }
    let object = &w[1..];
    let concrete = object.iter().any(|x| {
        !PLACEHOLDERS.contains(x) && !VAGUE.contains(x) && !hebrew_stems(x).skip(1).any(|s| PLACEHOLDERS.contains(&s))
    });
    if !concrete {
        out.push(Violation::new(Check::EditConcrete, "name a concrete object to change (the sky, her scarf, the camera angle, …)"));
    }
    out
}

/// The edit endpoints take at most this many images: the still first, then its references
/// (extras are ignored by fal, so they are not sent).
pub const MAX_EDIT_IMAGES: usize = 4;

/// What an edit draws over: `still` first, then up to [`MAX_EDIT_IMAGES`] − 1 of `references`.
pub fn images(still: &str, references: &[String]) -> Vec<String> {
    let mut urls = vec![still.to_string()];
    urls.extend(references.iter().filter(|r| r.as_str() != still).take(MAX_EDIT_IMAGES - 1).cloned());
    urls
}

/// The file form of an edit request: the still being refined first among `image_urls`, the scene's
/// seed, the LoRA that keeps Miri hers, and one validated command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditRequest {
    pub tag: String,
    pub command: String,
    pub seed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lora: Option<String>,
    pub image_urls: Vec<String>,
}

impl EditRequest {
    /// The edit of `still` by `command`, with up to [`MAX_EDIT_IMAGES`] images in all; refused
    /// with every rule the command breaks.
    pub fn new(tag: Tag, command: &str, seed: u64, lora: Option<&str>, still: &str, references: &[String]) -> Result<Self, Vec<Violation>> {
        let violations = validate(command);
        if !violations.is_empty() {
            return Err(violations);
        }
        let image_urls = images(still, references);
        Ok(Self { tag: tag.to_string(), command: command.split_whitespace().collect::<Vec<_>>().join(" "), seed, lora: lora.map(str::to_string), image_urls })
    }

    /// The text fal receives: the tag, then the command.
    pub fn prompt_text(&self) -> String {
        format!("{} {}", self.tag, self.command)
    }

    pub fn fal_input(&self) -> Value {
        let mut input = json!({
            "prompt": self.prompt_text(),
            "seed": self.seed,
            "image_urls": self.image_urls,
            "num_images": 1,
            "output_format": "png",
            "enable_prompt_expansion": false,
        });
        if let Some(lora) = &self.lora {
            input["loras"] = json!([{"path": lora, "scale": 1.0}]);
        }
        input
    }
}

/// The edit endpoint of an image model (`fal-ai/flux-2/lora` → `fal-ai/flux-2/lora/edit`).
pub fn endpoint_of(image_model: &str) -> String {
    if image_model.ends_with("/edit") { image_model.to_string() } else { format!("{image_model}/edit") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(command: &str) -> Vec<Check> {
        validate(command).into_iter().map(|v| v.rule).collect()
    }

    #[test]
    fn short_imperative_commands_pass() {
        for ok in [
            "Change the camera angle to top-down",
            "Replace the lantern with a candle hex #FFD27F",
            "Remove the bench",
            "make the sky dusk orange",
            "שנה את זווית המצלמה למבט מלמעלה",
            "\u{200F}הסר את הספסל",
        ] {
            assert_eq!(validate(ok), [], "{ok}");
        }
    }

    #[test]
    fn each_rule_fails_on_its_case() {
        let cases = [
            ("make it better", Check::EditVague),
            ("make it better", Check::EditConcrete),
            ("Fix it", Check::EditVerbFirst),
            ("more cinematic", Check::EditVerbFirst),
            ("Make the shot more cinematic", Check::EditVague),
            ("Improve the lighting", Check::EditVerbFirst),
            ("תשפר את זה", Check::EditVerbFirst),
            ("שנה את זה", Check::EditConcrete),
            ("The sky should be orange", Check::EditVerbFirst),
            ("Change the sky to orange. Remove the bench", Check::EditSingle),
            ("Change the sky to orange and then remove the bench", Check::EditSingle),
            (
                "Change the colour of the little lantern that hangs on the left side of the frame to amber",
                Check::EditLength,
            ),
            ("   ", Check::EditVerbFirst),
            ("Change", Check::EditConcrete),
        ];
        for (command, rule) in cases {
            assert!(rules(command).contains(&rule), "{command}: expected {rule}, got {:?}", validate(command));
        }
    }

    #[test]
    fn an_edit_request_puts_the_still_first_and_keeps_the_seed() {
        use crate::prompt::ModelCode;
        use crate::{ShotId, VersionId};
        let tag = Tag::new(ShotId::from_uuid(uuid::Uuid::from_u128(1)), VersionId::from_uuid(uuid::Uuid::from_u128(2)), ModelCode::of_endpoint("fal-ai/flux-2/lora/edit"));
        let refs: Vec<String> = (0..6).map(|i| format!("https://r/{i}.png")).collect();
        let e = EditRequest::new(tag.clone(), "Change the  sky to dusk orange", 7, Some("miriN14"), "https://s/still.png", &refs).unwrap();
        assert_eq!(e.image_urls.len(), MAX_EDIT_IMAGES);
        assert_eq!(e.image_urls[0], "https://s/still.png");
        let input = e.fal_input();
        assert_eq!(input["prompt"], format!("{tag} Change the sky to dusk orange"));
        assert_eq!((input["seed"].as_u64(), input["loras"][0]["path"].as_str()), (Some(7), Some("miriN14")));
        assert!(EditRequest::new(tag, "make it better", 7, None, "https://s/still.png", &[]).is_err());
        assert_eq!(endpoint_of("fal-ai/flux-2/lora"), "fal-ai/flux-2/lora/edit");
        assert_eq!(endpoint_of("fal-ai/flux-2/edit"), "fal-ai/flux-2/edit");
    }
}
