//! The scene activities: a scene's reference images through fal's queue. Each reference is a
//! `SceneAsset` record whose first revision holds the submitted request (so a retried submission
//! finds the request already paid for) and whose second holds the image and its bill.

use crate::ask;
use crate::budget::BudgetPolicy;
use crate::lookup::required;
use crate::shot::{download, fail, media_url, refused, retryable, store_failure};
use chrono::Utc;
use miri_core::scene::asset::{self, wanted};
use miri_core::{Cost, MediaRef, Project, Scene, SceneAsset, VersionKind, prompt::violation::summary};
use miri_providers::breaker::{Breakers, Provider, Refused};
use miri_providers::models::Models;
use miri_providers::{error::ProviderError, fal::{FalClient, QueueStatus}};
use miri_store::{At, MediaStore, Records, StoreError};
use miri_workflows::contract::{
    AssetJob, Budgeted, IngestAsset, Polled, ProviderResult, Submitted, failure, scene_markers,
};
use serde_json::Value;
use std::{sync::Arc, time::Duration};
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use url::Url;

pub struct SceneActivityDeps {
    pub store: Records,
    pub media: MediaStore,
    pub fal: FalClient,
    /// fal posts webhooks to `{base}/api/webhooks/fal?sceneId=…&assetId=…`.
    pub public_url: Url,
    pub http: reqwest::Client,
    pub breakers: Breakers,
    pub budget: BudgetPolicy,
    /// The language models (the references' translations).
    pub models: Models,
}

pub struct SceneWorker {
    deps: SceneActivityDeps,
}

impl SceneWorker {
    pub fn new(deps: SceneActivityDeps) -> Self {
        Self { deps }
    }
}

#[activities]
impl SceneWorker {
    #[activity(definition = scene_markers::SubmitAsset)]
    pub async fn submit_asset(self: Arc<Self>, _ctx: ActivityContext, job: AssetJob) -> Result<Submitted, ActivityError> {
        let d = &self.deps;
        if let Some((_, asset)) = self.asset(&job).await?
            && let Some(request_id) = asset.request_id
        {
            return Ok(Submitted { request_id });
        }
        let scene: Scene = required(&d.store, "scene", job.scene_id).await?;
        let project: Project = required(&d.store, "project", job.project_id).await?;
        let endpoint = project.config.global_settings.image_model;
        let (role, name) = wanted(&scene)
            .get(job.index)
            .cloned()
            .ok_or_else(|| fail(failure::NOT_FOUND, format!("scene {} has no reference {}", scene.scene_id, job.index)))?;
        let request = asset::request(&scene, job.index, job.asset_id, &endpoint)
            .map_err(|v| fail(failure::INVALID_PROMPT, format!("the {name} reference breaks the rules: {}", summary(&v))))?;
        let body = request.fal_input();
        let key = job.asset_id.to_string();
        let price = d.budget.prices.fal_usage(&endpoint, &body).and_then(|usage| d.budget.prices.cost(&endpoint, usage));
        let amount = price.map_err(|e| fail(failure::UNPRICED, e.to_string()))?;
        if let Budgeted::Blocked { needed_usd_micros, available_usd_micros } =
            d.budget.reserve_amount(&d.store, job.project_id, None, &key, &endpoint, amount).await.map_err(store_failure)?
        {
            return Err(fail(
                failure::OVER_BUDGET,
                format!("the {name} reference needs {needed_usd_micros} µ$ and {available_usd_micros} µ$ are left under the project's cap; raise the cap and break the song down again"),
            ));
        }
        let mut webhook = d.public_url.join("/api/webhooks/fal").map_err(|e| fail(failure::NOT_FOUND, e.to_string()))?;
        webhook.query_pairs_mut().append_pair("sceneId", &scene.scene_id.to_string()).append_pair("assetId", &key);
        if let Some(trace) = job.trace {
            webhook.query_pairs_mut().append_pair("trace", &trace.to_string());
        }
        let breaker = d.breakers.get(Provider::Fal);
        let queued = match breaker.call(d.fal.submit(&endpoint, &body, Some(webhook.as_str()))).await {
            Ok(queued) => queued,
            Err(Refused::Provider(e)) if !e.is_retryable() => {
                d.budget.release(&d.store, job.project_id, &key, &e.to_string()).await.map_err(store_failure)?;
                return Err(refused(Refused::Provider(e)));
            }
            Err(e) => return Err(refused(e)),
        };
        let record = SceneAsset {
            asset_id: job.asset_id,
            scene_id: scene.scene_id,
            project_id: job.project_id,
            role,
            name,
            request,
            endpoint,
            request_id: Some(queued.request_id.clone()),
            status_url: Some(queued.status_url),
            response_url: Some(queued.response_url),
            media: None,
            source_url: None,
            cost: None,
            hebrew: None,
            created_at: Utc::now(),
        };
        miri_telemetry::trace::span(job.trace).in_scope(|| {
            tracing::info!(scene = %scene.scene_id, asset = %key, request = %queued.request_id, endpoint = %record.endpoint, "reference submitted to the provider");
        });
        match d.store.append(&record, 0).await {
            Ok(()) => Ok(Submitted { request_id: queued.request_id }),
            // A concurrent attempt recorded first: its request is the one the workflow follows.
            Err(StoreError::Conflict { .. }) => match self.asset(&job).await?.and_then(|(_, a)| a.request_id) {
                Some(request_id) => Ok(Submitted { request_id }),
                None => Err(retryable(format!("asset {key} conflicted but has no request"))),
            },
            Err(e) => Err(store_failure(e)),
        }
    }

    #[activity(definition = scene_markers::PollAsset)]
    pub async fn poll_asset(self: Arc<Self>, _ctx: ActivityContext, job: AssetJob) -> Result<Polled, ActivityError> {
        let d = &self.deps;
        let (_, asset) = self.submitted(&job).await?;
        let (Some(request_id), Some(status_url), Some(response_url)) = (asset.request_id, asset.status_url, asset.response_url) else {
            return Err(fail(failure::NOT_FOUND, format!("asset {} was never submitted", job.asset_id)));
        };
        let breaker = d.breakers.get(Provider::Fal);
        match breaker.call(d.fal.status(&status_url)).await.map_err(refused)? {
            QueueStatus::Completed => {}
            QueueStatus::InQueue { .. } | QueueStatus::InProgress => return Ok(Polled::Pending),
        }
        Ok(Polled::Done(match breaker.call(d.fal.result(&response_url)).await {
            Ok(payload) => ProviderResult { request_id, ok: true, payload: Some(payload), error: None },
            Err(Refused::Provider(ProviderError::Rejected { message, .. })) => {
                ProviderResult { request_id, ok: false, payload: None, error: Some(message) }
            }
            Err(e) => return Err(refused(e)),
        }))
    }

    #[activity(definition = scene_markers::IngestAsset)]
    pub async fn ingest_asset(self: Arc<Self>, ctx: ActivityContext, input: IngestAsset) -> Result<SceneAsset, ActivityError> {
        let d = &self.deps;
        let job = &input.job;
        let (revision, asset) = self.submitted(job).await?;
        if asset.media.is_some() {
            return Ok(asset);
        }
        let key = job.asset_id.to_string();
        if !input.result.ok {
            let why = input.result.error.clone().unwrap_or_else(|| "no reason given".into());
            d.budget.release(&d.store, job.project_id, &key, &why).await.map_err(store_failure)?;
            return Err(fail(failure::PROVIDER_REJECTED, format!("the provider failed the {} reference: {why}", asset.name)));
        }
        let payload = input.result.payload.clone().unwrap_or(Value::Null);
        let (url, content_type) = media_url(VersionKind::Image, &payload)?;
        let bytes = download(&d.http, &url).await?;
        let _ = ctx.record_heartbeat(bytes.len()).await;
        let media: MediaRef = d.media.put(bytes, &content_type).await.map_err(|e| retryable(e.to_string()))?;
        let bill = match d.budget.actual(&asset.endpoint, &asset.request.fal_input(), &payload) {
            Ok(bill) => Some(bill),
            Err(e) => {
                tracing::warn!(asset = %key, "the bill cannot be read: {e}");
                None
            }
        };
        // Best effort: a reference without its Hebrew is still a reference.
        let translation = format!("translation:{key}");
        let prompt = asset.request.prompt_text();
        let asked = ask::hebrew(&d.models, &d.budget, &d.store, job.project_id, &translation, &prompt);
        let hebrew = match beating(&ctx, asked).await {
            Ok((hebrew, _)) => Some(hebrew),
            Err(e) => {
                tracing::warn!(asset = %key, "the reference's prompt has no Hebrew translation: {e:?}");
                None
            }
        };
        let made = SceneAsset {
            media: Some(media),
            source_url: Some(url),
            cost: bill.map(|usd_micros| Cost { usd_micros, estimated: false }),
            hebrew,
            created_at: Utc::now(),
            ..asset
        };
        match d.store.append(&made, revision + 1).await {
            Ok(()) | Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(store_failure(e)),
        }
        if let Some(bill) = bill {
            d.budget.settle(&d.store, job.project_id, &key, bill).await.map_err(store_failure)?;
        }
        Ok(self.submitted(job).await?.1)
    }
}

/// Awaits `work`, heartbeating every 10 s, so a slow model call is not taken for a dead worker.
async fn beating<T>(ctx: &ActivityContext, work: impl Future<Output = T>) -> T {
    let mut work = std::pin::pin!(work);
    let mut tick = tokio::time::interval(Duration::from_secs(10));
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = tick.tick() => {
                let _ = ctx.record_heartbeat(0u64).await;
            }
        }
    }
}

impl SceneWorker {
    async fn asset(&self, job: &AssetJob) -> Result<Option<(u64, SceneAsset)>, ActivityError> {
        self.deps.store.get::<SceneAsset>(&job.asset_id.to_string(), At::Newest).await.map_err(store_failure)
    }

    async fn submitted(&self, job: &AssetJob) -> Result<(u64, SceneAsset), ActivityError> {
        self.asset(job).await?.ok_or_else(|| fail(failure::NOT_FOUND, format!("asset {} was never submitted", job.asset_id)))
    }
}
