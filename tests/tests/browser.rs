//! The web page in Debian's Chromium (playwright-core) against real processes: approve a shot
//! from the dashboard and see COMPLETED arrive live, approve another from a general chat's tool
//! call, then make a review-copy animatic from the
//! render panel and play it beside its report; upload a song from the dashboard and see its
//! analysis table fill in, then hold the story interview from the chat panel. Writes
//! screenshots next to the test binary.

use miri_testkit::{Stack, StackOptions, miri_bin};
use serde_json::json;
use std::{path::Path, time::Duration};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_from_the_dashboard_shows_completed_live() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let project = stack.create_project("דפדפן").await.unwrap();
    let shot = stack.create_shot(&project, 0, 3000).await.unwrap();
    // Shot 2, approved from the chat after shot 1 from the dashboard; it ends before the 4 s
    // song does, so the render report still finds a gap after the shots.
    let second = stack.create_shot(&project, 3000, 3500).await.unwrap();
    for id in [&shot, &second] {
        stack.post("/api/shots/generate", json!({"shotId": id})).await.unwrap();
    }
    for id in [&shot, &second] {
        stack.wait_status(id, "AWAITING_APPROVAL", Duration::from_secs(90)).await.unwrap();
    }

    // A viewer key issued from the keys panel signs a browser in; its approve is refused.
    let screenshot = miri_bin().with_file_name("keys-panel.png");
    let out = e2e(&stack, "keys.e2e.mjs", &project, &screenshot, [("MIRI_SHOT", shot.clone())]).await;
    assert!(
        out.status.success(),
        "keys test failed:\n{}\n{}\ngateway log (tail):\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        tail(&stack.log("gateway")),
    );
    let (_, keys) = stack.get(&format!("/api/projects/{project}/keys")).await.unwrap();
    assert!(keys["keys"][0]["revokedAt"].is_string(), "revoked from the panel: {keys}");

    let screenshot = miri_bin().with_file_name("shots-page.png");
    let out = e2e(&stack, "shots.e2e.mjs", &project, &screenshot, [("MIRI_SHOT", shot.clone())]).await;
    let (_, now) = stack.get(&format!("/api/shots/{shot}")).await.unwrap();
    assert!(
        out.status.success(),
        "browser test failed:\n{}\n{}\nthe shot now: {now}\nworker log (tail):\n{}\ngateway log (tail):\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        tail(&stack.log("worker")),
        tail(&stack.log("gateway")),
    );
    assert_eq!(now["status"], "COMPLETED");
    assert!(std::fs::metadata(&screenshot).unwrap().len() > 0);

    let screenshot = miri_bin().with_file_name("chat-tools.png");
    let out = e2e(&stack, "chat-tools.e2e.mjs", &project, &screenshot, [("MIRI_SHOT", second.clone())]).await;
    let (_, now) = stack.get(&format!("/api/shots/{second}")).await.unwrap();
    assert!(
        out.status.success(),
        "chat tools test failed:\n{}\n{}\nshot 2 now: {now}\nworker log (tail):\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        tail(&stack.log("worker")),
    );
    assert_eq!(now["status"], "COMPLETED", "approved from the chat");

    let (song_secs, _) = miri_testkit::probe(&stack.scratch.join("song.mp3")).await.unwrap();
    let screenshot = miri_bin().with_file_name("render-panel.png");
    let out = e2e(&stack, "render.e2e.mjs", &project, &screenshot, [("MIRI_SONG_SECS", song_secs.to_string())]).await;
    assert!(
        out.status.success(),
        "render panel test failed:\n{}\n{}\nworker log (tail):\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        tail(&stack.log("worker")),
    );
    let (_, listed) = stack.get(&format!("/api/projects/{project}/renders")).await.unwrap();
    assert_eq!(listed["renders"][0]["overlay"], true, "{listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploading_a_song_from_the_dashboard_fills_its_analysis_table() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let song = stack.demo_song().unwrap();
    let lyrics = stack.scratch.join("lyrics.txt");
    std::fs::write(&lyrics, miri_demo::timing().timed_lyrics()).unwrap();
    let screenshot = miri_bin().with_file_name("upload-analysis.png");
    let more = [("MIRI_SONG", song.display().to_string()), ("MIRI_LYRICS", lyrics.display().to_string())];
    let out = e2e(&stack, "upload.e2e.mjs", "", &screenshot, more).await;
    assert!(
        out.status.success(),
        "upload test failed:\n{}\n{}\nworker log (tail):\n{}\ngateway log (tail):\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        tail(&stack.log("worker")),
        tail(&stack.log("gateway")),
    );
    let (_, projects) = stack.get("/api/projects").await.unwrap();
    assert_eq!(projects.as_array().map(Vec::len), Some(1), "one project made: {projects}");
    assert!(std::fs::metadata(&screenshot).unwrap().len() > 0);

    // The story interview on the analysed song, from the chat panel, in Hebrew.
    let project = projects[0]["projectId"].as_str().unwrap().to_string();
    let screenshot = miri_bin().with_file_name("chat.png");
    let out = e2e(&stack, "chat.e2e.mjs", &project, &screenshot, []).await;
    assert!(
        out.status.success(),
        "chat test failed:\n{}\n{}\nworker log (tail):\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        tail(&stack.log("worker")),
    );
    assert!(std::fs::metadata(&screenshot).unwrap().len() > 0);
}

/// Runs `web/e2e/{script}` in node against `stack`, on `project`, with `more` variables.
async fn e2e<const N: usize>(stack: &Stack, script: &str, project: &str, screenshot: &Path, more: [(&str, String); N]) -> std::process::Output {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
    tokio::process::Command::new("node")
        .arg(web.join("e2e").join(script))
        .current_dir(&web)
        .env("MIRI_URL", &stack.http)
        .env("MIRI_TOKEN", &stack.token)
        .env("MIRI_PROJECT", project)
        .env("MIRI_SCREENSHOT", screenshot)
        .envs(more)
        .output()
        .await
        .unwrap()
}

/// The last lines of a log, enough to see why a run stalled.
fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Most of a first load is the app's script: a browser that accepts gzip gets it compressed, and
/// it unpacks to the file the build wrote; one that does not gets it as it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboards_script_is_sent_compressed() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let index = stack.rest.get(&stack.http).send().await.unwrap().text().await.unwrap();
    let src = index.split("src=\"").nth(1).and_then(|s| s.split('"').next()).expect("index.html names its script");
    let built = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist").join(src.trim_start_matches('/'))).unwrap();
    let url = format!("{}{src}", stack.http);
    let gzipped = stack.rest.get(&url).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(gzipped.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"));
    let packed = gzipped.bytes().await.unwrap();
    assert!(packed.len() * 3 < built.len(), "{} bytes sent for {} built", packed.len(), built.len());
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&packed[..]), &mut unpacked).unwrap();
    assert_eq!(unpacked, built, "it unpacks to the built file");
    let plain = stack.rest.get(&url).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().len(), built.len());
}
