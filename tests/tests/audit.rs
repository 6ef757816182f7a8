//! VALIDATION with the AUDITOR (issue 6 item 6), end to end against the simulator's auditor: an
//! immodest prompt is fixed (the fix is its own version, the audit report too) and the shot goes
//! on with the fix; a careless auditor's fixes run out after the bound and the shot fails with
//! the findings, nothing paid; a human's retry then gets through. A clip prompt is audited too, after
//! approval: its action is fixed where the shot stands, before the clip is paid for.

use miri_testkit::{Stack, StackOptions, Watch};
use serde_json::{Value, json};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(120);

async fn shot_with(stack: &Stack, project: &str, description: &str) -> anyhow::Result<String> {
    stack.add_shot(project, json!({"startMs": 0, "endMs": 3000, "description": description})).await
}

/// Every SHOT_UPDATED of `shot` until it reaches `status`.
async fn updates_until(watch: &mut Watch, shot: &str, status: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let (_, event) = tokio::time::timeout(LONG, watch.events.recv())
            .await
            .unwrap_or_else(|_| panic!("no {status} for {shot}; saw {seen:?}"))
            .expect("socket open");
        if event["shotId"] == shot {
            let done = event["status"] == status;
            seen.push(event);
            if done {
                return seen;
            }
        }
    }
}

fn kinds(versions: &Value) -> Vec<&str> {
    versions.as_array().unwrap().iter().map(|v| v["kind"].as_str().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_immodest_prompt_is_fixed_by_the_auditor_and_the_still_is_painted_from_the_fix() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("audit").await.unwrap();
    let shot = shot_with(&stack, &project, "Miri in a sleeveless summer dress on a quiet beach").await.unwrap();
    let mut watch = stack.watch(&project).await.unwrap();
    let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    let updates = updates_until(&mut watch, &shot, "AWAITING_APPROVAL").await;
    let statuses: Vec<&str> = updates.iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["VALIDATION", "DRAFT", "VALIDATION", "GENERATING_IMAGE", "AWAITING_APPROVAL"]);
    let why = updates[1]["reason"].as_str().unwrap();
    assert!(why.contains("the audit failed") && why.contains("sleeveless") && why.contains("auto-fix 1 of 2"), "{why}");

    let (_, versions) = stack.get(&format!("/api/shots/{shot}/versions")).await.unwrap();
    assert_eq!(
        kinds(&versions),
        ["image", "audit", "translation", "audit", "prompt", "translation", "prompt"],
        "newest first: the still, the passing audit, the fix's Hebrew, the failing audit, the fix, the first prompt's Hebrew, the first prompt"
    );
    let v = versions.as_array().unwrap();
    let (image, passed, failed, fix, first) = (&v[0], &v[1], &v[3], &v[4], &v[6]);
    assert_eq!(image["parent"], fix["versionId"], "the still is painted from the fix");
    assert_eq!(fix["parent"], first["versionId"]);
    assert_eq!(fix["author"], "llm");
    let fixed = fix["prompt"].as_str().unwrap();
    assert!(fixed.contains("long-sleeved") && !fixed.contains("sleeveless"), "{fixed}");
    assert!(fixed.starts_with(&format!("[{shot}]_[{}]_[", fix["versionId"].as_str().unwrap())), "the fix has its own tag: {fixed}");
    assert_eq!(fix["seed"], first["seed"], "the scene's seed stays");
    assert_eq!(failed["parent"], first["versionId"]);
    assert_eq!(failed["request"]["passed"], false);
    assert_eq!(failed["request"]["findings"][0]["constraint"], "modesty");
    assert_eq!(failed["request"]["fix"], fix["versionId"]);
    assert_eq!(failed["modelCode"], "claude-sonnet-4-6", "the AUDITOR's default model");
    assert_eq!((passed["parent"].clone(), passed["request"]["passed"].clone()), (fix["versionId"].clone(), json!(true)));

    let stats = stack.sim_stats().await.unwrap();
    assert_eq!(stats["submissions"].as_array().unwrap().len(), 1, "one still paid for: {stats}");
    stack.record_history(&format!("shot:{shot}")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_careless_auditor_runs_out_of_fixes_and_the_shot_fails_with_the_findings_until_a_human_retries() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("careless audit").await.unwrap();
    let immodest = shot_with(&stack, &project, "Miri in a sleeveless dress in the garden").await.unwrap();
    let clean = shot_with(&stack, &project, "Miri in a long dress in the garden, dress hex #C4725A").await.unwrap();
    let faults = format!("{}/_sim/faults", stack.sim);
    stack.rest.post(&faults).json(&json!({"badAnswerRate": 1.0})).send().await.unwrap().error_for_status().unwrap();

    for shot in [&immodest, &clean] {
        let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
        assert_eq!(status, 202, "{body}");
    }
    let failed = stack.wait_status(&immodest, "FAILED", LONG).await.unwrap();
    let why = failed["reason"].as_str().unwrap();
    assert!(why.contains("still fails the prompt after 2 fixes") && why.contains("sleeveless"), "{why}");
    let (_, versions) = stack.get(&format!("/api/shots/{immodest}/versions")).await.unwrap();
    assert_eq!(kinds(&versions).iter().filter(|k| **k == "audit").count(), 3, "three audits, each a version: {versions}");
    assert_eq!(kinds(&versions).iter().filter(|k| **k == "prompt").count(), 4, "the prompt and three fixes: {versions}");

    // An auditor that passes a prompt while listing a finding contradicts itself: refused.
    let failed = stack.wait_status(&clean, "FAILED", LONG).await.unwrap();
    let why = failed["reason"].as_str().unwrap();
    assert!(why.contains("refused 3 times") && why.contains("findings"), "{why}");
    let stats = stack.sim_stats().await.unwrap();
    assert_eq!(stats["submissions"].as_array().unwrap().len(), 0, "nothing paid: {stats}");

    stack.rest.post(&faults).json(&json!({"badAnswerRate": 0.0})).send().await.unwrap().error_for_status().unwrap();
    let (status, body) = stack.post("/api/shots/generate", json!({"shotId": immodest})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    stack.wait_status(&immodest, "AWAITING_APPROVAL", LONG).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clip_prompt_in_which_miri_sings_is_fixed_before_the_clip_is_paid_for() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("clip audit").await.unwrap();
    let body = json!({"startMs": 0, "endMs": 3000, "description": "Miri in a long dress in the garden, dress hex #C4725A",
                      "motion": "she lifts her skirt and sings to the moon"});
    let shot = stack.add_shot(&project, body).await.unwrap();
    let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    stack.wait_status(&shot, "AWAITING_APPROVAL", LONG).await.unwrap();
    let (status, body) = stack.post(&format!("/api/shots/{shot}/approve"), json!({})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    stack.wait_status(&shot, "COMPLETED", LONG).await.unwrap();

    let (_, versions) = stack.get(&format!("/api/shots/{shot}/versions")).await.unwrap();
    assert_eq!(
        kinds(&versions)[..6],
        ["video", "audit", "translation", "audit", "prompt", "translation"],
        "newest first: the clip, the passing audit, the fix's Hebrew, the failing audit, the fix, the clip prompt's Hebrew"
    );
    let v = versions.as_array().unwrap();
    let (clip, passed, failed, fix, first) = (&v[0], &v[1], &v[3], &v[4], &v[6]);
    assert_eq!((clip["parent"].clone(), fix["parent"].clone()), (fix["versionId"].clone(), first["versionId"].clone()), "the clip is made from the fix");
    assert_eq!(first["request"]["action"], "she lifts her skirt and sings to the moon");
    assert_eq!(fix["request"]["action"], "she smooths her skirt and hums with her mouth closed to the moon");
    assert_eq!(fix["request"]["start_image_url"], first["request"]["start_image_url"], "the same approved still");
    assert!(fix["prompt"].as_str().unwrap().starts_with(&format!("[{shot}]_[{}]_[KLING", fix["versionId"].as_str().unwrap())));
    assert_eq!((failed["request"]["passed"].clone(), passed["request"]["passed"].clone()), (json!(false), json!(true)));
    let constraints: Vec<&str> = failed["request"]["findings"].as_array().unwrap().iter().map(|f| f["constraint"].as_str().unwrap()).collect();
    assert_eq!(constraints, ["modesty", "modesty"], "{failed}");
    let stats = stack.sim_stats().await.unwrap();
    let clips: Vec<&Value> = stats["submissions"].as_array().unwrap().iter().filter(|s| s["endpoint"].as_str().unwrap_or_default().contains("kling")).collect();
    assert_eq!(clips.len(), 1, "one clip paid for, from the fix: {stats}");
    stack.record_history(&format!("shot:{shot}")).await.unwrap();
}
