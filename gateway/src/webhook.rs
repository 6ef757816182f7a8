//! `POST /api/webhooks/fal`: authenticated by its Ed25519 signature alone. A verified result is
//! signalled to the shot's workflow, which ignores results for requests it is not waiting for;
//! a webhook for an unknown shot or request is answered 200 and logged, so fal stops retrying.

use crate::{error::ApiError, server::AppState};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Query, State},
    http::HeaderMap,
    routing::post,
};
use miri_core::{ShotId, VersionId};
use miri_providers::fal::webhook::{WebhookBody, WebhookStatus};
use miri_workflows::{ShotWorkflow, contract::ProviderResult, shot_workflow_id};
use serde::Deserialize;
use serde_json::{Value, json};
use temporalio_client::{WorkflowSignalOptions, errors::WorkflowInteractionError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/webhooks/fal", post(fal_webhook))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Target {
    shot_id: Option<String>,
    version_id: Option<String>,
}

async fn fal_webhook(
    State(st): State<AppState>,
    Query(target): Query<Target>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let now = chrono::Utc::now().timestamp();
    if let Err(e) = st.verifier.verify(&headers, &body, now).await {
        tracing::warn!("refused a fal webhook: {e}");
        return Err(ApiError::Unauthorized);
    }
    let parsed = WebhookBody::parse(&body).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let ignored = |why: String| {
        tracing::info!(request = %parsed.request_id, "ignored fal webhook: {why}");
        Ok(Json(json!({"accepted": false, "reason": why})))
    };
    let (Some(shot), Some(version)) = (target.shot_id, target.version_id) else {
        return ignored("no shotId/versionId in the callback URL".into());
    };
    let (Ok(shot), Ok(version)) = (ShotId::parse("shotId", &shot), VersionId::parse("versionId", &version))
    else {
        return ignored("malformed ids in the callback URL".into());
    };
    if st.store.shot(shot).await?.is_none() {
        return ignored(format!("unknown shot {shot}"));
    }
    if let Some(known) = st.store.provider_request(version).await?
        && known.request_id != parsed.request_id
    {
        return ignored(format!("version {version} belongs to request {}", known.request_id));
    }
    let ok = parsed.status == WebhookStatus::Ok && parsed.payload.is_some();
    let result = ProviderResult {
        request_id: parsed.request_id.clone(),
        ok,
        error: (!ok).then(|| {
            parsed.error.clone().or(parsed.payload_error.clone()).unwrap_or_else(|| "no payload".into())
        }),
        payload: parsed.payload,
    };
    let handle = st.temporal.get_workflow_handle::<ShotWorkflow>(shot_workflow_id(shot));
    match handle.signal(ShotWorkflow::provider_result, result, WorkflowSignalOptions::default()).await {
        Ok(()) => Ok(Json(json!({"accepted": true}))),
        Err(WorkflowInteractionError::NotFound(_)) => ignored(format!("no running workflow for shot {shot}")),
        Err(e) => Err(ApiError::Unavailable(format!("could not signal the shot workflow: {e}"))),
    }
}
