//! Calling a finished request's `fal_webhook` the way fal does: the OK/ERROR body, signed with the
//! simulator's key in the four `X-Fal-Webhook-*` headers, retried with backoff when the receiver
//! fails.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use miri_providers::fal::webhook::{
    HEADER_REQUEST_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_USER_ID, sign,
};
use serde_json::json;

use crate::state::Sim;
use crate::store::{RequestRecord, RequestState};

/// The user id the simulator signs as.
pub const USER_ID: &str = "miri-sim";
/// fal gives a receiver about this long to answer one delivery.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);
const ATTEMPTS: u32 = 5;
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// One webhook POST: when it left and how the receiver answered.
#[derive(Debug, Clone, Copy)]
pub struct Delivery {
    pub sent_at_unix_ns: u64,
    pub status: u16,
}

/// The callback body for a finished request; `None` while it runs or once cancelled, when fal
/// sends nothing.
pub fn callback_body(record: &RequestRecord) -> Option<Vec<u8>> {
    let id = record.request_id.to_string();
    let body = match &record.state {
        RequestState::Completed { output, .. } => json!({
            "request_id": id,
            "gateway_request_id": id,
            "status": "OK",
            "error": null,
            "payload": output,
        }),
        RequestState::Failed { detail, .. } => json!({
            "request_id": id,
            "gateway_request_id": id,
            "status": "ERROR",
            "error": "Invalid status code: 422",
            "payload": { "detail": detail },
        }),
        RequestState::Queued | RequestState::Running | RequestState::Cancelled { .. } => {
            return None;
        }
    };
    Some(serde_json::to_vec(&body).expect("a JSON value always serialises"))
}

/// Signs and POSTs `body` to `url` once.
pub async fn send(
    sim: &Sim,
    url: &str,
    request_id: &str,
    body: Vec<u8>,
) -> Result<Delivery, reqwest::Error> {
    let timestamp = unix_now().as_secs() as i64;
    let signature = sign(sim.key(), request_id, USER_ID, timestamp, &body);
    let request = sim
        .http()
        .post(url)
        .timeout(ATTEMPT_TIMEOUT)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(HEADER_REQUEST_ID, request_id)
        .header(HEADER_USER_ID, USER_ID)
        .header(HEADER_TIMESTAMP, timestamp.to_string())
        .header(HEADER_SIGNATURE, signature)
        .body(body);
    let sent_at_unix_ns = u64::try_from(unix_now().as_nanos()).unwrap_or(u64::MAX);
    let response = request.send().await?;
    let status = response.status();
    if status.is_success() {
        sim.count_webhook_delivered();
    }
    Ok(Delivery {
        sent_at_unix_ns,
        status: status.as_u16(),
    })
}

/// Delivers a finished request's callback, retrying non-2xx answers and connection failures.
pub async fn deliver(sim: &Sim, record: &RequestRecord) {
    let (Some(url), Some(body)) = (record.webhook.as_deref(), callback_body(record)) else {
        return;
    };
    let request_id = record.request_id.to_string();
    let mut backoff = FIRST_BACKOFF;
    for attempt in 1..=ATTEMPTS {
        match send(sim, url, &request_id, body.clone()).await {
            Ok(delivery) if (200..300).contains(&delivery.status) => {
                tracing::info!(%request_id, attempt, "webhook delivered");
                return;
            }
            Ok(delivery) => {
                tracing::warn!(%request_id, attempt, status = delivery.status, "webhook receiver refused the callback")
            }
            Err(err) => {
                tracing::warn!(%request_id, attempt, err = %err.without_url(), "webhook delivery failed")
            }
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
    }
    tracing::error!(%request_id, "giving up on the webhook after {ATTEMPTS} attempts");
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
}
