//! fal's queue API as the official client uses it: submit to `/{owner}/{app}[/{path}]`, then
//! status, result and cancel under `/{owner}/{app}/requests/{id}` (the sub-path dropped).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;
use uuid::Uuid;

use crate::contract::{self, ContractError};
use crate::error::ApiError;
use crate::state::Sim;
use crate::store::{RequestRecord, RequestState};

#[derive(Deserialize)]
pub struct SubmitPath {
    owner: String,
    app: String,
    path: Option<String>,
}

#[derive(Deserialize)]
pub struct SubmitQuery {
    fal_webhook: Option<String>,
}

#[derive(Deserialize)]
pub struct RequestPath {
    owner: String,
    app: String,
    id: String,
}

#[derive(Deserialize)]
pub struct StatusQuery {
    logs: Option<String>,
}

pub async fn submit(
    State(sim): State<Sim>,
    Path(target): Path<SubmitPath>,
    Query(query): Query<SubmitQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    authorize(&headers)?;
    let app = format!("{}/{}", target.owner, target.app);
    let endpoint = match target.path.as_deref() {
        Some(path) if !path.is_empty() => format!("{app}/{path}"),
        _ => app.clone(),
    };
    let input: Value = serde_json::from_slice(&body).map_err(|err| {
        ApiError::BadRequest(format!("The request body is not valid JSON: {err}"))
    })?;
    contract::validate(&endpoint, &input).map_err(|err| match err {
        ContractError::UnknownEndpoint => {
            ApiError::NotFound(format!("Application '{endpoint}' not found"))
        }
        ContractError::Invalid(violations) => ApiError::Invalid(violations),
    })?;
    let webhook = query
        .fal_webhook
        .map(|hook| checked_webhook(&hook))
        .transpose()?;

    let record = RequestRecord {
        request_id: Uuid::new_v4(),
        endpoint,
        app,
        input,
        webhook,
        submitted_at: Utc::now(),
        state: RequestState::Queued,
    };
    let id = record.request_id;
    tracing::info!(request_id = %id, endpoint = %record.endpoint, webhook = ?record.webhook, "request submitted");
    let mut answer = urls(&sim, &record);
    answer["status"] = json!("IN_QUEUE");
    answer["request_id"] = json!(id);
    answer["gateway_request_id"] = json!(id);
    answer["queue_position"] = json!(0);
    sim.store().insert(record).await?;
    sim.start_worker(id);
    Ok(Json(answer))
}

pub async fn status(
    State(sim): State<Sim>,
    Path(target): Path<RequestPath>,
    Query(query): Query<StatusQuery>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    authorize(&headers)?;
    let record = find(&sim, &target).await?;
    let mut body = urls(&sim, &record);
    body["request_id"] = json!(record.request_id);
    body["logs"] = if query.logs.as_deref() == Some("1") {
        json!([])
    } else {
        Value::Null
    };
    let code = match &record.state {
        RequestState::Queued => {
            body["status"] = json!("IN_QUEUE");
            body["queue_position"] = json!(0);
            StatusCode::ACCEPTED
        }
        RequestState::Running => {
            body["status"] = json!("IN_PROGRESS");
            StatusCode::ACCEPTED
        }
        RequestState::Completed { finished_at, .. }
        | RequestState::Failed { finished_at, .. }
        | RequestState::Cancelled { finished_at } => {
            body["status"] = json!("COMPLETED");
            let seconds = (*finished_at - record.submitted_at).num_milliseconds() as f64 / 1000.0;
            body["metrics"] = json!({ "inference_time": seconds });
            StatusCode::OK
        }
    };
    Ok((code, Json(body)))
}

pub async fn result(
    State(sim): State<Sim>,
    Path(target): Path<RequestPath>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&headers)?;
    let record = find(&sim, &target).await?;
    let (code, body) = match record.state {
        RequestState::Completed { output, .. } => (StatusCode::OK, output),
        RequestState::Failed { detail, .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "detail": detail }),
        ),
        RequestState::Cancelled { .. } => (
            StatusCode::BAD_REQUEST,
            json!({ "detail": "Request was cancelled" }),
        ),
        RequestState::Queued | RequestState::Running => (
            StatusCode::BAD_REQUEST,
            json!({ "detail": "Request is still in progress" }),
        ),
    };
    let request_id = record.request_id.to_string();
    Ok((
        code,
        [(
            header::HeaderName::from_static("x-fal-request-id"),
            request_id,
        )],
        Json(body),
    )
        .into_response())
}

pub async fn cancel(
    State(sim): State<Sim>,
    Path(target): Path<RequestPath>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    authorize(&headers)?;
    let record = match find(&sim, &target).await {
        Ok(record) => record,
        Err(ApiError::NotFound(_)) => {
            return Ok((
                StatusCode::NOT_FOUND,
                Json(json!({ "status": "NOT_FOUND" })),
            ));
        }
        Err(err) => return Err(err),
    };
    let cancelled = sim
        .store()
        .advance(
            record.request_id,
            RequestState::Cancelled {
                finished_at: Utc::now(),
            },
        )
        .await?;
    if cancelled.is_none() {
        return Ok((
            StatusCode::BAD_REQUEST,
            Json(json!({ "status": "ALREADY_COMPLETED" })),
        ));
    }
    sim.stop_worker(record.request_id);
    tracing::info!(request_id = %record.request_id, "request cancelled");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "status": "CANCELLATION_REQUESTED" })),
    ))
}

/// fal wants `Authorization: Key <key>`; the simulator accepts any non-empty key.
fn authorize(headers: &HeaderMap) -> Result<(), ApiError> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Key "))
        .map(str::trim);
    match key {
        Some(key) if !key.is_empty() => Ok(()),
        _ => Err(ApiError::Unauthorized),
    }
}

fn checked_webhook(hook: &str) -> Result<String, ApiError> {
    match Url::parse(hook) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(hook.to_owned()),
        _ => Err(ApiError::BadRequest(format!(
            "fal_webhook {hook:?} is not an http(s) URL"
        ))),
    }
}

/// The request named by the path, if it exists under that `owner/app`.
async fn find(sim: &Sim, target: &RequestPath) -> Result<RequestRecord, ApiError> {
    let not_found = || ApiError::NotFound(format!("Request {} not found", target.id));
    let id = Uuid::parse_str(&target.id).map_err(|_| not_found())?;
    let record = sim.store().get(id).await.ok_or_else(not_found)?;
    if record.app != format!("{}/{}", target.owner, target.app) {
        return Err(not_found());
    }
    Ok(record)
}

/// The queue URLs of a request, on `owner/app` only.
fn urls(sim: &Sim, record: &RequestRecord) -> Value {
    let response_url = sim.public_url(&format!("{}/requests/{}", record.app, record.request_id));
    json!({
        "status_url": format!("{response_url}/status"),
        "cancel_url": format!("{response_url}/cancel"),
        "response_url": response_url,
    })
}
