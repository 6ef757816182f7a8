//! The FLUX.2 still request (architecture §5): a tag, the LoRA, the scene's seed, up to ten
//! reference images and a prompt that is a JSON object, never free text. [`FluxRequest::builder`]
//! makes requests that pass; [`validate_json`] checks one from an LLM or a file and lists every
//! rule it breaks.

use super::color::{ColourProblem, Hex, colour_problems};
use super::lexicon::{motion_words, names_a_resting_posture};
use super::shape::{self, Field, Kind};
use super::tag::Tag;
use super::text::{has_phrase, normalise, words};
use super::violation::{Check, Violation, summary};
use crate::schema::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The only LoRA that may draw Miri.
pub const MIRI_LORA: &str = "miriN14";
/// The subject type that means Miri.
pub const MIRI_TYPE: &str = "miri";
/// FLUX.2 edit takes at most this many reference images.
pub const MAX_IMAGE_URLS: usize = 10;
/// The descriptors Miri's description always carries.
pub const MIRI_DESCRIPTORS: [&str; 6] =
    ["Child physique", "Young girl", "Loose fit", "Heavy fabric", "Mid-calf", "Mouth CLOSED"];

/// Words that contradict a descriptor, per descriptor (English and Hebrew, normalised).
const CONTRADICTIONS: [(&str, &[&str]); 6] = [
    ("Child physique", &["adult", "grown-up", "muscular", "curvy", "voluptuous", "בוגרת", "שרירית"]),
    ("Young girl", &["woman", "lady", "teenager", "teen", "elderly", "old woman", "boy", "אישה", "נערה", "זקנה"]),
    ("Loose fit", &["tight", "tight-fitting", "fitted", "skin-tight", "bodycon", "form-fitting", "snug", "צמוד", "צמודה"]),
    ("Heavy fabric", &["sheer", "see-through", "transparent", "flimsy", "chiffon", "mesh", "thin fabric", "light fabric", "שקוף", "שקופה"]),
    ("Mid-calf", &["mini", "miniskirt", "short skirt", "short dress", "shorts", "knee-length", "above the knee", "floor-length", "ankle-length", "cropped", "מיני", "קצרה"]),
    ("Mouth CLOSED", &["open mouth", "mouth open", "mouth opened", "mouth wide open", "parted lips", "lips parted", "teeth", "toothy", "grin", "grinning", "singing", "shouting", "yelling", "screaming", "laughing", "talking", "פה פתוח", "פיה פתוח", "שרה", "צוחקת", "צועקת", "מדברת"]),
];

/// Subject types that are living beings: their pose must name a resting posture.
const LIVING: [&str; 5] = [MIRI_TYPE, "character", "person", "animal", "child"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
    pub pose: String,
    pub position: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FluxPrompt {
    pub scene: String,
    pub subjects: Vec<Subject>,
    pub style: String,
    pub lighting: String,
    pub camera: String,
}

/// The file form of a still request (what `miri prompt validate --kind flux` reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FluxRequest {
    pub tag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lora: Option<String>,
    pub seed: u64,
    #[serde(default)]
    pub image_urls: Vec<String>,
    pub prompt: FluxPrompt,
}

/// Validates a FLUX request given as JSON: shape first, then every rule.
pub fn validate_json(value: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    let fields = [
        Field("tag", Kind::Str, true),
        Field("lora", Kind::Str, false),
        Field("seed", Kind::UInt, true),
        Field("image_urls", Kind::Array, false),
        Field("prompt", Kind::Object, false),
    ];
    let Some(map) = shape::object(value, "", &fields, &mut out) else { return out };
    match map.get("prompt") {
        None | Some(Value::Null) => out.push(Violation::new(Check::Shape, "prompt is missing")),
        Some(Value::String(_)) => {
            out.retain(|v| !v.message.starts_with("prompt must be"));
            out.push(Violation::new(
                Check::PromptObject,
                "prompt must be a JSON object with scene, subjects, style, lighting and camera; a text prompt is refused",
            ));
        }
        Some(p) => {
            let fields = [
                Field("scene", Kind::Str, true),
                Field("subjects", Kind::Array, true),
                Field("style", Kind::Str, true),
                Field("lighting", Kind::Str, true),
                Field("camera", Kind::Str, true),
            ];
            if let Some(prompt) = shape::object(p, "prompt", &fields, &mut out) {
                let subject = [
                    Field("type", Kind::Str, true),
                    Field("description", Kind::Str, true),
                    Field("pose", Kind::Str, true),
                    Field("position", Kind::Str, true),
                ];
                for (i, s) in prompt.get("subjects").and_then(Value::as_array).into_iter().flatten().enumerate() {
                    shape::object(s, &format!("prompt.subjects[{i}]"), &subject, &mut out);
                }
            }
        }
    }
    shape::elements(map.get("image_urls"), "image_urls", Kind::Str, &mut out);
    shape::then_rules(value, out, |req: FluxRequest| req.violations())
}

/// The JSON Schema of a [`FluxPrompt`]: the five fields a model writes when it corrects one.
pub fn prompt_schema(description: &str) -> Value {
    let text = json!({ "type": "string" });
    let subject = json!({
        "type": "object",
        "properties": { "type": text, "description": text, "pose": text, "position": text },
        "required": ["type", "description", "pose", "position"],
        "additionalProperties": false,
    });
    json!({
        "type": "object",
        "description": description,
        "properties": {
            "scene": text, "subjects": { "type": "array", "items": subject },
            "style": text, "lighting": text, "camera": text,
        },
        "required": ["scene", "subjects", "style", "lighting", "camera"],
        "additionalProperties": false,
    })
}

impl FluxRequest {
    pub fn builder(tag: Tag, seed: u64) -> FluxBuilder {
        FluxBuilder::new(tag, seed)
    }

    /// Every rule this request breaks (empty when it is valid).
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        match self.tag.parse::<Tag>() {
            Err(e) => out.push(Violation::new(Check::Tag, e.to_string())),
            Ok(t) if !t.code.as_str().starts_with("FLUX") => out.push(Violation::new(
                Check::Tag,
                format!("the tag's model code {} is not a FLUX model (FLUX2, FLUX2EDIT, …)", t.code),
            )),
            Ok(_) => {}
        }
        let p = &self.prompt;
        let has_miri = p.subjects.iter().any(|s| s.kind.trim().eq_ignore_ascii_case(MIRI_TYPE));
        if has_miri && self.lora.as_deref() != Some(MIRI_LORA) {
            out.push(Violation::new(
                Check::Lora,
                format!("a subject is Miri, so lora must be {MIRI_LORA} (got {:?})", self.lora.as_deref().unwrap_or("none")),
            ));
        }
        if self.image_urls.len() > MAX_IMAGE_URLS {
            out.push(Violation::new(
                Check::ImageUrls,
                format!("image_urls has {} entries; at most {MAX_IMAGE_URLS}", self.image_urls.len()),
            ));
        }
        for (i, url) in self.image_urls.iter().enumerate() {
            if !shape::fetchable(url) {
                out.push(Violation::new(Check::ImageUrls, format!("image_urls[{i}] is not an http(s) URL or image data URI")));
            }
        }
        if p.subjects.is_empty() {
            out.push(Violation::new(Check::Shape, "prompt.subjects must name at least one subject"));
        }
        for (field, text) in [("scene", &p.scene), ("style", &p.style), ("lighting", &p.lighting), ("camera", &p.camera)] {
            no_motion(&format!("prompt.{field}"), text, &mut out);
        }
        for (i, s) in p.subjects.iter().enumerate() {
            let path = format!("prompt.subjects[{i}]");
            no_motion(&format!("{path}.description"), &s.description, &mut out);
            static_pose(&path, s, &mut out);
            colours(&format!("{path}.description"), &s.description, &mut out);
            if s.kind.trim().eq_ignore_ascii_case(MIRI_TYPE) {
                miri_rules(&path, s, &mut out);
            }
        }
        out
    }

    /// The fal input for this request (FLUX.2 text-to-image with LoRA, or edit with references).
    pub fn fal_input(&self) -> Value {
        let mut input = json!({
            "prompt": self.prompt_text(),
            "seed": self.seed,
            "image_size": "landscape_16_9",
            "num_images": 1,
            "output_format": "png",
            "enable_prompt_expansion": false,
        });
        if let Some(lora) = &self.lora {
            input["loras"] = json!([{"path": lora, "scale": 1.0}]);
        }
        if !self.image_urls.is_empty() {
            input["image_urls"] = json!(self.image_urls);
        }
        input
    }

    /// What this still shows, at rest: the opening of the clip prompt that animates it.
    pub fn resting_state(&self) -> String {
        let p = &self.prompt;
        let subjects = p.subjects.iter().map(|s| {
            if s.kind.trim().eq_ignore_ascii_case(MIRI_TYPE) {
                format!("Miri {}, mouth closed", s.pose.trim())
            } else {
                format!("{} {}", s.description.trim(), s.pose.trim())
            }
        });
        std::iter::once(p.scene.trim().to_string()).chain(subjects).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(". ")
    }

    /// This request with a model's corrected `prompt` under `tag`; the seed, the LoRA and the
    /// references stay the system's. Refused, naming `field`, when the prompt is unchanged, drops
    /// Miri or breaks the core rules: a correction is held to the rules of any prompt.
    pub fn revised(&self, prompt: FluxPrompt, tag: &str, field: &str) -> Result<FluxRequest, FieldError> {
        if prompt == self.prompt {
            return Err(FieldError::new(field, "is the current prompt unchanged; change what is wrong"));
        }
        let has_miri = |p: &FluxPrompt| p.subjects.iter().any(|s| s.kind.trim().eq_ignore_ascii_case(MIRI_TYPE));
        if has_miri(&self.prompt) && !has_miri(&prompt) {
            return Err(FieldError::new(format!("{field}.subjects"), "dropped Miri; keep her subject (type \"miri\") and fix what is wrong"));
        }
        let revised = FluxRequest { tag: tag.to_string(), prompt, ..self.clone() };
        let violations = revised.violations();
        if !violations.is_empty() {
            return Err(FieldError::new(
                field,
                format!("breaks the core rules: {} (Miri's description carries {})", summary(&violations), MIRI_DESCRIPTORS.join(", ")),
            ));
        }
        Ok(revised)
    }

    /// The text prompt fal receives: the tag, then the JSON object.
    pub fn prompt_text(&self) -> String {
        let body = serde_json::to_string(&self.prompt).expect("a prompt always serialises");
        format!("{} {body}", self.tag)
    }
}

fn no_motion(path: &str, text: &str, out: &mut Vec<Violation>) {
    let n = normalise(text);
    let found = motion_words(&words(&n));
    if !found.is_empty() {
        out.push(Violation::new(
            Check::NoMotion,
            format!("{path} describes motion ({}); a still is one frozen instant — motion belongs to the clip prompt", found.join(", ")),
        ));
    }
}

fn static_pose(path: &str, s: &Subject, out: &mut Vec<Violation>) {
    let n = normalise(&s.pose);
    let w = words(&n);
    let found = motion_words(&w);
    if !found.is_empty() {
        out.push(Violation::new(
            Check::StaticPose,
            format!("{path}.pose is not a resting state: {}", found.join(", ")),
        ));
    } else if LIVING.iter().any(|t| s.kind.trim().eq_ignore_ascii_case(t)) && !names_a_resting_posture(&w) {
        out.push(Violation::new(
            Check::StaticPose,
            format!("{path}.pose must name a resting posture (standing, sitting, kneeling, lying, leaning, …)"),
        ));
    }
}

fn colours(path: &str, text: &str, out: &mut Vec<Violation>) {
    for problem in colour_problems(text) {
        let message = match problem {
            ColourProblem::Uncoded(w) => format!("{path}: the colour {w:?} needs a code beside it, as hex #RRGGBB"),
            ColourProblem::BadCode(c) => format!("{path}: {c} is not a valid colour code (#RRGGBB, six hex digits)"),
            ColourProblem::Bare(c) => format!("{path}: write the code as hex {}", c.to_uppercase()),
        };
        out.push(Violation::new(Check::ColourCode, message));
    }
}

fn miri_rules(path: &str, s: &Subject, out: &mut Vec<Violation>) {
    let n = normalise(&s.description);
    let missing: Vec<&str> = MIRI_DESCRIPTORS.iter().copied().filter(|d| !n.contains(&d.to_lowercase())).collect();
    if !missing.is_empty() {
        out.push(Violation::new(
            Check::MiriDescriptors,
            format!("{path}.description must carry {}", missing.join(", ")),
        ));
    }
    let both = normalise(&format!("{} , {}", s.description, s.pose));
    let w = words(&both);
    for (descriptor, contradicting) in CONTRADICTIONS {
        let hits: Vec<&str> = contradicting.iter().copied().filter(|c| has_phrase(&w, c)).collect();
        if !hits.is_empty() {
            out.push(Violation::new(
                Check::DescriptorContradiction,
                format!("{path}: {} contradicts {descriptor}", hits.join(", ")),
            ));
        }
    }
}

/// A resting posture a still can hold; the builder only offers these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestingPose {
    Standing,
    Sitting,
    Kneeling,
    LyingDown,
    Leaning,
}

impl RestingPose {
    pub const ALL: [RestingPose; 5] = [Self::Standing, Self::Sitting, Self::Kneeling, Self::LyingDown, Self::Leaning];

    pub fn text(self) -> &'static str {
        match self {
            Self::Standing => "standing still at rest, arms relaxed at her sides",
            Self::Sitting => "sitting still, hands resting in her lap",
            Self::Kneeling => "kneeling at rest, hands folded",
            Self::LyingDown => "lying still on her back, eyes open, at rest",
            Self::Leaning => "leaning at rest against a wall, arms relaxed",
        }
    }
}

/// A garment or prop and its exact colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coloured {
    pub name: String,
    pub colour: Hex,
}

impl Coloured {
    fn text(&self) -> String {
        format!("{} hex {}", self.name.trim(), self.colour)
    }
}

/// Builds a [`FluxRequest`]: Miri's description is assembled from her descriptors, her pose from
/// [`RestingPose`], colours from [`Hex`] codes; `build` validates the result, so whatever it returns
/// passes.
#[derive(Debug, Clone)]
pub struct FluxBuilder {
    tag: Tag,
    seed: u64,
    lora: Option<String>,
    image_urls: Vec<String>,
    scene: String,
    subjects: Vec<Subject>,
    style: String,
    lighting: String,
    camera: String,
}

impl FluxBuilder {
    fn new(tag: Tag, seed: u64) -> Self {
        Self {
            tag,
            seed,
            lora: None,
            image_urls: Vec::new(),
            scene: String::new(),
            subjects: Vec::new(),
            style: "cinematic film still, 35mm, natural colour".into(),
            lighting: "soft natural key light".into(),
            camera: "eye level, 35mm lens, shallow depth of field".into(),
        }
    }

    pub fn scene(mut self, scene: &str) -> Self {
        self.scene = scene.trim().into();
        self
    }
    pub fn style(mut self, style: &str) -> Self {
        self.style = style.trim().into();
        self
    }
    pub fn lighting(mut self, lighting: &str) -> Self {
        self.lighting = lighting.trim().into();
        self
    }
    pub fn camera(mut self, camera: &str) -> Self {
        self.camera = camera.trim().into();
        self
    }
    pub fn image_url(mut self, url: &str) -> Self {
        self.image_urls.push(url.into());
        self
    }

    /// Miri, drawn through the LoRA with every descriptor, in a resting pose and a coded outfit.
    pub fn miri(mut self, pose: RestingPose, position: &str, outfit: &[Coloured]) -> Self {
        self.lora = Some(MIRI_LORA.into());
        let mut description = format!("Miri, {}", MIRI_DESCRIPTORS.join(", "));
        for garment in outfit {
            description.push_str(", ");
            description.push_str(&garment.text());
        }
        self.subjects.push(Subject {
            kind: MIRI_TYPE.into(),
            description,
            pose: pose.text().into(),
            position: position.trim().into(),
        });
        self
    }

    /// A prop in its exact colour, placed at rest.
    pub fn prop(mut self, prop: &Coloured, position: &str) -> Self {
        self.subjects.push(Subject {
            kind: "prop".into(),
            description: prop.text(),
            pose: "placed, at rest".into(),
            position: position.trim().into(),
        });
        self
    }

    /// The scene's place on its own, nobody in it (a background reference).
    pub fn empty_set(mut self, position: &str) -> Self {
        self.subjects.push(Subject {
            kind: "set".into(),
            description: "the empty location, nobody in it".into(),
            pose: "still, at rest".into(),
            position: position.trim().into(),
        });
        self
    }

    /// A garment on its own, laid flat (an outfit reference); its colours coded as for Miri's.
    pub fn garment(mut self, description: &str, position: &str) -> Self {
        self.subjects.push(Subject {
            kind: "garment".into(),
            description: description.trim().into(),
            pose: "laid flat, at rest".into(),
            position: position.trim().into(),
        });
        self
    }

    /// The request as assembled, not yet validated (to show a draft beside its violations).
    pub fn draft(self) -> FluxRequest {
        FluxRequest {
            tag: self.tag.to_string(),
            lora: self.lora,
            seed: self.seed,
            image_urls: self.image_urls,
            prompt: FluxPrompt {
                scene: self.scene,
                subjects: self.subjects,
                style: self.style,
                lighting: self.lighting,
                camera: self.camera,
            },
        }
    }

    pub fn build(self) -> Result<FluxRequest, Vec<Violation>> {
        let req = self.draft();
        let violations = req.violations();
        if violations.is_empty() { Ok(req) } else { Err(violations) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const TAG: &str = "[6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a]_[0b7e5d2c-1a3f-4e6b-8c9d-2f4a6b8c0d1e]_[FLUX2]";
    const MIRI: &str = "Miri, Child physique, Young girl, Loose fit, Heavy fabric, Mid-calf, Mouth CLOSED, wool dress hex #1B2A4A";

    fn valid() -> Value {
        json!({
            "tag": TAG,
            "lora": "miriN14",
            "seed": 421337,
            "image_urls": ["https://v3.fal.media/files/bg.png"],
            "prompt": {
                "scene": "a quiet rooftop garden at dawn",
                "subjects": [
                    {"type": "miri", "description": MIRI, "pose": "standing still, arms relaxed", "position": "center third"},
                    {"type": "prop", "description": "paper lantern hex #FFD27F", "pose": "hanging from a hook", "position": "upper left"}
                ],
                "style": "cinematic film still",
                "lighting": "soft golden key light",
                "camera": "eye level, 35mm lens"
            }
        })
    }

    /// Sets `pointer` in the valid request to `v`.
    fn with(pointer: &str, v: Value) -> Value {
        shape::set(valid(), pointer, v)
    }

    fn rules(req: &Value) -> Vec<Check> {
        validate_json(req).into_iter().map(|v| v.rule).collect()
    }

    #[test]
    fn the_valid_request_passes() {
        assert_eq!(validate_json(&valid()), []);
    }

    #[test]
    fn each_rule_fails_on_its_case() {
        let eleven: Vec<String> = (0..11).map(|i| format!("https://a.example/{i}.png")).collect();
        let cases: Vec<(&str, Value, Check)> = vec![
            ("text prompt", with("/prompt", json!("Miri on a rooftop")), Check::PromptObject),
            ("extra prompt key", with("/prompt/mood", json!("calm")), Check::Shape),
            ("seed not an integer", with("/seed", json!("42")), Check::Shape),
            ("negative seed", with("/seed", json!(-1)), Check::Shape),
            ("tag without brackets", with("/tag", json!("shot_version_FLUX2")), Check::Tag),
            ("lower-case model code", with("/tag", json!(TAG.replace("FLUX2", "flux2"))), Check::Tag),
            ("not a FLUX code", with("/tag", json!(TAG.replace("FLUX2", "KLINGV3"))), Check::Tag),
            ("miri without the LoRA", with("/lora", json!("otherLora")), Check::Lora),
            ("eleven references", with("/image_urls", json!(eleven)), Check::ImageUrls),
            ("a local path", with("/image_urls/0", json!("/etc/passwd")), Check::ImageUrls),
            ("a descriptor missing", with("/prompt/subjects/0/description", json!(MIRI.replace(", Mouth CLOSED", ""))), Check::MiriDescriptors),
            ("open mouth", with("/prompt/subjects/0/description", json!(format!("{MIRI}, mouth open in song"))), Check::DescriptorContradiction),
            ("tight dress", with("/prompt/subjects/0/pose", json!("standing in a tight dress")), Check::DescriptorContradiction),
            ("a pose in motion", with("/prompt/subjects/0/pose", json!("twirling on one foot")), Check::StaticPose),
            ("a pose with no posture", with("/prompt/subjects/0/pose", json!("arms relaxed")), Check::StaticPose),
            ("a Hebrew pose in motion", with("/prompt/subjects/0/pose", json!("רוקדת בגשם")), Check::StaticPose),
            ("motion in the scene", with("/prompt/scene", json!("leaves falling over a rooftop")), Check::NoMotion),
            ("motion in a description", with("/prompt/subjects/1/description", json!("lantern swinging hex #FFD27F")), Check::NoMotion),
            ("motion in the camera", with("/prompt/camera", json!("camera panning left")), Check::NoMotion),
            ("a colour with no code", with("/prompt/subjects/1/description", json!("red paper lantern")), Check::ColourCode),
            ("a Hebrew colour with no code", with("/prompt/subjects/1/description", json!("פנס נייר אדום")), Check::ColourCode),
            ("a bad code", with("/prompt/subjects/1/description", json!("paper lantern hex #FFD27")), Check::ColourCode),
            ("a bare code", with("/prompt/subjects/1/description", json!("paper lantern #FFD27F")), Check::ColourCode),
            ("no subjects", with("/prompt/subjects", json!([])), Check::Shape),
            ("a subject without pose", {
                let mut r = valid();
                r["prompt"]["subjects"][1].as_object_mut().unwrap().remove("pose");
                r
            }, Check::Shape),
        ];
        for (name, req, rule) in cases {
            let got = rules(&req);
            assert!(got.contains(&rule), "{name}: expected {rule}, got {:?}", validate_json(&req));
        }
    }

    #[test]
    fn every_violation_is_reported_at_once() {
        let mut req = with("/lora", Value::Null);
        req["prompt"]["scene"] = json!("birds flying");
        req["prompt"]["subjects"][1]["description"] = json!("blue kite");
        let got = rules(&req);
        assert_eq!(got, [Check::Lora, Check::NoMotion, Check::ColourCode]);
    }

    #[test]
    fn messages_name_the_field() {
        let got = validate_json(&with("/prompt/subjects/1/description", json!("red lantern")));
        assert_eq!(got[0].message, "prompt.subjects[1].description: the colour \"red\" needs a code beside it, as hex #RRGGBB");
        let got = validate_json(&with("/prompt/scene", json!(7)));
        assert_eq!(got[0].message, "prompt.scene must be a string");
    }

    #[test]
    fn hebrew_and_mixed_direction_text_round_trips() {
        let scene = "\u{200F}גג ירוק hex #2E8B57 at dawn 🌅 ושקט";
        let req = with("/prompt/scene", json!(scene));
        assert_eq!(validate_json(&req), []);
        let parsed: FluxRequest = serde_json::from_value(req).unwrap();
        assert_eq!(parsed.prompt.scene, scene);
        let again: FluxRequest = serde_json::from_str(&serde_json::to_string(&parsed).unwrap()).unwrap();
        assert_eq!(again, parsed);
        assert!(parsed.prompt_text().contains(scene));
    }

    #[test]
    fn the_builder_makes_a_valid_request() {
        let tag: Tag = TAG.parse().unwrap();
        let req = FluxRequest::builder(tag, 7)
            .scene("a quiet rooftop garden at dawn")
            .miri(RestingPose::Sitting, "left third", &[Coloured { name: "wool dress".into(), colour: Hex([0x1B, 0x2A, 0x4A]) }])
            .prop(&Coloured { name: "paper lantern".into(), colour: Hex([255, 210, 127]) }, "upper left")
            .image_url("https://v3.fal.media/files/bg.png")
            .build()
            .unwrap();
        assert_eq!(validate_json(&serde_json::to_value(&req).unwrap()), []);
        assert!(req.prompt_text().starts_with(&format!("{TAG} {{\"scene\"")));
        assert_eq!(
            req.resting_state(),
            "a quiet rooftop garden at dawn. Miri sitting still, hands resting in her lap, mouth closed. paper lantern hex #FFD27F placed, at rest"
        );
        let input = req.fal_input();
        assert_eq!(input["prompt"], req.prompt_text());
        assert_eq!(input["loras"][0]["path"], "miriN14");
        assert_eq!(input["seed"], 7);
        assert_eq!(input["image_urls"][0], "https://v3.fal.media/files/bg.png");
        let refused = FluxRequest::builder(TAG.parse().unwrap(), 7).scene("confetti falling").build().unwrap_err();
        assert!(refused.iter().any(|v| v.rule == Check::NoMotion));
    }
}
