//! The simulator's two kinds of failure: it cannot start or keep serving (`SimError`), or it
//! refuses one HTTP request the way fal would (`ApiError`, answered as fal's `{"detail": ...}`).

use std::io;
use std::path::PathBuf;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot use {path}: {source}; check that the data directory is writable")]
    DataDir { path: PathBuf, source: io::Error },
    #[error(
        "the signing key in {path} is unreadable ({reason}); delete the file to make a new key, then let webhook receivers refetch the JWKS"
    )]
    SigningKey { path: PathBuf, reason: String },
    #[error("could not set up the HTTP client ({0}); check the TLS setup of this machine")]
    HttpClient(String),
    #[error("the HTTP server stopped: {0}")]
    Serve(io::Error),
}

/// One refused HTTP request.
#[derive(Debug)]
pub enum ApiError {
    /// 401: no `Authorization: Key …` header.
    Unauthorized,
    /// 400 with a message.
    BadRequest(String),
    /// 404 with a message.
    NotFound(String),
    /// 409: the request exists but is not in a state that allows this.
    Conflict(String),
    /// 422 with fal's validation list `[{"loc","msg","type"}]`.
    Invalid(Value),
    /// 502: a call the simulator made on the caller's behalf failed.
    BadGateway(String),
    /// 500: the simulator could not write its own state.
    Internal(String),
}

impl From<io::Error> for ApiError {
    fn from(err: io::Error) -> Self {
        Self::Internal(format!("the simulator could not save its state: {err}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, detail) = match self {
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                json!(
                    "Missing or invalid Authorization header; send 'Authorization: Key <FAL_KEY>'"
                ),
            ),
            Self::BadRequest(message) => (StatusCode::BAD_REQUEST, json!(message)),
            Self::NotFound(message) => (StatusCode::NOT_FOUND, json!(message)),
            Self::Conflict(message) => (StatusCode::CONFLICT, json!(message)),
            Self::Invalid(violations) => (StatusCode::UNPROCESSABLE_ENTITY, violations),
            Self::BadGateway(message) => (StatusCode::BAD_GATEWAY, json!(message)),
            Self::Internal(message) => (StatusCode::INTERNAL_SERVER_ERROR, json!(message)),
        };
        (status, Json(json!({ "detail": detail }))).into_response()
    }
}
