//! `POST /api/webhooks/fal`: authenticated by its Ed25519 signature alone. A verified result is
//! signalled to the shot's workflow (or, for a scene reference, the scene's), which ignores
//! results for requests it is not waiting for;
//! a webhook for an unknown shot or request is answered 200 and logged, so fal stops retrying.
//! The callback URL carries the trace id of the request that paid for the call (`trace`), so
//! the webhook's log lines join that request's; each webhook is counted by its outcome.

use crate::{api::Op, error::ApiError, server::AppState};
use axum::{
    Json,
    body::Bytes,
    extract::{Query, State},
    http::HeaderMap,
};
use miri_core::{AssetId, SceneAsset, SceneId, ShotId, TraceId, VersionId};
use miri_store::At;
use miri_providers::fal::webhook::{WebhookBody, WebhookStatus};
use miri_workflows::{SceneWorkflow, ShotWorkflow, contract::ProviderResult, scene_workflow_id, shot_workflow_id};
use serde::Deserialize;
use serde_json::{Value, json};
use temporalio_client::{WorkflowSignalOptions, errors::WorkflowInteractionError};
use tracing::Instrument;

pub fn ops() -> Vec<Op> {
    vec![Op::post("/api/webhooks/fal", "fal's result callback for a still, a clip or a scene reference", fal_webhook)
        .signed()
        .answers(&[(200, "Accepted, or ignored with the reason (an unknown shot or request)")])]
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Target {
    shot_id: Option<String>,
    version_id: Option<String>,
    scene_id: Option<String>,
    asset_id: Option<String>,
    trace: Option<String>,
}

async fn fal_webhook(
    State(st): State<AppState>,
    Query(target): Query<Target>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    // Only a well-formed id is logged: the URL is fal's copy of ours, but anyone can call it.
    let trace = target.trace.as_deref().and_then(|t| TraceId::parse(t).ok());
    let span = miri_telemetry::trace::span(trace);
    let answer = receive(&st, target, &headers, &body).instrument(span.clone()).await;
    let outcome = match &answer {
        Ok(Json(v)) if v["accepted"] == true => "accepted",
        Ok(_) => "ignored",
        Err(ApiError::Unauthorized) => "refused",
        Err(ApiError::BadRequest(_)) => "malformed",
        Err(_) => "failed",
    };
    miri_telemetry::metrics::global().webhooks.with_label_values(&[outcome]).inc();
    span.in_scope(|| tracing::info!(outcome, "fal webhook"));
    answer
}

async fn receive(st: &AppState, target: Target, headers: &HeaderMap, body: &Bytes) -> Result<Json<Value>, ApiError> {
    let now = chrono::Utc::now().timestamp();
    if let Err(e) = st.verifier.verify(headers, body, now).await {
        tracing::warn!("refused a fal webhook: {e}");
        return Err(ApiError::Unauthorized);
    }
    let parsed = WebhookBody::parse(body).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let ignored = |why: String| {
        tracing::info!(request = %parsed.request_id, "ignored fal webhook: {why}");
        Ok(Json(json!({"accepted": false, "reason": why})))
    };
    let ok = parsed.status == WebhookStatus::Ok && parsed.payload.is_some();
    let result = ProviderResult {
        request_id: parsed.request_id.clone(),
        ok,
        error: (!ok).then(|| {
            parsed.error.clone().or(parsed.payload_error.clone()).unwrap_or_else(|| "no payload".into())
        }),
        payload: parsed.payload.clone(),
    };
    if let (Some(scene), Some(asset)) = (&target.scene_id, &target.asset_id) {
        return scene_reference(st, scene, asset, result).await;
    }
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
    let handle = st.temporal.get_workflow_handle::<ShotWorkflow>(shot_workflow_id(shot));
    match handle.signal(ShotWorkflow::provider_result, result, WorkflowSignalOptions::default()).await {
        Ok(()) => Ok(Json(json!({"accepted": true}))),
        Err(WorkflowInteractionError::NotFound(_)) => ignored(format!("no running workflow for shot {shot}")),
        Err(e) => Err(ApiError::Unavailable(format!("could not signal the shot workflow: {e}"))),
    }
}

/// A scene reference's result goes to its scene's workflow, when the request is the asset's own.
async fn scene_reference(st: &AppState, scene: &str, asset: &str, result: ProviderResult) -> Result<Json<Value>, ApiError> {
    let ignored = |why: String| {
        tracing::info!(request = %result.request_id, "ignored fal webhook: {why}");
        Ok(Json(json!({"accepted": false, "reason": why})))
    };
    let (Ok(scene), Ok(asset)) = (SceneId::parse("sceneId", scene), AssetId::parse("assetId", asset)) else {
        return ignored("malformed ids in the callback URL".into());
    };
    match st.store.get::<SceneAsset>(&asset.to_string(), At::Newest).await? {
        Some((_, known)) if known.scene_id == scene && known.request_id.as_deref() == Some(result.request_id.as_str()) => {}
        // The submission records the request after fal answers it; a webhook faster than that
        // write is left to the workflow's polling.
        _ => return ignored(format!("asset {asset} of scene {scene} did not submit request {}", result.request_id)),
    }
    let handle = st.temporal.get_workflow_handle::<SceneWorkflow>(scene_workflow_id(scene));
    match handle.signal(SceneWorkflow::asset_result, result.clone(), WorkflowSignalOptions::default()).await {
        Ok(()) => Ok(Json(json!({"accepted": true}))),
        Err(WorkflowInteractionError::NotFound(_)) => ignored(format!("no running workflow for scene {scene}")),
        Err(e) => Err(ApiError::Unavailable(format!("could not signal the scene workflow: {e}"))),
    }
}
