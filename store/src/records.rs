//! Record types that belong to storage rather than to the domain: provider requests (the
//! idempotency ledger of paid submissions) and API tokens.

use chrono::{DateTime, Utc};
use miri_core::{ProjectId, ShotId, VersionId};
use serde::{Deserialize, Serialize};

/// One paid provider submission, keyed by the version it produces. Create-only: a second
/// submission for the same version finds this record instead of paying again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderRequest {
    pub version_id: VersionId,
    pub shot_id: ShotId,
    pub project_id: ProjectId,
    pub endpoint_id: String,
    pub request_id: String,
    pub status_url: String,
    pub response_url: String,
    pub cancel_url: String,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Editor,
    Owner,
}

/// An API token, stored by the SHA-256 of its secret; the secret itself is never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRecord {
    pub token_sha256: String,
    pub role: Role,
    pub label: String,
    pub created_at: DateTime<Utc>,
}
