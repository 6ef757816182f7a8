//! QA on a shot (issue 6 item 8), end to end: the director tells a shot_qa conversation what is
//! wrong with the still awaiting approval; the (simulated) VISION_ANALYZER answers in Hebrew with
//! a proposal — a corrected prompt, or one edit command; applying it refines the still (REFINING,
//! a FLUX.2 edit over the still with the scene's seed) and a new still waits for approval. A
//! proposal is applied once, only to a still awaiting approval; bad input is refused and stores
//! nothing.

use miri_testkit::{Stack, StackOptions, replies};
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

const WITHIN: Duration = Duration::from_secs(90);


fn of_kind<'a>(versions: &'a Value, kind: &str) -> Vec<&'a Value> {
    versions.as_array().unwrap().iter().filter(|v| v["kind"] == kind).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qa_proposal_refines_the_still_once_and_a_new_still_waits_for_approval() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::default()).await?;
    let project = stack.create_project("qa").await?;
    let shot = stack.create_shot(&project, 0, 3000).await?;
    let mut watch = stack.watch(&project).await?;
    let (code, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await?;
    assert_eq!(code, 202, "{body}");
    watch.until(&shot, "AWAITING_APPROVAL", WITHIN).await?;
    let (_, before) = stack.get(&format!("/api/shots/{shot}/versions")).await?;
    let original = of_kind(&before, "image")[0].clone();

    let (code, talk) = stack
        .post(&format!("/api/projects/{project}/conversations"), json!({"topic": "shot_qa", "title": "הצילום", "shotId": shot}))
        .await?;
    assert_eq!(code, 201, "{talk}");
    let conversation = talk["conversationId"].as_str().unwrap().to_string();

    // A corrected prompt: the light, in the director's language.
    let reply = stack.ask(&conversation, "התאורה חשוכה מדי, לא רואים את הפנים שלה", 1).await?;
    assert!(reply["content"].as_str().unwrap().contains("תאורה"), "a Hebrew reply: {reply}");
    let proposal = &reply["proposal"];
    assert_eq!(proposal["kind"], "prompt", "{reply}");
    assert_eq!(proposal["prompt"]["lighting"], "soft warm lantern light, her face evenly lit");
    assert!(proposal["summary"].as_str().unwrap().contains("פנס"), "{proposal}");
    assert!(proposal["hebrew"].as_str().unwrap().contains("פנס"), "the corrected prompt in Hebrew: {proposal}");
    let message = reply["messageId"].as_str().unwrap();

    let apply = format!("/api/conversations/{conversation}/messages/{message}/apply");
    let (code, body) = stack.post(&apply, json!({})).await?;
    assert_eq!((code, &body["alreadyApplied"]), (202, &json!(false)), "{body}");
    assert_eq!(body["applied"]["still"], original["versionId"], "{body}");
    let (code, again) = stack.post(&apply, json!({})).await?;
    assert_eq!((code, &again["alreadyApplied"]), (200, &json!(true)), "applied once: {again}");
    let (_, refining) = watch.until(&shot, "REFINING", WITHIN).await?;
    assert!(refining["reason"].as_str().unwrap().contains("פנס"), "the change in words: {refining}");
    watch.until(&shot, "AWAITING_APPROVAL", WITHIN).await?;

    let (_, versions) = stack.get(&format!("/api/shots/{shot}/versions")).await?;
    let edits = of_kind(&versions, "edit");
    assert_eq!(edits.len(), 1, "one edit however often it was applied: {versions}");
    let (edit, edited) = (edits[0], of_kind(&versions, "image")[0]);
    assert_eq!((&edit["parent"], &edited["parent"]), (&original["versionId"], &edit["versionId"]));
    assert_eq!(edit["request"]["prompt"]["lighting"], "soft warm lantern light, her face evenly lit", "{edit}");
    assert_eq!(edit["request"]["prompt"]["scene"], proposal["prompt"]["scene"]);
    assert_eq!(edit["request"]["image_urls"][0], original["sourceUrl"], "drawn over the still");
    assert_eq!((edit["seed"].as_u64(), edit["modelCode"].as_str()), (original["seed"].as_u64(), Some("fal-ai/flux-2/lora/edit")));
    assert_eq!(edit["request"]["lora"], "miriN14");
    assert!(edit["prompt"].as_str().unwrap().starts_with(&format!("[{shot}]_[{}]_[FLUX2EDIT] {{", edit["versionId"].as_str().unwrap())));
    assert!(
        versions.as_array().unwrap().iter().any(|v| v["kind"] == "translation" && v["parent"] == edit["versionId"]),
        "the applied prompt carries its Hebrew"
    );
    assert_ne!(edited["media"]["sha256"], original["media"]["sha256"], "a new picture");
    let (_, listed) = stack.get(&format!("/api/conversations/{conversation}/messages")).await?;
    let marked = listed["messages"].as_array().unwrap().iter().find(|m| m["messageId"] == message).unwrap();
    assert!(marked["applied"]["by"].as_str().unwrap().starts_with("token:"), "who applied it: {marked}");
    assert_eq!(marked["applied"]["still"], original["versionId"], "{marked}");

    // An edit command, proposed as the director said it, edits the new still.
    let reply = stack.ask(&conversation, "Remove the bench", 2).await?;
    assert_eq!((reply["proposal"]["kind"].as_str(), reply["proposal"]["command"].as_str()), (Some("edit"), Some("Remove the bench")));
    assert!(reply["proposal"]["hebrew"].as_str().is_some_and(|h| h.chars().any(|c| ('\u{05D0}'..='\u{05EA}').contains(&c))), "{reply}");
    let message = reply["messageId"].as_str().unwrap();
    // Two at once: the shot takes the proposal once.
    let apply = format!("/api/conversations/{conversation}/messages/{message}/apply");
    let (first, second) = tokio::join!(stack.post(&apply, json!({})), stack.post(&apply, json!({})));
    let (mut codes, body) = (vec![first?.0, second?.0], stack.post(&apply, json!({})).await?.1);
    codes.sort();
    assert_eq!(codes, [200, 202], "one applies, the other sees it applied");
    assert_eq!(body["applied"]["still"], edited["versionId"], "the still waiting now");
    watch.until(&shot, "REFINING", WITHIN).await?;
    watch.until(&shot, "AWAITING_APPROVAL", WITHIN).await?;
    let (_, versions) = stack.get(&format!("/api/shots/{shot}/versions")).await?;
    let edits = of_kind(&versions, "edit");
    assert_eq!((edits.len(), edits[0]["request"]["command"].as_str()), (2, Some("Remove the bench")));
    assert_eq!(edits[0]["parent"], edited["versionId"]);

    // A vague complaint is answered with a question and nothing to apply.
    let reply = stack.ask(&conversation, "לא אוהבת את זה", 3).await?;
    assert!(reply.get("proposal").is_none(), "{reply}");
    let vague = reply["messageId"].as_str().unwrap();
    let (code, body) = stack.post(&format!("/api/conversations/{conversation}/messages/{vague}/apply"), json!({})).await?;
    assert_eq!(code, 409, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("proposes nothing"), "{body}");

    // A proposal for a shot no longer awaiting approval is refused, and nothing is refined.
    let reply = stack.ask(&conversation, "It is too bright", 4).await?;
    let late = reply["messageId"].as_str().unwrap();
    let (code, body) = stack.post(&format!("/api/shots/{shot}/approve"), json!({})).await?;
    assert_eq!(code, 202, "{body}");
    watch.until(&shot, "COMPLETED", WITHIN).await?;
    let (code, body) = stack.post(&format!("/api/conversations/{conversation}/messages/{late}/apply"), json!({})).await?;
    assert_eq!(code, 409, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("COMPLETED"), "{body}");
    let (_, versions) = stack.get(&format!("/api/shots/{shot}/versions")).await?;
    assert_eq!(of_kind(&versions, "edit").len(), 2, "{versions}");
    let clip = of_kind(&versions, "prompt").into_iter().find(|v| v["request"]["start_image_url"].is_string()).unwrap();
    let newest_still = of_kind(&versions, "image")[0];
    assert_eq!(clip["request"]["start_image_url"], newest_still["sourceUrl"], "the clip animates the approved refinement");
    assert!(clip["request"]["resting_state"].as_str().unwrap().contains("edited: Remove the bench"), "{clip}");

    stack.record_history(&format!("shot:{shot}")).await?;
    stack.record_history(&format!("qa:{conversation}")).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_qa_requests_are_refused_and_store_nothing() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::default()).await?;
    let project = stack.create_project("qa-bad").await?;
    let shot = stack.create_shot(&project, 0, 3000).await?;
    let conversations = format!("/api/projects/{project}/conversations");
    let (code, body) = stack.post(&conversations, json!({"topic": "shot_qa", "title": "x"})).await?;
    assert_eq!(code, 400, "QA names its shot: {body}");
    let (code, body) = stack.post(&conversations, json!({"topic": "shot_qa", "title": "x", "shotId": Uuid::new_v4()})).await?;
    assert_eq!(code, 404, "{body}");
    let (_, qa) = stack.post(&conversations, json!({"topic": "shot_qa", "title": "x", "shotId": shot})).await?;
    let qa = qa["conversationId"].as_str().unwrap().to_string();
    let (_, general) = stack.post(&conversations, json!({"topic": "general", "title": "x"})).await?;
    let general = general["conversationId"].as_str().unwrap().to_string();

    let (code, body) = stack.post(&format!("/api/conversations/{general}/messages"), json!({"content": "  "})).await?;
    assert_eq!(code, 400, "{body}");
    let (_, listed) = stack.get(&format!("/api/conversations/{general}/messages")).await?;
    assert_eq!(listed["messages"], json!([]), "a refused message is not stored");

    for (message, want) in [("not-a-uuid", 400), (Uuid::new_v4().to_string().as_str(), 404)] {
        let (code, body) = stack.post(&format!("/api/conversations/{qa}/messages/{message}/apply"), json!({})).await?;
        assert_eq!(code, want, "{message}: {body}");
    }
    // The director's own message proposes nothing; a message of another conversation is not this one's.
    let (_, said) = stack.post(&format!("/api/conversations/{qa}/messages"), json!({"content": "Remove the bench"})).await?;
    let mine = said["messageId"].as_str().unwrap();
    let (code, body) = stack.post(&format!("/api/conversations/{qa}/messages/{mine}/apply"), json!({})).await?;
    assert_eq!(code, 409, "{body}");
    let (code, body) = stack.post(&format!("/api/conversations/{general}/messages/{mine}/apply"), json!({})).await?;
    assert_eq!(code, 404, "{body}");
    // The shot has no still yet: the reply says so, and its proposal cannot apply.
    let body = stack.wait_messages(&qa, WITHIN, |b| replies(b).len() == 1).await?;
    let reply = &replies(&body)[0];
    let proposal = reply["messageId"].as_str().unwrap();
    let (code, body) = stack.post(&format!("/api/conversations/{qa}/messages/{proposal}/apply"), json!({})).await?;
    assert_eq!(code, 409, "{reply} {body}");
    Ok(())
}
