//! `miri up` as a director runs it: one process with its own Temporal dev server, simulator,
//! gateway and worker; Ctrl-C stops all of it; the next `up` on the same data dir resumes the
//! shot that was waiting for approval.

use miri_testkit::{ctrl_c, free_port, spawn_up, up_api};
use serde_json::json;
use std::{path::Path, time::Duration};
use tokio::process::Child;

fn up(dir: &Path, ports: (u16, u16, u16), channel: &str) -> Child {
    spawn_up(dir, ports, channel, &[]).unwrap()
}


#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_stops_on_ctrl_c_and_the_next_up_resumes_the_shot() {
    let dir = tempfile::tempdir().unwrap();
    let ports = (free_port(), free_port(), free_port());
    let channel = format!("miri:test-up:{}", ports.1);
    let log = || std::fs::read_to_string(dir.path().join("up.log")).unwrap_or_default();

    let first = up(dir.path(), ports, &channel);
    let api = up_api(dir.path(), ports.1).await.unwrap();
    let token_file = dir.path().join("data/owner.token");
    assert!(log().contains("Temporal UI:  http://127.0.0.1:"), "{}", log());

    let project = api.create_project("up").await.unwrap();
    let shot = api.create_shot(&project, 0, 3000).await.unwrap();
    let (status, _) = api.post("/api/shots/generate", json!({"shotId": shot})).await.unwrap();
    assert_eq!(status, 202);
    api.wait_status(&shot, "AWAITING_APPROVAL", Duration::from_secs(90)).await.unwrap();

    let exit = ctrl_c(first).await;
    assert!(exit.success(), "Ctrl-C is a clean stop: {exit}; log:\n{}", log());
    assert!(log().contains("Miri stopped."));
    let temporal = format!("127.0.0.1:{}", ports.0);
    assert!(tokio::net::TcpStream::connect(&temporal).await.is_err(), "the dev server it started is stopped");

    let second = up(dir.path(), ports, &channel);
    assert!(api.healthy_within(Duration::from_secs(120)).await, "second up never served; log:\n{}", log());
    assert_eq!(std::fs::read_to_string(&token_file).unwrap().trim(), api.token, "the owner token is kept");
    let (status, body) = api.post(&format!("/api/shots/{shot}/approve"), json!({})).await.unwrap();
    assert_eq!(status, 202, "{body}");
    api.wait_status(&shot, "COMPLETED", Duration::from_secs(90)).await.unwrap();
    assert!(ctrl_c(second).await.success());
}
