//! The Messages API client: `POST {base}/v1/messages`.
//!
//! The API key travels only in a sensitive `x-api-key` header to the configured origin; it never
//! appears in `Debug` output or error messages. Redirects are not followed. Errors come back as
//! `{"type":"error","error":{"type","message"}}`, whose message is surfaced; 529 (overloaded) is
//! `Unavailable` and 429 carries `retry-after`, like every other provider.

use std::fmt;
use std::time::Duration;

use miri_core::llm::{GenerateError, GenerateRequest, LanguageModel, Reply};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::redirect;
use url::Url;

use super::wire::{MessagesAnswer, MessagesBody};
use crate::error::{ProviderError, decode, exchange};

const API_VERSION: &str = "2023-06-01";

/// Why a `ClaudeClient` could not be built; all are configuration mistakes.
#[derive(Debug, thiserror::Error)]
pub enum ClaudeConfigError {
    #[error("the Anthropic API key is empty; set ANTHROPIC_API_KEY")]
    EmptyKey,
    #[error(
        "the Anthropic API key contains characters an HTTP header cannot carry; check ANTHROPIC_API_KEY for stray whitespace or newlines"
    )]
    InvalidKey,
    #[error(
        "the Anthropic base URL {0} is not an http(s) URL; use one such as https://api.anthropic.com"
    )]
    BaseUrl(Url),
    #[error("could not set up the HTTP client ({0}); check the TLS setup of this machine")]
    HttpClient(String),
}

pub struct ClaudeClient {
    http: reqwest::Client,
    base_url: Url,
    /// Sent when a request sets no `max_output_tokens`; the Messages API requires one.
    default_max_tokens: u32,
}

impl fmt::Debug for ClaudeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClaudeClient")
            .field("base_url", &self.base_url.as_str())
            .field("key", &"<redacted>")
            .field("default_max_tokens", &self.default_max_tokens)
            .finish()
    }
}

impl ClaudeClient {
    /// `timeout` bounds each HTTP exchange as a whole; `default_max_tokens` caps answers of
    /// requests that do not say.
    pub fn new(
        base_url: Url,
        key: String,
        timeout: Duration,
        default_max_tokens: u32,
    ) -> Result<Self, ClaudeConfigError> {
        if key.is_empty() {
            return Err(ClaudeConfigError::EmptyKey);
        }
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(ClaudeConfigError::BaseUrl(base_url));
        }
        let mut key = HeaderValue::from_str(&key).map_err(|_| ClaudeConfigError::InvalidKey)?;
        key.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", key);
        headers.insert("anthropic-version", HeaderValue::from_static(API_VERSION));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(timeout)
            .connect_timeout(timeout)
            // The Messages API never redirects; following one could carry the key elsewhere.
            .redirect(redirect::Policy::none())
            .build()
            .map_err(|err| ClaudeConfigError::HttpClient(err.to_string()))?;
        Ok(Self {
            http,
            base_url,
            default_max_tokens,
        })
    }

    fn messages_url(&self) -> Url {
        let mut url = self.base_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["v1", "messages"]);
        }
        url
    }
}

impl LanguageModel for ClaudeClient {
    type Error = ProviderError;

    async fn generate(
        &self,
        request: &GenerateRequest,
    ) -> Result<Reply, GenerateError<ProviderError>> {
        let body = MessagesBody::from_request(request, self.default_max_tokens)?;
        let http = self.http.post(self.messages_url()).json(&body);
        let answer = exchange("messages", http)
            .await
            .map_err(GenerateError::Provider)?;
        let answer: MessagesAnswer =
            decode("messages", &answer.body).map_err(GenerateError::Provider)?;
        Ok(answer.into_reply(request.response_schema.is_some()))
    }
}
