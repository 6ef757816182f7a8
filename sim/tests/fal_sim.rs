//! The simulator end to end on 127.0.0.1, driven by our own fal client and checked with real
//! decoders: signed webhooks, a decodable PNG, an MP4 of the requested length (ffprobe), fal's
//! error answers, held webhooks, cancellation, and surviving a restart.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use miri_providers::error::ProviderError;
use miri_providers::fal::webhook::{WebhookBody, WebhookStatus, WebhookVerifier};
use miri_providers::fal::{FalClient, QueueStatus, QueueSubmission};
use miri_sim::{Faults, SimConfig, SimError, WebhookMode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use url::Url;

const FLUX: &str = "fal-ai/flux-2";
const KLING: &str = "fal-ai/kling-video/v3/pro/image-to-video";
const WAIT: Duration = Duration::from_secs(90);

struct RunningSim {
    base: Url,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), SimError>>,
}

impl RunningSim {
    /// Starts a simulator on `port` (0 for any free one).
    async fn start(data_dir: &Path, webhooks: WebhookMode, latency: Duration, port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let base = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let config = SimConfig {
            data_dir: data_dir.to_owned(),
            public_url: base.clone(),
            still_latency: latency,
            clip_latency: latency,
            webhooks,
            faults: Faults::default(),
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(miri_sim::serve(config, listener, async {
            stopped.await.ok();
        }));
        Self { base, stop, task }
    }

    async fn shut_down(self) -> u16 {
        let port = self.base.port().unwrap();
        self.stop.send(()).unwrap();
        self.task.await.unwrap().unwrap();
        port
    }

    fn client(&self) -> FalClient {
        FalClient::new(self.base.clone(), "sim-key".into(), Duration::from_secs(30)).unwrap()
    }

    fn url(&self, path: &str) -> String {
        self.base.join(path).unwrap().to_string()
    }

    async fn verifier(&self) -> WebhookVerifier {
        WebhookVerifier::fetch(&self.url("/.well-known/jwks.json"))
            .await
            .unwrap()
    }

    async fn stats(&self) -> Value {
        reqwest::get(self.url("/_sim/stats"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// A webhook endpoint that records every call and refuses the first `refuse_first` with a 500.
struct Receiver {
    url: String,
    calls: mpsc::UnboundedReceiver<(HeaderMap, Bytes)>,
}

impl Receiver {
    async fn start(refuse_first: usize) -> Self {
        let (record, calls) = mpsc::unbounded_channel();
        let seen = Arc::new(AtomicUsize::new(0));
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let record = record.clone();
                let seen = seen.clone();
                async move {
                    record.send((headers, body)).unwrap();
                    if seen.fetch_add(1, Ordering::SeqCst) < refuse_first {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::OK
                    }
                }
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook?shot=7", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, calls }
    }

    async fn next(&mut self) -> (HeaderMap, Bytes) {
        tokio::time::timeout(WAIT, self.calls.recv())
            .await
            .expect("no webhook arrived in time")
            .unwrap()
    }

    async fn assert_quiet_for(&mut self, period: Duration) {
        if let Ok(call) = tokio::time::timeout(period, self.calls.recv()).await {
            panic!("unexpected webhook: {call:?}");
        }
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn wait_until_completed(client: &FalClient, submission: &QueueSubmission) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while client.status(&submission.status_url).await.unwrap() != QueueStatus::Completed {
        assert!(
            tokio::time::Instant::now() < deadline,
            "request never completed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Receives the next webhook, checks its signature against the simulator's JWKS, and parses it.
async fn verified_callback(sim: &RunningSim, receiver: &mut Receiver) -> WebhookBody {
    let (headers, body) = receiver.next().await;
    sim.verifier()
        .await
        .verify(&headers, &body, unix_now())
        .unwrap();
    assert_eq!(headers["x-fal-webhook-user-id"], miri_sim::USER_ID);
    WebhookBody::parse(&body).unwrap()
}

async fn download(url: &str, to: &Path) -> Vec<u8> {
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let bytes = response.bytes().await.unwrap().to_vec();
    std::fs::write(to, &bytes).unwrap();
    bytes
}

fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(bytes).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

fn ffprobe(path: &Path) -> Value {
    let output = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-show_entries"])
        .arg("format=duration:stream=codec_name,pix_fmt,width,height,r_frame_rate")
        .args(["-of", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn still_then_clip_with_signed_webhooks() {
    let data = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let sim = RunningSim::start(
        data.path(),
        WebhookMode::Auto,
        Duration::from_millis(200),
        0,
    )
    .await;
    let client = sim.client();
    let mut receiver = Receiver::start(0).await;

    // FLUX.2: the webhook is signed, and the PNG carries the prompt's palette at 1024x576.
    let still = client
        .submit(
            FLUX,
            &json!({"prompt": "rooftop, palette #C4725A #1B6B6F", "seed": 42}),
            Some(&receiver.url),
        )
        .await
        .unwrap();
    let callback = verified_callback(&sim, &mut receiver).await;
    assert_eq!(callback.request_id, still.request_id);
    assert_eq!(callback.status, WebhookStatus::Ok);
    let output = callback.payload.unwrap();
    assert_eq!(
        client.status(&still.status_url).await.unwrap(),
        QueueStatus::Completed
    );
    assert_eq!(client.result(&still.response_url).await.unwrap(), output);
    assert_eq!(output["seed"], 42);
    assert_eq!(output["images"][0]["content_type"], "image/png");

    let image_url = output["images"][0]["url"].as_str().unwrap().to_owned();
    let png_bytes = download(&image_url, &scratch.path().join("still.png")).await;
    assert_eq!(output["images"][0]["file_size"], png_bytes.len());
    let (width, height, pixels) = decode_png(&png_bytes);
    assert_eq!((width, height), (1024, 576));
    assert!(pixels.chunks(3).any(|p| p == [0xC4, 0x72, 0x5A]));
    assert!(pixels.chunks(3).any(|p| p == [0x1B, 0x6B, 0x6F]));

    // Kling: that PNG as the start frame, crossfading to a second still, exactly 3 s long.
    let end = client
        .submit(
            FLUX,
            &json!({"prompt": "ending in #F2E8CF"}),
            Some(&receiver.url),
        )
        .await
        .unwrap();
    let end_output = verified_callback(&sim, &mut receiver)
        .await
        .payload
        .unwrap();
    assert_eq!(client.result(&end.response_url).await.unwrap(), end_output);

    let clip = client
        .submit(
            KLING,
            &json!({
                "prompt": "slow push-in",
                "start_image_url": image_url,
                "end_image_url": end_output["images"][0]["url"],
                "duration": "3",
                "generate_audio": false,
            }),
            Some(&receiver.url),
        )
        .await
        .unwrap();
    assert!(clip.status_url.ends_with(&format!(
        "/fal-ai/kling-video/requests/{}/status",
        clip.request_id
    )));
    let callback = verified_callback(&sim, &mut receiver).await;
    assert_eq!(callback.status, WebhookStatus::Ok, "{callback:?}");
    let video = &callback.payload.unwrap()["video"];
    assert_eq!(video["content_type"], "video/mp4");
    let mp4 = scratch.path().join("clip.mp4");
    download(video["url"].as_str().unwrap(), &mp4).await;

    let probe = ffprobe(&mp4);
    let duration: f64 = probe["format"]["duration"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((duration - 3.0).abs() <= 0.05, "clip lasts {duration} s");
    let stream = &probe["streams"][0];
    assert_eq!(stream["codec_name"], "h264");
    assert_eq!(stream["pix_fmt"], "yuv420p");
    assert_eq!(stream["r_frame_rate"], "24/1");
    assert_eq!(
        (stream["width"].as_u64(), stream["height"].as_u64()),
        (Some(1024), Some(576))
    );

    let stats = sim.stats().await;
    assert_eq!(stats["submissions"].as_array().unwrap().len(), 3);
    assert_eq!(stats["submissions"][2]["endpoint"], KLING);
    assert_eq!(stats["submissions"][2]["webhook"], receiver.url.as_str());
    assert_eq!(stats["webhooksDelivered"], 3);
    sim.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_and_auth_errors_answer_like_fal() {
    let data = tempfile::tempdir().unwrap();
    let sim = RunningSim::start(data.path(), WebhookMode::Auto, Duration::ZERO, 0).await;
    let client = sim.client();

    let err = client
        .submit(
            KLING,
            &json!({"prompt": "p", "start_image_url": "http://127.0.0.1:9/x.png", "duration": 5}),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Rejected { status: 422, message } if message.contains("body.duration")),
        "{err:?}"
    );

    let http = reqwest::Client::new();
    let raw = http
        .post(sim.url(&format!("/{KLING}")))
        .header("authorization", "Key k")
        .json(&json!({"prompt": "p", "image_url": "http://127.0.0.1:9/x.png", "duration": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 422);
    let body: Value = raw.json().await.unwrap();
    assert_eq!(body["detail"][0]["loc"], json!(["body", "duration"]));
    assert_eq!(body["detail"][0]["type"], "string_type");

    for authorization in [None, Some("Bearer k"), Some("Key ")] {
        let mut request = http
            .post(sim.url(&format!("/{FLUX}")))
            .json(&json!({"prompt": "p"}));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{authorization:?}");
        let body: Value = response.json().await.unwrap();
        assert!(body["detail"].as_str().unwrap().contains("Key"));
    }

    let not_json = http
        .post(sim.url("/fal-ai/flux-2/edit"))
        .header("authorization", "Key k")
        .body("prompt=p")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);

    let unknown = client
        .submit("fal-ai/sora", &json!({"prompt": "p"}), None)
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, ProviderError::Rejected { status: 404, .. }),
        "{unknown:?}"
    );
    assert_eq!(sim.stats().await["submissions"], json!([]));
    sim.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_clip_reports_error_by_webhook_and_result() {
    let data = tempfile::tempdir().unwrap();
    let sim = RunningSim::start(data.path(), WebhookMode::Auto, Duration::ZERO, 0).await;
    let client = sim.client();
    let mut receiver = Receiver::start(0).await;

    let missing_image = sim.url("/files/nowhere.png");
    let clip = client
        .submit(
            KLING,
            &json!({"prompt": "p", "start_image_url": missing_image, "duration": "3"}),
            Some(&receiver.url),
        )
        .await
        .unwrap();
    let callback = verified_callback(&sim, &mut receiver).await;
    assert_eq!(callback.status, WebhookStatus::Error);
    assert_eq!(callback.error.as_deref(), Some("Invalid status code: 422"));
    assert_eq!(
        callback.payload.unwrap()["detail"][0]["loc"],
        json!(["body", "start_image_url"])
    );

    let err = client.result(&clip.response_url).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Rejected { status: 422, message } if message.contains("Could not download")),
        "{err:?}"
    );
    sim.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_webhooks_are_retried() {
    let data = tempfile::tempdir().unwrap();
    let sim = RunningSim::start(data.path(), WebhookMode::Auto, Duration::ZERO, 0).await;
    let mut receiver = Receiver::start(2).await;
    let still = sim
        .client()
        .submit(FLUX, &json!({"prompt": "p"}), Some(&receiver.url))
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            verified_callback(&sim, &mut receiver).await.request_id,
            still.request_id
        );
    }
    receiver.assert_quiet_for(Duration::from_millis(1500)).await;
    assert_eq!(sim.stats().await["webhooksDelivered"], 1);
    sim.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_webhook_is_sent_on_demand() {
    let data = tempfile::tempdir().unwrap();
    let sim = RunningSim::start(data.path(), WebhookMode::Hold, Duration::ZERO, 0).await;
    let client = sim.client();
    let mut receiver = Receiver::start(0).await;

    let still = client
        .submit(FLUX, &json!({"prompt": "held"}), Some(&receiver.url))
        .await
        .unwrap();
    wait_until_completed(&client, &still).await;
    receiver.assert_quiet_for(Duration::from_millis(500)).await;

    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let answer: Value = reqwest::Client::new()
        .post(sim.url(&format!("/_sim/requests/{}/deliver", still.request_id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let after = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    assert_eq!(answer["status"], 200);
    let sent_at = answer["sentAtUnixNs"].as_u64().unwrap();
    assert!(
        before <= sent_at && sent_at <= after,
        "{before} <= {sent_at} <= {after}"
    );

    let callback = verified_callback(&sim, &mut receiver).await;
    assert_eq!(callback.request_id, still.request_id);
    assert_eq!(
        Some(callback.payload.unwrap()),
        Some(client.result(&still.response_url).await.unwrap())
    );
    assert_eq!(sim.stats().await["webhooksDelivered"], 1);
    sim.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_request_sends_no_webhook() {
    let data = tempfile::tempdir().unwrap();
    let sim = RunningSim::start(data.path(), WebhookMode::Auto, Duration::from_secs(3), 0).await;
    let client = sim.client();
    let mut receiver = Receiver::start(0).await;

    let still = client
        .submit(FLUX, &json!({"prompt": "never"}), Some(&receiver.url))
        .await
        .unwrap();
    assert_eq!(
        client.status(&still.status_url).await.unwrap(),
        QueueStatus::InQueue { position: Some(0) }
    );
    client.cancel(&still.cancel_url).await.unwrap();
    receiver.assert_quiet_for(Duration::from_millis(3500)).await;

    assert_eq!(
        client.status(&still.status_url).await.unwrap(),
        QueueStatus::Completed
    );
    assert!(matches!(
        client.result(&still.response_url).await,
        Err(ProviderError::Rejected { status: 400, .. })
    ));
    let again = client.cancel(&still.cancel_url).await.unwrap_err();
    assert!(
        matches!(again, ProviderError::Rejected { status: 400, .. }),
        "{again:?}"
    );
    sim.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_sim_keeps_requests_key_and_unfinished_work() {
    let data = tempfile::tempdir().unwrap();
    let first = RunningSim::start(data.path(), WebhookMode::Auto, Duration::ZERO, 0).await;
    let client = first.client();
    let done = client
        .submit(FLUX, &json!({"prompt": "kept"}), None)
        .await
        .unwrap();
    wait_until_completed(&client, &done).await;
    let output = client.result(&done.response_url).await.unwrap();
    let jwks: Value = reqwest::get(first.url("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let port = first.shut_down().await;

    // Same port: stored URLs stay valid, as they do for a sim restarted in place.
    let slow = RunningSim::start(
        data.path(),
        WebhookMode::Auto,
        Duration::from_secs(30),
        port,
    )
    .await;
    let client = slow.client();
    assert_eq!(
        client.status(&done.status_url).await.unwrap(),
        QueueStatus::Completed
    );
    assert_eq!(client.result(&done.response_url).await.unwrap(), output);
    let image_url = output["images"][0]["url"].as_str().unwrap();
    assert_eq!(reqwest::get(image_url).await.unwrap().status(), 200);
    let jwks_again: Value = reqwest::get(slow.url("/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks_again, jwks);

    let pending = client
        .submit(FLUX, &json!({"prompt": "interrupted"}), None)
        .await
        .unwrap();
    slow.shut_down().await;

    let fast = RunningSim::start(data.path(), WebhookMode::Auto, Duration::ZERO, port).await;
    wait_until_completed(&fast.client(), &pending).await;
    let resumed = fast.client().result(&pending.response_url).await.unwrap();
    assert_eq!(resumed["prompt"], "interrupted");
    assert_eq!(
        fast.stats().await["submissions"].as_array().unwrap().len(),
        2
    );
    fast.shut_down().await;
}
