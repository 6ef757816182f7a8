//! Builds and runs each service from configuration: gateway, worker, simulator. `up` composes
//! the same pieces in one process.

use crate::config::{Common, GatewayArgs, Queues, RulesIndex, SimArgs, StoreBackend, VertexArgs, WorkerArgs, env_key, fal_key, gcs_service_account_key};
use crate::temporal;
use anyhow::{Context, bail};
use miri_activities::{
    AnalysisActivityDeps, AnalysisWorker, AuditActivityDeps, AuditWorker, BreakdownActivityDeps, BreakdownWorker, BudgetPolicy, SceneActivityDeps, SceneWorker, EventPublisher, RenderActivityDeps, RenderWorker, ShotActivityDeps,
    AssistantWorker, QaActivityDeps, QaWorker, Rulebook, ShotWorker, StoryActivityDeps, StoryWorker,
};
use miri_core::budget::PriceTable;
use miri_providers::breaker::{BreakerConfig, Breakers};
use miri_gateway::{Gateway, GatewayConfig};
use miri_providers::claude::ClaudeClient;
use miri_providers::fal::{FalClient, webhook::{KeyPolicy, WebhookKeys}};
use miri_providers::gemini::{GeminiBackend, GeminiClient};
use miri_providers::models::Models;
use miri_providers::vertex::{StaticToken, VectorSearchClient, VectorSearchConfig};
use miri_store::{AnyBackend, FirestoreBackend, MediaStore, Records, SqliteBackend};
use miri_workflows::{
    AnalysisWorkflow, BreakdownWorkflow, RENDER_TASK_QUEUE, RenderWorkflow, SceneWorkflow, ShotWorkflow, StoryWorkflow,
    TASK_QUEUE,
};
use std::{future::Future, sync::Arc, time::Duration};
use temporalio_sdk::{Runtime, Worker, WorkerOptions};
use tokio::net::TcpListener;

/// The key sent to the simulator, which only checks that one is present.
const SIM_KEY: &str = "sim";

/// Opens the configured record store and the media store.
pub async fn open_store(common: &Common) -> anyhow::Result<(Records, MediaStore)> {
    std::fs::create_dir_all(&common.data_dir)
        .with_context(|| format!("creating the data dir {}", common.data_dir.display()))?;
    let backend: AnyBackend = match common.store_backend {
        StoreBackend::Sqlite => SqliteBackend::open(&common.store_path())?.into(),
        StoreBackend::Firestore => {
            let project = &common.firestore_project;
            let backend = match &common.firestore_emulator_host {
                Some(host) => FirestoreBackend::connect_emulator(project, host).await,
                None => FirestoreBackend::connect(project).await,
            };
            backend.with_context(|| format!("connecting to Firestore project {project}"))?.into()
        }
    };
    let media = match &common.media_bucket {
        Some(bucket) => MediaStore::gcs(bucket, gcs_service_account_key().as_deref())
            .with_context(|| format!("opening the media bucket {bucket}"))?,
        None => MediaStore::local(&common.media_dir()).context("opening the media store")?,
    };
    Ok((Records::new(backend, media.clone()), media))
}

/// Loads fal's webhook keys, retrying for a while (a local simulator may still be starting).
pub async fn webhook_verifier(urls: &[String]) -> anyhow::Result<WebhookKeys> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match WebhookKeys::load(urls.to_vec(), KeyPolicy::default()).await {
            Ok(keys) => return Ok(keys),
            Err(e) if tokio::time::Instant::now() >= deadline => {
                bail!("no webhook signing keys could be fetched from {urls:?}: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

pub async fn gateway(common: &Common, args: &GatewayArgs) -> anyhow::Result<(Gateway, TcpListener)> {
    let (store, media) = open_store(common).await?;
    let client = temporal::connect(common, Duration::from_secs(60)).await?;
    let verifier = webhook_verifier(&args.jwks_urls).await?;
    let listener = TcpListener::bind((args.http_host, args.http_port))
        .await
        .with_context(|| format!("binding the gateway to {}:{}", args.http_host, args.http_port))?;
    let config = GatewayConfig {
        web_dist: args.web_dist.clone(),
        max_upload_bytes: args.max_upload_mb * 1024 * 1024,
        poll_every_secs: args.poll_every_secs,
        redis_url: common.redis_url.clone(),
        events_channel: common.events_channel.clone(),
        default_cap_usd_micros: common.default_cap_usd_micros(),
    };
    Ok((Gateway::new(config, store, media, client, verifier), listener))
}

pub async fn run_gateway(
    common: &Common,
    args: &GatewayArgs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (gateway, listener) = gateway(common, args).await?;
    tracing::info!("gateway listening on http://{}", listener.local_addr()?);
    gateway.serve(listener, shutdown).await?;
    Ok(())
}

pub async fn worker(runtime: &Runtime, common: &Common, args: &WorkerArgs) -> anyhow::Result<Worker> {
    let (store, media) = open_store(common).await?;
    let client = temporal::connect(common, Duration::from_secs(60)).await?;
    let key = fal_key().unwrap_or_else(|| SIM_KEY.to_string());
    let fal = FalClient::new(args.fal_url.clone(), key.clone(), Duration::from_secs(30))?;
    let events = EventPublisher::connect(&common.redis_url, common.events_channel.clone())
        .await
        .with_context(|| format!("connecting to Redis at {}", common.redis_url))?;
    let breakers = Breakers::new(BreakerConfig {
        consecutive_failures: args.breaker_failures,
        failure_rate: args.breaker_failure_rate,
        cool_down: Duration::from_millis(args.breaker_cool_down_ms),
        ..BreakerConfig::default()
    });
    report_health(events.clone(), breakers.clone());
    let budget = BudgetPolicy { prices: prices(args)?, default_cap_usd_micros: common.default_cap_usd_micros() };
    let analysis = AnalysisActivityDeps {
        store: store.clone(),
        media: media.clone(),
        models: models(args, breakers.clone())?,
        budget: budget.clone(),
    };
    let rules = Rulebook::new(store.clone(), gemini(args)?, breakers.clone());
    let rules = match args.rules_index {
        RulesIndex::Local => rules,
        RulesIndex::Vertex => rules.with_vertex(vector_search(&args.vertex)?),
    };
    let breakdown = BreakdownActivityDeps {
        store: store.clone(),
        models: models(args, breakers.clone())?,
        budget: budget.clone(),
        rules: rules.clone(),
    };
    let scenes = SceneActivityDeps {
        store: store.clone(),
        media: media.clone(),
        fal: FalClient::new(args.fal_url.clone(), key, Duration::from_secs(30))?,
        public_url: args.public_url.clone(),
        http: reqwest::Client::builder().build()?,
        breakers: breakers.clone(),
        budget: budget.clone(),
        models: models(args, breakers.clone())?,
    };
    let story = StoryActivityDeps {
        store: store.clone(),
        models: models(args, breakers.clone())?,
        budget: budget.clone(),
        events: events.clone(),
    };
    let assistant = StoryActivityDeps {
        store: store.clone(),
        models: models(args, breakers.clone())?,
        budget: budget.clone(),
        events: events.clone(),
    };
    let qa = QaActivityDeps {
        store: store.clone(),
        media: media.clone(),
        models: models(args, breakers.clone())?,
        budget: budget.clone(),
        events: events.clone(),
        rules: rules.clone(),
    };
    let audit = AuditActivityDeps { store: store.clone(), media: media.clone(), models: models(args, breakers.clone())?, budget: budget.clone(), rules };
    let deps = ShotActivityDeps {
        store,
        media,
        fal,
        events,
        public_url: args.public_url.clone(),
        http: reqwest::Client::builder().build()?,
        models: models(args, breakers.clone())?,
        breakers,
        budget,
    };
    let opts = WorkerOptions::new(TASK_QUEUE)
        .register_activities(ShotWorker::new(deps))
        .register_activities(AuditWorker::new(audit))
        .register_activities(AnalysisWorker::new(analysis))
        .register_activities(BreakdownWorker::new(breakdown))
        .register_activities(SceneWorker::new(scenes))
        .register_activities(AssistantWorker::new(assistant))
        .register_activities(StoryWorker::new(story))
        .register_activities(QaWorker::new(qa))
        .register_workflow::<ShotWorkflow>()?
        .register_workflow::<AnalysisWorkflow>()?
        .register_workflow::<BreakdownWorkflow>()?
        .register_workflow::<SceneWorkflow>()?
        .register_workflow::<StoryWorkflow>()?
        .build();
    Ok(Worker::new(runtime, client, opts)?)
}

/// How long one model call may take.
const MODEL_TIMEOUT: Duration = Duration::from_secs(300);

/// The language models: each provider whose key is set (or whose URL is the local simulator's).
/// A model whose provider has no key fails its calls with a message naming the key to set.
fn models(args: &WorkerArgs, breakers: Breakers) -> anyhow::Result<Models> {
    let claude = provider_key("ANTHROPIC_API_KEY", &args.claude_url)
        .map(|key| ClaudeClient::new(args.claude_url.clone(), key, MODEL_TIMEOUT, 8192))
        .transpose()
        .context("configuring the Claude client")?;
    Ok(Models { gemini: gemini(args)?, claude, breakers })
}

/// The Gemini client (models and embeddings), when its key is set or its URL is the simulator's.
fn gemini(args: &WorkerArgs) -> anyhow::Result<Option<GeminiClient>> {
    provider_key("GEMINI_API_KEY", &args.gemini_url)
        .map(|key| GeminiClient::new(args.gemini_url.clone(), GeminiBackend::GeminiApi { key }, MODEL_TIMEOUT))
        .transpose()
        .context("configuring the Gemini client")
}

/// The rulebook's Vector Search index, every setting named when one is missing.
pub(crate) fn vector_search(v: &VertexArgs) -> anyhow::Result<VectorSearchClient> {
    let need = |value: Option<&String>, flag: &str, env: &str| {
        value.cloned().with_context(|| format!("--rules-index vertex needs {flag} (or {env})"))
    };
    let api_base = v.vertex_api_url.clone().context("--rules-index vertex needs --vertex-api-url (or MIRI_VERTEX_API_URL)")?;
    let query_base = v.vertex_query_url.clone().context("--rules-index vertex needs --vertex-query-url (or MIRI_VERTEX_QUERY_URL)")?;
    let token = provider_key("MIRI_VERTEX_TOKEN", &api_base)
        .context("--rules-index vertex needs an access token in MIRI_VERTEX_TOKEN (gcloud auth print-access-token)")?;
    let config = VectorSearchConfig {
        api_base,
        query_base,
        project: need(v.vertex_project.as_ref(), "--vertex-project", "MIRI_VERTEX_PROJECT")?,
        location: v.vertex_location.clone(),
        index_id: need(v.vertex_rules_index.as_ref(), "--vertex-rules-index", "MIRI_VERTEX_RULES_INDEX")?,
        index_endpoint_id: need(v.vertex_rules_endpoint.as_ref(), "--vertex-rules-endpoint", "MIRI_VERTEX_RULES_ENDPOINT")?,
        deployed_index_id: need(v.vertex_rules_deployed_index.as_ref(), "--vertex-rules-deployed-index", "MIRI_VERTEX_RULES_DEPLOYED_INDEX")?,
        timeout: Duration::from_secs(30),
    };
    Ok(VectorSearchClient::new(config, Arc::new(StaticToken::new(token)))?)
}

/// A provider's key from the environment, or the simulator's for a loopback URL.
fn provider_key(name: &str, url: &url::Url) -> Option<String> {
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    env_key(name).or_else(|| local.then(|| SIM_KEY.to_string()))
}

/// The built-in prices with the configured file's entries over them.
pub(crate) fn prices(args: &WorkerArgs) -> anyhow::Result<PriceTable> {
    let Some(path) = &args.prices else { return Ok(PriceTable::default()) };
    let text = std::fs::read(path).with_context(|| format!("reading the price table {}", path.display()))?;
    let extra: std::collections::BTreeMap<String, miri_core::budget::Price> = serde_json::from_slice(&text)
        .with_context(|| format!("{} is not a price table (see --prices)", path.display()))?;
    Ok(PriceTable::default().with(extra))
}

/// Every few seconds, this worker's breaker states go where the gateways read them.
fn report_health(events: EventPublisher, breakers: Breakers) {
    const EVERY: Duration = Duration::from_secs(2);
    let worker = format!("{}-{}", hostname(), std::process::id());
    tokio::spawn(async move {
        loop {
            events.report_health(&worker, &breakers.snapshots(), 10).await;
            tokio::time::sleep(EVERY).await;
        }
    });
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "worker".into())
}

/// The render worker (task queue `miri-render`): ffmpeg work in `{data}/renders`.
pub async fn render_worker(runtime: &Runtime, common: &Common, args: &WorkerArgs) -> anyhow::Result<Worker> {
    let budget = BudgetPolicy { prices: prices(args)?, default_cap_usd_micros: common.default_cap_usd_micros() };
    let (store, _) = open_store(common).await?;
    let client = temporal::connect(common, Duration::from_secs(60)).await?;
    let events = EventPublisher::connect(&common.redis_url, common.events_channel.clone())
        .await
        .with_context(|| format!("connecting to Redis at {}", common.redis_url))?;
    let deps = RenderActivityDeps { store, events, work_dir: common.data_dir.join("renders"), budget };
    let opts = WorkerOptions::new(RENDER_TASK_QUEUE)
        .register_activities(RenderWorker::new(deps))
        .register_workflow::<RenderWorkflow>()?
        .build();
    Ok(Worker::new(runtime, client, opts)?)
}

/// Runs the workers of the task queues `args.queues` names until the process is told to stop.
pub async fn run_worker(common: &Common, args: &WorkerArgs) -> anyhow::Result<()> {
    if let Some(addr) = args.metrics_addr {
        serve_metrics(addr).await?;
    }
    let runtime = Runtime::from_current_tokio(Default::default())?;
    let mut workers = Vec::new();
    if args.queues != Queues::Render {
        workers.push((TASK_QUEUE, worker(&runtime, common, args).await?));
    }
    if args.queues != Queues::Main {
        workers.push((RENDER_TASK_QUEUE, render_worker(&runtime, common, args).await?));
    }
    let stops: Vec<_> = workers.iter().map(|(_, w)| w.shutdown_handle()).collect();
    tokio::spawn(async move {
        crate::shutdown_signal().await;
        stops.iter().for_each(|stop| stop());
    });
    let queues: Vec<&str> = workers.iter().map(|(queue, _)| *queue).collect();
    tracing::info!("worker polling task queues {}", queues.join(" and "));
    for ran in futures::future::join_all(workers.iter_mut().map(|(_, w)| w.run())).await {
        ran?;
    }
    Ok(())
}

/// Serves this process's metrics at `addr` (in the background, for the process's life).
async fn serve_metrics(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    use miri_telemetry::metrics;
    let listener = TcpListener::bind(addr).await.with_context(|| format!("binding the worker's metrics to {addr}"))?;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(|| async {
            ([(axum::http::header::CONTENT_TYPE, metrics::CONTENT_TYPE)], metrics::render(&metrics::Scrape::default()))
        }),
    );
    tracing::info!("worker metrics at http://{addr}/metrics");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("the worker's metrics server stopped: {e}");
        }
    });
    Ok(())
}

/// Starts the simulator; returns its base URL and the task serving it.
pub async fn start_sim(
    args: &SimArgs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(url::Url, tokio::task::JoinHandle<Result<(), miri_sim::SimError>>)> {
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("binding the simulator to 127.0.0.1:{}", args.port))?;
    let url: url::Url = format!("http://{}", listener.local_addr()?).parse()?;
    let config = miri_sim::SimConfig {
        data_dir: args.data_dir.clone(),
        public_url: url.clone(),
        still_latency: Duration::from_millis(args.still_latency_ms),
        clip_latency: Duration::from_millis(args.clip_latency_ms),
        webhooks: if args.hold_webhooks { miri_sim::WebhookMode::Hold } else { miri_sim::WebhookMode::Auto },
        faults: args.faults.faults(),
    };
    if config.faults != miri_sim::Faults::default() {
        tracing::warn!(faults = ?config.faults, "the simulator injects faults");
    }
    Ok((url, tokio::spawn(miri_sim::serve(config, listener, shutdown))))
}

pub async fn run_sim(args: &SimArgs, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let (url, task) = start_sim(args, shutdown).await?;
    tracing::info!("simulator listening on {url}");
    match task.await? {
        Ok(()) => Ok(()),
        Err(e) => bail!("simulator: {e}"),
    }
}
