//! One shot's durable lifecycle end to end, against real processes: a Temporal dev server,
//! Redis, the gateway, a worker and the simulator, each on a free loopback port.

use miri_testkit::{Stack, StackOptions, probe};
use serde_json::{Value, json};
use std::{collections::HashMap, time::Duration};

const LONG: Duration = Duration::from_secs(90);

fn kinds(versions: &Value) -> Vec<String> {
    versions.as_array().unwrap().iter().map(|v| v["kind"].as_str().unwrap().to_string()).collect()
}

/// Paid submissions per webhook URL (each URL names one version).
async fn submissions_per_version(stack: &Stack) -> HashMap<String, usize> {
    let stats = stack.sim_stats().await.unwrap();
    let mut per = HashMap::new();
    for s in stats["submissions"].as_array().unwrap() {
        *per.entry(s["webhook"].as_str().unwrap_or_default().to_string()).or_default() += 1;
    }
    per
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shot_walks_from_draft_to_completed_with_live_events() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("שיר ערש").await.unwrap();
    let shot = stack.create_shot(&project, 0, 3000).await.unwrap();
    let mut watch = stack.watch(&project).await.unwrap();

    // Approve before there is anything to approve: 409 naming the state.
    let (status, body) = stack.post(&format!("/api/shots/{shot}/approve"), json!({})).await.unwrap();
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("DRAFT"), "{body}");

    let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    let (_, event) = watch.until(&shot, "AWAITING_APPROVAL", LONG).await.unwrap();
    assert_eq!(event["projectId"], project.as_str());
    assert_eq!(event["revision"], 3, "DRAFT, VALIDATION, GENERATING_IMAGE, AWAITING_APPROVAL");

    let (status, body) = stack.post(&format!("/api/shots/{shot}/approve"), json!({})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    if let Err(e) = watch.until(&shot, "COMPLETED", LONG).await {
        let (_, now) = stack.get(&format!("/api/shots/{shot}")).await.unwrap();
        panic!("{e:#}; the shot is now {now}; gateway log:\n{}", stack.log("gateway"));
    }

    // A second approve is idempotent and pays for no second clip.
    let (status, body) = stack.post(&format!("/api/shots/{shot}/approve"), json!({})).await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["alreadyApproved"], true);

    let (status, versions) = stack.get(&format!("/api/shots/{shot}/versions")).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        kinds(&versions),
        ["video", "audit", "translation", "prompt", "image", "audit", "translation", "prompt"],
        "newest first, each prompt with its Hebrew and its audit: {versions}"
    );
    let video = &versions[0];
    let bytes = stack.download(video["mediaUrl"].as_str().unwrap()).await.unwrap();
    assert_eq!(bytes.len() as u64, video["media"]["size"].as_u64().unwrap());
    let file = stack.dir.path().join("clip.mp4");
    std::fs::write(&file, &bytes).unwrap();
    let (seconds, kind) = probe(&file).await.unwrap();
    assert_eq!(kind, "video");
    assert!((seconds - 3.0).abs() < 0.1, "a 3 s shot gets a 3 s clip, got {seconds}");
    let image = stack.download(versions[4]["mediaUrl"].as_str().unwrap()).await.unwrap();
    assert!(image.starts_with(b"\x89PNG"), "the still is a PNG");
    assert!(versions[7]["prompt"].as_str().unwrap().starts_with(&format!("[{shot}]_[")));
    assert_eq!(versions[6]["parent"], versions[7]["versionId"], "the still prompt's translation");
    assert!(versions[6]["prompt"].as_str().unwrap().contains("מירי"), "{}", versions[6]);
    assert_eq!((versions[5]["parent"].clone(), versions[5]["request"]["passed"].clone()), (versions[7]["versionId"].clone(), json!(true)), "the audit passed it");
    assert_eq!((versions[1]["parent"].clone(), versions[1]["request"]["passed"].clone()), (versions[3]["versionId"].clone(), json!(true)), "the clip prompt's audit passed it");

    tokio::time::sleep(Duration::from_secs(1)).await;
    let paid = submissions_per_version(&stack).await;
    assert_eq!(paid.len(), 2, "one still and one clip: {paid:?}");
    assert!(paid.values().all(|&n| n == 1), "{paid:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_clear_errors_and_loses_nothing() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("bad input").await.unwrap();
    let missing = "6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a";

    let (status, body) = stack.get(&format!("/api/shots/{missing}")).await.unwrap();
    assert_eq!(status, 404, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains(missing));

    let (status, body) = stack.get("/api/shots/not-a-uuid").await.unwrap();
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("shotId must be a UUID"));

    let resp = stack
        .rest
        .post(format!("{}/api/projects/{project}/shots", stack.http))
        .bearer_auth(&stack.token)
        .header("content-type", "application/json")
        .body("{\"startMs\": 0, \"endMs\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    let (status, body) = stack
        .post(&format!("/api/projects/{project}/shots"), json!({"startMs": 500, "endMs": 100, "description": "x"}))
        .await
        .unwrap();
    assert_eq!(status, 400, "{body}");
    // Longer than any clip the project's video model makes: refused before anything is paid for.
    let (status, body) = stack
        .post(&format!("/api/projects/{project}/shots"), json!({"startMs": 0, "endMs": 20000, "description": "x"}))
        .await
        .unwrap();
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("at most 15 s"), "{body}");
    let (_, shots) = stack.get(&format!("/api/projects/{project}/shots")).await.unwrap();
    assert_eq!(shots.as_array().unwrap().len(), 0, "a refused shot leaves no record");

    let resp = stack.rest.get(format!("{}/api/projects", stack.http)).send().await.unwrap();
    assert_eq!(resp.status(), 401, "no token");
    let resp = stack.rest.get(format!("{}/api/projects", stack.http)).bearer_auth("forged").send().await.unwrap();
    assert_eq!(resp.status(), 401, "unknown token");

    // An unsigned or forged webhook never reaches a workflow.
    let resp = stack
        .rest
        .post(format!("{}/api/webhooks/fal", stack.http))
        .json(&json!({"request_id": "x", "status": "OK", "payload": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    let form = reqwest::multipart::Form::new()
        .text("name", "not a song")
        .part("song", reqwest::multipart::Part::bytes(b"%PDF-1.7 not audio".to_vec()).file_name("song.mp3"));
    let resp = stack
        .rest
        .post(format!("{}/api/projects", stack.http))
        .bearer_auth(&stack.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("not an MP3"), "{body}");
    let (_, projects) = stack.get("/api/projects").await.unwrap();
    assert_eq!(projects.as_array().unwrap().len(), 1, "the refused upload left no project");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_loses_nothing_and_pays_once() {
    let opts = StackOptions { still_latency_ms: 4000, clip_latency_ms: 500, ..Default::default() };
    let mut stack = Stack::start(opts).await.unwrap();
    let project = stack.create_project("durable").await.unwrap();
    let shot = stack.create_shot(&project, 1000, 4000).await.unwrap();

    let (status, _) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    assert_eq!(status, 202);
    stack.wait_status(&shot, "GENERATING_IMAGE", LONG).await.unwrap();
    stack.kill_worker().await.unwrap();
    // The still's webhook arrives while no worker runs; the gateway signals the workflow anyway.
    tokio::time::sleep(Duration::from_secs(5)).await;
    stack.start_worker().unwrap();
    stack.wait_status(&shot, "AWAITING_APPROVAL", LONG).await.unwrap();

    stack.kill_worker().await.unwrap();
    let (status, body) = stack.post(&format!("/api/shots/{shot}/approve"), json!({})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    stack.start_worker().unwrap();
    let done = stack.wait_status(&shot, "COMPLETED", LONG).await.unwrap();
    assert_eq!(done["revision"], 5, "every status change is a record: {done}");

    let (_, versions) = stack.get(&format!("/api/shots/{shot}/versions")).await.unwrap();
    assert_eq!(kinds(&versions), ["video", "audit", "translation", "prompt", "image", "audit", "translation", "prompt"]);
    let paid = submissions_per_version(&stack).await;
    assert_eq!(paid.len(), 2, "{paid:?}");
    assert!(paid.values().all(|&n| n == 1), "exactly one paid submission per version: {paid:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_webhook_is_covered_by_polling_the_status_url() {
    // The simulator holds every webhook (as if fal's deliveries were lost): only polling is left.
    let opts = StackOptions { hold_webhooks: true, poll_every_secs: 2, ..Default::default() };
    let stack = Stack::start(opts).await.unwrap();
    let project = stack.create_project("polling").await.unwrap();
    let shot = stack.create_shot(&project, 0, 3000).await.unwrap();
    stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    stack.wait_status(&shot, "AWAITING_APPROVAL", LONG).await.unwrap();
    stack.post(&format!("/api/shots/{shot}/approve"), json!({})).await.unwrap();
    stack.wait_status(&shot, "COMPLETED", LONG).await.unwrap();
    assert_eq!(stack.sim_stats().await.unwrap()["webhooksDelivered"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_webhook_for_an_unknown_request_is_acknowledged_and_ignored() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let unknown = "0b0c7a4e-5d6f-4a1b-9c2d-3e4f5a6b7c8d";
    let webhook = format!("{}/api/webhooks/fal?shotId={unknown}&versionId={unknown}", stack.http);
    // A real, signed callback from the simulator, for a request Miri never made.
    let resp = stack
        .rest
        .post(format!("{}/fal-ai/flux-2/lora", stack.sim))
        .query(&[("fal_webhook", webhook.as_str())])
        .header("authorization", "Key test")
        .json(&json!({"prompt": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while stack.sim_stats().await.unwrap()["webhooksDelivered"] != 1 {
        assert!(tokio::time::Instant::now() < deadline, "the gateway never answered the webhook 2xx");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(stack.log("gateway").contains(&format!("ignored fal webhook: unknown shot {unknown}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_still_prompt_that_breaks_the_rules_goes_back_to_draft_with_the_reason_unpaid() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("כללים").await.unwrap();
    let (status, body) = stack
        .post(
            &format!("/api/projects/{project}/shots"),
            json!({"startMs": 0, "endMs": 3000, "description": "Miri רוקדת on a rooftop"}),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{body}");
    let shot = body["shotId"].as_str().unwrap().to_string();
    let mut watch = stack.watch(&project).await.unwrap();
    let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    let (_, event) = watch.until(&shot, "VALIDATION", LONG).await.unwrap();
    assert_eq!(event["revision"], 1);
    let (_, event) = watch.until(&shot, "DRAFT", LONG).await.unwrap();
    let reason = event["reason"].as_str().unwrap();
    assert!(reason.contains("no-motion") && reason.contains("רוקדת"), "{reason}");
    let stats = stack.sim_stats().await.unwrap();
    assert_eq!(stats["submissions"].as_array().unwrap().len(), 0, "nothing was paid for: {stats}");
}
