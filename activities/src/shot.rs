//! The shot activities. Each is idempotent: status changes carry a change id, versions and
//! provider requests are create-only under ids the workflow drew, and a submission first looks
//! for the request already paid for under its version id.

use crate::alive::alive;
use crate::EventPublisher;
use crate::ask;
use crate::lookup::{self, scene_of};
use crate::budget::{BudgetError, BudgetPolicy};
use bytes::Bytes;
use chrono::Utc;
use miri_core::prompt::edit::{self, EditRequest};
use miri_core::prompt::{Coloured, FluxRequest, KlingRequest, MIRI_LORA, ModelCode, RestingPose, Tag, flux::MAX_IMAGE_URLS, violation::summary};
use miri_core::{Author, Cost, MediaRef, Project, Scene, SceneAsset, Shot, ShotStatus, Version, VersionKind};
use miri_providers::breaker::{Breakers, Provider, Refused};
use miri_providers::models::Models;
use miri_providers::{error::ProviderError, fal::{FalClient, QueueStatus}};
use miri_store::{At, MediaStore, ProviderRequest, Records, StoreError, Under};
use miri_workflows::contract::{
    Advance, Advanced, Budgeted, Ingest, Polled, PrepareEdit, PreparePrompt, ProviderResult, ReleaseBudget, ReserveBudget, Submit,
    Submitted, TranslatePrompt, failure, markers as shot_activities,
};
use serde_json::{Value, json};
use std::{sync::Arc, time::Duration};
use temporalio_common::error::ApplicationFailure;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use url::Url;

/// Largest media file accepted from a provider.
const MAX_MEDIA_BYTES: usize = 512 * 1024 * 1024;

/// What the shot activities talk to.
pub struct ShotActivityDeps {
    pub store: Records,
    pub media: MediaStore,
    pub fal: FalClient,
    pub events: EventPublisher,
    /// The gateway's public base URL; fal posts webhooks to `{base}/api/webhooks/fal`.
    pub public_url: Url,
    /// Downloads provider media.
    pub http: reqwest::Client,
    /// One breaker per provider, shared by every activity of this worker.
    pub breakers: Breakers,
    pub budget: BudgetPolicy,
    /// The language models (prompt translations).
    pub models: Models,
}

/// The registered activity implementations (one instance per worker).
pub struct ShotWorker {
    deps: ShotActivityDeps,
}

impl ShotWorker {
    pub fn new(deps: ShotActivityDeps) -> Self {
        Self { deps }
    }
}

#[activities]
impl ShotWorker {
    #[activity(definition = shot_activities::AdvanceShot)]
    pub async fn advance_shot(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: Advance,
    ) -> Result<Advanced, ActivityError> {
        self.advance(&input).await
    }

    #[activity(definition = shot_activities::PreparePrompt)]
    pub async fn prepare_prompt(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: PreparePrompt,
    ) -> Result<(), ActivityError> {
        let d = &self.deps;
        let (_, shot) = self.shot(&input.shot_id).await?;
        let project = self.project(&shot).await?;
        let settings = &project.config.global_settings;
        let tag = |endpoint: &str| Tag::new(shot.shot_id, input.version_id, ModelCode::of_endpoint(endpoint));
        let scene = scene_of(&d.store, &shot).await?;
        let seed = seed_of(&shot, scene.as_ref());
        let (text, request, model) = match input.target {
            VersionKind::Image => {
                let outfit: Vec<Coloured> = scene
                    .iter()
                    .flat_map(|s| &s.outfit.colours)
                    .map(|c| Coloured { name: c.name.clone(), colour: c.hex })
                    .collect();
                let mut builder = FluxRequest::builder(tag(&settings.image_model), seed).scene(&shot.description);
                if let Some(camera) = &shot.camera {
                    builder = builder.camera(camera);
                }
                if let Some(scene) = &scene {
                    for url in self.references(scene, &shot).await? {
                        builder = builder.image_url(&url);
                    }
                }
                let req = builder
                    .miri(RestingPose::Standing, "center third", &outfit)
                    .build()
                    .map_err(|v| fail(failure::INVALID_PROMPT, format!("the still prompt breaks the rules: {}", summary(&v))))?;
                (req.prompt_text(), json!(req), &settings.image_model)
            }
            VersionKind::Video => {
                let still_id = input
                    .start_frame
                    .ok_or_else(|| fail(failure::INVALID_PROMPT, "a clip prompt needs the still it animates".into()))?;
                let still = self.version(still_id).await?;
                let resting_state = self.resting_state(&still).await?;
                let req = KlingRequest {
                    tag: tag(&settings.video_model).to_string(),
                    model: settings.video_model.clone(),
                    resting_state,
                    action: shot.motion.clone().unwrap_or_else(|| shot.description.clone()),
                    start_image_url: still
                        .source_url
                        .ok_or_else(|| fail(failure::NOT_FOUND, format!("still {still_id} has no provider URL")))?,
                    end_image_url: None,
                    timestamps: shot.timestamps,
                    motion_brush: None,
                };
                let violations = req.violations();
                if !violations.is_empty() {
                    return Err(fail(failure::INVALID_PROMPT, format!("the clip prompt breaks the rules: {}", summary(&violations))));
                }
                (req.prompt_text(), json!(req), &settings.video_model)
            }
            other => {
                return Err(fail(failure::INVALID_PROMPT, format!("no prompt is made for {other:?} versions")));
            }
        };
        let version = Version {
            version_id: input.version_id,
            shot_id: shot.shot_id,
            kind: VersionKind::Prompt,
            parent: input.start_frame,
            model_code: Some(model.clone()),
            seed: Some(seed),
            cost: None,
            author: Author::System,
            reason: Some(format!("{:?} prompt from the shot description", input.target).to_lowercase()),
            prompt: Some(text),
            request: Some(request),
            media: None,
            source_url: None,
            provider_request_id: None,
            created_at: Utc::now(),
        };
        create_once(d.store.append_version(&version).await)
    }

    #[activity(definition = shot_activities::PrepareEdit)]
    pub async fn prepare_edit(self: Arc<Self>, _ctx: ActivityContext, input: PrepareEdit) -> Result<(), ActivityError> {
        let d = &self.deps;
        if d.store.version(input.version_id).await.map_err(store_failure)?.is_some() {
            return Ok(());
        }
        let (_, shot) = self.shot(&input.shot_id).await?;
        let project = self.project(&shot).await?;
        let still = self.version(input.still).await?;
        let still_url = still
            .source_url
            .clone()
            .filter(|_| still.kind == VersionKind::Image)
            .ok_or_else(|| fail(failure::NOT_FOUND, format!("version {} is not a still with a provider URL", input.still)))?;
        let scene = scene_of(&d.store, &shot).await?;
        let references = match &scene {
            Some(scene) => self.references(scene, &shot).await?,
            None => Vec::new(),
        };
        let seed = seed_of(&shot, scene.as_ref());
        let endpoint = edit::endpoint_of(&project.config.global_settings.image_model);
        let tag = Tag::new(shot.shot_id, input.version_id, ModelCode::of_endpoint(&endpoint));
        let lora = endpoint.contains("/lora").then_some(MIRI_LORA);
        let (prompt, request) = match input.fix {
            // A QA fix: the whole corrected prompt, drawn over the still and its references.
            Some(fix) => {
                let image_urls = edit::images(&still_url, &references);
                let request = FluxRequest { tag: tag.to_string(), lora: lora.map(str::to_string), seed, image_urls, prompt: fix };
                let violations = request.violations();
                if !violations.is_empty() {
                    return Err(fail(failure::INVALID_PROMPT, format!("the corrected prompt is refused: {}", summary(&violations))));
                }
                (request.prompt_text(), json!(request))
            }
            None => {
                let request = EditRequest::new(tag, &input.command, seed, lora, &still_url, &references)
                    .map_err(|v| fail(failure::INVALID_PROMPT, format!("the edit command is refused: {}", summary(&v))))?;
                (request.prompt_text(), json!(request))
            }
        };
        let version = Version {
            version_id: input.version_id,
            shot_id: shot.shot_id,
            kind: VersionKind::Edit,
            parent: Some(input.still),
            model_code: Some(endpoint),
            seed: Some(seed),
            cost: None,
            author: Author::User,
            reason: Some(format!("refined by {}: {}", input.by, input.command)),
            prompt: Some(prompt),
            request: Some(request),
            media: None,
            source_url: None,
            provider_request_id: None,
            created_at: Utc::now(),
        };
        create_once(d.store.append_version(&version).await)
    }

    #[activity(definition = shot_activities::Submit)]
    pub async fn submit(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: Submit,
    ) -> Result<Submitted, ActivityError> {
        let d = &self.deps;
        if let Some(paid) = d.store.provider_request(input.version_id).await.map_err(store_failure)? {
            return Ok(Submitted { request_id: paid.request_id });
        }
        let (_, shot) = self.shot(&input.shot_id).await?;
        let project = self.project(&shot).await?;
        let prompt_version = self.version(input.prompt_version).await?;
        let endpoint = prompt_version.model_code.clone().unwrap_or_default();
        let body = Self::provider_input(&prompt_version)?;
        let mut webhook = d.public_url.join("/api/webhooks/fal").map_err(|e| fail(failure::NOT_FOUND, e.to_string()))?;
        webhook
            .query_pairs_mut()
            .append_pair("shotId", &shot.shot_id.to_string())
            .append_pair("versionId", &input.version_id.to_string());
        if let Some(trace) = input.trace {
            webhook.query_pairs_mut().append_pair("trace", &trace.to_string());
        }
        let breaker = d.breakers.get(Provider::of_fal_endpoint(&endpoint));
        let queued = breaker.call(d.fal.submit(&endpoint, &body, Some(webhook.as_str()))).await.map_err(refused)?;
        let record = ProviderRequest {
            version_id: input.version_id,
            shot_id: shot.shot_id,
            project_id: project.config.project_id,
            endpoint_id: endpoint,
            request_id: queued.request_id.clone(),
            status_url: queued.status_url,
            response_url: queued.response_url,
            cancel_url: queued.cancel_url,
            submitted_at: Utc::now(),
        };
        miri_telemetry::trace::span(input.trace).in_scope(|| tracing::info!(
            shot = %shot.shot_id,
            version = %input.version_id,
            request = %queued.request_id,
            endpoint = %record.endpoint_id,
            "submitted to the provider"
        ));
        match d.store.record_provider_request(&record).await {
            Ok(()) => Ok(Submitted { request_id: queued.request_id }),
            // A concurrent attempt recorded first: its request is the one the workflow follows.
            Err(StoreError::Conflict { .. }) => {
                let first = d.store.provider_request(input.version_id).await.map_err(store_failure)?;
                Ok(Submitted { request_id: first.map_or(queued.request_id, |r| r.request_id) })
            }
            Err(e) => Err(store_failure(e)),
        }
    }

    #[activity(definition = shot_activities::Poll)]
    pub async fn poll(self: Arc<Self>, _ctx: ActivityContext, input: Submit) -> Result<Polled, ActivityError> {
        let d = &self.deps;
        let Some(req) = d.store.provider_request(input.version_id).await.map_err(store_failure)? else {
            return Err(fail(failure::NOT_FOUND, format!("no provider request for version {}", input.version_id)));
        };
        let breaker = d.breakers.get(Provider::of_fal_endpoint(&req.endpoint_id));
        match breaker.call(d.fal.status(&req.status_url)).await.map_err(refused)? {
            QueueStatus::Completed => {}
            QueueStatus::InQueue { .. } | QueueStatus::InProgress => return Ok(Polled::Pending),
        }
        let result = match breaker.call(d.fal.result(&req.response_url)).await {
            Ok(payload) => ProviderResult { request_id: req.request_id, ok: true, payload: Some(payload), error: None },
            Err(Refused::Provider(ProviderError::Rejected { message, .. })) => {
                ProviderResult { request_id: req.request_id, ok: false, payload: None, error: Some(message) }
            }
            Err(e) => return Err(refused(e)),
        };
        Ok(Polled::Done(result))
    }

    #[activity(definition = shot_activities::Ingest)]
    pub async fn ingest(self: Arc<Self>, ctx: ActivityContext, input: Ingest) -> Result<Advanced, ActivityError> {
        let d = &self.deps;
        let prompt_version = self.version(input.submit.prompt_version).await?;
        let payload = input.result.payload.clone().unwrap_or(Value::Null);
        let endpoint = prompt_version.model_code.clone().unwrap_or_default();
        // The media is paid for whatever the price table says: an unpriced bill is logged, not fatal.
        let bill = match d.budget.actual(&endpoint, &Self::provider_input(&prompt_version)?, &payload) {
            Ok(bill) => Some(bill),
            Err(e) => {
                tracing::warn!(version = %input.submit.version_id, "the bill cannot be read: {e}");
                None
            }
        };
        if d.store.version(input.submit.version_id).await.map_err(store_failure)?.is_none() {
            let (url, content_type) = media_url(input.kind, &payload)?;
            let bytes = download(&d.http, &url).await?;
            let _ = ctx.record_heartbeat(bytes.len()).await;
            let media: MediaRef = d.media.put(bytes, &content_type).await.map_err(|e| retryable(e.to_string()))?;
            let version = Version {
                version_id: input.submit.version_id,
                shot_id: input.submit.shot_id,
                kind: input.kind,
                parent: Some(input.submit.prompt_version),
                model_code: prompt_version.model_code.clone(),
                seed: payload.get("seed").and_then(Value::as_u64).or(prompt_version.seed),
                cost: bill.map(|usd_micros| Cost { usd_micros, estimated: false }),
                author: Author::System,
                reason: None,
                prompt: None,
                request: None,
                media: Some(media),
                source_url: Some(url),
                provider_request_id: Some(input.result.request_id.clone()),
                created_at: Utc::now(),
            };
            create_once(d.store.append_version(&version).await)?;
            miri_telemetry::trace::span(input.submit.trace).in_scope(|| {
                tracing::info!(shot = %version.shot_id, version = %version.version_id, kind = ?version.kind, "provider result ingested");
            });
        }
        if let Some(bill) = bill {
            d.budget.settle(&d.store, input.project_id, &input.submit.version_id.to_string(), bill).await.map_err(store_failure)?;
        }
        self.advance(&input.then).await
    }

    #[activity(definition = shot_activities::ReserveBudget)]
    pub async fn reserve_budget(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: ReserveBudget,
    ) -> Result<Budgeted, ActivityError> {
        let d = &self.deps;
        let prompt_version = self.version(input.submit.prompt_version).await?;
        let endpoint = prompt_version.model_code.clone().unwrap_or_default();
        let body = Self::provider_input(&prompt_version)?;
        let s = &input.submit;
        d.budget.reserve(&d.store, input.project_id, s.shot_id, s.version_id, &endpoint, &body).await.map_err(|e| match e {
            BudgetError::Price(e) => fail(failure::UNPRICED, e.to_string()),
            BudgetError::Store(e) => store_failure(e),
        })
    }

    #[activity(definition = shot_activities::TranslatePrompt)]
    pub async fn translate_prompt(self: Arc<Self>, ctx: ActivityContext, input: TranslatePrompt) -> Result<(), ActivityError> {
        alive(&ctx, async move {
            let d = &self.deps;
            if d.store.version(input.version_id).await.map_err(store_failure)?.is_some() {
                return Ok(());
            }
            let prompt = self.version(input.prompt_version).await?;
            let text = prompt.prompt.clone().ok_or_else(|| fail(failure::NOT_FOUND, format!("version {} has no prompt text", prompt.version_id)))?;
            let key = format!("translation:{}", input.version_id);
            let (hebrew, model) = ask::hebrew(&d.models, &d.budget, &d.store, input.project_id, &key, &text).await?;
            let version = Version {
                version_id: input.version_id,
                shot_id: input.shot_id,
                kind: VersionKind::Translation,
                parent: Some(input.prompt_version),
                model_code: Some(model),
                seed: None,
                cost: None,
                author: Author::Llm,
                reason: Some("the prompt in Hebrew".into()),
                prompt: Some(hebrew),
                request: None,
                media: None,
                source_url: None,
                provider_request_id: None,
                created_at: Utc::now(),
            };
            create_once(d.store.append_version(&version).await)
        })
        .await
    }

    #[activity(definition = shot_activities::ReleaseBudget)]
    pub async fn release_budget(self: Arc<Self>, _ctx: ActivityContext, input: ReleaseBudget) -> Result<(), ActivityError> {
        let d = &self.deps;
        d.budget.release(&d.store, input.project_id, &input.version_id.to_string(), &input.reason).await.map_err(store_failure)
    }
}

impl ShotWorker {
    /// Appends the shot's next revision (unless this change already landed) and publishes it.
    async fn advance(&self, change: &Advance) -> Result<Advanced, ActivityError> {
        let d = &self.deps;
        let (revision, shot) = self.shot(&change.shot_id).await?;
        if shot.change_id.as_deref() == Some(change.change_id.as_str()) {
            return Ok(Advanced { revision });
        }
        let to = shot
            .status
            .transition(change.to)
            .map_err(|e| fail(failure::ILLEGAL_TRANSITION, e.to_string()))?;
        let versions = d.store.versions(shot.shot_id).await.map_err(store_failure)?;
        let next = Shot {
            status: to,
            versions: versions.iter().rev().map(|v| v.version_id).collect(),
            reason: change.reason.clone(),
            change_id: Some(change.change_id.clone()),
            updated_at: Utc::now(),
            ..shot
        };
        // The gateways announce it from the store's change feed.
        d.store.append_shot(&next, revision + 1).await.map_err(store_failure)?;
        Ok(Advanced { revision: revision + 1 })
    }

    async fn shot(&self, id: &miri_core::ShotId) -> Result<(u64, Shot), ActivityError> {
        self.deps
            .store
            .shot(*id)
            .await
            .map_err(store_failure)?
            .ok_or_else(|| fail(failure::NOT_FOUND, format!("shot {id} does not exist")))
    }

    async fn project(&self, shot: &Shot) -> Result<Project, ActivityError> {
        self.deps
            .store
            .project(shot.project_id)
            .await
            .map_err(store_failure)?
            .ok_or_else(|| fail(failure::NOT_FOUND, format!("project {} does not exist", shot.project_id)))
    }

    async fn version(&self, id: miri_core::VersionId) -> Result<Version, ActivityError> {
        self.deps
            .store
            .version(id)
            .await
            .map_err(store_failure)?
            .ok_or_else(|| fail(failure::NOT_FOUND, format!("version {id} does not exist")))
    }

    /// What a scene's still is drawn from: the scene's made references (background, outfit,
    /// props) and the still of the scene's latest approved shot before this one, at most
    /// [`MAX_IMAGE_URLS`] in all.
    async fn references(&self, scene: &Scene, shot: &Shot) -> Result<Vec<String>, ActivityError> {
        let d = &self.deps;
        let assets = d.store.list::<SceneAsset>(Under::Scene(scene.scene_id.to_string()), At::Newest).await.map_err(store_failure)?;
        let mut assets: Vec<SceneAsset> = assets.into_iter().map(|(_, a)| a).filter(|a| a.source_url.is_some()).collect();
        assets.sort_by_key(|a| (a.role as u8, a.name.clone()));
        let mut urls: Vec<String> = assets.into_iter().filter_map(|a| a.source_url).collect();
        let approved = |s: &Shot| matches!(s.status, ShotStatus::GeneratingVideo | ShotStatus::Completed | ShotStatus::FinalRender);
        let previous = d
            .store
            .shots(shot.project_id)
            .await
            .map_err(store_failure)?
            .into_iter()
            .map(|(_, s)| s)
            .filter(|s| s.scene_id == shot.scene_id && s.timestamps.end_ms <= shot.timestamps.start_ms && approved(s))
            .max_by_key(|s| s.timestamps.start_ms);
        if let Some(previous) = previous {
            let versions = d.store.versions(previous.shot_id).await.map_err(store_failure)?;
            let still = versions.iter().rev().find(|v| v.kind == VersionKind::Image).and_then(|v| v.source_url.clone());
            urls.extend(still);
        }
        urls.truncate(MAX_IMAGE_URLS);
        Ok(urls)
    }

    /// What `still` shows at rest: its FLUX prompt's resting state, with every edit that made it
    /// from that prompt's still after it, oldest first.
    async fn resting_state(&self, still: &Version) -> Result<String, ActivityError> {
        let origin = lookup::origin(&self.deps.store, still).await?;
        let mut state = origin.flux.resting_state();
        for command in &origin.edits {
            state.push_str(&format!("; edited: {command}"));
        }
        Ok(state)
    }

    /// The provider input for a recorded prompt: derived from its validated request.
    fn provider_input(p: &Version) -> Result<Value, ActivityError> {
        let invalid = |why: &str| fail(failure::INVALID_PROMPT, format!("prompt {}: {why}", p.version_id));
        let request = p.request.clone().ok_or_else(|| invalid("no recorded request"))?;
        if let Ok(flux) = serde_json::from_value::<FluxRequest>(request.clone()) {
            return Ok(flux.fal_input());
        }
        if let Ok(edit) = serde_json::from_value::<EditRequest>(request.clone()) {
            return Ok(edit.fal_input());
        }
        let kling: KlingRequest = serde_json::from_value(request).map_err(|e| invalid(&e.to_string()))?;
        // Trajectories are frame fractions; fal wants pixels of the start frame (16:9 stills).
        kling.fal_input(1280, 720).ok_or_else(|| invalid("the request no longer validates"))
    }
}

/// Downloads a provider's media: a 4xx is final, anything else is retried; nothing larger than
/// [`MAX_MEDIA_BYTES`] is accepted.
pub(crate) async fn download(http: &reqwest::Client, url: &str) -> Result<Bytes, ActivityError> {
    let resp = http
        .get(url)
        .timeout(Duration::from_secs(240))
        .send()
        .await
        .map_err(|e| retryable(format!("downloading {url}: {e}")))?;
    let status = resp.status();
    if status.is_client_error() {
        return Err(fail(failure::PROVIDER_REJECTED, format!("downloading {url}: HTTP {status}")));
    }
    if !status.is_success() {
        return Err(retryable(format!("downloading {url}: HTTP {status}")));
    }
    if resp.content_length().is_some_and(|n| n as usize > MAX_MEDIA_BYTES) {
        return Err(fail(failure::PROVIDER_REJECTED, format!("{url} is larger than {MAX_MEDIA_BYTES} bytes")));
    }
    let bytes = resp.bytes().await.map_err(|e| retryable(format!("downloading {url}: {e}")))?;
    if bytes.len() > MAX_MEDIA_BYTES {
        return Err(fail(failure::PROVIDER_REJECTED, format!("{url} is larger than {MAX_MEDIA_BYTES} bytes")));
    }
    Ok(bytes)
}

/// The seed of every FLUX.2 call for `shot`: its scene's (one per scene keeps the place and
/// Miri's clothes the same from shot to shot), or, for a shot added by hand without a scene, one
/// drawn once from its id.
fn seed_of(shot: &Shot, scene: Option<&Scene>) -> u64 {
    scene.map_or((shot.shot_id.uuid().as_u128() >> 64) as u64 & 0xFFFF_FFFF, |s| s.seed)
}

/// The media URL and content type in a provider's output.
pub(crate) fn media_url(kind: VersionKind, payload: &Value) -> Result<(String, String), ActivityError> {
    let (node, default_type) = match kind {
        VersionKind::Image => (&payload["images"][0], "image/png"),
        VersionKind::Video => (&payload["video"], "video/mp4"),
        other => return Err(fail(failure::PROVIDER_REJECTED, format!("no media is ingested for {other:?}"))),
    };
    let url = node["url"]
        .as_str()
        .ok_or_else(|| fail(failure::PROVIDER_REJECTED, format!("the provider's output has no media URL: {payload}")))?;
    let content_type = node["content_type"].as_str().unwrap_or(default_type);
    Ok((url.to_string(), content_type.to_string()))
}

/// A create-only write that found its record already there was done by an earlier attempt.
pub(crate) fn create_once(result: Result<(), StoreError>) -> Result<(), ActivityError> {
    match result {
        Ok(()) | Err(StoreError::Conflict { .. }) => Ok(()),
        Err(e) => Err(store_failure(e)),
    }
}

pub(crate) fn fail(type_name: &str, message: String) -> ActivityError {
    ActivityError::application(
        ApplicationFailure::builder(message).type_name(type_name.to_string()).non_retryable(true).build(),
    )
}

pub(crate) fn retryable(message: String) -> ActivityError {
    ActivityError::application(ApplicationFailure::builder(message).build())
}

pub(crate) fn store_failure(e: StoreError) -> ActivityError {
    retryable(format!("store: {e}"))
}

/// A call the breaker refused waits out the cool-down; one it let through is classified as usual.
pub(crate) fn refused(e: Refused) -> ActivityError {
    match e {
        Refused::Open { retry_in, .. } => {
            ActivityError::application(ApplicationFailure::builder(e.to_string()).next_retry_delay(retry_in).build())
        }
        Refused::Provider(e) => provider_failure(e),
    }
}

fn provider_failure(e: ProviderError) -> ActivityError {
    match e {
        ProviderError::Rejected { .. } | ProviderError::Malformed(_) => fail(failure::PROVIDER_REJECTED, e.to_string()),
        ProviderError::RateLimited { retry_after: Some(delay) } => ActivityError::application(
            ApplicationFailure::builder(e.to_string()).next_retry_delay(delay).build(),
        ),
        _ => retryable(e.to_string()),
    }
}
