//! What every Google route (Gemini, Files, embeddings, Vector Search) shares: the credential check,
//! request bodies parsed with Google's wording, and Google's error shape
//! `{"error":{"code","message","status"}}`.

use axum::Json;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

/// Which Google front door a call came through; they refuse a missing credential differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// generativelanguage.googleapis.com: an API key in `x-goog-api-key` (or `?key=`).
    Gemini,
    /// aiplatform.googleapis.com: an OAuth2 bearer token.
    Vertex,
}

/// One refused call, as Google answers it.
#[derive(Debug)]
pub struct GoogleError {
    code: StatusCode,
    status: &'static str,
    message: String,
    retry_after_secs: Option<u64>,
}

impl GoogleError {
    fn new(code: StatusCode, status: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            status,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    pub fn failed_precondition(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "FAILED_PRECONDITION", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", message)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "RESOURCE_EXHAUSTED",
                "Resource has been exhausted (e.g. check quota).",
            )
        }
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "UNAVAILABLE",
            "The model is overloaded. Please try again later.",
        )
    }
}

impl IntoResponse for GoogleError {
    fn into_response(self) -> Response {
        let body = json!({"error": {
            "code": self.code.as_u16(),
            "message": self.message,
            "status": self.status,
        }});
        let mut response = (self.code, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Any non-empty credential is accepted; a missing one is refused as `api` would.
pub fn authorize(
    api: Api,
    headers: &HeaderMap,
    query_key: Option<&str>,
) -> Result<(), GoogleError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|value| !value.is_empty())
    };
    let bearer = header("authorization")
        .and_then(|value| value.strip_prefix("Bearer "))
        .filter(|token| !token.trim().is_empty());
    let key = header("x-goog-api-key").or(query_key.filter(|key| !key.is_empty()));
    if bearer.is_some() || key.is_some() {
        return Ok(());
    }
    Err(match api {
        Api::Gemini => GoogleError::new(
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        ),
        Api::Vertex => GoogleError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        ),
    })
}

/// The body as `T`, or Google's 400 naming what is wrong with it.
pub fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, GoogleError> {
    serde_json::from_slice(body)
        .map_err(|err| GoogleError::invalid(format!("Invalid JSON payload received. {err}")))
}

/// `model:method` from the last path segment, e.g. `gemini-2.5-pro:generateContent`.
pub fn split_action(action: &str) -> Result<(&str, &str), GoogleError> {
    action
        .split_once(':')
        .filter(|(name, method)| !name.is_empty() && !method.is_empty())
        .ok_or_else(|| {
            GoogleError::not_found(format!(
                "{action} is not a method call; expected '<resource>:<method>'"
            ))
        })
}
