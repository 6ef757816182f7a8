//! `BreakdownWorkflow` (`breakdown:{projectId}:{breakdownId}`): the song broken into scenes.
//! One id and one seed per possible scene are drawn here, once, from the SDK's deterministic
//! random stream, so every retry and replay gives a scene the same seed; then the ORCHESTRATOR's
//! scenes go through the refusal loop like every model-made record.

use crate::ask::{AskFailed, MAX_ANSWERS, until_valid};
use crate::contract::{BreakdownActivities, PlanScenes, failure};
use miri_core::scene::ask::{MAX_SCENES, SceneDraw};
use miri_core::{AnalysisId, ProjectId, Scene, SceneId};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use temporalio_common::{RetryPolicy, error::ApplicationFailure};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{ActivityOptions, WorkflowContext, WorkflowContextView, WorkflowResult, WorkflowTermination};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakdownInput {
    pub project_id: ProjectId,
    /// The analysis the scenes are cut from.
    pub analysis_id: AnalysisId,
}

/// What the `progress` query answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakdownStatus {
    pub answers: usize,
    pub refused: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[workflow]
pub struct BreakdownWorkflow {
    input: BreakdownInput,
    status: BreakdownStatus,
}

#[workflow_methods]
impl BreakdownWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: BreakdownInput) -> Self {
        Self { input, status: BreakdownStatus::default() }
    }

    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<Vec<Scene>> {
        let draws: Vec<SceneDraw> = (0..MAX_SCENES)
            .map(|_| SceneDraw {
                scene_id: SceneId::parse("sceneId", &ctx.uuid4()).expect("the SDK draws valid UUIDs"),
                // FLUX takes 32-bit seeds.
                seed: u64::from(ctx.random::<u32>() >> 1),
            })
            .collect();
        let ctx: &Ctx = ctx;
        let BreakdownInput { project_id, analysis_id } = ctx.state(|s| s.input.clone());
        let asked = until_valid(
            |refusals| {
                ctx.state_mut(|s| s.status.answers += 1);
                let plan = PlanScenes { project_id, analysis_id, draws: draws.clone(), refusals };
                ctx.execute_activity(BreakdownActivities::plan_scenes, plan, ask_opts())
            },
            |refusal| ctx.state_mut(|s| s.status.refused.push(refusal.error.clone())),
        )
        .await;
        match asked {
            Ok(scenes) => Ok(scenes),
            Err(AskFailed::Activity(why)) => Err(give_up(ctx, format!("the ORCHESTRATOR could not be asked: {why}"))),
            Err(AskFailed::Refused(last)) => Err(give_up(
                ctx,
                format!("the ORCHESTRATOR's scenes broke the rules {MAX_ANSWERS} times; the last: {last}"),
            )),
        }
    }

    #[query]
    pub fn progress(&self, _ctx: &WorkflowContextView) -> BreakdownStatus {
        self.status.clone()
    }
}

type Ctx = WorkflowContext<BreakdownWorkflow>;

fn give_up(ctx: &Ctx, why: String) -> WorkflowTermination {
    ctx.state_mut(|s| s.status.error = Some(why.clone()));
    ApplicationFailure::builder(why).type_name("BreakdownFailed".to_string()).non_retryable(true).build().into()
}

/// One model call; the store's reads and writes around it.
fn ask_opts() -> ActivityOptions {
    let retry = RetryPolicy::builder()
        .initial_interval(Duration::from_secs(1))
        .backoff_coefficient(2.0)
        .maximum_interval(Duration::from_secs(60))
        .maximum_attempts(6)
        .non_retryable_error_types([
            failure::NOT_FOUND.to_string(),
            failure::PROVIDER_REJECTED.to_string(),
            failure::OVER_BUDGET.to_string(),
            failure::UNPRICED.to_string(),
        ])
        .build();
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(600)).retry_policy(retry).build()
}
