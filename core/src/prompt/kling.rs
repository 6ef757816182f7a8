//! The Kling image-to-video request (architecture §5, issue 12): the prompt opens with the
//! resting state the approved still shows, then the action, so the model starts from the frame it
//! is given; start and end frames; a duration the model accepts, derived from the shot's span; and
//! motion-brush regions in frame-relative coordinates, turned into the pixels fal expects only when
//! the frame size is known. Field names differ per model family; [`KlingModel`] holds them.

use super::lexicon::motion_words;
use super::shape::{self, Field, Kind};
use super::tag::Tag;
use super::text::{normalise, words};
use super::violation::{Check, Violation};
use crate::Timestamps;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Longest prompt any Kling family takes (v3 turbo: 2500 characters).
pub const MAX_PROMPT_CHARS: usize = 2500;
/// Motion-brush limits: regions per clip and points per trajectory.
pub const MAX_REGIONS: usize = 6;
pub const MAX_POINTS: usize = 64;

/// The clip lengths a model accepts, in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durations {
    Range(u32, u32),
    Choice(&'static [u32]),
}

/// What differs between Kling families on fal (`../shared/docs/provider-apis.md` §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KlingModel {
    pub start_field: &'static str,
    pub end_field: Option<&'static str>,
    pub durations: Durations,
    pub motion_brush: bool,
    /// Families whose `generate_audio` defaults to on (a music video always turns it off).
    pub audio_flag: bool,
}

impl KlingModel {
    /// The family of a fal endpoint id, or `None` when it is not a Kling image-to-video model.
    pub fn of(endpoint_id: &str) -> Option<Self> {
        let e = endpoint_id;
        if !e.contains("kling") || !e.ends_with("image-to-video") {
            return None;
        }
        let m = |start, end, durations, motion_brush, audio_flag| {
            Some(Self { start_field: start, end_field: end, durations, motion_brush, audio_flag })
        };
        const FIVE_TEN: Durations = Durations::Choice(&[5, 10]);
        let has = |s: &str| e.contains(s);
        if has("/v3/turbo/") {
            m("image_url", None, Durations::Range(3, 15), false, false)
        } else if has("/v3/") {
            m("start_image_url", Some("end_image_url"), Durations::Range(3, 15), false, true)
        } else if has("/o3/") {
            m("image_url", Some("end_image_url"), Durations::Range(3, 15), false, true)
        } else if has("/o1/") {
            m("start_image_url", Some("end_image_url"), Durations::Range(3, 10), false, false)
        } else if has("/v4/") {
            m("start_image_url", Some("end_image_url"), Durations::Range(3, 30), false, false)
        } else if has("/v2.6/") {
            m("start_image_url", Some("end_image_url"), FIVE_TEN, false, true)
        } else if has("/v2.5-turbo/pro/") || has("/v2.1/pro/") || has("/v1.6/pro/") {
            m("image_url", Some("tail_image_url"), FIVE_TEN, false, false)
        } else if has("/v1.5/pro/") || has("/v1/standard/") {
            m("image_url", Some("tail_image_url"), FIVE_TEN, true, false)
        } else if has("/v2.5-turbo/") || has("/v2.1/") || has("/v2/") {
            m("image_url", None, FIVE_TEN, false, false)
        } else {
            None
        }
    }

    /// The clip length to request for a shot of `duration_ms`: rounded up so the clip covers the
    /// shot (the render trims it), at least the model's shortest; `Err` with the longest when
    /// the shot is longer than any clip the model makes.
    pub fn clip_secs(&self, duration_ms: u64) -> Result<u32, u32> {
        let secs = duration_ms.div_ceil(1000).min(u64::from(u32::MAX)) as u32;
        match self.durations {
            Durations::Range(lo, hi) if secs <= hi => Ok(secs.max(lo)),
            Durations::Range(_, hi) => Err(hi),
            Durations::Choice(choices) => {
                choices.iter().copied().find(|&c| c >= secs).ok_or(*choices.last().unwrap_or(&0))
            }
        }
    }
}

/// A point of a trajectory, relative to the frame: (0, 0) top left, (1, 1) bottom right.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// One painted region: a mask image (white = moves) and the path it moves along.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    pub mask_url: String,
    pub trajectory: Vec<Point>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MotionBrush {
    /// A mask of what must stay still.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_mask_url: Option<String>,
    pub regions: Vec<Region>,
}

/// The file form of a clip request (what `miri prompt validate --kind kling` reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KlingRequest {
    pub tag: String,
    /// The fal endpoint id, from the project's settings.
    pub model: String,
    /// What the approved still shows, at rest.
    pub resting_state: String,
    /// What happens, starting from that rest.
    pub action: String,
    pub start_image_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_image_url: Option<String>,
    pub timestamps: Timestamps,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motion_brush: Option<MotionBrush>,
}

pub fn validate_json(value: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    let fields = [
        Field("tag", Kind::Str, true),
        Field("model", Kind::Str, true),
        Field("resting_state", Kind::Str, true),
        Field("action", Kind::Str, true),
        Field("start_image_url", Kind::Str, true),
        Field("end_image_url", Kind::Str, false),
        Field("timestamps", Kind::Object, true),
        Field("motion_brush", Kind::Object, false),
    ];
    let Some(map) = shape::object(value, "", &fields, &mut out) else { return out };
    if let Some(t) = map.get("timestamps") {
        let fields = [Field("startMs", Kind::UInt, true), Field("endMs", Kind::UInt, true)];
        shape::object(t, "timestamps", &fields, &mut out);
    }
    if let Some(b) = map.get("motion_brush").filter(|b| b.is_object()) {
        let fields = [Field("static_mask_url", Kind::Str, false), Field("regions", Kind::Array, true)];
        if let Some(brush) = shape::object(b, "motion_brush", &fields, &mut out) {
            for (i, r) in brush.get("regions").and_then(Value::as_array).into_iter().flatten().enumerate() {
                let path = format!("motion_brush.regions[{i}]");
                let fields = [Field("mask_url", Kind::Str, true), Field("trajectory", Kind::Array, true)];
                if let Some(region) = shape::object(r, &path, &fields, &mut out) {
                    for (j, p) in region.get("trajectory").and_then(Value::as_array).into_iter().flatten().enumerate() {
                        let fields = [Field("x", Kind::Num, true), Field("y", Kind::Num, true)];
                        shape::object(p, &format!("{path}.trajectory[{j}]"), &fields, &mut out);
                    }
                }
            }
        }
    }
    shape::then_rules(value, out, |req: KlingRequest| req.violations())
}

impl KlingRequest {
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        match self.tag.parse::<Tag>() {
            Err(e) => out.push(Violation::new(Check::Tag, e.to_string())),
            Ok(t) if !t.code.as_str().starts_with("KLING") => out.push(Violation::new(
                Check::Tag,
                format!("the tag's model code {} is not a Kling model (KLINGV3, KLINGO3, …)", t.code),
            )),
            Ok(_) => {}
        }
        let rest = normalise(&self.resting_state);
        if rest.trim().is_empty() {
            out.push(Violation::new(Check::RestFirst, "resting_state is empty: the prompt opens with what the start frame shows, at rest"));
        } else {
            let found = motion_words(&words(&rest));
            if !found.is_empty() {
                out.push(Violation::new(
                    Check::RestFirst,
                    format!("resting_state describes motion ({}); it states the still at rest, the action follows", found.join(", ")),
                ));
            }
        }
        if self.action.trim().is_empty() {
            out.push(Violation::new(Check::Action, "action is empty: say what happens after the resting state"));
        }
        let len = self.prompt_text().chars().count();
        if len > MAX_PROMPT_CHARS {
            out.push(Violation::new(Check::Action, format!("the prompt has {len} characters; at most {MAX_PROMPT_CHARS}")));
        }
        let model = KlingModel::of(&self.model);
        if model.is_none() {
            out.push(Violation::new(Check::Frames, format!("{:?} is not a Kling image-to-video model", self.model)));
        }
        if !shape::fetchable(&self.start_image_url) {
            out.push(Violation::new(Check::Frames, "start_image_url is not an http(s) URL or image data URI"));
        }
        if let Some(end) = &self.end_image_url {
            if !shape::fetchable(end) {
                out.push(Violation::new(Check::Frames, "end_image_url is not an http(s) URL or image data URI"));
            }
            if model.is_some_and(|m| m.end_field.is_none()) {
                out.push(Violation::new(Check::Frames, format!("{} takes no end frame", self.model)));
            }
        }
        let t = self.timestamps;
        if t.start_ms >= t.end_ms {
            out.push(Violation::new(
                Check::Duration,
                format!("timestamps.startMs ({}) must be before timestamps.endMs ({})", t.start_ms, t.end_ms),
            ));
        } else if let Some(Err(longest)) = model.map(|m| m.clip_secs(t.duration_ms())) {
            out.push(Violation::new(
                Check::Duration,
                format!(
                    "the shot lasts {:.1} s; {} makes clips of at most {longest} s — split the shot",
                    t.duration_ms() as f64 / 1000.0,
                    self.model
                ),
            ));
        }
        if let Some(brush) = &self.motion_brush {
            brush_rules(brush, model, &self.model, &mut out);
        }
        out
    }

    /// The text prompt: the tag, the resting state, then the action.
    pub fn prompt_text(&self) -> String {
        let rest = self.resting_state.trim().trim_end_matches('.');
        format!("{} {rest}. Then: {}", self.tag, self.action.trim())
    }

    /// The fal input for this request, with trajectories in pixels of a `width`×`height` start
    /// frame. Only for a request with no violations.
    pub fn fal_input(&self, width: u32, height: u32) -> Option<Value> {
        let model = KlingModel::of(&self.model)?;
        let secs = model.clip_secs(self.timestamps.duration_ms()).ok()?;
        let mut input = json!({
            "prompt": self.prompt_text(),
            model.start_field: self.start_image_url,
            "duration": secs.to_string(),
            "negative_prompt": "blur, distort, and low quality",
        });
        if model.audio_flag {
            input["generate_audio"] = json!(false);
        }
        if let (Some(field), Some(end)) = (model.end_field, &self.end_image_url) {
            input[field] = json!(end);
        }
        if let Some(brush) = self.motion_brush.as_ref().filter(|_| model.motion_brush) {
            let px = |p: &Point| {
                json!({"x": (p.x * f64::from(width)).round() as i64, "y": (p.y * f64::from(height)).round() as i64})
            };
            input["dynamic_masks"] = brush
                .regions
                .iter()
                .map(|r| json!({"mask_url": r.mask_url, "trajectories": r.trajectory.iter().map(px).collect::<Vec<_>>()}))
                .collect();
            if let Some(mask) = &brush.static_mask_url {
                input["static_mask_url"] = json!(mask);
            }
        }
        Some(input)
    }
}

fn brush_rules(brush: &MotionBrush, model: Option<KlingModel>, name: &str, out: &mut Vec<Violation>) {
    let mut say = |m: String| out.push(Violation::new(Check::MotionBrush, m));
    if model.is_some_and(|m| !m.motion_brush) {
        say(format!("{name} has no motion brush (on fal: kling-video v1/standard and v1.5/pro)"));
    }
    if brush.regions.is_empty() {
        say("motion_brush.regions is empty: paint at least one region or leave the brush out".into());
    }
    if brush.regions.len() > MAX_REGIONS {
        say(format!("motion_brush has {} regions; at most {MAX_REGIONS}", brush.regions.len()));
    }
    if brush.static_mask_url.as_deref().is_some_and(|u| !shape::fetchable(u)) {
        say("motion_brush.static_mask_url is not an http(s) URL or image data URI".into());
    }
    for (i, r) in brush.regions.iter().enumerate() {
        let path = format!("motion_brush.regions[{i}]");
        if !shape::fetchable(&r.mask_url) {
            say(format!("{path}.mask_url is not an http(s) URL or image data URI"));
        }
        if !(2..=MAX_POINTS).contains(&r.trajectory.len()) {
            say(format!("{path}.trajectory has {} points; a path needs 2 to {MAX_POINTS}", r.trajectory.len()));
        }
        for (j, p) in r.trajectory.iter().enumerate() {
            if !(0.0..=1.0).contains(&p.x) || !(0.0..=1.0).contains(&p.y) {
                say(format!("{path}.trajectory[{j}] ({}, {}) is outside the frame: x and y are fractions from 0 to 1", p.x, p.y));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: &str = "[6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a]_[0b7e5d2c-1a3f-4e6b-8c9d-2f4a6b8c0d1e]_[KLINGV3]";
    const V3: &str = "fal-ai/kling-video/v3/standard/image-to-video";
    const V1: &str = "fal-ai/kling-video/v1/standard/image-to-video";

    fn valid() -> Value {
        json!({
            "tag": TAG,
            "model": V3,
            "resting_state": "Miri stands still on the rooftop, arms relaxed, mouth closed",
            "action": "she slowly raises her eyes to the sky as the lanterns sway",
            "start_image_url": "https://v3.fal.media/files/start.png",
            "end_image_url": "https://v3.fal.media/files/end.png",
            "timestamps": {"startMs": 12000, "endMs": 16400},
        })
    }

    fn with(pointer: &str, v: Value) -> Value {
        shape::set(valid(), pointer, v)
    }

    fn brush(points: Value) -> Value {
        json!({"regions": [{"mask_url": "https://a.example/m.png", "trajectory": points}]})
    }

    #[test]
    fn the_valid_request_passes_and_opens_with_the_rest() {
        assert_eq!(validate_json(&valid()), []);
        let req: KlingRequest = serde_json::from_value(valid()).unwrap();
        let text = req.prompt_text();
        assert!(text.starts_with(&format!("{TAG} Miri stands still")), "{text}");
        assert!(text.find("stands still").unwrap() < text.find("raises").unwrap());
    }

    #[test]
    fn each_rule_fails_on_its_case() {
        let far = json!([{"x": 0.1, "y": 0.2}, {"x": 1.4, "y": 0.2}]);
        let cases: Vec<(&str, Value, Check)> = vec![
            ("missing action", { let mut r = valid(); r.as_object_mut().unwrap().remove("action"); r }, Check::Shape),
            ("text timestamps", with("/timestamps", json!("0-4000")), Check::Shape),
            ("a FLUX tag", with("/tag", json!(TAG.replace("KLINGV3", "FLUX2"))), Check::Tag),
            ("motion in the rest", with("/resting_state", json!("Miri runs across the roof")), Check::RestFirst),
            ("no rest", with("/resting_state", json!("  ")), Check::RestFirst),
            ("Hebrew motion in the rest", with("/resting_state", json!("מירי רצה על הגג")), Check::RestFirst),
            ("no action", with("/action", json!("")), Check::Action),
            ("a huge prompt", with("/action", json!("a".repeat(3000))), Check::Action),
            ("no start frame", with("/start_image_url", json!("start.png")), Check::Frames),
            ("an unknown model", with("/model", json!("fal-ai/flux-2/lora")), Check::Frames),
            ("an end frame the model cannot take", with("/model", json!("fal-ai/kling-video/v2.1/standard/image-to-video")), Check::Frames),
            ("an empty span", with("/timestamps/endMs", json!(12000)), Check::Duration),
            ("a shot longer than any clip", with("/timestamps/endMs", json!(40000)), Check::Duration),
            ("a brush the model lacks", with("/motion_brush", brush(json!([{"x": 0.1, "y": 0.2}, {"x": 0.4, "y": 0.2}]))), Check::MotionBrush),
            ("a point outside the frame", { let mut r = with("/motion_brush", brush(far)); r["model"] = json!(V1); r }, Check::MotionBrush),
            ("a one-point path", { let mut r = with("/motion_brush", brush(json!([{"x": 0.1, "y": 0.2}]))); r["model"] = json!(V1); r }, Check::MotionBrush),
        ];
        for (name, req, rule) in cases {
            let got: Vec<Check> = validate_json(&req).into_iter().map(|v| v.rule).collect();
            assert!(got.contains(&rule), "{name}: expected {rule}, got {:?}", validate_json(&req));
        }
    }

    #[test]
    fn durations_map_to_what_each_family_accepts() {
        let v3 = KlingModel::of(V3).unwrap();
        assert_eq!(v3.clip_secs(900), Ok(3));
        assert_eq!(v3.clip_secs(3000), Ok(3));
        assert_eq!(v3.clip_secs(3001), Ok(4));
        assert_eq!(v3.clip_secs(15_000), Ok(15));
        assert_eq!(v3.clip_secs(15_001), Err(15));
        let v21 = KlingModel::of("fal-ai/kling-video/v2.1/pro/image-to-video").unwrap();
        assert_eq!(v21.clip_secs(4200), Ok(5));
        assert_eq!(v21.clip_secs(5200), Ok(10));
        assert_eq!(v21.clip_secs(10_001), Err(10));
        assert!(KlingModel::of("fal-ai/flux-2/lora").is_none());
    }

    #[test]
    fn fal_input_uses_each_familys_field_names() {
        let req: KlingRequest = serde_json::from_value(valid()).unwrap();
        let input = req.fal_input(1280, 720).unwrap();
        assert_eq!(input["start_image_url"], "https://v3.fal.media/files/start.png");
        assert_eq!(input["end_image_url"], "https://v3.fal.media/files/end.png");
        assert_eq!(input["duration"], "5");
        assert_eq!(input["generate_audio"], false);

        let mut v1 = valid();
        v1["model"] = json!(V1);
        v1["motion_brush"] = json!({"static_mask_url": "https://a.example/still.png",
            "regions": [{"mask_url": "https://a.example/m.png", "trajectory": [{"x": 0.25, "y": 0.5}, {"x": 0.5, "y": 0.1}]}]});
        assert_eq!(validate_json(&v1), []);
        let req: KlingRequest = serde_json::from_value(v1).unwrap();
        let input = req.fal_input(1280, 720).unwrap();
        assert_eq!(input["image_url"], "https://v3.fal.media/files/start.png");
        assert_eq!(input["tail_image_url"], "https://v3.fal.media/files/end.png");
        assert_eq!(input["duration"], "5");
        assert!(input.get("generate_audio").is_none());
        assert_eq!(input["dynamic_masks"][0]["trajectories"], json!([{"x": 320, "y": 360}, {"x": 640, "y": 72}]));
        assert_eq!(input["static_mask_url"], "https://a.example/still.png");
    }
}
