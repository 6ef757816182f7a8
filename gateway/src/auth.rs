//! Bearer tokens. A token is 32 random bytes in hex; the store keeps only its SHA-256, so a
//! leaked database leaks no credential. Every REST route but health and webhooks, and every
//! Socket.IO connection, goes through [`Caller`].

use crate::{error::ApiError, server::AppState};
use axum::{extract::FromRequestParts, http::request::Parts};
use chrono::Utc;
use miri_store::{Records, Role, StoreError, TokenRecord};
use sha2::{Digest, Sha256};

/// Who is calling, resolved from the bearer token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: Role,
    pub label: String,
}

impl Caller {
    /// The name written into records this caller causes (never the token).
    pub fn name(&self) -> String {
        format!("token:{}", self.label)
    }

    pub fn require_editor(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Editor | Role::Owner => Ok(()),
            Role::Viewer => Err(ApiError::Forbidden("a viewer token cannot change shots".into())),
        }
    }
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Resolves a presented token to its caller, if the store knows it.
pub async fn resolve(store: &Records, token: &str) -> Result<Option<Caller>, StoreError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 256 {
        return Ok(None);
    }
    Ok(store.token(&token_hash(token)).await?.map(|t| Caller { role: t.role, label: t.label }))
}

/// Creates a new token with `role` and returns its secret (shown once, stored hashed).
pub async fn issue(store: &Records, role: Role, label: &str) -> Result<String, StoreError> {
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let record = TokenRecord {
        token_sha256: token_hash(&secret),
        role,
        label: label.to_string(),
        created_at: Utc::now(),
    };
    store.create_token(&record).await?;
    Ok(secret)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::Unauthorized)?;
        let token = header.strip_prefix("Bearer ").ok_or(ApiError::Unauthorized)?;
        resolve(&state.store, token).await?.ok_or(ApiError::Unauthorized)
    }
}
