//! `/_sim`: controls and counters that exist only in the simulator, for tests that must count
//! paid submissions or decide exactly when a webhook arrives.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::Sim;
use crate::webhook;

/// Every submission ever stored (oldest first) and the number of webhooks receivers accepted.
pub async fn stats(State(sim): State<Sim>) -> Json<Value> {
    let submissions: Vec<Value> = sim
        .store()
        .all()
        .await
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
    }))
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
