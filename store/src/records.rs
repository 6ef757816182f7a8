//! Record types that belong to storage rather than to the domain: provider requests (the
//! idempotency ledger of paid submissions), API tokens and project memberships.

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

/// What a token may do, in ascending order: a viewer reads, an editor also changes shots, an
/// owner also manages the project's keys and budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Editor,
    Owner,
}

impl Role {
    pub fn parse(raw: &str) -> Option<Role> {
        match raw {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "owner" => Some(Role::Owner),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Owner => "owner",
        }
    }
}

/// An API token, stored by the SHA-256 of its secret; the secret itself is never stored.
///
/// A studio token (`project_id` absent) signs in a person: as `owner` it administers every
/// project of this studio; otherwise it reaches the projects it is a [`Membership`] of. A project
/// key (`project_id` set) is an integration's credential for that one project, with its role.
/// Revoking appends a revision with `revoked_at`; the token never works again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRecord {
    pub token_sha256: String,
    pub role: Role,
    pub label: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<ProjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
}

/// A studio token's role in one project (the creator of a project is its first owner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub project_id: ProjectId,
    pub token_sha256: String,
    pub role: Role,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
}

impl Membership {
    /// One membership per project and token.
    pub fn id_of(project: ProjectId, token_sha256: &str) -> String {
        format!("{project}:{token_sha256}")
    }
}
