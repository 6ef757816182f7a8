//! How a simulator instance is set up: where it keeps its state, how it is reached, how slow its
//! models are, whether it calls webhooks by itself, and which failures it injects.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::faults::Faults;

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Holds the signing key, the request records and the generated media; reusing it across
    /// restarts keeps all three.
    pub data_dir: PathBuf,
    /// How clients reach the simulator, e.g. `http://127.0.0.1:8790`; every URL it hands out
    /// (queue URLs, media URLs) starts with it.
    pub public_url: Url,
    /// Time a FLUX.2 request spends queued and running before its image is drawn.
    pub still_latency: Duration,
    /// Time a Kling request spends queued and running before its clip is encoded.
    pub clip_latency: Duration,
    pub webhooks: WebhookMode,
    /// Failures to inject from the start; `Faults::default()` injects none. `POST /_sim/faults`
    /// replaces them while the simulator runs.
    pub faults: Faults,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookMode {
    /// Call the request's webhook as soon as it finishes, retrying failed deliveries like fal.
    Auto,
    /// Finish requests silently; a test sends each webhook with `POST /_sim/requests/{id}/deliver`
    /// when it wants the callback to race something else.
    Hold,
}
