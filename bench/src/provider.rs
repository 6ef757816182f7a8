//! One provider call, bare and as the worker makes it, against the simulator on loopback; and the
//! simulator's own submit throughput.
//!
//! The anchor is `FalClient::submit` alone: one HTTP exchange with the simulator. The worker path
//! is what the submit activity does around that exchange, minus Temporal: look for a request
//! already paid for under the version id, read the shot, its project and the prompt version from
//! SQLite, derive the fal input from the recorded FLUX request, build the webhook URL, call
//! through the provider's circuit breaker, and record the provider request. Both are timed
//! alternately against the same simulator, so they share its load and the machine's moment.
//!
//! The simulator runs in this process on its own runtime and threads, holds every webhook, and is
//! configured so that no request finishes during the run: only the submit path is measured.

use crate::{Sample, summarise};
use chrono::Utc;
use miri_core::prompt::{FluxRequest, ModelCode, RestingPose, Tag};
use miri_core::{
    Author, GlobalSettings, MediaRef, Project, ProjectConfig, ProjectId, Shot, ShotId, ShotStatus, Timestamps,
    Version, VersionId, VersionKind,
};
use miri_providers::breaker::{BreakerConfig, Breakers, Provider};
use miri_providers::fal::FalClient;
use miri_store::{MediaStore, ProviderRequest, Records, SqliteBackend};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use url::Url;
use uuid::Uuid;

/// What the bench runs: measured calls per side, warm-up calls per side, and for throughput the
/// client counts and the seconds each count runs.
pub struct Plan {
    pub calls: usize,
    pub warmup: usize,
    pub clients: Vec<usize>,
    pub seconds: f64,
}

/// A simulator served from its own threads until dropped.
struct SimThread {
    url: Url,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl SimThread {
    fn start() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let url: Url = format!("http://{}", listener.local_addr()?).parse()?;
        let config = miri_sim::SimConfig {
            data_dir: dir.path().join("sim"),
            public_url: url.clone(),
            // Nothing finishes while we measure: no PNG is drawn, no clip encoded, no webhook sent.
            still_latency: Duration::from_secs(24 * 3600),
            clip_latency: Duration::from_secs(24 * 3600),
            webhooks: miri_sim::WebhookMode::Hold,
            faults: miri_sim::Faults::default(),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("sim")
                .enable_all()
                .build()
                .expect("a runtime for the simulator");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                if let Err(e) = miri_sim::serve(config, listener, async move { stopped.await.unwrap_or(()) }).await {
                    eprintln!("the simulator stopped: {e}");
                }
            });
        });
        Ok(Self { url, stop: Some(stop), thread: Some(thread), _dir: dir })
    }
}

impl Drop for SimThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A project, a shot and its still prompt in a fresh SQLite store, as `prepare_prompt` leaves them.
struct Fixture {
    store: Records,
    shot: ShotId,
    prompt: VersionId,
    _dir: tempfile::TempDir,
}

const ENDPOINT: &str = "fal-ai/flux-2/lora";

async fn fixture() -> anyhow::Result<Fixture> {
    let dir = tempfile::tempdir()?;
    let store = Records::new(SqliteBackend::open(&dir.path().join("miri.db"))?.into(), MediaStore::local(&dir.path().join("media"))?);
    let project_id = ProjectId::from_uuid(Uuid::new_v4());
    store
        .create_project(&Project {
            config: ProjectConfig {
                project_id,
                project_name: "bench".into(),
                global_settings: GlobalSettings::default(),
                creation_timestamp: Utc::now(),
            },
            song: MediaRef { key: "sha256/00.mp3".into(), url: String::new(), sha256: "00".repeat(32), size: 0, content_type: "audio/mpeg".into() },
            lyrics: String::new(),
            plot: String::new(),
        })
        .await?;
    let shot = Shot {
        shot_id: ShotId::from_uuid(Uuid::new_v4()),
        project_id,
        scene_id: None,
        timestamps: Timestamps { start_ms: 0, end_ms: 3000 },
        lyrics_snippet: "שְׁמַע".into(),
        description: "Miri in a garden at dawn, dress hex #C4725A".into(),
        motion: None,
        camera: None,
        status: ShotStatus::GeneratingImage,
        reason: None,
        change_id: Some(Uuid::new_v4().to_string()),
        versions: Vec::new(),
        updated_at: Utc::now(),
    };
    store.append_shot(&shot, 0).await?;
    let prompt = VersionId::from_uuid(Uuid::new_v4());
    let flux = FluxRequest::builder(Tag::new(shot.shot_id, prompt, ModelCode::of_endpoint(ENDPOINT)), 7)
        .scene(&shot.description)
        .miri(RestingPose::Standing, "center third", &[])
        .build()
        .map_err(|v| anyhow::anyhow!("the bench's still prompt breaks the rules: {v:?}"))?;
    store
        .append_version(&Version {
            version_id: prompt,
            shot_id: shot.shot_id,
            kind: VersionKind::Prompt,
            parent: None,
            model_code: Some(ENDPOINT.into()),
            seed: Some(7),
            cost: None,
            author: Author::System,
            reason: Some("image prompt from the shot description".into()),
            prompt: Some(flux.prompt_text()),
            request: Some(json!(flux)),
            media: None,
            source_url: None,
            provider_request_id: None,
            created_at: Utc::now(),
        })
        .await?;
    Ok(Fixture { store, shot: shot.shot_id, prompt, _dir: dir })
}

/// Where webhooks would go; in Hold mode the simulator never calls it.
fn webhook(public: &Url, shot: ShotId, version: VersionId) -> anyhow::Result<Url> {
    let mut url = public.join("/api/webhooks/fal")?;
    url.query_pairs_mut().append_pair("shotId", &shot.to_string()).append_pair("versionId", &version.to_string());
    Ok(url)
}

/// The bare call: one submit with a ready input. Milliseconds.
async fn bare(fal: &FalClient, input: &Value, hook: &str) -> anyhow::Result<f64> {
    let started = Instant::now();
    fal.submit(ENDPOINT, input, Some(hook)).await?;
    Ok(started.elapsed().as_secs_f64() * 1e3)
}

/// The submit activity's body without Temporal, for a new version id. Milliseconds.
async fn worker_path(fal: &FalClient, breakers: &Breakers, fx: &Fixture, public: &Url) -> anyhow::Result<f64> {
    let version_id = VersionId::from_uuid(Uuid::new_v4());
    let started = Instant::now();
    anyhow::ensure!(fx.store.provider_request(version_id).await?.is_none(), "a fresh version id was already paid for");
    let (_, shot) = fx.store.shot(fx.shot).await?.ok_or_else(|| anyhow::anyhow!("no shot"))?;
    let project = fx.store.project(shot.project_id).await?.ok_or_else(|| anyhow::anyhow!("no project"))?;
    let prompt = fx.store.version(fx.prompt).await?.ok_or_else(|| anyhow::anyhow!("no prompt version"))?;
    let endpoint = prompt.model_code.clone().unwrap_or_default();
    let flux: FluxRequest = serde_json::from_value(prompt.request.clone().unwrap_or(Value::Null))?;
    let input = flux.fal_input();
    let hook = webhook(public, shot.shot_id, version_id)?;
    let queued = breakers.get(Provider::of_fal_endpoint(&endpoint)).call(fal.submit(&endpoint, &input, Some(hook.as_str()))).await?;
    fx.store
        .record_provider_request(&ProviderRequest {
            version_id,
            shot_id: shot.shot_id,
            project_id: project.config.project_id,
            endpoint_id: endpoint,
            request_id: queued.request_id,
            status_url: queued.status_url,
            response_url: queued.response_url,
            cancel_url: queued.cancel_url,
            submitted_at: Utc::now(),
        })
        .await?;
    Ok(started.elapsed().as_secs_f64() * 1e3)
}

fn client(sim: &Url) -> anyhow::Result<FalClient> {
    Ok(FalClient::new(sim.clone(), "bench".into(), Duration::from_secs(30))?)
}

/// `clients` tasks, each with its own client (its own connection, opened and used once before
/// the clock starts), submitting back to back for `seconds`: submissions per second, errors, and
/// the per-call latencies.
async fn throughput(sim: &Url, input: &Value, hook: &str, clients: usize, seconds: f64) -> anyhow::Result<Value> {
    let mut ready = Vec::new();
    for _ in 0..clients {
        let fal = client(sim)?;
        bare(&fal, input, hook).await?;
        ready.push(fal);
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for fal in ready {
        let (input, hook) = (input.clone(), hook.to_string());
        tasks.push(tokio::spawn(async move {
            let (mut ms, mut errors) = (Vec::new(), 0u64);
            while Instant::now() < deadline {
                match bare(&fal, &input, &hook).await {
                    Ok(t) => ms.push(t),
                    Err(_) => errors += 1,
                }
            }
            (ms, errors)
        }));
    }
    let (mut ms, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (m, e) = task.await?;
        ms.extend(m);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let samples: Vec<Sample> = ms.iter().enumerate().map(|(index, &ms)| Sample { index, ms }).collect();
    Ok(json!({
        "clients": clients,
        "seconds": elapsed,
        "submissions": samples.len(),
        "errors": errors,
        "submissionsPerSecond": samples.len() as f64 / elapsed,
        "latency": summarise(&samples),
    }))
}

pub async fn run(plan: &Plan) -> anyhow::Result<Value> {
    let sim = SimThread::start()?;
    let fx = fixture().await?;
    let public: Url = "http://127.0.0.1:9/".parse()?;
    let fal = client(&sim.url)?;
    let breakers = Breakers::new(BreakerConfig::default());
    let input = {
        let prompt = fx.store.version(fx.prompt).await?.ok_or_else(|| anyhow::anyhow!("no prompt version"))?;
        serde_json::from_value::<FluxRequest>(prompt.request.unwrap_or(Value::Null))?.fal_input()
    };
    let hook = webhook(&public, fx.shot, VersionId::from_uuid(Uuid::new_v4()))?.to_string();

    // Alternate the two, so both see the same simulator, connection and moment.
    let (mut anchor, mut worker) = (Vec::new(), Vec::new());
    for index in 0..plan.warmup + plan.calls {
        anchor.push(Sample { index, ms: bare(&fal, &input, &hook).await? });
        worker.push(Sample { index, ms: worker_path(&fal, &breakers, &fx, &public).await? });
    }
    let (anchor, worker) = (&anchor[plan.warmup..], &worker[plan.warmup..]);
    let (a, w) = (summarise(anchor), summarise(worker));
    let overhead = w.p50_ms / a.p50_ms;

    let mut rates = Vec::new();
    for &clients in &plan.clients {
        rates.push(throughput(&sim.url, &input, &hook, clients, plan.seconds).await?);
    }
    Ok(json!({
        "endpoint": ENDPOINT,
        "warmupDiscarded": plan.warmup,
        "bareSubmit": {"summary": a, "samples": anchor},
        "workerPath": {"summary": w, "samples": worker},
        "ratioP50WorkerOverBare": overhead,
        "overheadP50Ms": w.p50_ms - a.p50_ms,
        "simThroughput": rates,
    }))
}
