//! `SceneWorkflow` (`scene:{sceneId}`): a scene's reference images — background, outfit, each
//! prop — made with the scene's seed before any of its shots exists, then its shots. Every
//! reference is its own paid FLUX.2 request, all in flight together; results arrive as signals
//! from the verified webhook, with polling beside each wait. A reference that cannot be made fails
//! the scene naming which one and why. Then the ORCHESTRATOR cuts the scene into shots (the
//! refusal loop), and each shot's `ShotWorkflow` starts as a child that outlives the scene
//! (abandoned on close) and is asked to generate its still.

use crate::ask::{AskFailed, MAX_ANSWERS, message, model_call_opts, until_valid};
use crate::contract::{AssetJob, BreakdownActivities, IngestAsset, PlanShots, ProviderResult, SceneActivities, failure};
use crate::provider::{self, Awaiting, Waited};
use crate::search::{PROJECT_ID, SCENE_ID, SHOT_ID, SHOT_STATUS};
use crate::shot::{Generate, ShotInput, ShotWorkflow};
use crate::shot_workflow_id;
use miri_core::shot::plan::MAX_SHOTS;
use miri_core::{AnalysisId, AssetId, ProjectId, SceneAsset, SceneId, Shot, ShotId, TraceId};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, time::Duration};
use temporalio_common::{RetryPolicy, error::ApplicationFailure, search_attributes::SearchAttributes};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ActivityOptions, ChildWorkflowOptions, ParentClosePolicy, SignalWorkflowOptions, SyncWorkflowContext, WorkflowContext,
    WorkflowContextView, WorkflowResult, WorkflowTermination, workflows::join_all,
};

/// Results buffered beyond this many are dropped (a flood of forged ids cannot grow the state).
const MAX_BUFFERED_RESULTS: usize = 64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SceneInput {
    pub project_id: ProjectId,
    pub scene_id: SceneId,
    /// The analysis whose Moments the shots are cut on.
    pub analysis_id: AnalysisId,
    pub require_human_approval: bool,
    /// How many references the scene needs (`scene::asset::wanted(..).len()`).
    pub references: usize,
    /// The most shots wanted for the scene, when the breakdown was given a total.
    #[serde(default)]
    pub most_shots: Option<usize>,
    /// How long to wait for a webhook before polling the provider.
    pub poll_every_secs: u64,
    /// The trace id of the request that asked for it, passed on to what it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceId>,
}

/// What the `progress` query answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SceneStatus {
    /// References made, of `total`.
    pub done: usize,
    pub total: usize,
    /// Shots started.
    pub shots: usize,
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
        let status = SceneStatus { done: 0, total: input.references, shots: 0, error: None };
        Self { input, status, results: BTreeMap::new() }
    }

    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<SceneMade> {
        let input = ctx.state(|s| s.input.clone());
        let jobs: Vec<AssetJob> = (0..input.references)
            .map(|index| AssetJob {
                project_id: input.project_id,
                scene_id: input.scene_id,
                asset_id: AssetId::parse("assetId", &ctx.uuid4()).expect("the SDK draws valid UUIDs"),
                index,
                trace: input.trace,
            })
            .collect();
        let shot_ids: Vec<ShotId> = (0..MAX_SHOTS)
            .map(|_| ShotId::parse("shotId", &ctx.uuid4()).expect("the SDK draws valid UUIDs"))
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
            return Err(give_up(ctx, format!("{} of {} references could not be made: {}", why.len(), input.references, why.join("; "))));
        }
        let references: Vec<SceneAsset> = assets.into_iter().filter_map(Result::ok).collect();

        let planned = until_valid(
            |refusals| {
                let plan = PlanShots {
                    project_id: input.project_id,
                    scene_id: input.scene_id,
                    analysis_id: input.analysis_id,
                    shot_ids: shot_ids.clone(),
                    most_shots: input.most_shots,
                    refusals,
                };
                ctx.execute_activity(BreakdownActivities::plan_shots, plan, model_call_opts())
            },
            |_| {},
        )
        .await;
        let shots = match planned {
            Ok(shots) => shots,
            Err(AskFailed::Activity(why)) => return Err(give_up(ctx, format!("the ORCHESTRATOR could not be asked for shots: {why}"))),
            Err(AskFailed::Refused(last)) => {
                return Err(give_up(ctx, format!("the ORCHESTRATOR's shots broke the rules {MAX_ANSWERS} times; the last: {last}")));
            }
        };
        for shot in &shots {
            start_shot(ctx, &input, shot).await.map_err(|why| give_up(ctx, format!("shot {} could not start: {why}", shot.shot_id)))?;
            ctx.state_mut(|s| s.status.shots += 1);
        }
        Ok(SceneMade { references, shots: shots.iter().map(|s| s.shot_id).collect() })
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

/// The scene's references and the shots it started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SceneMade {
    pub references: Vec<SceneAsset>,
    pub shots: Vec<ShotId>,
}

/// Records why the scene stopped (for the query) and fails the execution with that message.
fn give_up(ctx: &Ctx, why: String) -> WorkflowTermination {
    ctx.state_mut(|s| s.status.error = Some(why.clone()));
    ApplicationFailure::builder(why).type_name("SceneFailed".to_string()).non_retryable(true).build().into()
}

/// Starts the shot's lifecycle as a child that outlives the scene, and asks it for its still.
async fn start_shot(ctx: &Ctx, input: &SceneInput, shot: &Shot) -> Result<(), String> {
    let shot_input = ShotInput {
        project_id: input.project_id,
        shot_id: shot.shot_id,
        require_human_approval: input.require_human_approval,
        poll_every_secs: input.poll_every_secs,
    };
    let mut opts = ChildWorkflowOptions::workflow_id(shot_workflow_id(shot.shot_id));
    opts.parent_close_policy = ParentClosePolicy::Abandon;
    opts.search_attributes = Some(SearchAttributes::new([
        PROJECT_ID.value_set(input.project_id.to_string()),
        SCENE_ID.value_set(input.scene_id.to_string()),
        SHOT_ID.value_set(shot.shot_id.to_string()),
        SHOT_STATUS.value_set(shot.status.as_str().to_string()),
    ]));
    let started = ctx.start_child_workflow(ShotWorkflow::run, shot_input, opts).await.map_err(|e| e.to_string())?;
    let generate = Generate { by: "miri (scene breakdown)".into(), trace: input.trace };
    started.signal(ShotWorkflow::generate, generate, SignalWorkflowOptions::default()).await.map_err(|e| e.to_string())
}

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
