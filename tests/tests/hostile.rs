//! Hostile input against a running `miri up` (issue 9 item 4): an upload over `--max-upload-mb`,
//! bodies that are huge or nested past reason, path traversal in media keys and file names, and
//! Unicode that is invisible, bidirectional or astral. Each gets a clear 4xx that names the
//! problem, and a refused request leaves no record.

use miri_testkit::{Api, free_port, spawn_up, up_api};
use serde_json::{Value, json};

async fn upload(stack: &Api, name: &str, file_name: &str, song: Vec<u8>) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .text("name", name.to_string())
        .part("song", reqwest::multipart::Part::bytes(song).file_name(file_name.to_string()));
    let resp = stack.rest.post(format!("{}/api/projects", stack.http)).bearer_auth(&stack.token).multipart(form).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn raw_post(stack: &Api, path: &str, body: String) -> (u16, Value) {
    let resp = stack
        .rest
        .post(format!("{}{path}", stack.http))
        .bearer_auth(&stack.token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_named_refusals_and_leave_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let ports = (free_port(), free_port(), free_port());
    let up = spawn_up(dir.path(), ports, &format!("miri:test-hostile:{}", ports.1), &[("MIRI_MAX_UPLOAD_MB", "1")]).unwrap();
    let stack = up_api(dir.path(), ports.1).await.unwrap();
    let project = stack.create_project("עוין").await.unwrap();
    let song = std::fs::read(stack.scratch.join("song.mp3")).unwrap();

    // Over the upload limit: 413 naming the limit, and no project.
    let mut big = song.clone();
    big.resize(1_600_000, 0);
    let (status, body) = upload(&stack, "too big", "song.mp3", big).await;
    assert_eq!(status, 413, "{body}");
    assert!(message(&body).contains("limit"), "{body}");

    // A file name that climbs out of the media dir is only a name: the song is stored by its hash.
    let (status, body) = upload(&stack, "climber", "../../../../etc/passwd.mp3", song.clone()).await;
    assert_eq!(status, 201, "{body}");
    let climber = body["projectId"].as_str().unwrap().to_string();
    let (_, shown) = stack.get("/api/projects").await.unwrap();
    let listed = shown.as_array().unwrap().iter().find(|p| p["projectId"] == climber.as_str()).unwrap().clone();
    assert!(listed["songUrl"].as_str().unwrap().starts_with("/api/media/sha256/"), "{listed}");
    assert!(!dir.path().parent().unwrap().join("etc/passwd.mp3").exists());

    // Media keys that traverse are refused; none reads a file outside the media store, and an
    // unknown API path is a JSON 404, not the web app.
    let resp = stack.rest.get(format!("{}/api/miri.db", stack.http)).bearer_auth(&stack.token).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert!(resp.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("no API route"));
    for key in ["../miri.db", "..%2F..%2Fmiri.db", "sha256/..%2F..%2Fmiri.db", "%2e%2e/%2e%2e/etc/passwd", "sha256/%00.png"] {
        let resp = stack.rest.get(format!("{}/api/media/{key}", stack.http)).bearer_auth(&stack.token).send().await.unwrap();
        let status = resp.status().as_u16();
        let html = resp.headers().get("content-type").is_some_and(|v| v.to_str().unwrap_or_default().starts_with("text/html"));
        let bytes = resp.bytes().await.unwrap();
        // A client that resolves the dots itself asks for another path, which is the web app.
        assert!(matches!(status, 400 | 404) || (status == 200 && html), "{key}: {status}");
        assert!(!bytes.starts_with(b"SQLite format") && !bytes.windows(5).any(|w| w == b"root:"), "{key} leaked a file");
    }

    // JSON: huge bodies 413, deep nesting 400, neither stores anything.
    let shots = format!("/api/projects/{project}/shots");
    let huge = json!({"startMs": 0, "endMs": 1000, "description": "x".repeat(2 * 1024 * 1024)}).to_string();
    let (status, body) = raw_post(&stack, &shots, huge).await;
    assert_eq!(status, 413, "{body}");
    assert!(message(&body).contains("the limit is 1048576 bytes"), "{body}");
    let deep = format!("{{\"startMs\": 0, \"endMs\": 1000, \"description\": \"x\", \"motion\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let (status, body) = raw_post(&stack, &shots, deep).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = raw_post(&stack, &shots, "{\"startMs\": 0, \"endMs\": 1000, \"description\": \"x\", \"startMs\": 5}".into()).await;
    assert_eq!(status, 400, "a duplicated field is refused: {body}");
    let (_, listed) = stack.get(&shots).await.unwrap();
    assert_eq!(listed, json!([]), "no shot from any refused request");

    // Unicode: RTL marks, emoji and combining marks are kept exactly; text made only of
    // invisible characters is blank.
    let title = "\u{202B}שוט 🌙 עם נִקּוּד\u{202C}";
    let (status, body) = stack
        .post(&format!("/api/projects/{project}/conversations"), json!({"topic": "general", "title": title}))
        .await
        .unwrap();
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["title"], title);
    for invisible in ["\u{200B}\u{200B}", "\u{200F}\u{200E}", "\u{FEFF} \u{2060}"] {
        let (status, body) = stack
            .post(&format!("/api/projects/{project}/conversations"), json!({"topic": "general", "title": invisible}))
            .await
            .unwrap();
        assert_eq!(status, 400, "{invisible:?} is no title: {body}");
        assert!(message(&body).contains("title"), "{body}");
        let (status, body) = stack.post(&shots, json!({"startMs": 0, "endMs": 1000, "description": invisible})).await.unwrap();
        assert_eq!(status, 400, "{invisible:?} is no description: {body}");
    }
    let (_, listed) = stack.get(&format!("/api/projects/{project}/conversations")).await.unwrap();
    assert_eq!(listed["conversations"].as_array().unwrap().len(), 1, "only the real title was stored: {listed}");
    let conversation = listed["conversations"][0]["conversationId"].as_str().unwrap();
    let (status, body) = stack.post(&format!("/api/conversations/{conversation}/messages"), json!({"content": "\u{200B}\u{FEFF}"})).await.unwrap();
    assert_eq!(status, 400, "an invisible message: {body}");
    let (_, said) = stack.get(&format!("/api/conversations/{conversation}/messages")).await.unwrap();
    assert_eq!(said["messages"], json!([]));
    let (status, body) = upload(&stack, "\u{200E}\u{200B}", "song.mp3", song.clone()).await;
    assert_eq!(status, 400, "an invisible project name: {body}");
    let (_, projects) = stack.get("/api/projects").await.unwrap();
    assert_eq!(projects.as_array().unwrap().len(), 2, "the first project and the climber, nothing refused: {projects}");
    assert!(miri_testkit::ctrl_c(up).await.success());
}
