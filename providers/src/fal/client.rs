//! The HTTP client for fal's queue API: submit a model input, follow its status, fetch its result,
//! cancel it.
//!
//! It speaks to whatever base URL it is given, so the same code drives queue.fal.run and the
//! offline simulator. The API key travels only in a sensitive `Authorization` header and only to
//! the configured origin; it never appears in `Debug` output or error messages.

use std::fmt;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{RequestBuilder, redirect};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::queue::{QueueStatus, QueueSubmission};
use crate::error::ProviderError;

const PRIORITY_HEADER: &str = "x-fal-queue-priority";

/// Why a `FalClient` could not be built; all are configuration mistakes.
#[derive(Debug, thiserror::Error)]
pub enum FalConfigError {
    #[error("the fal API key is empty; set FAL_KEY")]
    EmptyKey,
    #[error(
        "the fal API key contains characters an HTTP header cannot carry; check FAL_KEY for stray whitespace or newlines"
    )]
    InvalidKey,
    #[error("the fal base URL {0} is not an http(s) URL; use one such as https://queue.fal.run")]
    BaseUrl(Url),
    #[error("could not set up the HTTP client ({0}); check the TLS setup of this machine")]
    HttpClient(String),
}

pub struct FalClient {
    http: reqwest::Client,
    base_url: Url,
}

impl fmt::Debug for FalClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FalClient")
            .field("base_url", &self.base_url.as_str())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl FalClient {
    /// `timeout` bounds each HTTP exchange as a whole (connect, send, read the body).
    pub fn new(base_url: Url, key: String, timeout: Duration) -> Result<Self, FalConfigError> {
        if key.is_empty() {
            return Err(FalConfigError::EmptyKey);
        }
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(FalConfigError::BaseUrl(base_url));
        }
        let mut auth =
            HeaderValue::from_str(&format!("Key {key}")).map_err(|_| FalConfigError::InvalidKey)?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);

        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(timeout)
            .connect_timeout(timeout)
            // The queue API never redirects; following one could carry the key elsewhere.
            .redirect(redirect::Policy::none())
            .build()
            .map_err(|err| FalConfigError::HttpClient(err.to_string()))?;
        Ok(Self { http, base_url })
    }

    /// Queues `input` on `endpoint_id` (e.g. `fal-ai/flux-2/edit`). With `webhook_url`, fal POSTs
    /// the outcome there when the request finishes.
    pub async fn submit(
        &self,
        endpoint_id: &str,
        input: &Value,
        webhook_url: Option<&str>,
    ) -> Result<QueueSubmission, ProviderError> {
        let mut url = self.base_url.clone();
        url.path_segments_mut()
            .expect("checked in new: the base URL can carry paths")
            .pop_if_empty()
            .extend(endpoint_id.trim_matches('/').split('/'));
        if let Some(hook) = webhook_url {
            url.query_pairs_mut().append_pair("fal_webhook", hook);
        }
        let request = self
            .http
            .post(url)
            .header(PRIORITY_HEADER, "normal")
            .json(input);
        let body = self.exchange("submit", request).await?;
        decode("submit", &body)
    }

    /// Asks where the request stands, via the `status_url` returned by `submit`.
    pub async fn status(&self, status_url: &str) -> Result<QueueStatus, ProviderError> {
        let mut url = self.queue_url(status_url)?;
        url.query_pairs_mut().append_pair("logs", "0");
        let body = self.exchange("status", self.http.get(url)).await?;
        decode("status", &body)
    }

    /// The model's output, via the `response_url` returned by `submit`. A failed model run comes
    /// back as `Rejected` carrying the model's own message.
    pub async fn result(&self, response_url: &str) -> Result<Value, ProviderError> {
        let url = self.queue_url(response_url)?;
        let body = self.exchange("result", self.http.get(url)).await?;
        decode("result", &body)
    }

    /// Removes a queued request or signals a running one to stop, via the `cancel_url` returned by
    /// `submit`. A request that already finished answers `Rejected`.
    pub async fn cancel(&self, cancel_url: &str) -> Result<(), ProviderError> {
        let url = self.queue_url(cancel_url)?;
        self.exchange("cancel", self.http.put(url)).await?;
        Ok(())
    }

    /// Parses a URL fal returned and makes sure the key only goes back to the configured origin.
    fn queue_url(&self, raw: &str) -> Result<Url, ProviderError> {
        let url = Url::parse(raw)
            .map_err(|err| ProviderError::Malformed(format!("queue URL {raw:?}: {err}")))?;
        if url.origin() != self.base_url.origin() {
            return Err(ProviderError::Malformed(format!(
                "queue URL {raw} is not on {}; refusing to send the API key there",
                self.base_url.origin().ascii_serialization()
            )));
        }
        Ok(url)
    }

    /// Sends the request and returns the body of a 2xx answer; anything else becomes the matching
    /// `ProviderError`.
    async fn exchange(
        &self,
        what: &str,
        request: RequestBuilder,
    ) -> Result<bytes::Bytes, ProviderError> {
        let response = request
            .send()
            .await
            .map_err(|err| ProviderError::from_transport(what, err))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = response
            .bytes()
            .await
            .map_err(|err| ProviderError::from_transport(what, err))?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(ProviderError::from_status(
                status.as_u16(),
                retry_after.as_deref(),
                &body,
            ))
        }
    }
}

fn decode<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, ProviderError> {
    serde_json::from_slice(body).map_err(|err| ProviderError::Malformed(format!("{what}: {err}")))
}
