//! Who belongs to a project: its API keys (an integration's credential for that one project,
//! with a role) and its members (studio tokens with a role in it). Only a project's owners manage
//! them; a key's secret is answered once, when it is issued, and is never stored.

use crate::auth::{self, Caller, NewToken};
use crate::{api::Op, error::ApiError, rest::{Body, existing_project}, server::AppState};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use miri_store::{At, Membership, Role, TokenRecord, Under};
use serde::Deserialize;
use serde_json::{Value, json};

/// The longest label a key may carry.
pub const MAX_LABEL_CHARS: usize = 100;

pub fn ops() -> Vec<Op> {
    vec![
        Op::get("/api/me", "The calling token: its label, role, id, and the one project a key is for", me)
            .answers(&[(200, "{label, role, tokenId, projectId, admin}")]),
        Op::post("/api/projects/{id}/keys", "Issue an API key for this project; its secret is answered this once", issue)
            .json::<NewKey>()
            .answers(&[(201, "{token, key}"), (403, "Only an owner issues keys")]),
        Op::get("/api/projects/{id}/keys", "The project's keys, revoked ones included (never a secret)", list)
            .answers(&[(200, "{keys: [...]}"), (403, "Only an owner lists keys")]),
        Op::post("/api/projects/{id}/keys/{token}/revoke", "Revoke a key: it stops working at once", revoke)
            .answers(&[(200, "{key}"), (403, "Only an owner revokes keys")]),
        Op::post("/api/projects/{id}/members", "Add a studio token to the project with a role", add_member)
            .json::<NewMember>()
            .answers(&[(201, "The membership"), (403, "Only an owner adds members"), (409, "The token is a project key")]),
        Op::get("/api/projects/{id}/members", "Who belongs to the project", members).answers(&[(200, "{members: [...]}")]),
    ]
}

/// The calling token as the dashboard needs it: its role, its label, and whether it is the
/// studio's owner or a key for one project.
async fn me(caller: Caller) -> Json<Value> {
    Json(json!({
        "label": caller.label,
        "role": caller.role,
        "tokenId": caller.token_id(),
        "projectId": caller.project(),
        "admin": caller.is_admin(),
    }))
}

fn shown(key: &TokenRecord) -> Value {
    json!({
        "tokenId": key.token_sha256,
        "role": key.role,
        "label": key.label,
        "createdAt": key.created_at,
        "createdBy": key.created_by,
        "revokedAt": key.revoked_at,
        "revokedBy": key.revoked_by,
    })
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewKey {
    role: Role,
    label: String,
}

fn label(raw: &str) -> Result<String, ApiError> {
    let label = raw.trim().to_string();
    if miri_core::schema::blank(&label) {
        return Err(ApiError::BadRequest("label must not be empty: say what the key is for".into()));
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(ApiError::BadRequest(format!("label is too long (at most {MAX_LABEL_CHARS} characters)")));
    }
    if label.chars().any(char::is_control) {
        return Err(ApiError::BadRequest("label must not contain control characters".into()));
    }
    Ok(label)
}

/// `POST /api/projects/{id}/keys {role, label}` → 201 `{token, key}`: the secret, shown this once.
async fn issue(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(new): Body<NewKey>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (project, member) = existing_project(&st, &caller, &id).await?;
    member.require_owner("issue its keys")?;
    let label = label(&new.label)?;
    let new = NewToken {
        role: new.role,
        label: &label,
        project: Some(project.config.project_id),
        created_by: Some(member.name()),
    };
    let (secret, record) = auth::issue_token(&st.store, new).await?;
    Ok((StatusCode::CREATED, Json(json!({"token": secret, "key": shown(&record)}))))
}

/// `GET /api/projects/{id}/keys` → `{keys}`, oldest first, revoked ones included (no secrets).
async fn list(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let (project, member) = existing_project(&st, &caller, &id).await?;
    member.require_owner("list its keys")?;
    let keys = st.store.project_tokens(project.config.project_id).await?;
    Ok(Json(json!({"keys": keys.iter().map(shown).collect::<Vec<_>>()})))
}

/// `POST /api/projects/{id}/keys/{tokenId}/revoke` → the key as it now stands. Revoking twice
/// answers the first revocation.
async fn revoke(
    State(st): State<AppState>,
    caller: Caller,
    Path((id, token)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (project, member) = existing_project(&st, &caller, &id).await?;
    member.require_owner("revoke its keys")?;
    let project_id = project.config.project_id;
    let missing = || ApiError::NotFound(format!("project {project_id} has no key {token}"));
    if !token_id(&token) {
        return Err(ApiError::BadRequest(format!("tokenId {token:?} is not a key id (64 hex digits)")));
    }
    match st.store.token(&token).await? {
        Some(key) if key.project_id == Some(project_id) => {}
        _ => return Err(missing()),
    }
    let key = st.store.revoke_token(&token, &member.name()).await?.ok_or_else(missing)?;
    Ok(Json(json!({"key": shown(&key)})))
}

fn token_id(raw: &str) -> bool {
    raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewMember {
    token_id: String,
    role: Role,
}

/// `POST /api/projects/{id}/members {tokenId, role}` → 201: a studio token joins the project
/// (a token that is a member already keeps its role).
async fn add_member(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(new): Body<NewMember>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (project, member) = existing_project(&st, &caller, &id).await?;
    member.require_owner("add members")?;
    let project_id = project.config.project_id;
    if !token_id(&new.token_id) {
        return Err(ApiError::BadRequest(format!("tokenId {:?} is not a token id (64 hex digits)", new.token_id)));
    }
    let token = match st.store.token(&new.token_id).await? {
        Some(t) if t.revoked_at.is_none() => t,
        _ => return Err(ApiError::NotFound(format!("there is no token {}", new.token_id))),
    };
    if let Some(other) = token.project_id {
        return Err(ApiError::Conflict(format!(
            "token {} is a key for project {other}; only studio tokens join projects (issue a key instead)",
            new.token_id
        )));
    }
    let grant = Membership {
        project_id,
        token_sha256: token.token_sha256,
        role: new.role,
        granted_by: member.name(),
        granted_at: chrono::Utc::now(),
    };
    st.store.grant(&grant).await?;
    let stands = st.store.membership(project_id, &grant.token_sha256).await?.unwrap_or(grant);
    Ok((StatusCode::CREATED, Json(member_view(&stands))))
}

fn member_view(m: &Membership) -> Value {
    json!({"projectId": m.project_id, "tokenId": m.token_sha256, "role": m.role, "grantedBy": m.granted_by, "grantedAt": m.granted_at})
}

/// `GET /api/projects/{id}/members` → `{members}` (any member may see who else is one).
async fn members(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let (project, _) = existing_project(&st, &caller, &id).await?;
    let all = st.store.list::<Membership>(Under::Project(project.config.project_id.to_string()), At::Newest).await?;
    Ok(Json(json!({"members": all.iter().map(|(_, m)| member_view(m)).collect::<Vec<_>>()})))
}
