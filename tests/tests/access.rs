//! Who sees and does what (issue 9 item 3), against a running stack: a studio token reaches only
//! the projects it created or joined; a project key reaches its one project with its role; a
//! viewer cannot change anything; only owners manage keys and members; a revoked key stops
//! working at once; Socket.IO refuses to join a project the token does not belong to. A refused
//! request leaves no key behind.

use miri_testkit::{Api, Stack, StackOptions};
use serde_json::{Value, json};

fn ids(listed: &Value) -> Vec<String> {
    listed.as_array().unwrap().iter().map(|p| p["projectId"].as_str().unwrap().to_string()).collect()
}

fn message(body: &Value) -> String {
    body["error"]["message"].as_str().unwrap_or_default().to_string()
}

async fn token_id(api: &Api) -> String {
    let (status, me) = api.get("/api/me").await.unwrap();
    assert_eq!(status, 200, "{me}");
    me["tokenId"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_reach_only_their_projects_with_their_roles() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::default()).await?;
    let owner: &Api = &stack;
    let theirs = owner.create_project("של הבעלים").await?;
    let editor = owner.as_token(&stack.token("editor").await?);
    let mine = editor.create_project("שלי").await?;

    // The studio's owner sees every project; an editor only the one it created.
    let (_, all) = owner.get("/api/projects").await?;
    assert!(ids(&all).contains(&theirs) && ids(&all).contains(&mine), "{all}");
    let (_, listed) = editor.get("/api/projects").await?;
    assert_eq!(ids(&listed), [mine.clone()]);
    let (status, body) = editor.get(&format!("/api/projects/{theirs}/shots")).await?;
    assert_eq!(status, 404, "another's project does not exist for it: {body}");
    assert!(editor.watch(&theirs).await.is_err(), "no joining another's room");
    editor.watch(&mine).await?;
    let (_, me) = editor.get("/api/me").await?;
    assert_eq!((me["role"].as_str(), me["admin"].as_bool()), (Some("editor"), Some(false)), "{me}");

    // Its creator owns it: issues a viewer key (the secret once) and an editor key.
    let viewer = editor.as_token(&editor.key(&mine, "viewer", "review screen").await?);
    let integration = editor.as_token(&editor.key(&mine, "editor", "CI pipeline").await?);
    let (_, listed) = viewer.get("/api/projects").await?;
    assert_eq!(ids(&listed), [mine.clone()]);
    let (_, me) = viewer.get("/api/me").await?;
    assert_eq!((me["role"].as_str(), me["projectId"].as_str()), (Some("viewer"), Some(mine.as_str())), "{me}");

    // The editor key changes shots; the viewer key reads them and changes nothing.
    let shot = integration.create_shot(&mine, 0, 3000).await?;
    let (status, shots) = viewer.get(&format!("/api/projects/{mine}/shots")).await?;
    assert_eq!((status, shots.as_array().unwrap().len()), (200, 1), "{shots}");
    let (status, body) = viewer.post(&format!("/api/shots/{shot}/approve"), json!({})).await?;
    assert_eq!(status, 403, "{body}");
    assert!(message(&body).contains("viewer"), "{body}");
    let (status, body) = viewer.post("/api/shots/generate", json!({"shotId": shot})).await?;
    assert_eq!(status, 403, "{body}");
    let (status, body) = viewer.post(&format!("/api/projects/{mine}/shots"), json!({"startMs": 0, "endMs": 1000, "lyricsSnippet": "", "description": "x"})).await?;
    assert_eq!(status, 403, "{body}");
    assert!(viewer.create_project("not allowed").await.is_err(), "a project key creates no project");
    let (status, _) = viewer.get(&format!("/api/projects/{theirs}/shots")).await?;
    assert_eq!(status, 404);
    let (status, _) = integration.get(&format!("/api/shots/{shot}")).await?;
    assert_eq!(status, 200);

    // Only owners manage keys; the list shows labels and roles, never a secret.
    let (status, body) = integration.get(&format!("/api/projects/{mine}/keys")).await?;
    assert_eq!(status, 403, "{body}");
    assert!(message(&body).contains("owner"), "{body}");
    let (status, body) = integration.post(&format!("/api/projects/{mine}/keys"), json!({"role": "owner", "label": "escalate"})).await?;
    assert_eq!(status, 403, "an editor mints no keys: {body}");
    let (status, keys) = editor.get(&format!("/api/projects/{mine}/keys")).await?;
    assert_eq!(status, 200, "{keys}");
    let keys = keys["keys"].as_array().unwrap().clone();
    let labels: Vec<&str> = keys.iter().map(|k| k["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["review screen", "CI pipeline"]);
    assert!(keys.iter().all(|k| k.get("token").is_none() && k["tokenId"].as_str().unwrap().len() == 64), "{keys:?}");

    // Bad keys are refused naming the problem, and none is stored.
    for (body, names) in [
        (json!({"role": "admin", "label": "x"}), "admin"),
        (json!({"role": "viewer", "label": " \u{200B}\u{200F} "}), "label"),
        (json!({"role": "viewer", "label": "k".repeat(101)}), "label"),
        (json!({"role": "viewer", "label": "a\nb"}), "control"),
        (json!({"role": "viewer"}), "label"),
    ] {
        let (status, answer) = editor.post(&format!("/api/projects/{mine}/keys"), body.clone()).await?;
        assert_eq!(status, 400, "{body} → {answer}");
        assert!(message(&answer).contains(names), "{body} → {answer}");
    }
    let (_, after) = editor.get(&format!("/api/projects/{mine}/keys")).await?;
    assert_eq!(after["keys"].as_array().unwrap().len(), 2, "{after}");

    // Revoked: the key stops working at once; revoking again answers the first revocation.
    let viewer_id = token_id(&viewer).await;
    let (status, revoked) = editor.post(&format!("/api/projects/{mine}/keys/{viewer_id}/revoke"), json!({})).await?;
    assert_eq!(status, 200, "{revoked}");
    assert!(revoked["key"]["revokedAt"].is_string(), "{revoked}");
    let (status, _) = viewer.get("/api/projects").await?;
    assert_eq!(status, 401);
    let (_, again) = editor.post(&format!("/api/projects/{mine}/keys/{viewer_id}/revoke"), json!({})).await?;
    assert_eq!(again["key"]["revokedAt"], revoked["key"]["revokedAt"]);
    let (status, _) = editor.post(&format!("/api/projects/{mine}/keys/{}/revoke", "0".repeat(64)), json!({})).await?;
    assert_eq!(status, 404);
    let (status, _) = editor.post(&format!("/api/projects/{mine}/keys/../revoke"), json!({})).await?;
    assert!(status == 400 || status == 404, "{status}");
    let (status, _) = editor.post(&format!("/api/projects/{mine}/keys/{}/revoke", "Z".repeat(64)), json!({})).await?;
    assert_eq!(status, 400);

    // A studio viewer joins as a member: it then sees the project and still cannot approve.
    let colleague = owner.as_token(&stack.token("viewer").await?);
    let (_, none) = colleague.get("/api/projects").await?;
    assert_eq!(ids(&none), Vec::<String>::new());
    let colleague_id = token_id(&colleague).await;
    let (status, joined) = editor.post(&format!("/api/projects/{mine}/members"), json!({"tokenId": colleague_id, "role": "viewer"})).await?;
    assert_eq!(status, 201, "{joined}");
    let (_, listed) = colleague.get("/api/projects").await?;
    assert_eq!(ids(&listed), [mine.clone()]);
    let (status, _) = colleague.post(&format!("/api/shots/{shot}/approve"), json!({})).await?;
    assert_eq!(status, 403);
    let integration_id = token_id(&integration).await;
    let (status, body) = editor.post(&format!("/api/projects/{mine}/members"), json!({"tokenId": integration_id, "role": "owner"})).await?;
    assert_eq!(status, 409, "a project key joins no project: {body}");
    let (status, members) = colleague.get(&format!("/api/projects/{mine}/members")).await?;
    assert_eq!((status, members["members"].as_array().unwrap().len()), (200, 2), "creator and colleague: {members}");
    Ok(())
}
