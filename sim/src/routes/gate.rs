//! The door every provider call passes first: it is counted under its provider for `/_sim/stats`,
//! then the configured [`crate::faults`] decide whether it waits, is refused, or goes through.
//! Refusals are written in the provider's own error shape so clients meet what they would meet.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::claude::ClaudeError;
use super::google::GoogleError;
use crate::faults::CallFate;
use crate::state::Sim;

/// Who a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Fal,
    Gemini,
    Files,
    Embeddings,
    Claude,
    Vector,
}

impl Provider {
    pub const ALL: [Provider; 6] = [
        Self::Fal,
        Self::Gemini,
        Self::Files,
        Self::Embeddings,
        Self::Claude,
        Self::Vector,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Fal => "fal",
            Self::Gemini => "gemini",
            Self::Files => "files",
            Self::Embeddings => "embeddings",
            Self::Claude => "claude",
            Self::Vector => "vector",
        }
    }

    fn of(path: &str) -> Self {
        let method = path.rsplit_once(':').map_or("", |(_, m)| m);
        if path == "/v1/messages" {
            Self::Claude
        } else if path.contains("/indexes/") || path.contains("/indexEndpoints/") {
            Self::Vector
        } else if matches!(method, "embedContent" | "batchEmbedContents" | "predict") {
            Self::Embeddings
        } else if ["/upload/", "/v1beta/files", "/v1/files"]
            .iter()
            .any(|p| path.starts_with(p))
        {
            Self::Files
        } else if path.starts_with("/v1beta/") || path.starts_with("/v1/") {
            Self::Gemini
        } else {
            Self::Fal
        }
    }

    fn rate_limited(self, retry_after_secs: u64) -> Response {
        match self {
            Self::Claude => ClaudeError::rate_limited(retry_after_secs).into_response(),
            Self::Fal => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(json!({ "detail": "Too many requests; retry later" })),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                response
            }
            _ => GoogleError::rate_limited(retry_after_secs).into_response(),
        }
    }

    fn server_error(self) -> Response {
        match self {
            Self::Claude => ClaudeError::overloaded().into_response(),
            Self::Fal => (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "detail": "Service temporarily unavailable" })),
            )
                .into_response(),
            _ => GoogleError::unavailable().into_response(),
        }
    }
}

pub async fn provider_gate(State(sim): State<Sim>, request: Request, next: Next) -> Response {
    let provider = Provider::of(request.uri().path());
    sim.count_call(provider);
    let (latency, fate) = sim.roll_call();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fate {
        CallFate::Serve => next.run(request).await,
        CallFate::RateLimited { retry_after_secs } => {
            tracing::info!(provider = provider.name(), "fault injection: 429");
            provider.rate_limited(retry_after_secs)
        }
        CallFate::ServerError => {
            tracing::info!(provider = provider.name(), "fault injection: 5xx");
            provider.server_error()
        }
    }
}
