//! `/_sim`: controls and counters that exist only in the simulator, for tests that must count
//! paid submissions, decide exactly when a webhook arrives, or make providers misbehave.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde_json::{Value, json};
use url::Url;
use uuid::Uuid;

use super::gate::Provider;
use crate::error::ApiError;
use crate::faults::Faults;
use crate::state::Sim;
use crate::webhook;

/// The query parameter of Miri's `fal_webhook` URLs that identifies what a submission pays for;
/// fal has no idempotency header, so paid work is counted by it.
const IDEMPOTENCY_KEY: &str = "versionId";

/// Every submission ever stored (oldest first), the number of webhooks receivers accepted, paid
/// fal submissions per `versionId`, and calls per provider (faulted ones included).
pub async fn stats(State(sim): State<Sim>) -> Json<Value> {
    let records = sim.store().all().await;
    let mut paid_by_key: BTreeMap<String, u64> = BTreeMap::new();
    for key in records
        .iter()
        .filter_map(|r| r.webhook.as_deref().and_then(idempotency_key))
    {
        *paid_by_key.entry(key).or_default() += 1;
    }
    let calls = sim.calls();
    let calls: BTreeMap<&str, u64> = Provider::ALL
        .iter()
        .map(|p| (p.name(), calls.get(p.name()).copied().unwrap_or(0)))
        .collect();
    let submissions: Vec<Value> = records
        .iter()
        .map(|record| {
            json!({
                "requestId": record.request_id,
                "endpoint": record.endpoint,
                "webhook": record.webhook,
                "submittedAt": record.submitted_at,
            })
        })
        .collect();
    Json(json!({
        "submissions": submissions,
        "webhooksDelivered": sim.webhooks_delivered(),
        "paidByKey": paid_by_key,
        "calls": calls,
    }))
}

fn idempotency_key(webhook: &str) -> Option<String> {
    let url = Url::parse(webhook).ok()?;
    url.query_pairs()
        .find(|(name, _)| name == IDEMPOTENCY_KEY)
        .map(|(_, value)| value.into_owned())
}

/// The faults in force.
pub async fn faults(State(sim): State<Sim>) -> Json<Faults> {
    Json(sim.faults())
}

/// Replaces the faults in force; omitted fields are no fault. `{}` turns every fault off.
pub async fn set_faults(State(sim): State<Sim>, body: Bytes) -> Result<Json<Faults>, ApiError> {
    let faults: Faults = serde_json::from_slice(&body)
        .map_err(|err| ApiError::BadRequest(format!("The faults are not valid: {err}")))?;
    faults.check().map_err(ApiError::BadRequest)?;
    tracing::info!(?faults, "faults changed");
    sim.set_faults(faults.clone());
    Ok(Json(faults))
}

/// Sends a finished request's webhook now, once, and reports when it left and how the receiver
/// answered. Meant for `WebhookMode::Hold`, but also re-sends in `Auto` mode.
pub async fn deliver(
    State(sim): State<Sim>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let not_found = || ApiError::NotFound(format!("Request {id} not found"));
    let request_id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let record = sim.store().get(request_id).await.ok_or_else(not_found)?;
    let Some(url) = record.webhook.as_deref() else {
        return Err(ApiError::BadRequest(format!(
            "Request {id} was submitted without fal_webhook"
        )));
    };
    let Some(body) = webhook::callback_body(&record) else {
        return Err(ApiError::Conflict(format!(
            "Request {id} has no callback to send: it is still running or was cancelled"
        )));
    };
    let delivery = webhook::send(&sim, url, &id, body).await.map_err(|err| {
        ApiError::BadGateway(format!(
            "The webhook receiver could not be reached: {}",
            err.without_url()
        ))
    })?;
    Ok(Json(json!({
        "sentAtUnixNs": delivery.sent_at_unix_ns,
        "status": delivery.status,
    })))
}
