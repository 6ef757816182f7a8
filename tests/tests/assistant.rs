//! A general conversation with the studio's tools (issue 8's chat parity), end to end: the
//! director asks in Hebrew or English for what the dashboard's buttons do; the (simulated)
//! ORCHESTRATOR answers with the actions as tool calls on its reply, naming shots by their
//! number in song order; a call the shot's state does not allow is explained, not proposed; an
//! answer that proposes a made-up shot is refused with the reason and asked again; running a
//! proposed call is the same REST call the dashboard's button makes.

use miri_testkit::{Stack, StackOptions, replies};
use serde_json::json;
use std::time::Duration;

const WITHIN: Duration = Duration::from_secs(90);


#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_assistant_proposes_the_dashboards_actions_as_tool_calls() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::default()).await?;
    let project = stack.create_project("כלים").await?;
    // Made out of song order: the numbers follow the song, not the order of creation.
    let third = stack.create_shot(&project, 6000, 9000).await?;
    let first = stack.create_shot(&project, 0, 3000).await?;
    let second = stack.create_shot(&project, 3000, 6000).await?;
    for shot in [&first, &second] {
        let (code, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await?;
        assert_eq!(code, 202, "{body}");
    }
    for shot in [&first, &second] {
        stack.wait_status(shot, "AWAITING_APPROVAL", WITHIN).await?;
    }
    let (code, talk) =
        stack.post(&format!("/api/projects/{project}/conversations"), json!({"topic": "general", "title": "עוזר"})).await?;
    assert_eq!(code, 201, "{talk}");
    let conversation = talk["conversationId"].as_str().unwrap().to_string();

    let reply = stack.ask(&conversation, "אשר את שוט 2", 1).await?;
    assert_eq!(reply["toolCalls"], json!([{"name": "approve", "arguments": {"shotId": second}}]), "{reply}");
    assert!(reply["content"].as_str().unwrap().contains("שוט 2"), "a Hebrew reply: {reply}");

    let reply = stack.ask(&conversation, "reject shot 1 because her shoes are missing", 2).await?;
    assert_eq!(reply["toolCalls"], json!([{"name": "reject", "arguments": {"shotId": first, "reason": "her shoes are missing"}}]));

    let reply = stack.ask(&conversation, "approve shot 3", 3).await?;
    assert!(reply.get("toolCalls").is_none(), "a DRAFT shot is not approved: {reply}");
    assert!(reply["content"].as_str().unwrap().contains("shot 3 is DRAFT"), "{reply}");
    let reply = stack.ask(&conversation, "render an animatic with overlay, please", 4).await?;
    assert_eq!(reply["toolCalls"], json!([{"name": "render", "arguments": {"mode": "animatic", "overlay": true}}]));
    let reply = stack.ask(&conversation, "refine shot 2: Remove the bench", 5).await?;
    let arguments = &reply["toolCalls"][0]["arguments"];
    assert_eq!((&reply["toolCalls"][0]["name"], &arguments["command"]), (&json!("refine"), &json!("Remove the bench")), "{reply}");
    assert!(arguments["hebrew"].as_str().is_some_and(|h| h.chars().any(|c| ('\u{05D0}'..='\u{05EA}').contains(&c))), "the command in Hebrew: {reply}");
    let reply = stack.ask(&conversation, "צור את שוט 3", 6).await?;
    assert_eq!(reply["toolCalls"], json!([{"name": "generate", "arguments": {"shotId": third}}]));

    // A model that proposes a shot the project does not have is refused, told why, and given
    // up on after three answers; the conversation goes on.
    stack.rest.post(format!("{}/_sim/faults", stack.sim)).json(&json!({"badAnswerRate": 1.0})).send().await?.error_for_status()?;
    let messages = format!("/api/conversations/{conversation}/messages");
    let (code, _) = stack.post(&messages, json!({"content": "approve shot 2"})).await?;
    assert_eq!(code, 202);
    let body = stack.wait_messages(&conversation, WITHIN, |b| b["progress"]["error"].is_string() && b["state"] == "waiting").await?;
    let error = body["progress"]["error"].as_str().unwrap();
    assert!(error.contains("ORCHESTRATOR") && error.contains("not a shot of this project"), "{error}");
    assert_eq!(replies(&body).len(), 6, "no reply stored for a refused answer");
    stack.rest.post(format!("{}/_sim/faults", stack.sim)).json(&json!({"badAnswerRate": 0.0})).send().await?.error_for_status()?;

    // Running the first proposal: the dashboard's own call, and the shot goes on to its clip.
    let (code, body) = stack.post(&format!("/api/shots/{second}/approve"), json!({})).await?;
    assert_eq!(code, 202, "{body}");
    stack.wait_status(&second, "COMPLETED", WITHIN).await?;
    let reply = stack.ask(&conversation, "approve shot 2", 7).await?;
    assert!(reply.get("toolCalls").is_none() && reply["content"].as_str().unwrap().contains("COMPLETED"), "{reply}");
    Ok(())
}
