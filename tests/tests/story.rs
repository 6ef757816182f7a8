//! The story interview end to end: a Hebrew conversation with the simulated DIRECTOR through
//! `StoryWorkflow` on the demo song — questions and named flaws first, then a script with a beat
//! per song Part, accepted as a new revision; replies arrive over Socket.IO as `CHAT_MESSAGE`;
//! a repeated POST is one message; refused answers go back with the reason; bad input is refused.

use miri_testkit::{Api, Stack, StackOptions, replies};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;
use uuid::Uuid;

const WITHIN: Duration = Duration::from_secs(90);

async fn story(api: &Api, project: &str) -> anyhow::Result<String> {
    let (code, body) = api.post(&format!("/api/projects/{project}/conversations"), json!({"topic": "story", "title": "הסיפור"})).await?;
    anyhow::ensure!(code == 201, "creating a conversation answered {code}: {body}");
    Ok(body["conversationId"].as_str().unwrap().to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hebrew_interview_names_flaws_then_proposes_a_script_the_director_accepts() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::default()).await?;
    let lyrics = miri_demo::timing().timed_lyrics();
    let project = stack.create_project_with("Demo", &stack.demo_song()?, &lyrics, "מירי בורחת בסערה בלילה.").await?;
    let analysed = stack.run_step(&format!("/api/projects/{project}/analyses"), "analysisId", WITHIN).await?;
    assert_eq!(analysed["status"], "completed", "{analysed}");
    let parts: Vec<String> =
        analysed["analysis"]["parts"].as_array().unwrap().iter().map(|p| p["label"].as_str().unwrap().to_string()).collect();
    let mut watch = stack.watch(&project).await?;
    let conversation = story(&stack, &project).await?;
    let (_, listed) = stack.get(&format!("/api/projects/{project}/conversations")).await?;
    assert_eq!(listed["conversations"][0]["conversationId"], conversation.as_str());

    // The first turn: questions, a hole in the logic and a mood that fights the song.
    let first = Uuid::new_v4().to_string();
    let said = json!({"content": "קראתי שוב את העלילה. מה חסר בה?", "clientMessageId": first});
    let (code, body) = stack.post(&format!("/api/conversations/{conversation}/messages"), said.clone()).await?;
    assert_eq!((code, body["messageId"].as_str()), (202, Some(first.as_str())), "{body}");
    let event = watch.chat(&conversation, "assistant", WITHIN).await?;
    assert_eq!(event["projectId"], project.as_str());
    let body = stack.wait_messages(&conversation, WITHIN, |b| replies(b).len() == 1 && b["state"] == "waiting").await?;
    let reply = &body["messages"][1];
    assert_eq!((&reply["messageId"], &body["messages"][0]["content"]), (&event["messageId"], &said["content"]));
    assert!(reply["content"].as_str().unwrap().chars().any(|c| ('\u{05D0}'..='\u{05EA}').contains(&c)), "a Hebrew reply: {reply}");
    assert!(!reply["questions"].as_array().unwrap().is_empty(), "{reply}");
    let kinds: BTreeSet<&str> = reply["flaws"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, BTreeSet::from(["logic", "atmosphere"]), "{reply}\nthe song: {}", analysed["analysis"]["parts"]);
    assert!(reply.get("scriptId").is_none());

    // The same message again is the same message, answered once.
    let (code, again) = stack.post(&format!("/api/conversations/{conversation}/messages"), said).await?;
    assert_eq!((code, &again["messageId"], &again["duplicate"]), (202, &json!(first), &json!(true)), "{again}");
    let (code, clash) = stack
        .post(&format!("/api/conversations/{conversation}/messages"), json!({"content": "משהו אחר", "clientMessageId": first}))
        .await?;
    assert_eq!(code, 409, "{clash}");

    // The director answers and asks for the script.
    let (code, _) = stack
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"content": "אמא שלה איתה, והסערה היא רק חלום. בסוף היא נרדמת בשקט בזרועות אמא. כתוב את התסריט."}),
        )
        .await?;
    assert_eq!(code, 202);
    let event = watch.chat(&conversation, "assistant", WITHIN).await?;
    let script_id = event["scriptId"].as_str().expect("the reply names its script").to_string();
    let body = stack.wait_messages(&conversation, WITHIN, |b| replies(b).len() == 2 && b["state"] == "waiting").await?;
    assert_eq!(body["messages"].as_array().unwrap().len(), 4, "the repeated POST made no message: {body}");
    assert_eq!(body["progress"]["lastScriptId"], script_id.as_str());

    let (_, scripts) = stack.get(&format!("/api/projects/{project}/scripts")).await?;
    let scripts = scripts["scripts"].as_array().unwrap();
    assert_eq!(scripts.len(), 1, "{scripts:?}");
    let script = &scripts[0];
    assert_eq!((script["scriptId"].as_str(), &script["version"], &script["revision"]), (Some(script_id.as_str()), &json!(1), &json!(0)));
    let beats: Vec<String> = script["beats"].as_array().unwrap().iter().map(|b| b["part"].as_str().unwrap().to_string()).collect();
    assert_eq!(beats, parts, "a beat per Part, in song order");
    assert!(script["beats"].as_array().unwrap().iter().all(|b| b["timestamps"]["endMs"].as_u64().unwrap() > 0));
    let flaws = script["flaws"].as_array().unwrap();
    assert_eq!(flaws.len(), reply["flaws"].as_array().unwrap().len(), "every named flaw, resolved: {script}");
    assert!(flaws.iter().all(|f| f["resolution"].as_str().unwrap().contains("נפתר")), "{script}");

    // Nothing accepted yet; accepting is a new revision; the accepted script is the project's.
    let (code, none) = stack.get(&format!("/api/projects/{project}/script")).await?;
    assert_eq!(code, 404);
    assert!(none["error"]["message"].as_str().unwrap().contains("/accept"), "{none}");
    let (code, accepted) = stack.post(&format!("/api/projects/{project}/scripts/{script_id}/accept"), json!({})).await?;
    assert_eq!((code, &accepted["acceptedBy"], &accepted["revision"]), (200, &json!("token:test"), &json!(1)), "{accepted}");
    let (code, twice) = stack.post(&format!("/api/projects/{project}/scripts/{script_id}/accept"), json!({})).await?;
    assert_eq!((code, &twice["alreadyAccepted"], &twice["revision"]), (200, &json!(true), &json!(1)), "{twice}");
    let (code, current) = stack.get(&format!("/api/projects/{project}/script")).await?;
    assert_eq!((code, &current["scriptId"], &current["acceptedBy"]), (200, &json!(script_id), &json!("token:test")));
    assert_eq!(current["beats"], script["beats"], "accepting changes nothing but who and when");
    let (_, one) = stack.get(&format!("/api/projects/{project}/scripts/{script_id}")).await?;
    let revisions: Vec<(&Value, &Value)> =
        one["revisions"].as_array().unwrap().iter().map(|r| (&r["revision"], &r["acceptedBy"])).collect();
    assert_eq!(revisions, [(&json!(0), &Value::Null), (&json!(1), &json!("token:test"))], "the proposal is kept as it was");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_answers_go_back_with_the_reason_and_bad_input_is_refused() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::default()).await?;
    let project = stack.create_project("Careless model").await?;
    let conversations = format!("/api/projects/{project}/conversations");

    let (code, body) = stack.post(&conversations, json!({"topic": "shot_qa", "title": "Shot 1"})).await?;
    assert!(code == 400 && body["error"]["message"].as_str().unwrap().contains("shotId"), "{code} {body}");
    let (code, _) = stack.post(&conversations, json!({"topic": "gossip", "title": "x"})).await?;
    assert_eq!(code, 400);
    let (code, _) = stack.post("/api/projects/not-a-uuid/conversations", json!({"topic": "story", "title": "x"})).await?;
    assert_eq!(code, 400);
    let (code, _) = stack.post(&format!("/api/projects/{}/conversations", Uuid::new_v4()), json!({"topic": "story", "title": "x"})).await?;
    assert_eq!(code, 404);
    let (code, general) = stack.post(&conversations, json!({"topic": "general", "title": "Questions"})).await?;
    assert_eq!(code, 201);
    let general = general["conversationId"].as_str().unwrap();
    let (code, body) = stack.post(&format!("/api/conversations/{general}/messages"), json!({"content": "hi"})).await?;
    assert_eq!(code, 202, "a general conversation is answered too: {body}");
    // Answered before the faults below are seeded, so its call draws none of theirs.
    stack.wait_messages(general, WITHIN, |b| replies(b).len() == 1 && b["state"] == "waiting").await?;

    let conversation = story(&stack, &project).await?;
    let messages = format!("/api/conversations/{conversation}/messages");
    for (content, expected) in [(" ".to_string(), 400), ("א".repeat(20_001), 413)] {
        let (code, body) = stack.post(&messages, json!({"content": content})).await?;
        assert_eq!(code, expected, "{body}");
    }
    let (code, _) = stack.post(&messages, json!({"content": "hi", "clientMessageId": "../1"})).await?;
    assert_eq!(code, 400);
    let (code, _) = stack.post(&format!("/api/conversations/{}/messages", Uuid::new_v4()), json!({"content": "hi"})).await?;
    assert_eq!(code, 404);
    let (code, _) = stack.get("/api/conversations/nope/messages").await?;
    assert_eq!(code, 400);
    let (code, _) = stack.post(&format!("/api/projects/{project}/scripts/nope/accept"), json!({})).await?;
    assert_eq!(code, 400);
    let (code, _) = stack.post(&format!("/api/projects/{project}/scripts/{}/accept", Uuid::new_v4()), json!({})).await?;
    assert_eq!(code, 404);
    let (_, body) = stack.get(&messages).await?;
    assert_eq!((&body["messages"], &body["state"]), (&json!([]), &json!("waiting")), "refused input stores nothing");

    // Seeded so the first answer is broken and the second is not: the reason goes back and the
    // next answer lands.
    stack.rest.post(format!("{}/_sim/faults", stack.sim)).json(&json!({"badAnswerRate": 0.5, "seed": 1})).send().await?.error_for_status()?;
    let (code, _) = stack.post(&messages, json!({"content": "A girl walks through a garden at dawn. What is missing?"})).await?;
    assert_eq!(code, 202);
    let (_, body) = stack.get(&messages).await?;
    assert_eq!(body["state"], "thinking", "the director sees the DIRECTOR at work: {body}");
    let body = stack.wait_messages(&conversation, WITHIN, |b| replies(b).len() == 1 && b["state"] == "waiting").await?;
    assert_eq!(body["progress"]["refused"], json!(["reply: must not be empty"]), "{body}");
    let worker = stack.log("worker");
    assert_eq!(worker.lines().filter(|l| l.contains(&conversation) && l.contains("answer was refused")).count(), 1, "{worker}");

    // Every answer broken: the turn gives up with the reason, and the interview goes on.
    stack.rest.post(format!("{}/_sim/faults", stack.sim)).json(&json!({"badAnswerRate": 1.0})).send().await?.error_for_status()?;
    stack.post(&messages, json!({"content": "And then?"})).await?;
    let body = stack.wait_messages(&conversation, WITHIN, |b| b["progress"]["error"].is_string() && b["state"] == "waiting").await?;
    assert!(body["progress"]["error"].as_str().unwrap().contains("3 times"), "{body}");
    assert_eq!(replies(&body).len(), 1);
    stack.rest.post(format!("{}/_sim/faults", stack.sim)).json(&json!({"badAnswerRate": 0.0})).send().await?.error_for_status()?;
    stack.post(&messages, json!({"content": "Write the script."})).await?;
    let body = stack.wait_messages(&conversation, WITHIN, |b| replies(b).len() == 2 && b["state"] == "waiting").await?;
    let last = body["messages"].as_array().unwrap().last().unwrap();
    assert!(last["scriptId"].is_string(), "{body}");
    assert!(body["progress"].get("error").is_none(), "{body}");
    stack.record_history(&format!("story:{conversation}")).await

}
