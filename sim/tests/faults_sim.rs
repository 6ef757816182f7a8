//! Fault injection and paid-submission counts on the simulator over HTTP: 429s with Retry-After
//! and 5xx in each provider's own shape, seeded (repeatable) dice, extra latency, dropped and
//! doubled fal webhooks, and `paidByKey` counted by the webhook URL's `versionId`.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderMap;
use common::{RunningSim, google_status};
use miri_sim::Faults;
use serde_json::{Value, json};
use tokio::net::TcpListener;

const GENERATE: &str = "/v1beta/models/gemini-2.5-flash:generateContent";

fn prompt() -> Value {
    json!({"contents": [{"parts": [{"text": "a short line about rain"}]}]})
}

async fn claude(sim: &RunningSim) -> reqwest::Response {
    sim.http
        .post(sim.url("/v1/messages"))
        .header("x-api-key", "k")
        .header("anthropic-version", "2023-06-01")
        .json(&json!({"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap()
}

async fn fal_submit(sim: &RunningSim, webhook: &str) -> reqwest::Response {
    sim.http
        .post(sim.url("/fal-ai/flux-2"))
        .query(&[("fal_webhook", webhook)])
        .header("authorization", "Key k")
        .json(&json!({"prompt": "neon rooftop", "image_size": {"width": 512, "height": 512}}))
        .send()
        .await
        .unwrap()
}

/// Counts webhook calls and remembers their request ids.
async fn receiver() -> (String, Arc<AtomicUsize>, Arc<std::sync::Mutex<Vec<String>>>) {
    let count = Arc::new(AtomicUsize::new(0));
    let ids = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (c, i) = (count.clone(), ids.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, _body: Bytes| {
            let (c, i) = (c.clone(), i.clone());
            async move {
                let id = headers["x-fal-webhook-request-id"]
                    .to_str()
                    .unwrap()
                    .to_owned();
                i.lock().unwrap().push(id);
                c.fetch_add(1, Ordering::SeqCst);
                "ok"
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, count, ids)
}

async fn wait_for(count: &AtomicUsize, at_least: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while count.load(Ordering::SeqCst) < at_least {
        assert!(
            Instant::now() < deadline,
            "only {} webhooks arrived",
            count.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn rate_limits_and_server_errors_in_each_providers_shape() {
    let sim = RunningSim::start().await;
    sim.set_faults(json!({"rateLimitRate": 1.0, "retryAfterSecs": 7}))
        .await;
    let response = sim
        .http
        .post(sim.url(GENERATE))
        .header("x-goog-api-key", "k")
        .json(&prompt())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    assert_eq!(
        google_status(&response.json().await.unwrap(), 429),
        "RESOURCE_EXHAUSTED"
    );
    let response = claude(&sim).await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["type"],
        "rate_limit_error"
    );
    let response = fal_submit(&sim, "http://127.0.0.1:1/hook?versionId=v-limited").await;
    assert_eq!(response.status(), 429);
    assert!(response.json::<Value>().await.unwrap()["detail"].is_string());
    // The simulator's own routes are never faulted.
    assert_eq!(
        sim.http
            .get(sim.url("/.well-known/jwks.json"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let stats = sim.stats().await;
    assert_eq!(stats["calls"]["gemini"], 1);
    assert_eq!(stats["calls"]["claude"], 1);
    assert_eq!(stats["calls"]["fal"], 1);
    assert_eq!(
        stats["paidByKey"],
        json!({}),
        "a refused submission is not paid"
    );

    sim.set_faults(json!({"serverErrorRate": 1.0})).await;
    let response = sim
        .http
        .post(sim.url(GENERATE))
        .header("x-goog-api-key", "k")
        .json(&prompt())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(
        google_status(&response.json().await.unwrap(), 503),
        "UNAVAILABLE"
    );
    let response = claude(&sim).await;
    assert_eq!(response.status(), 529);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["type"],
        "overloaded_error"
    );
    assert_eq!(
        fal_submit(&sim, "http://127.0.0.1:1/hook").await.status(),
        503
    );

    sim.set_faults(json!({})).await;
    assert_eq!(claude(&sim).await.status(), 200);
    let bad = sim
        .http
        .post(sim.url("/_sim/faults"))
        .json(&json!({"rateLimitRate": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let current: Value = sim
        .http
        .get(sim.url("/_sim/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["rateLimitRate"], 0.0);
    sim.shut_down().await;
}

#[tokio::test]
async fn seeded_faults_repeat_and_latency_is_added() {
    let sim = RunningSim::start().await;
    let mut runs = Vec::new();
    for _ in 0..2 {
        sim.set_faults(json!({"rateLimitRate": 0.4, "serverErrorRate": 0.2, "seed": 42}))
            .await;
        let mut statuses = Vec::new();
        for _ in 0..24 {
            let response = sim
                .http
                .post(sim.url(GENERATE))
                .header("x-goog-api-key", "k")
                .json(&prompt())
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    for status in [200, 429, 503] {
        assert!(runs[0].contains(&status), "{:?} lacks {status}", runs[0]);
    }

    sim.set_faults(json!({"latencyMs": 300})).await;
    let started = Instant::now();
    assert_eq!(claude(&sim).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    sim.shut_down().await;
}

#[tokio::test]
async fn dropped_and_doubled_webhooks_and_paid_submissions_by_version() {
    let sim = RunningSim::start().await;
    let (hook, count, ids) = receiver().await;

    sim.set_faults(json!({"dropWebhookRate": 1.0})).await;
    for _ in 0..2 {
        assert_eq!(
            fal_submit(&sim, &format!("{hook}?shotId=s&versionId=v-1"))
                .await
                .status(),
            200
        );
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(count.load(Ordering::SeqCst), 0, "dropped webhooks arrived");

    sim.set_faults(json!({"duplicateWebhookRate": 1.0})).await;
    let submitted: Value = fal_submit(&sim, &format!("{hook}?shotId=s&versionId=v-2"))
        .await
        .json()
        .await
        .unwrap();
    wait_for(&count, 2).await;
    let request_id = submitted["request_id"].as_str().unwrap();
    assert_eq!(*ids.lock().unwrap(), [request_id, request_id]);

    let stats = sim.stats().await;
    assert_eq!(stats["paidByKey"], json!({"v-1": 2, "v-2": 1}));
    assert_eq!(stats["submissions"].as_array().unwrap().len(), 3);
    assert_eq!(stats["webhooksDelivered"], 2);
    sim.shut_down().await;
}

#[tokio::test]
async fn faults_from_the_config_apply_from_the_first_call() {
    let sim = RunningSim::start_with(Faults {
        server_error_rate: 1.0,
        ..Faults::default()
    })
    .await;
    assert_eq!(claude(&sim).await.status(), 529);
    let current: Value = sim
        .http
        .get(sim.url("/_sim/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["serverErrorRate"], 1.0);
    sim.set_faults(json!({})).await;
    assert_eq!(claude(&sim).await.status(), 200);
    sim.shut_down().await;
}
