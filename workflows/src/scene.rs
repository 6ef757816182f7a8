//! `SceneWorkflow` (`scene:{sceneId}`): a scene's reference images — background, outfit, each
//! prop — made with the scene's seed before any of its shots exists. Every reference is its own
//! paid FLUX.2 request, all in flight together; results arrive as signals from the verified
//! webhook, with polling beside each wait. A reference that cannot be made fails the scene naming
//! which one and why.

use crate::ask::message;
use crate::contract::{AssetJob, IngestAsset, ProviderResult, SceneActivities, failure};
use crate::provider::{self, Awaiting, Waited};
use miri_core::{AssetId, ProjectId, SceneAsset, SceneId};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, time::Duration};
use temporalio_common::{RetryPolicy, error::ApplicationFailure};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ActivityOptions, SyncWorkflowContext, WorkflowContext, WorkflowContextView, WorkflowResult, workflows::join_all,
};

/// Results buffered beyond this many are dropped (a flood of forged ids cannot grow the state).
const MAX_BUFFERED_RESULTS: usize = 64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SceneInput {
    pub project_id: ProjectId,
    pub scene_id: SceneId,
    /// How many references the scene needs (`scene::asset::wanted(..).len()`).
    pub references: usize,
    /// How long to wait for a webhook before polling the provider.
    pub poll_every_secs: u64,
}

/// What the `progress` query answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SceneStatus {
    pub done: usize,
    pub total: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[workflow]
pub struct SceneWorkflow {
    input: SceneInput,
    status: SceneStatus,
    results: BTreeMap<String, ProviderResult>,
}

impl Awaiting for SceneWorkflow {
    fn result_of(&self, request_id: &str) -> Option<ProviderResult> {
        self.results.get(request_id).cloned()
    }
}

#[workflow_methods]
impl SceneWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: SceneInput) -> Self {
        let status = SceneStatus { done: 0, total: input.references, error: None };
        Self { input, status, results: BTreeMap::new() }
    }

    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<Vec<SceneAsset>> {
        let input = ctx.state(|s| s.input.clone());
        let jobs: Vec<AssetJob> = (0..input.references)
            .map(|index| AssetJob {
                project_id: input.project_id,
                scene_id: input.scene_id,
                asset_id: AssetId::parse("assetId", &ctx.uuid4()).expect("the SDK draws valid UUIDs"),
                index,
            })
            .collect();
        let ctx: &Ctx = ctx;
        let poll_every = Duration::from_secs(input.poll_every_secs);
        let made = join_all(jobs.into_iter().map(|job| async move {
            let asset = reference(ctx, job.clone(), poll_every).await;
            if asset.is_ok() {
                ctx.state_mut(|s| s.status.done += 1);
            }
            asset.map_err(|why| format!("reference {} ({}): {why}", job.index, job.asset_id))
        }))
        .await;
        let (assets, faults): (Vec<_>, Vec<_>) = made.into_iter().partition(Result::is_ok);
        if !faults.is_empty() {
            let why: Vec<String> = faults.into_iter().filter_map(Result::err).collect();
            let why = format!("{} of {} references could not be made: {}", why.len(), input.references, why.join("; "));
            ctx.state_mut(|s| s.status.error = Some(why.clone()));
            return Err(ApplicationFailure::builder(why).type_name("SceneFailed".to_string()).non_retryable(true).build().into());
        }
        Ok(assets.into_iter().filter_map(Result::ok).collect())
    }

    #[signal]
    pub fn asset_result(&mut self, _ctx: &mut SyncWorkflowContext<Self>, r: ProviderResult) {
        if self.results.len() < MAX_BUFFERED_RESULTS {
            self.results.entry(r.request_id.clone()).or_insert(r);
        }
    }

    #[query]
    pub fn progress(&self, _ctx: &WorkflowContextView) -> SceneStatus {
        self.status.clone()
    }
}

type Ctx = WorkflowContext<SceneWorkflow>;

/// One reference: submit, wait for its result, store it.
async fn reference(ctx: &Ctx, job: AssetJob, poll_every: Duration) -> Result<SceneAsset, String> {
    let submitted = ctx.execute_activity(SceneActivities::submit_asset, job.clone(), provider_opts()).await.map_err(|e| message(&e))?;
    let poll = || ctx.execute_activity(SceneActivities::poll_asset, job.clone(), provider_opts());
    let result = provider::await_result(ctx, &submitted.request_id, poll_every, poll).await.map_err(|e| match e {
        Waited::Cancelled => "the workflow was cancelled".to_string(),
        Waited::Polling(e) => message(&e),
    })?;
    ctx.execute_activity(SceneActivities::ingest_asset, IngestAsset { job, result }, ingest_opts()).await.map_err(|e| message(&e))
}

fn retry() -> RetryPolicy {
    RetryPolicy::builder()
        .initial_interval(Duration::from_millis(500))
        .backoff_coefficient(2.0)
        .maximum_interval(Duration::from_secs(30))
        .maximum_attempts(8)
        .non_retryable_error_types(
            [failure::PROVIDER_REJECTED, failure::NOT_FOUND, failure::INVALID_PROMPT, failure::OVER_BUDGET, failure::UNPRICED]
                .map(String::from),
        )
        .build()
}

fn provider_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(60)).retry_policy(retry()).build()
}

fn ingest_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(300))
        .heartbeat_timeout(Duration::from_secs(30))
        .retry_policy(retry())
        .build()
}
