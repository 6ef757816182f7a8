//! The budget end to end, against real processes: a project whose cap covers a still but not a
//! clip pauses after approval without paying for the clip, shows what waits for money, and
//! resumes by itself when an owner raises the cap; every bill is settled in the ledger. Provider
//! health and metrics show the breakers the worker went through.

use miri_testkit::{Stack, StackOptions};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(90);

/// 1024×576 still: one started megapixel at 0.012 $.
const STILL: u64 = 12_000;
/// A 3 s clip on Kling v3 standard at 0.112 $/s.
const CLIP: u64 = 336_000;
/// The project's cap in the first test.
const CAP: u64 = 150_000;
/// What the model calls around one paid media call cost at most (a few thousand tokens each).
const MODEL_CALLS: u64 = 20_000;

async fn budget(stack: &Stack, project: &str) -> Value {
    let (status, body) = stack.get(&format!("/api/projects/{project}/budget")).await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

/// The budget once something waits for money in it.
async fn first_wait(stack: &Stack, project: &str, what: &str) -> Value {
    let deadline = tokio::time::Instant::now() + LONG;
    loop {
        let b = budget(stack, project).await;
        if !b["waiting"].as_array().unwrap().is_empty() {
            return b;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what} never waited for money: {b}\n{}", stack.log("worker"));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn paid(stack: &Stack) -> usize {
    stack.sim_stats().await.unwrap()["submissions"].as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_cap_a_shot_pauses_unpaid_and_resumes_when_the_cap_is_raised() {
    // Enough for the still, its audit and translations (cents), not for the clip.
    let env = vec![("MIRI_DEFAULT_BUDGET_USD".to_string(), "0.15".to_string())];
    let stack = Stack::start(StackOptions { env, ..StackOptions::default() }).await.unwrap();
    let project = stack.create_project("budget").await.unwrap();
    let shot = stack.create_shot(&project, 0, 3000).await.unwrap();

    let fresh = budget(&stack, &project).await;
    assert_eq!((fresh["capUsdMicros"].as_u64(), fresh["spentUsdMicros"].as_u64()), (Some(CAP), Some(0)), "{fresh}");
    assert_eq!(fresh["revision"], Value::Null, "nothing is written before money is asked for");

    let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    stack.wait_status(&shot, "AWAITING_APPROVAL", LONG).await.unwrap();
    let after_still = budget(&stack, &project).await;
    let spent = after_still["spentUsdMicros"].as_u64().unwrap();
    // The model calls (the audit, the translation) are billed by the tokens they used.
    assert!((STILL + 1..STILL + MODEL_CALLS).contains(&spent), "the still's bill and the model calls are settled: {after_still}");
    assert_eq!(after_still["reservedUsdMicros"], 0);

    let (status, body) = stack.post(&format!("/api/shots/{shot}/approve"), json!({})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    let waiting = first_wait(&stack, &project, "the clip").await;
    let wait = &waiting["waiting"][0];
    assert_eq!((wait["shotId"].as_str(), wait["neededUsdMicros"].as_u64()), (Some(shot.as_str()), Some(CLIP)), "{waiting}");
    let spent = waiting["spentUsdMicros"].as_u64().unwrap();
    assert_eq!(waiting["availableUsdMicros"].as_u64(), Some(CAP - spent));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(paid(&stack).await, 1, "the clip is not paid for while over the cap");
    let (_, now) = stack.get(&format!("/api/shots/{shot}")).await.unwrap();
    assert_eq!(now["status"], "GENERATING_VIDEO", "paused, not failed: {now}");

    // Bad input changes nothing.
    let path = format!("/api/projects/{project}/budget");
    for bad in [json!({"capUsd": -1}), json!({"capUsd": "lots"}), json!({"capUsd": 1, "extra": true}), json!({})] {
        let (status, body) = stack.call(Method::PUT, &path, Some(bad.clone())).await.unwrap();
        assert_eq!(status, 400, "{bad} → {body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    }
    let missing = "6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a";
    let (status, _) = stack.call(Method::PUT, &format!("/api/projects/{missing}/budget"), Some(json!({"capUsd": 5}))).await.unwrap();
    assert_eq!(status, 404);
    let (status, _) = stack.get("/api/projects/not-an-id/budget").await.unwrap();
    assert_eq!(status, 400);
    assert_eq!(budget(&stack, &project).await["revision"], waiting["revision"], "rejected requests wrote nothing");

    let (status, raised) = stack.call(Method::PUT, &path, Some(json!({"capUsd": 1.0}))).await.unwrap();
    assert_eq!(status, 200, "{raised}");
    assert_eq!(raised["capUsdMicros"], 1_000_000);
    assert_eq!(raised["resumed"], json!([shot]), "{raised}");
    stack.wait_status(&shot, "COMPLETED", LONG).await.unwrap();

    let done = budget(&stack, &project).await;
    let more = done["spentUsdMicros"].as_u64().unwrap() - spent;
    assert!((CLIP..CLIP + MODEL_CALLS).contains(&more), "the clip's bill (and its prompt's translation): {done}");
    assert_eq!((done["reservedUsdMicros"].as_u64(), done["waiting"].as_array().unwrap().len()), (Some(0), 0), "{done}");
    assert_eq!(done["lastChange"]["change"], "settled");
    let (_, versions) = stack.get(&format!("/api/shots/{shot}/versions")).await.unwrap();
    let costs: Vec<(String, Value)> =
        versions.as_array().unwrap().iter().map(|v| (v["kind"].as_str().unwrap().to_string(), v["cost"].clone())).collect();
    assert_eq!(costs[0], ("video".to_string(), json!({"usdMicros": CLIP, "estimated": false})), "{costs:?}");
    assert_eq!(costs[4], ("image".to_string(), json!({"usdMicros": STILL, "estimated": false})), "{costs:?}");
    assert_eq!(paid(&stack).await, 2, "one still and one clip");
    stack.record_history(&format!("shot:{shot}")).await.unwrap();

    // The worker's breakers: both fal families were called, none is open.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let health = loop {
        let (status, health) = stack.get("/api/providers/health").await.unwrap();
        assert_eq!(status, 200, "{health}");
        let kling_calls = health["providers"].as_array().unwrap().iter().find(|p| p["provider"] == "kling").unwrap()["workers"]
            [0]["calls"]
            .as_u64();
        if kling_calls.is_some_and(|c| c >= 1) || tokio::time::Instant::now() > deadline {
            break health;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(health["workers"], 1, "{health}");
    for p in health["providers"].as_array().unwrap() {
        assert_eq!(p["state"], "closed", "{health}");
        if p["provider"] == "fal" || p["provider"] == "kling" {
            assert!(p["workers"][0]["calls"].as_u64().unwrap() >= 1, "{health}");
        }
    }
    let metrics = stack.rest.get(format!("{}/metrics", stack.http)).bearer_auth(&stack.token).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("# TYPE miri_provider_breaker_state gauge"), "{metrics}");
    assert!(metrics.contains("miri_provider_breaker_state{provider=\"fal\",worker=\""), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_over_the_cap_pauses_the_shot_unpaid_until_the_cap_is_raised() {
    let env = vec![("MIRI_DEFAULT_BUDGET_USD".to_string(), "0.02".to_string())];
    let stack = Stack::start(StackOptions { env, ..StackOptions::default() }).await.unwrap();
    let project = stack.create_project("audit budget").await.unwrap();
    let shot = stack.create_shot(&project, 0, 3000).await.unwrap();
    let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    let waiting = first_wait(&stack, &project, "the audit").await;
    let wait = &waiting["waiting"][0];
    assert_eq!(wait["shotId"].as_str(), Some(shot.as_str()), "{waiting}");
    assert!(wait["key"].as_str().unwrap().starts_with("audit:"), "the AUDITOR's call waits: {waiting}");
    assert_eq!(wait["model"], "claude-sonnet-4-6");
    let (_, now) = stack.get(&format!("/api/shots/{shot}")).await.unwrap();
    assert_eq!(now["status"], "VALIDATION", "paused, not failed: {now}");
    assert_eq!(paid(&stack).await, 0);

    let path = format!("/api/projects/{project}/budget");
    let (status, raised) = stack.call(Method::PUT, &path, Some(json!({"capUsd": 1.0}))).await.unwrap();
    assert_eq!(status, 200, "{raised}");
    assert_eq!(raised["resumed"], json!([shot]), "{raised}");
    stack.wait_status(&shot, "AWAITING_APPROVAL", LONG).await.unwrap();
}
