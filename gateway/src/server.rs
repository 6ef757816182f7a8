//! Wires the gateway: shared state, the router (REST, gRPC, webhook, media, Socket.IO, the built
//! web app) and graceful shutdown.

use crate::api::{self, Op};
use crate::{analyses, budget, chat, events, feeds::Feeds, grpc, health, keys, observe, renders, rest, rules, scenes, webhook};
use axum::extract::DefaultBodyLimit;
use miri_providers::fal::webhook::WebhookKeys;
use miri_store::{MediaStore, Records};
use socketioxide::SocketIo;
use std::{future::Future, path::PathBuf, sync::Arc};
use temporalio_client::Client;
use tower_http::compression::Compression;
use tower_http::services::{ServeDir, ServeFile};

pub struct GatewayConfig {
    /// The built web app (`web/dist`).
    pub web_dist: PathBuf,
    /// Largest accepted upload (a song), in bytes.
    pub max_upload_bytes: usize,
    /// How long a shot workflow waits for a webhook before polling the provider.
    pub poll_every_secs: u64,
    pub redis_url: String,
    pub events_channel: String,
    /// The budget cap a project starts with, in micro-dollars.
    pub default_cap_usd_micros: u64,
}

/// Everything a handler can reach; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Records,
    pub media: MediaStore,
    pub temporal: Client,
    /// fal's webhook keys, refreshed as they age or rotate.
    pub verifier: Arc<WebhookKeys>,
    pub poll_every_secs: u64,
    pub default_cap_usd_micros: u64,
    /// Where workers report provider health (and events travel).
    pub redis: Redis,
    pub events_channel: String,
}

/// One Redis connection for the handlers, made on first use (the gateway starts without Redis)
/// and kept: the manager reconnects by itself after Redis comes back.
#[derive(Clone)]
pub struct Redis {
    url: String,
    connection: Arc<tokio::sync::OnceCell<redis::aio::ConnectionManager>>,
}

impl Redis {
    pub fn new(url: &str) -> Self {
        Self { url: url.to_string(), connection: Arc::default() }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn connection(&self) -> redis::RedisResult<redis::aio::ConnectionManager> {
        let made = self.connection.get_or_try_init(|| async { redis::aio::ConnectionManager::new(redis::Client::open(self.url.as_str())?).await });
        made.await.cloned()
    }
}

async fn unknown_api(uri: axum::http::Uri) -> crate::error::ApiError {
    crate::error::ApiError::NotFound(format!("{} is no API route", uri.path()))
}

pub struct Gateway {
    config: GatewayConfig,
    state: AppState,
}

impl Gateway {
    pub fn new(
        config: GatewayConfig,
        store: Records,
        media: MediaStore,
        temporal: Client,
        verifier: WebhookKeys,
    ) -> Self {
        let state = AppState {
            store,
            media,
            temporal,
            verifier: Arc::new(verifier),
            poll_every_secs: config.poll_every_secs,
            default_cap_usd_micros: config.default_cap_usd_micros,
            redis: Redis::new(&config.redis_url),
            events_channel: config.events_channel.clone(),
        };
        Self { config, state }
    }

    /// Serves until `shutdown` resolves, then closes sockets and drains requests.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (sio, io) = SocketIo::builder().with_state(self.state.store.clone()).with_state(Feeds::default()).build_layer();
        events::register(&io);
        let relay = tokio::spawn(events::relay(
            self.config.redis_url.clone(),
            self.config.events_channel.clone(),
            io.clone(),
        ));
        let dist = &self.config.web_dist;
        // The app's scripts are most of a first load: sent gzip-compressed to browsers that ask.
        let spa = Compression::new(ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html"))));
        let healthz = Op::get("/healthz", "Liveness: the gateway answers", || async { axum::Json(serde_json::json!({"status": "ok"})) })
            .public()
            .answers(&[(200, "{status: ok}")]);
        let ops = [
            vec![healthz],
            rest::ops(self.config.max_upload_bytes),
            webhook::ops(),
            renders::ops(),
            analyses::ops(),
            scenes::ops(),
            rules::ops(),
            chat::ops(),
            budget::ops(),
            keys::ops(),
            health::ops(),
            observe::ops(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let app = api::build(ops)
            .merge(grpc::routes(self.state.clone()))
            // An unknown API path is a JSON 404, never the web app's page.
            .route("/api/{*path}", axum::routing::any(unknown_api))
            .fallback_service(spa)
            .layer(DefaultBodyLimit::max(api::BODY_LIMIT))
            .layer(axum::middleware::from_fn(observe::observe))
            .with_state(self.state)
            .layer(sio);
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                shutdown.await;
                io.close().await;
            })
            .await;
        relay.abort();
        result
    }
}
