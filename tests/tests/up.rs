//! `miri up` as a director runs it: one process with its own Temporal dev server, simulator,
//! gateway and worker; Ctrl-C stops all of it; the next `up` on the same data dir resumes the
//! shot that was waiting for approval.

use miri_testkit::{Api, free_port, miri_bin, temporal_bin};
use serde_json::json;
use std::{path::Path, process::Stdio, time::Duration};
use tokio::process::{Child, Command};

fn up(dir: &Path, ports: (u16, u16, u16), channel: &str) -> Child {
    let (temporal, http, sim) = ports;
    let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("up.log")).unwrap();
    Command::new(miri_bin())
        .arg("up")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["--http-port", &http.to_string(), "--sim-port", &sim.to_string()])
        .args(["--temporal-address", &format!("127.0.0.1:{temporal}"), "--events-channel", channel])
        .arg("--web-dist")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist"))
        .env("MIRI_TEMPORAL_BIN", temporal_bin())
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

async fn ctrl_c(mut child: Child) -> std::process::ExitStatus {
    let pid = child.id().unwrap().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().await.unwrap().success());
    tokio::time::timeout(Duration::from_secs(30), child.wait()).await.expect("stops within 30 s").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_stops_on_ctrl_c_and_the_next_up_resumes_the_shot() {
    let dir = tempfile::tempdir().unwrap();
    let ports = (free_port(), free_port(), free_port());
    let channel = format!("miri:test-up:{}", ports.1);
    let log = || std::fs::read_to_string(dir.path().join("up.log")).unwrap_or_default();

    let first = up(dir.path(), ports, &channel);
    let mut api = Api {
        http: format!("http://127.0.0.1:{}", ports.1),
        token: String::new(),
        rest: reqwest::Client::new(),
        scratch: dir.path().to_path_buf(),
    };
    assert!(api.healthy_within(Duration::from_secs(120)).await, "miri up never served; log:\n{}", log());
    let token_file = dir.path().join("data/owner.token");
    api.token = std::fs::read_to_string(&token_file).unwrap().trim().to_string();
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
