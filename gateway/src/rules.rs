//! The rulebook over REST. `GET /api/projects/{id}/rules` lists a project's rules, newest first,
//! each with the shot and still it was learnt from (retired ones with `?all=true`); a director
//! adds one with `POST` (`{"text"}`) and retires one with `POST /api/rules/{id}/retire`, which
//! appends a revision — a rule is never edited or deleted. Embeddings stay on the server side.

use crate::{api::Op, auth::Caller, error::ApiError, rest::{Body, existing_project}, server::AppState};
use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
};
use chrono::Utc;
use miri_core::schema::Validate;
use miri_core::{Author, Rule, RuleId};
use miri_store::{At, StoreError, Under};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn ops() -> Vec<Op> {
    vec![
        Op::get("/api/projects/{id}/rules", "The rulebook: rules learnt from rejections, each with the shot it came from", list)
            .flag("all", "Include retired rules")
            .answers(&[(200, "{rules: [...]}")]),
        Op::post("/api/projects/{id}/rules", "Add a rule by hand", add)
            .json::<NewRule>()
            .answers(&[(201, "The rule"), (403, "A viewer cannot add rules")]),
        Op::post("/api/rules/{id}/retire", "Retire a rule: it goes into no later prompt", retire)
            .answers(&[(200, "The rule, inactive"), (403, "A viewer cannot retire rules"), (409, "Changed meanwhile")]),
    ]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    all: bool,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewRule {
    text: String,
}

/// A rule as the API shows it (no embedding: it is the index's, and large).
fn shown(rule: &Rule) -> Value {
    json!({
        "ruleId": rule.rule_id, "text": rule.text, "shotId": rule.shot_id, "source": rule.source,
        "reason": rule.reason, "author": rule.author, "model": rule.model, "active": rule.active,
        "indexed": rule.embedding.is_some(), "createdAt": rule.created_at,
    })
}

async fn list(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let project_id = existing_project(&st, &caller, &id).await?.0.config.project_id;
    let mut rules: Vec<Rule> = st
        .store
        .list::<Rule>(Under::Project(project_id.to_string()), At::Newest)
        .await?
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| q.all || r.active)
        .collect();
    rules.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    Ok(Json(json!({ "rules": rules.iter().map(shown).collect::<Vec<_>>() })))
}

async fn add(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(req): Body<NewRule>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (project, member) = existing_project(&st, &caller, &id).await?;
    member.require_editor()?;
    let project_id = project.config.project_id;
    let text = req.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let rule = Rule {
        rule_id: RuleId::from_uuid(uuid::Uuid::new_v4()),
        project_id,
        text,
        shot_id: None,
        source: None,
        reason: Some(format!("written by {}", caller.name())),
        author: Author::User,
        model: None,
        active: true,
        embedding: None,
        embedding_model: None,
        created_at: Utc::now(),
    };
    rule.validate().map_err(|e| ApiError::BadRequest(e.to_string()))?;
    st.store.append(&rule, 0).await?;
    Ok((StatusCode::CREATED, Json(shown(&rule))))
}

async fn retire(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let rule_id = RuleId::parse("ruleId", &id)?;
    let missing = || ApiError::NotFound(format!("rule {rule_id} does not exist"));
    let (revision, rule) = st.store.get::<Rule>(&rule_id.to_string(), At::Newest).await?.ok_or_else(missing)?;
    caller.member_or(&st, rule.project_id, missing).await?.require_editor()?;
    if !rule.active {
        return Ok(Json(shown(&rule)));
    }
    let retired = Rule { active: false, reason: Some(format!("retired by {}", caller.name())), ..rule };
    match st.store.append(&retired, revision + 1).await {
        Ok(()) => Ok(Json(shown(&retired))),
        Err(StoreError::Conflict { .. }) => Err(ApiError::Conflict(format!("rule {rule_id} changed meanwhile; read it and try again"))),
        Err(e) => Err(e.into()),
    }
}
