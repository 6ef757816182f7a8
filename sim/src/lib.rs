//! An offline stand-in for fal.ai: its queue API, FLUX.2 stills and Kling clips, speaking fal's own
//! HTTP protocol so our client (and fal's official one) can talk to it unmodified.
//!
//! Requests are validated like fal would, processed after a configurable latency into real media
//! (PNG via the `png` crate, MP4 via ffmpeg), persisted so a restart keeps answering, and reported
//! through webhooks signed exactly like fal's.

mod config;
mod contract;
mod error;
mod render;
mod routes;
mod signing_key;
mod state;
mod store;
mod webhook;
mod worker;

use std::future::Future;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;

pub use config::{SimConfig, WebhookMode};
pub use error::SimError;
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
