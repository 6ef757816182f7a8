//! The fal key never leaks. With `FAL_KEY` set to a fresh secret in every Miri process's
//! environment and logging as loud as it goes, a shot is walked to COMPLETED and rendered; then
//! every REST answer (headers and body), every Socket.IO event, every message published on Redis,
//! every file the stack wrote (logs, the SQLite store and its WAL, media, renders, Temporal's
//! database, the simulator's records) and every file of the web app the gateway serves is
//! searched, as raw bytes, for the secret.
//!
//! So that the test cannot pass because the key was never used, the worker reaches the simulator
//! through a recording proxy in this process, and the proxy must have carried
//! `Authorization: Key <secret>` on the paid submissions.

use miri_testkit::{Stack, StackOptions, probe};
use serde_json::{Value, json};
use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

const LONG: Duration = Duration::from_secs(120);

/// Bytes seen somewhere, named by where they were seen.
type Seen = Vec<(String, Vec<u8>)>;

/// Every place in `seen` where `needle` occurs, with a little context around the first hit.
fn occurrences(seen: &Seen, needle: &[u8]) -> Vec<String> {
    seen.iter()
        .filter_map(|(place, bytes)| {
            let at = bytes.windows(needle.len()).position(|w| w == needle)?;
            let context = &bytes[at.saturating_sub(120)..(at + needle.len() + 120).min(bytes.len())];
            Some(format!("{place}: …{}…", String::from_utf8_lossy(context)))
        })
        .collect()
}

/// Every regular file under `dir`, recursively, as (path, bytes).
fn files_under(dir: &Path) -> Seen {
    let mut out = Seen::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => todo.push(path),
                Ok(t) if t.is_file() => {
                    if let Ok(bytes) = std::fs::read(&path) {
                        out.push((path.display().to_string(), bytes));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// A TCP proxy on loopback that forwards every connection to the upstream set later (the
/// simulator's address, known only once the stack runs) and records what clients sent.
struct RecordingProxy {
    url: String,
    upstream: Arc<OnceLock<String>>,
    sent: Arc<Mutex<Vec<u8>>>,
}

impl RecordingProxy {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream: Arc<OnceLock<String>> = Arc::default();
        let sent: Arc<Mutex<Vec<u8>>> = Arc::default();
        let (up, rec) = (upstream.clone(), sent.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Some(address) = up.get().cloned() else { continue };
                let rec = rec.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&address).await else { return };
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    tokio::join!(pump(client_read, server_write, Some(rec)), pump(server_read, client_write, None));
                });
            }
        });
        Self { url, upstream, sent }
    }

    fn forward_to(&self, base_url: &str) {
        let address = base_url.trim_start_matches("http://").trim_end_matches('/').to_string();
        self.upstream.set(address).expect("the upstream is set once");
    }

    fn sent(&self) -> Vec<u8> {
        self.sent.lock().unwrap().clone()
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    record: Option<Arc<Mutex<Vec<u8>>>>,
) {
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some(r) = &record {
            r.lock().unwrap().extend_from_slice(&buf[..n]);
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// Subscribes to every Redis channel (`PSUBSCRIBE *`) and records the raw replies: whatever the
/// worker publishes for gateways (events, health) passes through here.
async fn tap_redis() -> Arc<Mutex<Vec<u8>>> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let address = url.trim_start_matches("redis://").trim_end_matches('/').to_string();
    let mut conn = TcpStream::connect(&address).await.unwrap_or_else(|e| panic!("Redis at {address}: {e}"));
    conn.write_all(b"PSUBSCRIBE *\r\n").await.unwrap();
    let got: Arc<Mutex<Vec<u8>>> = Arc::default();
    let mut buf = vec![0; 64 * 1024];
    // Wait for the subscription to be confirmed, so nothing published later is missed.
    while !got.lock().unwrap().windows(10).any(|w| w == b"psubscribe") {
        let n = conn.read(&mut buf).await.unwrap();
        assert!(n > 0, "Redis closed the subscription");
        got.lock().unwrap().extend_from_slice(&buf[..n]);
    }
    let rec = got.clone();
    tokio::spawn(async move {
        while let Ok(n) = conn.read(&mut buf).await {
            if n == 0 {
                break;
            }
            rec.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    got
}

/// `GET path` with the token; records status, headers and body, and returns the body as JSON.
async fn read(stack: &Stack, seen: &mut Seen, path: &str) -> Value {
    let resp = stack.rest.get(format!("{}{path}", stack.http)).bearer_auth(&stack.token).send().await.unwrap();
    let mut raw = format!("HTTP {}\n", resp.status()).into_bytes();
    for (name, value) in resp.headers() {
        raw.extend_from_slice(format!("{name}: ").as_bytes());
        raw.extend_from_slice(value.as_bytes());
        raw.push(b'\n');
    }
    let body = resp.bytes().await.unwrap();
    raw.extend_from_slice(&body);
    seen.push((format!("GET {path}"), raw));
    serde_json::from_slice(&body).unwrap_or(Value::Null)
}

async fn send(stack: &Stack, seen: &mut Seen, path: &str, body: Value) -> (u16, Value) {
    let (status, answer) = stack.post(path, body).await.unwrap();
    seen.push((format!("POST {path}"), serde_json::to_vec(&answer).unwrap()));
    (status, answer)
}

/// Records every Socket.IO event until `shot` reports `status`.
async fn events_until(watch: &mut miri_testkit::Watch, seen: &mut Seen, shot: &str, status: &str) {
    let deadline = tokio::time::Instant::now() + LONG;
    loop {
        let (_, event) = tokio::time::timeout_at(deadline, watch.events.recv())
            .await
            .unwrap_or_else(|_| panic!("no SHOT_UPDATED {status} for {shot} within {LONG:?}"))
            .expect("the socket closed");
        seen.push((format!("Socket.IO event {event}"), serde_json::to_vec(&event).unwrap()));
        if event["shotId"] == shot && event["status"] == status {
            return;
        }
    }
}

/// The web app the stack's gateway serves (the testkit passes `web/dist` of this checkout).
fn web_dist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_key_set_the_key_appears_in_no_response_log_event_or_file() {
    let secret = format!("fal-key-{}", uuid::Uuid::new_v4().simple());
    let proxy = RecordingProxy::start().await;
    let redis = tap_redis().await;
    let loud = "trace".to_string();
    let env = vec![("FAL_KEY".to_string(), secret.clone()), ("RUST_LOG".to_string(), loud)];
    let stack = Stack::start(StackOptions {
        env,
        fal_url: Some(proxy.url.clone()),
        // The worker's queue URLs point at the simulator itself, which the client refuses to send
        // the key to when its base is the proxy: let the webhooks, not polling, move the shot.
        poll_every_secs: 3600,
        ..Default::default()
    })
    .await
    .unwrap();
    proxy.forward_to(&stack.sim);
    let mut seen = Seen::new();

    let project = stack.create_project("סוד").await.unwrap();
    // One shot over the whole song, so the project can be rendered too.
    let (song_secs, _) = probe(&stack.scratch.join("song.mp3")).await.unwrap();
    let shot = stack.create_shot(&project, 0, (song_secs * 1000.0).round() as u64).await.unwrap();
    let mut watch = stack.watch(&project).await.unwrap();
    let (status, body) = send(&stack, &mut seen, "/api/shots/generate", json!({"shotId": shot})).await;
    assert_eq!(status, 202, "{body}");
    events_until(&mut watch, &mut seen, &shot, "AWAITING_APPROVAL").await;
    let (status, body) = send(&stack, &mut seen, &format!("/api/shots/{shot}/approve"), json!({})).await;
    assert_eq!(status, 202, "{body}");
    events_until(&mut watch, &mut seen, &shot, "COMPLETED").await;

    let (status, body) = send(&stack, &mut seen, &format!("/api/projects/{project}/renders"), json!({})).await;
    assert_eq!(status, 202, "{body}");
    let render_id = body["renderId"].as_str().unwrap().to_string();
    let deadline = tokio::time::Instant::now() + LONG;
    let render = loop {
        let render = read(&stack, &mut seen, &format!("/api/renders/{render_id}")).await;
        // A just-started render may not be listed yet (404): keep asking.
        if render["status"] != "running" && !render["status"].is_null() {
            break render;
        }
        assert!(tokio::time::Instant::now() < deadline, "the render did not finish within {LONG:?}: {render}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(render["status"], "completed", "{render}");

    for path in [
        "/healthz".to_string(),
        "/".to_string(),
        "/api/projects".to_string(),
        format!("/api/projects/{project}/shots"),
        format!("/api/projects/{project}/budget"),
        format!("/api/shots/{shot}"),
        "/api/providers/health".to_string(),
        "/metrics".to_string(),
    ] {
        read(&stack, &mut seen, &path).await;
    }
    let versions = read(&stack, &mut seen, &format!("/api/shots/{shot}/versions")).await;
    let mut media: Vec<String> =
        versions.as_array().unwrap().iter().filter_map(|v| v["mediaUrl"].as_str().map(str::to_string)).collect();
    media.extend(render["mediaUrl"].as_str().map(str::to_string));
    assert_eq!(media.len(), 3, "a still, a clip and the render: {versions} {render}");
    for url in &media {
        read(&stack, &mut seen, url).await;
    }
    // Breaker health is reported every 2 s: let at least one report follow the paid calls.
    tokio::time::sleep(Duration::from_secs(3)).await;
    read(&stack, &mut seen, "/api/providers/health").await;
    while let Ok((_, event)) = watch.events.try_recv() {
        seen.push((format!("Socket.IO event {event}"), serde_json::to_vec(&event).unwrap()));
    }
    seen.push(("Redis messages (PSUBSCRIBE *)".into(), redis.lock().unwrap().clone()));

    // The key was really used: it reached the provider on both paid submissions.
    let sent = proxy.sent();
    let header = format!("Key {secret}");
    let carried = sent.windows(header.len()).filter(|w| *w == header.as_bytes()).count();
    let stats = stack.sim_stats().await.unwrap();
    assert_eq!(stats["submissions"].as_array().unwrap().len(), 2, "a still and a clip were paid for: {stats}");
    assert!(carried >= 2, "the provider saw the key on {carried} requests, not on both submissions");
    assert_eq!(
        occurrences(&vec![("the proxy".into(), sent)], secret.as_bytes()).len(),
        1,
        "the search finds the key where it is"
    );

    let worker_log = stack.log("worker");
    assert!(worker_log.contains("TRACE") && worker_log.contains("DEBUG"), "the worker logged at trace level");
    assert!(stack.log("gateway").contains("TRACE"), "the gateway logged at trace level");

    let files = files_under(stack.dir.path());
    for must in ["worker.log", "gateway.log", "sim.log", "temporal.db", "miri.db"] {
        assert!(files.iter().any(|(p, _)| p.ends_with(must)), "{must} is among the files searched");
    }
    assert!(files.iter().any(|(p, _)| p.contains("/media/")), "the media dir is among the files searched");
    seen.extend(files);
    let dist = files_under(&web_dist());
    assert!(dist.iter().any(|(p, _)| p.ends_with("index.html")), "the web app is built at {}", web_dist().display());
    seen.extend(dist);

    let leaks = occurrences(&seen, secret.as_bytes());
    assert!(leaks.is_empty(), "the fal key leaked into {} of {} places:\n{}", leaks.len(), seen.len(), leaks.join("\n"));
}

#[test]
fn the_search_finds_a_key_in_any_file_under_a_dir() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("media/sha256");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(dir.path().join("clean.log"), "nothing to see").unwrap();
    let mut blob = vec![0u8, 159, 146, 150];
    blob.extend_from_slice(b"FalClient { key: \"fal-key-0123\" }");
    blob.extend_from_slice(&[255, 0]);
    std::fs::write(nested.join("blob.bin"), blob).unwrap();
    let found = occurrences(&files_under(dir.path()), b"fal-key-0123");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("blob.bin"), "{found:?}");
}
