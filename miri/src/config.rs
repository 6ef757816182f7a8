//! Typed configuration, from flags or environment variables. Secrets (`FAL_KEY`) are read from
//! the environment only and never printed.

use clap::Args;
use std::path::PathBuf;

/// Settings every process shares.
#[derive(Args, Clone, Debug)]
pub struct Common {
    /// Where the SQLite store, media, Temporal's database and the owner token live.
    #[arg(long, env = "MIRI_DATA_DIR", default_value = ".miri")]
    pub data_dir: PathBuf,
    /// Temporal frontend (host:port).
    #[arg(long, env = "TEMPORAL_ADDRESS", default_value = "127.0.0.1:7233")]
    pub temporal_address: String,
    #[arg(long, env = "TEMPORAL_NAMESPACE", default_value = "default")]
    pub temporal_namespace: String,
    #[arg(long, env = "REDIS_URL", default_value = "redis://127.0.0.1:6379")]
    pub redis_url: String,
    /// Redis pub/sub channel for events (one per deployment).
    #[arg(long, env = "MIRI_EVENTS_CHANNEL", default_value = "miri:events")]
    pub events_channel: String,
    /// Where records live: `sqlite` (a file in the data dir) or `firestore`.
    #[arg(long = "store", env = "MIRI_STORE", value_enum, default_value = "sqlite")]
    pub store_backend: StoreBackend,
    /// The Google Cloud project of the Firestore database.
    #[arg(long, env = "MIRI_FIRESTORE_PROJECT", default_value = "miri-local")]
    pub firestore_project: String,
    /// A Firestore emulator (host:port) instead of the real service.
    #[arg(long, env = "FIRESTORE_EMULATOR_HOST")]
    pub firestore_emulator_host: Option<String>,
    /// A Google Cloud Storage bucket for media instead of the data dir's `media/`.
    #[arg(long, env = "MIRI_MEDIA_BUCKET")]
    pub media_bucket: Option<String>,
    /// The budget cap (US dollars) a project starts with; paid work pauses beyond it until an
    /// owner or editor raises it.
    #[arg(long, env = "MIRI_DEFAULT_BUDGET_USD", default_value_t = 50.0, value_parser = parse_usd)]
    pub default_budget_usd: f64,
}

fn parse_usd(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=1e9).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not an amount of US dollars between 0 and 1e9")),
    }
}

/// A GCS service account's JSON key, from the environment only (absent: the platform's
/// credentials). Never printed.
pub fn gcs_service_account_key() -> Option<String> {
    std::env::var("MIRI_GCS_SERVICE_ACCOUNT_KEY").ok().filter(|k| !k.trim().is_empty())
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreBackend {
    Sqlite,
    Firestore,
}

impl Common {
    pub fn default_cap_usd_micros(&self) -> u64 {
        (self.default_budget_usd * 1e6).round() as u64
    }
    pub fn store_path(&self) -> PathBuf {
        self.data_dir.join("miri.db")
    }
    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }
}

#[derive(Args, Clone, Debug)]
pub struct GatewayArgs {
    #[arg(long, env = "MIRI_HTTP_PORT", default_value_t = 8080)]
    pub http_port: u16,
    /// The built web app.
    #[arg(long, env = "MIRI_WEB_DIST", default_value = "web/dist")]
    pub web_dist: PathBuf,
    #[arg(long, env = "MIRI_MAX_UPLOAD_MB", default_value_t = 100)]
    pub max_upload_mb: usize,
    /// Seconds a shot waits for a webhook before polling the provider.
    #[arg(long, env = "MIRI_POLL_EVERY_SECS", default_value_t = 30)]
    pub poll_every_secs: u64,
    /// JWKS documents whose keys sign fal webhooks (comma-separated).
    #[arg(
        long,
        env = "FAL_JWKS_URLS",
        value_delimiter = ',',
        default_value = "https://rest.alpha.fal.ai/.well-known/jwks.json,https://rest.fal.ai/.well-known/jwks.json"
    )]
    pub jwks_urls: Vec<String>,
}

#[derive(Args, Clone, Debug)]
pub struct WorkerArgs {
    /// fal's queue API base URL (the simulator's URL in sim mode).
    #[arg(long, env = "FAL_QUEUE_URL", default_value_t = WorkerArgs::default_fal_url())]
    pub fal_url: url::Url,
    /// The gateway's public URL, where providers send webhooks.
    #[arg(long, env = "MIRI_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: url::Url,
    /// A JSON price table (`{"model id or prefix*": {"per": "megapixel"|"second"|"millionTokens",
    /// ...}}`) whose entries replace or add to the built-in prices.
    #[arg(long, env = "MIRI_PRICES")]
    pub prices: Option<PathBuf>,
    /// Consecutive failures that open a provider's circuit breaker.
    #[arg(long, env = "MIRI_BREAKER_FAILURES", default_value_t = 5)]
    pub breaker_failures: u32,
    /// Share of the last calls failing that opens it (with at least 10 calls seen).
    #[arg(long, env = "MIRI_BREAKER_FAILURE_RATE", default_value_t = 0.5)]
    pub breaker_failure_rate: f64,
    /// Milliseconds an open breaker waits before probing the provider again.
    #[arg(long, env = "MIRI_BREAKER_COOL_DOWN_MS", default_value_t = 30_000)]
    pub breaker_cool_down_ms: u64,
}

#[derive(Args, Clone, Debug)]
pub struct SimArgs {
    #[arg(long, env = "MIRI_SIM_PORT", default_value_t = 8090)]
    pub port: u16,
    #[arg(long, env = "MIRI_SIM_DATA_DIR", default_value = ".miri/sim")]
    pub data_dir: PathBuf,
    /// Milliseconds a still takes.
    #[arg(long, default_value_t = 300)]
    pub still_latency_ms: u64,
    /// Milliseconds a clip takes (on top of ffmpeg's own time).
    #[arg(long, default_value_t = 300)]
    pub clip_latency_ms: u64,
    /// Hold webhooks until `POST /_sim/requests/{id}/deliver` (benchmarks).
    #[arg(long)]
    pub hold_webhooks: bool,
}

/// `FAL_KEY` from the environment; absent means simulator mode.
pub fn fal_key() -> Option<String> {
    std::env::var("FAL_KEY").ok().filter(|k| !k.trim().is_empty())
}

impl WorkerArgs {
    pub fn default_fal_url() -> url::Url {
        "https://queue.fal.run".parse().expect("a valid URL")
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    Viewer,
    Editor,
    Owner,
}

impl From<RoleArg> for miri_store::Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Viewer => Self::Viewer,
            RoleArg::Editor => Self::Editor,
            RoleArg::Owner => Self::Owner,
        }
    }
}
