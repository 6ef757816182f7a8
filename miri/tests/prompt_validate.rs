//! `miri prompt validate` as a user runs it: the built binary, real files, its stdout and exit code.

use serde_json::{Value, json};
use std::process::Command;

const TAG: &str = "[6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a]_[0b7e5d2c-1a3f-4e6b-8c9d-2f4a6b8c0d1e]";

fn flux() -> Value {
    json!({
        "tag": format!("{TAG}_[FLUX2]"), "lora": "miriN14", "seed": 7, "image_urls": [],
        "prompt": {"scene": "גג אבן at dawn", "subjects": [{"type": "miri",
            "description": "Miri, Child physique, Young girl, Loose fit, Heavy fabric, Mid-calf, Mouth CLOSED, wool dress hex #1B2A4A",
            "pose": "standing still", "position": "center"}],
            "style": "film still", "lighting": "soft light", "camera": "eye level"}
    })
}

fn kling() -> Value {
    json!({
        "tag": format!("{TAG}_[KLINGV3]"), "model": "fal-ai/kling-video/v3/standard/image-to-video",
        "resting_state": "Miri stands still on the roof", "action": "she looks up at the sky",
        "start_image_url": "https://v3.fal.media/s.png", "timestamps": {"startMs": 0, "endMs": 4000}
    })
}

/// Runs the command on a file holding `content`; returns (exit code, stdout JSON or null).
fn run(content: &[u8], kind: Option<&str>) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prompt");
    std::fs::write(&file, content).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_miri"));
    cmd.args(["prompt", "validate"]).arg(&file);
    if let Some(k) = kind {
        cmd.args(["--kind", k]);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (out.status.code().unwrap(), serde_json::from_str(stdout.trim()).unwrap_or(Value::Null))
}

fn rules(v: &Value) -> Vec<String> {
    v["violations"].as_array().unwrap().iter().map(|x| x["rule"].as_str().unwrap().to_string()).collect()
}

#[test]
fn valid_requests_exit_zero() {
    for (content, kind) in [
        (flux().to_string(), Some("flux")),
        (flux().to_string(), None),
        (kling().to_string(), Some("kling")),
        (kling().to_string(), None),
        ("Change the camera angle to top-down".to_string(), Some("edit")),
        ("שנה את זווית המצלמה".to_string(), None),
    ] {
        let (code, out) = run(content.as_bytes(), kind);
        assert_eq!((code, &out), (0, &json!({"valid": true, "violations": []})), "{content}");
    }
}

#[test]
fn invalid_requests_exit_one_with_every_violation() {
    let mut bad = flux();
    bad["prompt"]["scene"] = json!("confetti falling");
    bad["lora"] = json!("other");
    let (code, out) = run(bad.to_string().as_bytes(), Some("flux"));
    assert_eq!(code, 1);
    assert_eq!(out["valid"], false);
    assert_eq!(rules(&out), ["lora", "no-motion"]);
    assert!(out["violations"][1]["message"].as_str().unwrap().contains("falling"));

    let (code, out) = run(json!({"tag": "x", "seed": 1, "prompt": "Miri dancing"}).to_string().as_bytes(), Some("flux"));
    assert_eq!((code, rules(&out)), (1, vec!["prompt-object".to_string()]));

    let (code, out) = run(b"make it better", Some("edit"));
    assert_eq!(code, 1);
    assert!(rules(&out).contains(&"edit-vague".to_string()));

    let (code, out) = run(b"{ not json", None);
    assert_eq!((code, rules(&out)), (1, vec!["shape".to_string()]));

    let mut long = kling();
    long["timestamps"]["endMs"] = json!(20_000);
    let (code, out) = run(long.to_string().as_bytes(), None);
    assert_eq!((code, rules(&out)), (1, vec!["duration".to_string()]));
}

#[test]
fn unreadable_input_exits_two() {
    let (code, out) = run(&[0xff, 0xfe, 0x00], Some("edit"));
    assert_eq!((code, out), (2, Value::Null));
    let (code, out) = run(&vec![b' '; 2 * 1024 * 1024], Some("edit"));
    assert_eq!((code, out), (2, Value::Null));
    let missing = Command::new(env!("CARGO_BIN_EXE_miri"))
        .args(["prompt", "validate", "/nonexistent/prompt.json"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read /nonexistent/prompt.json"));
}
