//! Split workers (issue 10's deployment): `--queues main` polls only the shots' queue and
//! `--queues render` only the renders', so production runs them as separate services. With the
//! main worker alone a shot reaches its still but a render waits untouched; a render worker
//! started later picks it up and finishes it.

use miri_testkit::{Stack, StackOptions};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_and_render_queues_run_in_separate_workers() -> anyhow::Result<()> {
    let env = vec![("MIRI_WORKER_QUEUES".to_string(), "main".to_string())];
    let stack = Stack::start(StackOptions { env, ..Default::default() }).await?;
    let project = stack.create_project("תורים").await?;
    let shot = stack.create_shot(&project, 0, 3000).await?;
    stack.post("/api/shots/generate", json!({"shotId": shot})).await?;
    stack.wait_status(&shot, "AWAITING_APPROVAL", Duration::from_secs(90)).await?;
    let log = stack.log("worker");
    let polling = log.lines().find(|l| l.contains("polling task queues")).unwrap_or_else(|| panic!("{log}"));
    assert!(!polling.contains("miri-render"), "the main worker polls only its queue: {polling}");

    let (status, started) = stack.post(&format!("/api/projects/{project}/renders"), json!({"mode": "animatic"})).await?;
    assert_eq!(status, 202, "{started}");
    let path = format!("/api/renders/{}", started["renderId"].as_str().unwrap());
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (status, waiting) = stack.get(&path).await?;
    assert!(status == 503 || waiting["status"] == "running", "no render worker yet: {status} {waiting}");
    assert!(waiting["status"] != "completed", "{waiting}");

    let _render = stack.spawn_worker("render-worker", &["--queues", "render"])?;
    // Until the render worker polls, the render's progress query has no one to answer it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while stack.get(&path).await?.0 == 503 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let done = stack.wait_finished(&path, Duration::from_secs(90)).await?;
    assert_eq!(done["status"], "completed", "{done}\n{}", stack.log("render-worker"));
    assert!(stack.log("render-worker").contains("polling task queues miri-render"), "{}", stack.log("render-worker"));
    Ok(())
}
