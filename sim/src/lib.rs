//! An offline stand-in for the providers Miri pays for, each speaking its own HTTP protocol so our
//! clients (and the official ones) talk to it unmodified: fal.ai's queue API (FLUX.2 stills, Kling
//! clips), Gemini (generateContent, the Files API, embeddings) on both the Gemini API and Vertex,
//! Vertex Vector Search, and Anthropic's Messages API.
//!
//! fal requests are validated like fal would, processed after a configurable latency into real
//! media (PNG via the `png` crate, MP4 via ffmpeg), persisted so a restart keeps answering, and
//! reported through webhooks signed exactly like fal's. Language-model answers satisfy the
//! requested schema and are made from the request's own words; embeddings are hashed n-grams.
//! Faults (latency, 429s, 5xx, dropped or doubled webhooks) are injected when configured.

mod config;
mod contract;
mod embed;
mod error;
mod faults;
mod gemini;
mod material;
mod render;
mod routes;
mod schema_fill;
mod signing_key;
mod state;
mod store;
mod studio;
mod uploads;
mod vectors;
mod webhook;
mod worker;

use std::future::Future;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;

pub use config::{SimConfig, WebhookMode};
pub use error::SimError;
pub use faults::{Faults, RateError, parse_rate};
pub use routes::router;
pub use state::Sim;
pub use webhook::USER_ID;

/// Serves the simulator on `listener` until `shutdown` resolves. In-flight requests are stopped
/// then, as a crash would; a later `serve` on the same `data_dir` resumes them.
pub async fn serve(
    config: SimConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), SimError> {
    let sim = Sim::open(config).await?;
    let listener = listener.tap_io(|socket| {
        if let Err(err) = socket.set_nodelay(true) {
            tracing::warn!(%err, "could not set TCP_NODELAY");
        }
    });
    let served = axum::serve(listener, router(sim.clone()))
        .with_graceful_shutdown(shutdown)
        .await;
    sim.stop_all_workers();
    served.map_err(SimError::Serve)
}
