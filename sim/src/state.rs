//! The one handle every handler and worker shares: configuration, signing key, request store,
//! outgoing HTTP client, and the running workers (so a cancel or a shutdown can stop them).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ed25519_dalek::SigningKey;
use tokio::task::AbortHandle;
use uuid::Uuid;

use crate::config::SimConfig;
use crate::error::SimError;
use crate::faults::{CallFate, Dice, Faults, WebhookFate};
use crate::routes::Provider;
use crate::signing_key;
use crate::store::Store;
use crate::uploads::Uploads;
use crate::vectors::VectorStore;
use crate::worker;

/// Bounds each outgoing call (image downloads, webhook deliveries).
const OUTGOING_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Sim {
    inner: Arc<Inner>,
}

struct Inner {
    config: SimConfig,
    key: SigningKey,
    store: Store,
    http: reqwest::Client,
    workers: Mutex<HashMap<Uuid, AbortHandle>>,
    webhooks_delivered: AtomicU64,
    dice: Mutex<Dice>,
    calls: Mutex<HashMap<&'static str, u64>>,
    uploads: Uploads,
    vectors: VectorStore,
}

impl Sim {
    /// Prepares `config.data_dir`, loads (or makes) the signing key and the stored requests, and
    /// resumes every request a previous run left unfinished.
    pub async fn open(config: SimConfig) -> Result<Self, SimError> {
        for dir in [files_dir(&config), work_dir(&config)] {
            tokio::fs::create_dir_all(&dir)
                .await
                .map_err(|source| SimError::DataDir { path: dir, source })?;
        }
        let key = signing_key::load_or_create(&config.data_dir).await?;
        let store = Store::open(config.data_dir.join("requests")).await?;
        let vectors = VectorStore::open(config.data_dir.join("vectors")).await?;
        let dice = Dice::new(config.faults.clone());
        let http = reqwest::Client::builder()
            .timeout(OUTGOING_TIMEOUT)
            .build()
            .map_err(|err| SimError::HttpClient(err.to_string()))?;
        let sim = Self {
            inner: Arc::new(Inner {
                config,
                key,
                store,
                http,
                workers: Mutex::new(HashMap::new()),
                webhooks_delivered: AtomicU64::new(0),
                dice: Mutex::new(dice),
                calls: Mutex::new(HashMap::new()),
                uploads: Uploads::default(),
                vectors,
            }),
        };
        for record in sim.store().all().await {
            if !record.state.is_finished() {
                tracing::info!(request_id = %record.request_id, "resuming unfinished request");
                sim.start_worker(record.request_id);
            }
        }
        Ok(sim)
    }

    pub(crate) fn config(&self) -> &SimConfig {
        &self.inner.config
    }

    pub(crate) fn key(&self) -> &SigningKey {
        &self.inner.key
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Where generated media live; served under `/files/`.
    pub(crate) fn files_dir(&self) -> PathBuf {
        files_dir(&self.inner.config)
    }

    /// Scratch space for requests being processed.
    pub(crate) fn work_dir(&self) -> PathBuf {
        work_dir(&self.inner.config)
    }

    /// `path` (without a leading slash) on the simulator's public origin.
    pub(crate) fn public_url(&self, path: &str) -> String {
        format!(
            "{}/{path}",
            self.inner.config.public_url.as_str().trim_end_matches('/')
        )
    }

    pub(crate) fn start_worker(&self, id: Uuid) {
        let mut workers = self
            .inner
            .workers
            .lock()
            .expect("worker registry lock poisoned");
        // Registered under the lock, so the worker cannot deregister before it is registered.
        let handle = tokio::spawn(worker::run(self.clone(), id));
        workers.insert(id, handle.abort_handle());
    }

    /// Called by a worker once its request is finished; from then on it only delivers webhooks,
    /// which neither cancel nor shutdown interrupt.
    pub(crate) fn worker_finished(&self, id: Uuid) {
        self.inner
            .workers
            .lock()
            .expect("worker registry lock poisoned")
            .remove(&id);
    }

    /// Stops a request's processing (killing its ffmpeg, if any).
    pub(crate) fn stop_worker(&self, id: Uuid) {
        if let Some(handle) = self
            .inner
            .workers
            .lock()
            .expect("worker registry lock poisoned")
            .remove(&id)
        {
            handle.abort();
        }
    }

    /// Stops all processing, as a crash would; unfinished requests resume at the next `open`.
    pub(crate) fn stop_all_workers(&self) {
        for (_, handle) in self
            .inner
            .workers
            .lock()
            .expect("worker registry lock poisoned")
            .drain()
        {
            handle.abort();
        }
    }

    pub(crate) fn count_webhook_delivered(&self) {
        self.inner
            .webhooks_delivered
            .fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn webhooks_delivered(&self) -> u64 {
        self.inner.webhooks_delivered.load(Ordering::Relaxed)
    }

    pub(crate) fn uploads(&self) -> &Uploads {
        &self.inner.uploads
    }

    pub(crate) fn vectors(&self) -> &VectorStore {
        &self.inner.vectors
    }

    pub(crate) fn count_call(&self, provider: Provider) {
        *self
            .inner
            .calls
            .lock()
            .expect("call counter lock poisoned")
            .entry(provider.name())
            .or_default() += 1;
    }

    /// Calls served so far, by provider name.
    pub(crate) fn calls(&self) -> HashMap<&'static str, u64> {
        self.inner
            .calls
            .lock()
            .expect("call counter lock poisoned")
            .clone()
    }

    /// Replaces the faults in force (and reseeds the dice).
    pub(crate) fn set_faults(&self, faults: Faults) {
        *self.dice() = Dice::new(faults);
    }

    pub(crate) fn faults(&self) -> Faults {
        self.dice().faults().clone()
    }

    /// The extra latency and the fate of one provider call.
    pub(crate) fn roll_call(&self) -> (Duration, CallFate) {
        let mut dice = self.dice();
        (dice.latency(), dice.call())
    }

    pub(crate) fn roll_bad_answer(&self) -> bool {
        self.dice().bad_answer()
    }

    pub(crate) fn roll_webhook(&self) -> WebhookFate {
        self.dice().webhook()
    }

    fn dice(&self) -> std::sync::MutexGuard<'_, Dice> {
        self.inner.dice.lock().expect("fault dice lock poisoned")
    }
}

fn files_dir(config: &SimConfig) -> PathBuf {
    config.data_dir.join("files")
}

fn work_dir(config: &SimConfig) -> PathBuf {
    config.data_dir.join("work")
}
