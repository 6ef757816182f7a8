//! fal's webhook keys kept fresh: fetched from every configured JWKS address, cached for at most
//! `max_age` (fal says ≤ 24 h), and fetched again early when a callback's signature matches none
//! of the cached keys — that is what a key rotation looks like. Early refetches are rate-limited,
//! so forged callbacks cannot turn the gateway into a JWKS flooder; when a refetch fails the old
//! keys stay in use.

use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::sync::{Mutex, RwLock};
use tokio::time::Instant;

use super::{WebhookError, WebhookVerifier};

/// How the cache behaves; the defaults suit fal.
#[derive(Debug, Clone, Copy)]
pub struct KeyPolicy {
    /// Keys older than this are fetched again before use.
    pub max_age: Duration,
    /// An unknown signature triggers a refetch at most this often.
    pub min_refetch: Duration,
}

impl Default for KeyPolicy {
    fn default() -> Self {
        Self { max_age: Duration::from_secs(12 * 3600), min_refetch: Duration::from_secs(60) }
    }
}

pub struct WebhookKeys {
    urls: Vec<String>,
    policy: KeyPolicy,
    cached: RwLock<Cached>,
    /// One refetch at a time; callers that queued behind it use its result.
    refetching: Mutex<()>,
}

struct Cached {
    verifier: WebhookVerifier,
    fetched_at: Instant,
    last_attempt: Instant,
}

impl WebhookKeys {
    /// Fetches every address once; succeeds when at least one answers with usable keys.
    pub async fn load(urls: Vec<String>, policy: KeyPolicy) -> Result<Self, WebhookError> {
        let verifier = fetch_all(&urls).await?;
        let now = Instant::now();
        let cached = RwLock::new(Cached { verifier, fetched_at: now, last_attempt: now });
        Ok(Self { urls, policy, cached, refetching: Mutex::new(()) })
    }

    /// Accepts the callback if a current key signed it (see [`WebhookVerifier::verify`]).
    pub async fn verify(&self, headers: &HeaderMap, body: &[u8], now_unix: i64) -> Result<(), WebhookError> {
        let stale = self.cached.read().await.fetched_at.elapsed() >= self.policy.max_age;
        if stale {
            self.refetch(false).await;
        }
        let verdict = self.cached.read().await.verifier.verify(headers, body, now_unix);
        match verdict {
            Err(WebhookError::BadSignature) if self.refetch(true).await => {
                self.cached.read().await.verifier.verify(headers, body, now_unix)
            }
            other => other,
        }
    }

    /// Fetches the keys again; answers whether new keys were installed. Refetches after an
    /// unknown signature happen at most once per `min_refetch`, refreshes of stale keys at most
    /// once per the shorter of `min_refetch` and `max_age` (so an outage is not hammered).
    async fn refetch(&self, after_unknown_signature: bool) -> bool {
        let started = Instant::now();
        let _one_at_a_time = self.refetching.lock().await;
        {
            let cached = self.cached.read().await;
            if cached.last_attempt >= started {
                // Someone refetched while this caller queued: use theirs.
                return cached.fetched_at >= started;
            }
            let spacing = match after_unknown_signature {
                true => self.policy.min_refetch,
                false => self.policy.min_refetch.min(self.policy.max_age),
            };
            if cached.last_attempt.elapsed() < spacing {
                return false;
            }
        }
        let fetched = fetch_all(&self.urls).await;
        let mut cached = self.cached.write().await;
        cached.last_attempt = Instant::now();
        match fetched {
            Ok(verifier) => {
                cached.verifier = verifier;
                cached.fetched_at = cached.last_attempt;
                true
            }
            Err(e) => {
                tracing::warn!("fal's webhook keys could not be refreshed, the cached ones stay in use: {e}");
                false
            }
        }
    }
}

/// The keys of every address that answers; an error only when none does.
async fn fetch_all(urls: &[String]) -> Result<WebhookVerifier, WebhookError> {
    let mut merged: Option<WebhookVerifier> = None;
    let mut last_error = WebhookError::JwksUnavailable("no JWKS address is configured".into());
    for url in urls {
        match WebhookVerifier::fetch(url).await {
            Ok(v) => merged = Some(match merged.take() {
                Some(m) => m.merge(v),
                None => v,
            }),
            Err(e) => {
                tracing::warn!("webhook keys from {url} unavailable: {e}");
                last_error = e;
            }
        }
    }
    merged.ok_or(last_error)
}
