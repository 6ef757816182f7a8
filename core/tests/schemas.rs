//! The seed's schemas read from JSON: valid records round-trip unchanged; each invalid one is
//! refused with an error that names the field.

use miri_core::schema::from_json;
use miri_core::{
    AgentConfig, AgentRole, Analysis, Conversation, Message, ProjectConfig, Render, Rule, Scene, Script, Shot,
    Validate, Version, agent::model_for,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

const P: &str = "6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a";
const S: &str = "0b7e5d2c-1a3f-4e6b-8c9d-2f4a6b8c0d1e";
const V: &str = "3c2b1a09-8f7e-4d6c-9b5a-493827160544";
const T: &str = "2026-11-25T18:30:00Z";

fn project() -> Value {
    json!({"projectId": P, "projectName": "תפילה קטנה", "creationTimestamp": T,
        "globalSettings": {"llmModel": "gemini-2.5-pro", "imageModel": "fal-ai/flux-2/lora",
            "videoModel": "fal-ai/kling-video/v3/standard/image-to-video", "loraWeightsId": "miriN14",
            "requireHumanApproval": true}})
}

fn agent() -> Value {
    json!({"configId": V, "role": "VISION_ANALYZER", "modelString": "gemini-2.5-flash", "active": true, "updatedAt": T})
}

fn shot() -> Value {
    json!({"shotId": S, "projectId": P, "sceneId": V, "timestamps": {"startMs": 1200, "endMs": 4800},
        "lyricsSnippet": "אלוהים שומר \u{200F}עליי 🙏", "description": "Miri on the rooftop at dawn",
        "status": "AWAITING_APPROVAL", "versions": [V], "updatedAt": T})
}

fn scene() -> Value {
    json!({"sceneId": V, "projectId": P, "index": 0, "timestamps": {"startMs": 0, "endMs": 30000},
        "location": "rooftop", "background": "a Jerusalem stone rooftop at dawn",
        "outfit": {"description": "wool dress hex #1B2A4A, scarf hex #FFD700",
            "colours": [{"name": "dress", "hex": "#1B2A4A"}]},
        "props": [{"name": "lantern", "description": "paper lantern", "colour": "#FFD27F"}],
        "seed": 421337, "createdAt": T})
}

fn version() -> Value {
    json!({"versionId": V, "shotId": S, "kind": "prompt", "modelCode": "fal-ai/flux-2/lora", "seed": 421337,
        "cost": {"usdMicros": 30000, "estimated": true}, "author": "llm", "reason": "first draft",
        "prompt": "[…] {\"scene\": \"גג\"}", "createdAt": T})
}

fn metrics() -> (Value, Value) {
    (json!({"tempoBpm": 92.0, "beatStrength": 0.7, "onsetDensity": 3.1}),
     json!({"energy": 0.4, "valence": 0.6, "brightness": 0.5, "loudnessDb": -14.0}))
}

fn analysis() -> Value {
    let (r, a) = metrics();
    json!({"analysisId": V, "projectId": P, "songSha256": "ab".repeat(32), "durationMs": 60000,
        "parts": [{"label": "verse", "timestamps": {"startMs": 0, "endMs": 30000}, "rhythm": r, "atmosphere": a},
                  {"label": "chorus", "timestamps": {"startMs": 30000, "endMs": 60000}, "rhythm": r, "atmosphere": a}],
        "moments": [{"timestamps": {"startMs": 1000, "endMs": 2200}, "words": "אבא שבשמיים", "part": 0, "rhythm": r, "atmosphere": a},
                    {"timestamps": {"startMs": 31000, "endMs": 32500}, "words": "hold my hand", "part": 1, "rhythm": r, "atmosphere": a}],
        "createdAt": T})
}

fn rule() -> Value {
    json!({"ruleId": V, "projectId": P, "text": "Keep Miri's scarf hex #FFD700 in every rooftop shot",
        "source": S, "reason": "the scarf changed colour", "author": "llm", "active": true, "createdAt": T})
}

fn conversation() -> Value {
    json!({"conversationId": V, "projectId": P, "topic": "shot_qa", "shotId": S, "title": "שוט 3", "createdAt": T})
}

fn message() -> Value {
    json!({"messageId": S, "conversationId": V, "speaker": "assistant", "content": "אישרתי את השוט.",
        "toolCalls": [{"name": "approve", "arguments": {"shotId": S}}], "createdAt": T})
}

fn story_message() -> Value {
    json!({"messageId": S, "conversationId": V, "speaker": "assistant", "content": "יש לי שאלות.",
        "questions": ["מי איתה?"], "flaws": [{"kind": "atmosphere", "text": "סערה על שיר ערש"}], "scriptId": P, "createdAt": T})
}

fn script() -> Value {
    json!({"scriptId": S, "projectId": P, "conversationId": V, "version": 2, "title": "לילה טוב",
        "logline": "Miri says goodnight to the sea.",
        "beats": [{"summary": "היא מביטה בחלון.", "part": "verse", "timestamps": {"startMs": 0, "endMs": 30000}},
                  {"summary": "She falls asleep."}],
        "flaws": [{"kind": "logic", "text": "Who is with her?", "resolution": "Her mother."}],
        "createdAt": T, "acceptedBy": "token:owner", "acceptedAt": T})
}

fn render() -> Value {
    json!({"renderId": V, "projectId": P, "mode": "final", "fps": 25, "width": 1280, "height": 720,
        "shots": [{"shotId": S, "timestamps": {"startMs": 0, "endMs": 4000}, "versionId": V}], "createdAt": T})
}

/// Parses, validates and re-serialises; the JSON must come back identical.
fn round_trip<T: DeserializeOwned + Serialize + Validate>(value: Value) {
    let text = value.to_string();
    let record: T = from_json(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(serde_json::to_value(&record).unwrap(), value);
}

#[test]
fn valid_records_round_trip_unchanged() {
    round_trip::<ProjectConfig>(project());
    round_trip::<AgentConfig>(agent());
    round_trip::<Shot>(shot());
    round_trip::<Scene>(scene());
    round_trip::<Version>(version());
    round_trip::<Analysis>(analysis());
    round_trip::<Rule>(rule());
    round_trip::<Conversation>(conversation());
    round_trip::<Message>(message());
    round_trip::<Message>(story_message());
    round_trip::<Script>(script());
    round_trip::<Script>(with(with(script(), "/acceptedBy", Value::Null), "/acceptedAt", Value::Null));
    round_trip::<Render>(render());
    round_trip::<Render>(with(render(), "/overlay", json!(true)));
}

/// `value` with `pointer` set to `to` (or removed when `to` is null).
fn with(mut value: Value, pointer: &str, to: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let slot = value.pointer_mut(parent).unwrap();
    match (slot, to) {
        (Value::Object(m), Value::Null) => {
            m.remove(key);
        }
        (Value::Array(a), to) => a[key.parse::<usize>().unwrap()] = to,
        (slot, to) => slot[key] = to,
    }
    value
}

fn error<T: DeserializeOwned + Validate>(value: Value) -> String {
    match from_json::<T>(&value.to_string()) {
        Ok(_) => panic!("accepted {value}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn invalid_records_name_the_field() {
    let cases: Vec<(String, &str)> = vec![
        (error::<Shot>(with(shot(), "/shotId", json!("shot-1"))), "shotId: must be a UUID"),
        (error::<Shot>(with(shot(), "/updatedAt", json!("25/11/2026"))), "updatedAt: must be an RFC 3339 time"),
        (error::<Shot>(with(shot(), "/updatedAt", json!("2026-11-25 18:30"))), "updatedAt: must be an RFC 3339 time"),
        (error::<Shot>(with(shot(), "/timestamps/endMs", json!(1200))), "timestamps.startMs: must be before endMs"),
        (error::<Shot>(with(shot(), "/timestamps/startMs", json!(-5))), "timestamps.startMs: invalid value"),
        (error::<Shot>(with(shot(), "/status", json!("DONE"))), "status: unknown variant"),
        (error::<Shot>(with(shot(), "/versions/0", json!("v1"))), "versions[0]: must be a UUID"),
        (error::<ProjectConfig>(with(project(), "/projectName", json!("  "))), "projectName: must not be empty"),
        (error::<ProjectConfig>(with(project(), "/globalSettings/videoModel", json!("fal-ai/flux-2/lora"))),
            "globalSettings.videoModel: must be a Kling"),
        (error::<ProjectConfig>(with(project(), "/globalSettings/llmModel", json!("gemini pro; rm -rf"))),
            "globalSettings.llmModel"),
        (error::<ProjectConfig>(with(project(), "/creationTimestamp", Value::Null)), "missing field `creationTimestamp`"),
        (error::<AgentConfig>(with(agent(), "/role", json!("WRITER"))), "role: unknown variant `WRITER`"),
        (error::<AgentConfig>(with(agent(), "/modelString", json!(""))), "modelString: must not be empty"),
        (error::<Scene>(with(scene(), "/outfit/description", json!("red wool dress"))), "outfit.description: colours must be written as hex"),
        (error::<Scene>(with(scene(), "/props/0/colour", json!("#FFD27"))), "props[0].colour"),
        (error::<Scene>(with(scene(), "/timestamps/startMs", json!(40000))), "timestamps.startMs"),
        (error::<Version>(with(version(), "/prompt", Value::Null)), "prompt: a prompt version carries its prompt text"),
        (error::<Version>(with(version(), "/kind", json!("image"))), "media: a image version carries its media"),
        (error::<Version>(with(version(), "/parent", json!(V))), "parent: a version cannot be its own parent"),
        (error::<Version>(with(version(), "/author", json!("robot"))), "author: unknown variant"),
        (error::<Analysis>(with(analysis(), "/moments/0/words", json!("אבא"))), "moments[0].words: a Moment is two or three words, not 1"),
        (error::<Analysis>(with(analysis(), "/moments/1/words", json!("hold my hand tight"))), "moments[1].words"),
        (error::<Analysis>(with(analysis(), "/moments/1/part", json!(0))), "moments[1].timestamps: 31000–32500 ms is outside its Part"),
        (error::<Analysis>(with(analysis(), "/parts/1/timestamps/startMs", json!(29000))), "parts[1].timestamps.startMs: overlaps"),
        (error::<Analysis>(with(analysis(), "/parts/0/atmosphere/valence", json!(3.0))), "parts[0].atmosphere.valence: must be between -1 and 1"),
        (error::<Analysis>(with(analysis(), "/songSha256", json!("abc"))), "songSha256"),
        (error::<Rule>(with(rule(), "/text", json!(""))), "text: must not be empty"),
        (error::<Conversation>(with(conversation(), "/shotId", Value::Null)), "shotId: a shot QA conversation names its shot"),
        (error::<Message>(with(with(message(), "/content", json!(" ")), "/toolCalls", json!([]))), "content: must not be empty"),
        (error::<Message>(with(story_message(), "/flaws/0/kind", json!("plot"))), "flaws[0].kind: unknown variant"),
        (error::<Message>(with(story_message(), "/questions/0", json!(""))), "questions[0]: must not be empty"),
        (error::<Script>(with(script(), "/beats", json!([]))), "beats: has 0 beats; a script has 1 to 40"),
        (error::<Script>(with(script(), "/beats/0/timestamps/endMs", json!(0))), "beats[0].timestamps.startMs: must be before endMs"),
        (error::<Script>(with(script(), "/flaws/0/resolution", Value::Null)), "flaws[0].resolution: say how the flaw was resolved"),
        (error::<Script>(with(script(), "/acceptedAt", Value::Null)), "acceptedAt: acceptedBy and acceptedAt come together"),
        (error::<Script>(with(script(), "/acceptedAt", json!("yesterday"))), "acceptedAt: must be an RFC 3339 time"),
        (error::<Script>(with(script(), "/version", json!(0))), "version: starts at 1"),
        (error::<Render>(with(render(), "/shots/0/versionId", Value::Null)), "shots[0].versionId: a final render uses a clip"),
        (error::<Render>(with(render(), "/width", json!(1281))), "width: must be even"),
    ];
    for (got, want) in cases {
        assert!(got.contains(want), "expected {want:?} in {got:?}");
    }
}

#[test]
fn scenes_must_cover_the_song_without_gaps_or_overlaps() {
    let scene_at = |start: u64, end: u64| -> Scene {
        let v = with(with(scene(), "/timestamps/startMs", json!(start)), "/timestamps/endMs", json!(end));
        serde_json::from_value(v).unwrap()
    };
    use miri_core::scene::check_cover;
    assert_eq!(check_cover(&[scene_at(0, 30000), scene_at(30000, 60000)], 60000), Ok(()));
    let gap = check_cover(&[scene_at(0, 30000), scene_at(31000, 60000)], 60000).unwrap_err().to_string();
    assert_eq!(gap, "scenes[1].timestamps.startMs: leaves a gap from 30000 ms to 31000 ms");
    let overlap = check_cover(&[scene_at(0, 30000), scene_at(29000, 60000)], 60000).unwrap_err().to_string();
    assert!(overlap.starts_with("scenes[1].timestamps.startMs: overlaps"), "{overlap}");
    let short = check_cover(&[scene_at(0, 30000)], 60000).unwrap_err().to_string();
    assert!(short.contains("must end where the song ends (60000 ms)"), "{short}");
}

#[test]
fn each_role_resolves_to_its_newest_active_model() {
    let cfg = |model: &str, active: bool, at: &str| -> AgentConfig {
        let v = with(with(with(agent(), "/modelString", json!(model)), "/active", json!(active)), "/updatedAt", json!(at));
        serde_json::from_value(v).unwrap()
    };
    let configs = [
        cfg("gemini-2.5-flash", true, "2026-11-01T00:00:00Z"),
        cfg("gemini-3.6-flash", true, "2026-11-20T00:00:00Z"),
        cfg("gemini-3.1-pro-preview", false, "2026-11-24T00:00:00Z"),
    ];
    assert_eq!(model_for(&configs, AgentRole::VisionAnalyzer), "gemini-3.6-flash");
    assert_eq!(model_for(&configs, AgentRole::Auditor), AgentRole::Auditor.default_model());
}
