//! Bearer tokens and who may do what in which project. A token is 32 random bytes in hex; the
//! store keeps only its SHA-256, so a leaked database leaks no credential. Every REST route but
//! health and webhooks, every gRPC call and every Socket.IO connection resolves a [`Caller`];
//! anything that touches a project first turns it into a [`Member`] of that project, so a check
//! cannot be skipped: the role that allows an action lives only on the `Member`.
//!
//! A studio token (no project) signs in a person: the studio's owner administers every project,
//! anyone else reaches the projects they created or were added to. A project key is an
//! integration's credential for one project. A project the caller may not see answers 404, as if
//! it did not exist, so ids cannot be probed.

use crate::{error::ApiError, server::AppState};
use axum::{extract::FromRequestParts, http::request::Parts};
use chrono::Utc;
use miri_core::ProjectId;
use miri_store::{Membership, Records, Role, StoreError, TokenRecord};
use sha2::{Digest, Sha256};

/// Who is calling, resolved from the bearer token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: Role,
    pub label: String,
    token_sha256: String,
    project: Option<ProjectId>,
}

/// A caller's standing in one project: the only place a role is checked.
#[derive(Debug, Clone)]
pub struct Member {
    pub project_id: ProjectId,
    pub role: Role,
    name: String,
}

impl Member {
    /// The name written into records this member causes (never the token).
    pub fn name(&self) -> String {
        self.name.clone()
    }

    pub fn require_editor(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Editor | Role::Owner => Ok(()),
            Role::Viewer => Err(ApiError::Forbidden(format!(
                "a viewer of project {} cannot change it; ask its owner for an editor key",
                self.project_id
            ))),
        }
    }

    pub fn require_owner(&self, act: &str) -> Result<(), ApiError> {
        match self.role {
            Role::Owner => Ok(()),
            role => Err(ApiError::Forbidden(format!(
                "only an owner of project {} can {act}; this token is its {}",
                self.project_id,
                role.as_str()
            ))),
        }
    }
}

impl Caller {
    /// The name written into records this caller causes (never the token).
    pub fn name(&self) -> String {
        format!("token:{}", self.label)
    }

    /// The token's public id: the SHA-256 of its secret (the secret cannot be derived from it).
    pub fn token_id(&self) -> &str {
        &self.token_sha256
    }

    /// The one project a project key is for (`None` for a studio token).
    pub fn project(&self) -> Option<ProjectId> {
        self.project
    }

    /// The studio's owner: administers every project.
    pub fn is_admin(&self) -> bool {
        self.project.is_none() && self.role == Role::Owner
    }

    /// Creating a project needs a studio token that may edit; its creator becomes its owner.
    pub fn require_studio_editor(&self) -> Result<(), ApiError> {
        match (self.project, self.role) {
            (Some(p), _) => Err(ApiError::Forbidden(format!(
                "a project key (for project {p}) cannot create projects; use a studio token"
            ))),
            (None, Role::Viewer) => Err(ApiError::Forbidden("a viewer token cannot create projects".into())),
            (None, _) => Ok(()),
        }
    }

    /// The caller's role in `project`, if it has one.
    pub async fn role_in(&self, store: &Records, project: ProjectId) -> Result<Option<Role>, StoreError> {
        Ok(match self.project {
            Some(own) => (own == project).then_some(self.role),
            None if self.role == Role::Owner => Some(Role::Owner),
            None => store.membership(project, &self.token_sha256).await?.map(|m| m.role),
        })
    }

    /// The caller as a member of `project`; 404 (the project "does not exist") when it is not one.
    pub async fn in_project(&self, st: &AppState, project: ProjectId) -> Result<Member, ApiError> {
        self.member_or(st, project, || ApiError::NotFound(format!("project {project} does not exist"))).await
    }

    /// The caller as a member of `project`, reached through one of its things (a shot, a
    /// render…): `hidden` — that thing "does not exist" — when it is no member. A store
    /// failure stays a store failure.
    pub async fn member_or(&self, st: &AppState, project: ProjectId, hidden: impl FnOnce() -> ApiError) -> Result<Member, ApiError> {
        match self.role_in(&st.store, project).await? {
            Some(role) => Ok(Member { project_id: project, role, name: self.name() }),
            None => Err(hidden()),
        }
    }

    /// Makes the caller (a studio token) a member of `project` with `role`.
    pub async fn join(&self, store: &Records, project: ProjectId, role: Role, by: &str) -> Result<(), StoreError> {
        store
            .grant(&Membership {
                project_id: project,
                token_sha256: self.token_sha256.clone(),
                role,
                granted_by: by.to_string(),
                granted_at: Utc::now(),
            })
            .await
    }
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Resolves a presented token to its caller, if the store knows it and it is not revoked.
pub async fn resolve(store: &Records, token: &str) -> Result<Option<Caller>, StoreError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 256 {
        return Ok(None);
    }
    Ok(store.token(&token_hash(token)).await?.filter(|t| t.revoked_at.is_none()).map(|t| Caller {
        role: t.role,
        label: t.label,
        token_sha256: t.token_sha256,
        project: t.project_id,
    }))
}

/// What a new token is for: a studio token, or a key for one project.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub role: Role,
    pub label: &'a str,
    pub project: Option<ProjectId>,
    pub created_by: Option<String>,
}

/// Creates a new token and returns its secret (shown once, stored hashed) with the stored record.
pub async fn issue_token(store: &Records, new: NewToken<'_>) -> Result<(String, TokenRecord), StoreError> {
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let record = TokenRecord {
        token_sha256: token_hash(&secret),
        role: new.role,
        label: new.label.to_string(),
        created_at: Utc::now(),
        project_id: new.project,
        created_by: new.created_by,
        revoked_at: None,
        revoked_by: None,
    };
    store.create_token(&record).await?;
    Ok((secret, record))
}

/// Creates a new studio token with `role` and returns its secret.
pub async fn issue(store: &Records, role: Role, label: &str) -> Result<String, StoreError> {
    Ok(issue_token(store, NewToken { role, label, project: None, created_by: None }).await?.0)
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
