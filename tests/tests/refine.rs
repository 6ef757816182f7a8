//! REFINING (issue 6 item 8): a still awaiting approval is edited by one imperative command
//! through the FLUX.2 edit endpoint (the still first among its images, the scene's seed), comes
//! back for approval as a new version, and the approved edit is what the clip animates. A vague
//! command is refused before anything is paid for.

use miri_testkit::{Stack, StackOptions};
use serde_json::{Value, json};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(120);

fn first<'a>(versions: &'a Value, kind: &str) -> &'a Value {
    versions.as_array().unwrap().iter().find(|v| v["kind"] == kind).unwrap_or_else(|| panic!("no {kind}: {versions}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_command_refines_the_still_and_the_clip_animates_the_edit() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("refine").await.unwrap();
    let shot = stack.create_shot(&project, 0, 3000).await.unwrap();

    let (status, body) = stack.post(&format!("/api/shots/{shot}/refine"), json!({"command": "Change the sky to dusk orange"})).await.unwrap();
    assert_eq!(status, 409, "nothing to refine yet: {body}");
    let mut watch = stack.watch(&project).await.unwrap();
    let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    watch.until(&shot, "AWAITING_APPROVAL", LONG).await.unwrap();
    let (_, before) = stack.get(&format!("/api/shots/{shot}/versions")).await.unwrap();
    let original = first(&before, "image").clone();

    for (bad, why) in [(json!({"command": "make it better"}), "better"), (json!({"command": ""}), "empty"), (json!({"edit": "x"}), "")] {
        let (status, body) = stack.post(&format!("/api/shots/{shot}/refine"), bad.clone()).await.unwrap();
        assert!(status == 422 || status == 400, "{bad}: {status} {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(why), "{bad}: {body}");
    }
    let (status, body) = stack.post(&format!("/api/shots/{shot}/refine"), json!({"command": "Change the sky to dusk orange"})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    let (_, refining) = watch.until(&shot, "REFINING", LONG).await.unwrap();
    assert!(refining["reason"].as_str().unwrap().contains("Change the sky to dusk orange"), "{refining}");
    watch.until(&shot, "AWAITING_APPROVAL", LONG).await.unwrap();

    let (_, versions) = stack.get(&format!("/api/shots/{shot}/versions")).await.unwrap();
    let (edited, edit) = (first(&versions, "image"), first(&versions, "edit"));
    assert_eq!(edited["parent"], edit["versionId"], "the new still comes from the edit");
    assert_eq!(edit["parent"], original["versionId"], "the edit edits the still that was waiting");
    assert_eq!((edit["author"].as_str(), edit["modelCode"].as_str()), (Some("user"), Some("fal-ai/flux-2/lora/edit")));
    assert_eq!(edit["seed"], original["seed"], "the scene's seed");
    assert_eq!(edit["request"]["image_urls"].as_array().map(Vec::len), Some(1), "a shot without a scene has no references");
    assert_eq!(edit["request"]["image_urls"][0], original["sourceUrl"], "the still goes first");
    assert!(edit["prompt"].as_str().unwrap().starts_with(&format!("[{shot}]_[{}]_[FLUX2EDIT] Change the sky", edit["versionId"].as_str().unwrap())));
    assert_ne!(edited["media"]["sha256"], original["media"]["sha256"], "a new picture");
    let translation = versions.as_array().unwrap().iter().find(|v| v["kind"] == "translation" && v["parent"] == edit["versionId"]);
    assert!(translation.is_some(), "the edit command carries its Hebrew: {versions}");
    let stats = stack.sim_stats().await.unwrap();
    let endpoints: Vec<&str> = stats["submissions"].as_array().unwrap().iter().map(|s| s["endpoint"].as_str().unwrap_or_default()).collect();
    assert!(endpoints.contains(&"fal-ai/flux-2/lora/edit"), "{stats}");

    let (status, body) = stack.post(&format!("/api/shots/{shot}/approve"), json!({})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    watch.until(&shot, "COMPLETED", LONG).await.unwrap();
    let (_, versions) = stack.get(&format!("/api/shots/{shot}/versions")).await.unwrap();
    let clip_prompt = versions.as_array().unwrap().iter().find(|v| v["kind"] == "prompt").unwrap();
    assert_eq!(clip_prompt["request"]["start_image_url"], edited["sourceUrl"], "the clip animates the approved edit");
    let resting = clip_prompt["request"]["resting_state"].as_str().unwrap();
    assert!(resting.contains("edited: Change the sky to dusk orange"), "{resting}");
    stack.record_history(&format!("shot:{shot}")).await.unwrap();
}
