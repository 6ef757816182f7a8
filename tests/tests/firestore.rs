//! The whole stack on Firestore (`MIRI_STORE=firestore`): gateway, worker and CLI keep every
//! record in Google's Cloud Firestore emulator while a shot walks from DRAFT to COMPLETED.

#[path = "../../store/tests/support/emulator.rs"]
mod emulator;

use miri_testkit::{Stack, StackOptions};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shot_completes_with_every_record_in_firestore() {
    let host = emulator::host().await;
    let project_id = emulator::project_id("stack");
    let env = vec![
        ("MIRI_STORE".to_string(), "firestore".to_string()),
        ("MIRI_FIRESTORE_PROJECT".to_string(), project_id.clone()),
        ("FIRESTORE_EMULATOR_HOST".to_string(), host.clone()),
    ];
    let stack = Stack::start(StackOptions { env, ..Default::default() }).await.unwrap();
    let project = stack.create_project("פיירסטור").await.unwrap();
    let shot = stack.create_shot(&project, 0, 3000).await.unwrap();
    let mut watch = stack.watch(&project).await.unwrap();
    let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    watch.until(&shot, "AWAITING_APPROVAL", Duration::from_secs(120)).await.unwrap();
    let (status, body) = stack.post(&format!("/api/shots/{shot}/approve"), json!({})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    watch.until(&shot, "COMPLETED", Duration::from_secs(120)).await.unwrap();
    let (_, versions) = stack.get(&format!("/api/shots/{shot}/versions")).await.unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 8, "two prompts with their translations and audits, a still, a clip: {versions}");

    // The records are in Firestore, under the seed's hierarchy, and nowhere else.
    assert!(!stack.dir.path().join("miri.db").exists(), "no SQLite file was made");
    let url = format!(
        "http://{host}/v1/projects/{project_id}/databases/(default)/documents/projects/{project}/scenes/_unscened/shots/{shot}/revisions"
    );
    let revisions: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    let statuses: Vec<String> = revisions["documents"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let body: serde_json::Value = serde_json::from_str(d["fields"]["body"]["stringValue"].as_str().unwrap()).unwrap();
            body["status"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        statuses,
        ["DRAFT", "VALIDATION", "GENERATING_IMAGE", "AWAITING_APPROVAL", "GENERATING_VIDEO", "COMPLETED"],
        "one create-only revision document per status"
    );
}
