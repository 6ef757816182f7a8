//! Circuit breakers, one per provider, shared by every activity of a worker: when a provider keeps
//! failing, calls stop going out for a cool-down instead of piling retries onto it, then a few
//! probes decide whether it is back.
//!
//! Closed → Open after `consecutive_failures` failures in a row, or when at least `min_calls` of
//! the last `window` calls were made and `failure_rate` of them failed. Open → HalfOpen once
//! `cool_down` has passed; there `half_open_probes` calls may go out at a time, one success closes
//! the breaker and one failure opens it again. Only failures retrying can fix count (5xx, 429,
//! timeouts, transport): a 4xx is the caller's mistake, the provider answered.

use crate::error::ProviderError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// The providers Miri calls, each behind its own breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// fal.ai's FLUX.2 endpoints.
    Fal,
    /// Kling on fal.ai: its own capacity and outages, so its own breaker.
    Kling,
    Gemini,
    Claude,
    Vertex,
}

impl Provider {
    pub const ALL: [Provider; 5] = [Self::Fal, Self::Kling, Self::Gemini, Self::Claude, Self::Vertex];

    /// The breaker a fal queue endpoint id goes through.
    pub fn of_fal_endpoint(endpoint: &str) -> Self {
        if endpoint.contains("/kling-video/") || endpoint.starts_with("kling/") { Self::Kling } else { Self::Fal }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fal => "fal",
            Self::Kling => "kling",
            Self::Gemini => "gemini",
            Self::Claude => "claude",
            Self::Vertex => "vertex",
        }
    }
}

/// Thresholds, from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BreakerConfig {
    pub consecutive_failures: u32,
    pub failure_rate: f64,
    pub window: usize,
    pub min_calls: usize,
    #[serde(with = "millis")]
    pub cool_down: Duration,
    pub half_open_probes: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            consecutive_failures: 5,
            failure_rate: 0.5,
            window: 20,
            min_calls: 10,
            cool_down: Duration::from_secs(30),
            half_open_probes: 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

/// Why a call did not happen or did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error(
        "calls to {} are paused for {} ms after repeated failures (circuit open); they resume by themselves",
        .provider.as_str(), .retry_in.as_millis()
    )]
    Open { provider: Provider, retry_in: Duration },
    #[error(transparent)]
    Provider(#[from] ProviderError),
}

/// One breaker's state as the health endpoint and metrics show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakerSnapshot {
    pub provider: Provider,
    pub state: BreakerState,
    pub consecutive_failures: u32,
    /// Failures among the last `window` calls, as a share.
    pub recent_failure_rate: f64,
    pub calls: u64,
    pub failures: u64,
    /// How often it opened since the worker started.
    pub opened: u64,
    /// While open: how long until probes may go out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_in_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

pub struct Breaker {
    provider: Provider,
    config: BreakerConfig,
    inner: Mutex<Inner>,
}

struct Inner {
    state: BreakerState,
    consecutive: u32,
    recent: VecDeque<bool>,
    opened_at: Option<Instant>,
    probes: u32,
    calls: u64,
    failures: u64,
    opened: u64,
    last_error: Option<String>,
}

impl Breaker {
    pub fn new(provider: Provider, config: BreakerConfig) -> Self {
        let inner = Inner {
            state: BreakerState::Closed,
            consecutive: 0,
            recent: VecDeque::with_capacity(config.window),
            opened_at: None,
            probes: 0,
            calls: 0,
            failures: 0,
            opened: 0,
            last_error: None,
        };
        Self { provider, config, inner: Mutex::new(inner) }
    }

    /// Runs `call` unless the breaker is open, and counts its outcome (here, and in the
    /// process's metrics: its latency, and a failure by its kind).
    pub async fn call<T>(&self, call: impl Future<Output = Result<T, ProviderError>>) -> Result<T, Refused> {
        let metrics = miri_telemetry::metrics::global();
        let provider = self.provider.as_str();
        let probe = self.admit().inspect_err(|_| {
            metrics.provider_errors.with_label_values(&[provider, "circuit_open"]).inc();
        })?;
        let started = std::time::Instant::now();
        let outcome = call.await;
        let kind = outcome.as_ref().err().map_or("ok", ProviderError::kind);
        metrics.provider_seconds.with_label_values(&[provider, kind]).observe(started.elapsed().as_secs_f64());
        if outcome.is_err() {
            metrics.provider_errors.with_label_values(&[provider, kind]).inc();
        }
        self.record(probe, outcome.as_ref().err());
        outcome.map_err(Refused::Provider)
    }

    /// Lets a call through (answering whether it is a half-open probe) or refuses it.
    fn admit(&self) -> Result<bool, Refused> {
        let mut inner = self.lock();
        if inner.state == BreakerState::Open {
            let since = inner.opened_at.map_or(Duration::ZERO, |t| t.elapsed());
            if since < self.config.cool_down {
                return Err(Refused::Open { provider: self.provider, retry_in: self.config.cool_down - since });
            }
            inner.state = BreakerState::HalfOpen;
            inner.probes = 0;
        }
        if inner.state == BreakerState::HalfOpen {
            if inner.probes >= self.config.half_open_probes.max(1) {
                return Err(Refused::Open { provider: self.provider, retry_in: Duration::from_millis(100) });
            }
            inner.probes += 1;
            return Ok(true);
        }
        Ok(false)
    }

    fn record(&self, probe: bool, error: Option<&ProviderError>) {
        let failed = error.is_some_and(ProviderError::is_retryable);
        let mut inner = self.lock();
        inner.calls += 1;
        if inner.recent.len() >= self.config.window.max(1) {
            inner.recent.pop_front();
        }
        inner.recent.push_back(failed);
        if probe {
            inner.probes = inner.probes.saturating_sub(1);
        }
        if !failed {
            inner.consecutive = 0;
            if inner.state == BreakerState::HalfOpen {
                inner.state = BreakerState::Closed;
                inner.recent.clear();
                tracing::info!(provider = self.provider.as_str(), "circuit closed: the provider answers again");
            }
            return;
        }
        inner.failures += 1;
        inner.consecutive += 1;
        inner.last_error = error.map(ToString::to_string);
        let recent_failures = inner.recent.iter().filter(|f| **f).count();
        let rate_tripped = inner.recent.len() >= self.config.min_calls.max(1)
            && recent_failures as f64 >= self.config.failure_rate * inner.recent.len() as f64;
        let tripped = probe || inner.consecutive >= self.config.consecutive_failures.max(1) || rate_tripped;
        if tripped && inner.state != BreakerState::Open {
            inner.state = BreakerState::Open;
            inner.opened_at = Some(Instant::now());
            inner.opened += 1;
            tracing::warn!(
                provider = self.provider.as_str(),
                cool_down_ms = self.config.cool_down.as_millis() as u64,
                "circuit opened after repeated failures: {}",
                inner.last_error.as_deref().unwrap_or("")
            );
        }
    }

    pub fn snapshot(&self) -> BreakerSnapshot {
        let inner = self.lock();
        let open_for = inner.opened_at.map(|t| t.elapsed());
        let retry_in_ms = match (inner.state, open_for) {
            (BreakerState::Open, Some(elapsed)) => Some(self.config.cool_down.saturating_sub(elapsed).as_millis() as u64),
            _ => None,
        };
        let recent_failures = inner.recent.iter().filter(|f| **f).count();
        BreakerSnapshot {
            provider: self.provider,
            state: inner.state,
            consecutive_failures: inner.consecutive,
            recent_failure_rate: if inner.recent.is_empty() { 0.0 } else { recent_failures as f64 / inner.recent.len() as f64 },
            calls: inner.calls,
            failures: inner.failures,
            opened: inner.opened,
            retry_in_ms,
            last_error: inner.last_error.clone(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain counters behind: still usable.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Every provider's breaker, one set per worker process.
#[derive(Clone)]
pub struct Breakers(Arc<BTreeMap<Provider, Breaker>>);

impl Breakers {
    pub fn new(config: BreakerConfig) -> Self {
        Self(Arc::new(Provider::ALL.into_iter().map(|p| (p, Breaker::new(p, config))).collect()))
    }

    pub fn get(&self, provider: Provider) -> &Breaker {
        &self.0[&provider]
    }

    pub fn snapshots(&self) -> Vec<BreakerSnapshot> {
        self.0.values().map(Breaker::snapshot).collect()
    }
}

mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> BreakerConfig {
        BreakerConfig {
            consecutive_failures: 3,
            failure_rate: 0.5,
            window: 10,
            min_calls: 6,
            cool_down: Duration::from_secs(30),
            half_open_probes: 1,
        }
    }

    fn down() -> ProviderError {
        ProviderError::Unavailable { status: 503, message: "busy".into() }
    }

    async fn fail(b: &Breaker) -> Result<(), Refused> {
        b.call(async { Err::<(), _>(down()) }).await
    }

    async fn succeed(b: &Breaker) -> Result<(), Refused> {
        b.call(async { Ok(()) }).await
    }

    #[tokio::test(start_paused = true)]
    async fn opens_after_consecutive_failures_and_refuses_without_calling() {
        let b = Breaker::new(Provider::Fal, config());
        for _ in 0..3 {
            assert_eq!(fail(&b).await, Err(Refused::Provider(down())));
        }
        assert_eq!(b.snapshot().state, BreakerState::Open);
        let mut called = false;
        let refused = b.call(async { called = true; Ok(()) }).await.unwrap_err();
        assert!(!called, "an open breaker must not call the provider");
        let Refused::Open { provider, retry_in } = refused.clone() else { panic!("{refused:?}") };
        assert_eq!((provider, retry_in), (Provider::Fal, Duration::from_secs(30)));
        assert!(refused.to_string().contains("fal"), "{refused}");
        assert_eq!(b.snapshot().opened, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn half_open_after_the_cool_down_one_probe_decides() {
        let b = Breaker::new(Provider::Kling, config());
        for _ in 0..3 {
            let _ = fail(&b).await;
        }
        tokio::time::advance(Duration::from_secs(29)).await;
        assert!(matches!(succeed(&b).await, Err(Refused::Open { .. })));
        tokio::time::advance(Duration::from_secs(1)).await;

        // The probe fails: open again for a whole cool-down.
        assert!(matches!(fail(&b).await, Err(Refused::Provider(_))));
        assert_eq!(b.snapshot().state, BreakerState::Open);
        assert_eq!(b.snapshot().retry_in_ms, Some(30_000));
        tokio::time::advance(Duration::from_secs(30)).await;

        // Only one probe at a time; its success closes the breaker.
        let (probe_done, release) = tokio::sync::oneshot::channel::<()>();
        let b = Arc::new(b);
        let probing = {
            let b = b.clone();
            tokio::spawn(async move { b.call(async { release.await.ok(); Ok(()) }).await })
        };
        tokio::task::yield_now().await;
        assert_eq!(b.snapshot().state, BreakerState::HalfOpen);
        assert!(matches!(succeed(&b).await, Err(Refused::Open { .. })), "a second probe waits");
        probe_done.send(()).unwrap();
        probing.await.unwrap().unwrap();
        assert_eq!(b.snapshot().state, BreakerState::Closed);
        assert!(succeed(&b).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn opens_on_the_failure_rate_even_without_a_run_of_failures() {
        let b = Breaker::new(Provider::Gemini, config());
        for _ in 0..3 {
            succeed(&b).await.unwrap();
            let _ = fail(&b).await;
        }
        // 3 of 6 failed, never 3 in a row.
        assert_eq!(b.snapshot().state, BreakerState::Open);
        assert_eq!(b.snapshot().recent_failure_rate, 0.5);
    }

    #[tokio::test(start_paused = true)]
    async fn rejections_are_answers_not_outages() {
        let b = Breaker::new(Provider::Claude, config());
        for _ in 0..10 {
            let rejected = b.call(async { Err::<(), _>(ProviderError::Rejected { status: 422, message: "bad".into() }) }).await;
            assert!(matches!(rejected, Err(Refused::Provider(ProviderError::Rejected { .. }))));
        }
        let snap = b.snapshot();
        assert_eq!((snap.state, snap.failures, snap.calls), (BreakerState::Closed, 0, 10));
        let errors = |kind: &str| miri_telemetry::metrics::global().provider_errors.with_label_values(&["claude", kind]).get();
        assert_eq!(errors("rejected"), 10, "every failed call is counted by its kind");
        // Rate limits and timeouts do count.
        let _ = b.call(async { Err::<(), _>(ProviderError::RateLimited { retry_after: None }) }).await;
        let _ = b.call(async { Err::<(), _>(ProviderError::Timeout) }).await;
        let _ = fail(&b).await;
        assert_eq!(b.snapshot().state, BreakerState::Open);
        assert_eq!((errors("rate_limited"), errors("timeout"), errors("unavailable")), (1, 1, 1));
        let _ = succeed(&b).await;
        assert_eq!(errors("circuit_open"), 1, "a refusal by the open breaker is counted too");
        let timed = miri_telemetry::metrics::global().provider_seconds.with_label_values(&["claude", "rejected"]);
        assert_eq!(timed.get_sample_count(), 10);
    }

    #[test]
    fn breakers_are_per_provider_and_kling_is_told_apart_from_flux() {
        let all = Breakers::new(BreakerConfig::default());
        assert_eq!(all.snapshots().len(), 5);
        assert_eq!(Provider::of_fal_endpoint("fal-ai/kling-video/v3/standard/image-to-video"), Provider::Kling);
        assert_eq!(Provider::of_fal_endpoint("fal-ai/flux-2/lora"), Provider::Fal);
        let json = serde_json::to_value(all.get(Provider::Vertex).snapshot()).unwrap();
        assert_eq!(json["provider"], "vertex");
        assert_eq!(json["state"], "closed");
        let config: BreakerConfig = serde_json::from_str(r#"{"consecutiveFailures": 2, "coolDown": 1500}"#).unwrap();
        assert_eq!((config.consecutive_failures, config.cool_down, config.window), (2, Duration::from_millis(1500), 20));
    }
}
