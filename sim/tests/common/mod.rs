//! What the provider tests share: a simulator served on a free loopback port, and an independent
//! JSON Schema checker so answers are validated by code that is not the simulator's filler.

#![allow(dead_code)] // Each test binary uses its own part of this module.

pub mod schema;

use std::path::Path;
use std::time::Duration;

use miri_sim::{Faults, SimConfig, SimError, WebhookMode};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

pub struct RunningSim {
    pub base: Url,
    pub http: reqwest::Client,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), SimError>>,
    _dir: Option<tempfile::TempDir>,
}

impl RunningSim {
    /// A simulator on a fresh data dir.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut sim = Self::start_in(dir.path(), Duration::from_millis(50)).await;
        sim._dir = Some(dir);
        sim
    }

    /// A simulator on a fresh data dir that injects `faults` from the start.
    pub async fn start_with(faults: Faults) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut sim = Self::launch(dir.path(), Duration::from_millis(50), faults).await;
        sim._dir = Some(dir);
        sim
    }

    pub async fn start_in(data_dir: &Path, latency: Duration) -> Self {
        Self::launch(data_dir, latency, Faults::default()).await
    }

    async fn launch(data_dir: &Path, latency: Duration, faults: Faults) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let config = SimConfig {
            data_dir: data_dir.to_owned(),
            public_url: base.clone(),
            still_latency: latency,
            clip_latency: latency,
            webhooks: WebhookMode::Auto,
            faults,
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(miri_sim::serve(config, listener, async {
            stopped.await.ok();
        }));
        Self {
            base,
            http: reqwest::Client::new(),
            stop,
            task,
            _dir: None,
        }
    }

    pub async fn shut_down(self) {
        self.stop.send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }

    pub fn url(&self, path: &str) -> String {
        self.base.join(path).unwrap().to_string()
    }

    /// POSTs JSON with a Gemini API key; returns status and body.
    pub async fn gemini(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(path))
            .header("x-goog-api-key", "sim-key")
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// POSTs JSON with a bearer token (Vertex).
    pub async fn vertex(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth("ya29.sim")
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn stats(&self) -> Value {
        self.http
            .get(self.url("/_sim/stats"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn set_faults(&self, faults: Value) {
        let response = self
            .http
            .post(self.url("/_sim/faults"))
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
    }
}

/// Asserts Google's error shape and returns its `status`.
pub fn google_status(body: &Value, code: u16) -> String {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body["error"]["status"]
        .as_str()
        .expect("error.status")
        .to_owned()
}

pub fn cosine(a: &Value, b: &Value) -> f64 {
    let (a, b) = (a.as_array().unwrap(), b.as_array().unwrap());
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| x.as_f64().unwrap() * y.as_f64().unwrap())
        .sum()
}
