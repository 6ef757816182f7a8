//! The rulebook (issue 6 item 7) end to end: a rejected still teaches a rule (the simulated
//! VISION_ANALYZER reads the still and the reason), the rule is embedded and listed with the shot
//! it came from, the nearest rules reach a later shot's audit — which fixes the prompt by them —
//! and a retired rule no longer does — ranked locally, and by Vertex Vector Search (the
//! simulator's), where a retired rule is also taken out of the index.

use miri_testkit::{Stack, StackOptions, VERTEX_RULES_INDEX};
use serde_json::{Value, json};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(120);

async fn generated(stack: &Stack, project: &str, description: &str) -> String {
    let shot = stack.add_shot(project, json!({"startMs": 0, "endMs": 3000, "description": description})).await.unwrap();
    let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    stack.wait_status(&shot, "AWAITING_APPROVAL", LONG).await.unwrap();
    shot
}

async fn rules(stack: &Stack, project: &str, query: &str) -> Vec<Value> {
    let (status, body) = stack.get(&format!("/api/projects/{project}/rules{query}")).await.unwrap();
    assert_eq!(status, 200, "{body}");
    body["rules"].as_array().unwrap().clone()
}

async fn audits(stack: &Stack, shot: &str) -> Vec<Value> {
    let (_, versions) = stack.get(&format!("/api/shots/{shot}/versions")).await.unwrap();
    versions.as_array().unwrap().iter().filter(|v| v["kind"] == "audit").cloned().collect()
}

/// The rule ids in the simulator's Vector Search index.
fn indexed_in_vertex(stack: &Stack) -> Vec<String> {
    let file = stack.dir.path().join(format!("sim/vectors/{VERTEX_RULES_INDEX}.json"));
    let points: Vec<Value> = std::fs::read(&file).map(|b| serde_json::from_slice(&b).unwrap()).unwrap_or_default();
    points.iter().map(|p| p["datapointId"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_teaches_a_rule_that_the_next_audit_applies_until_it_is_retired() {
    rulebook(StackOptions::default()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vector_search_ranks_the_rules_and_loses_a_retired_one() {
    rulebook(StackOptions { vertex_rules: true, ..StackOptions::default() }).await;
}

async fn rulebook(opts: StackOptions) {
    let vertex = opts.vertex_rules;
    let stack = Stack::start(opts).await.unwrap();
    let project = stack.create_project("rulebook").await.unwrap();

    let first = generated(&stack, &project, "Miri in a garden at dawn, dress hex #C4725A").await;
    let (_, versions) = stack.get(&format!("/api/shots/{first}/versions")).await.unwrap();
    let still = versions.as_array().unwrap().iter().find(|v| v["kind"] == "image").unwrap()["versionId"].clone();
    let (status, body) = stack.post(&format!("/api/shots/{first}/reject"), json!({"reason": "Miri is barefoot"})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    let deadline = tokio::time::Instant::now() + LONG;
    let learnt = loop {
        if let Some(rule) = rules(&stack, &project, "").await.into_iter().next() {
            break rule;
        }
        assert!(tokio::time::Instant::now() < deadline, "no rule learnt from the rejection");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(learnt["text"], "Never show Miri barefoot.");
    assert_eq!((learnt["shotId"].as_str(), &learnt["source"]), (Some(first.as_str()), &still), "the shot and still it came from");
    assert_eq!((learnt["author"].as_str(), learnt["model"].as_str()), (Some("llm"), Some("gemini-2.5-flash")), "the VISION_ANALYZER's");
    assert_eq!(learnt["reason"], "Miri is barefoot");
    stack.record_history(&format!("shot:{first}")).await.unwrap();
    assert_eq!(learnt["indexed"], true, "embedded when learnt");
    assert!(learnt.get("embedding").is_none(), "vectors stay on the server");

    // A director's rules, more than a prompt carries, none about feet.
    for text in ["Keep the horizon level", "Always light the scene warmly", "Never use a fisheye lens", "Keep props on the left",
                 "Avoid neon colours", "Keep the sky in the upper third", "Never crop the frame tightly", "Always keep one lamp lit",
                 "Avoid clutter on tables"] {
        let (status, body) = stack.post(&format!("/api/projects/{project}/rules"), json!({"text": text})).await.unwrap();
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["author"], "user");
    }
    for bad in [json!({"text": ""}), json!({"text": "x".repeat(1001)}), json!({"rule": "x"})] {
        let (status, body) = stack.post(&format!("/api/projects/{project}/rules"), bad.clone()).await.unwrap();
        assert_eq!(status, 400, "{bad}: {body}");
    }
    assert_eq!(rules(&stack, &project, "").await.len(), 10, "a refused rule leaves no record");

    let second = generated(&stack, &project, "Miri barefoot on the grass at dusk").await;
    let audits_of_second = audits(&stack, &second).await;
    let failed = audits_of_second.iter().find(|a| a["request"]["passed"] == false).expect("the rule fails the first prompt");
    assert_eq!(failed["request"]["findings"][0]["constraint"], "rulebook", "{failed}");
    let shown: Vec<&str> = failed["request"]["rules"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(shown.len(), 8, "the nearest eight of ten: {shown:?}");
    assert_eq!(shown[0], learnt["ruleId"].as_str().unwrap(), "the barefoot rule is nearest a barefoot shot");
    let (_, versions) = stack.get(&format!("/api/shots/{second}/versions")).await.unwrap();
    let painted_from = versions.as_array().unwrap().iter().find(|v| v["kind"] == "prompt").unwrap();
    assert!(!painted_from["prompt"].as_str().unwrap().contains("barefoot"), "the fix took it out: {painted_from}");
    let listed = rules(&stack, &project, "").await;
    assert!(listed.iter().all(|r| r["indexed"] == true), "the director's rules were indexed when read");
    if vertex {
        let mut ids: Vec<String> = listed.iter().map(|r| r["ruleId"].as_str().unwrap().to_string()).collect();
        let mut in_index = indexed_in_vertex(&stack);
        ids.sort();
        in_index.sort();
        assert_eq!(in_index, ids, "every rule's vector is in Vector Search");
    } else {
        assert_eq!(indexed_in_vertex(&stack), Vec::<String>::new(), "the local index sends nothing to Vertex");
    }

    let id = learnt["ruleId"].as_str().unwrap();
    let (status, body) = stack.post(&format!("/api/rules/{id}/retire"), json!({})).await.unwrap();
    assert_eq!((status, body["active"].clone()), (200, json!(false)), "{body}");
    assert_eq!(rules(&stack, &project, "").await.len(), 9);
    let all = rules(&stack, &project, "?all=true").await;
    assert!(all.iter().any(|r| r["ruleId"] == id && r["active"] == false), "a retired rule is kept");
    let (status, _) = stack.post("/api/rules/not-a-uuid/retire", json!({})).await.unwrap();
    assert_eq!(status, 400);

    let third = generated(&stack, &project, "Miri barefoot by the window").await;
    let audits_of_third = audits(&stack, &third).await;
    assert_eq!(audits_of_third.len(), 1, "a retired rule fails nothing: {audits_of_third:?}");
    assert_eq!(audits_of_third[0]["request"]["passed"], true);
    assert!(!audits_of_third[0]["request"]["rules"].as_array().unwrap().iter().any(|r| r == id));
    if vertex {
        let in_index = indexed_in_vertex(&stack);
        assert_eq!(in_index.len(), 9, "{in_index:?}");
        assert!(!in_index.iter().any(|r| r == id), "the retired rule left the index once Vertex returned it");
    }
}
