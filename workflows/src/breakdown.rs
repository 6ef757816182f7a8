//! `BreakdownWorkflow` (`breakdown:{projectId}:{breakdownId}`): the song broken into scenes, and
//! each scene's reference images made before any shot exists. One id and one seed per possible
//! scene are drawn here, once, from the SDK's deterministic random stream, so every retry and
//! replay gives a scene the same seed; the ORCHESTRATOR's scenes go through the refusal loop like
//! every model-made record; then every scene's `SceneWorkflow` runs as a child, side by side.

use crate::ask::{AskFailed, MAX_ANSWERS, model_call_opts, until_valid};
use crate::contract::{BreakdownActivities, PlanScenes};
use crate::scene::{SceneInput, SceneWorkflow};
use crate::scene_workflow_id;
use crate::search::{PROJECT_ID, SCENE_ID};
use miri_core::scene::ask::{MAX_SCENES, SceneDraw};
use miri_core::scene::asset::wanted;
use miri_core::{AnalysisId, ProjectId, Scene, SceneAsset, SceneId, ShotId, TraceId};
use serde::{Deserialize, Serialize};
use temporalio_common::{error::ApplicationFailure, search_attributes::SearchAttributes};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ChildWorkflowOptions, WorkflowContext, WorkflowContextView, WorkflowResult, WorkflowTermination,
    workflows::join_all,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakdownInput {
    pub project_id: ProjectId,
    /// The analysis the scenes are cut from.
    pub analysis_id: AnalysisId,
    /// How long a scene waits for a provider's webhook before polling.
    pub poll_every_secs: u64,
    /// The project's setting, passed to every shot it starts.
    pub require_human_approval: bool,
    /// About how many shots the whole song should have (shared by the scenes by length; each
    /// scene gets at least what its clips need); `None` leaves it to the ORCHESTRATOR.
    #[serde(default)]
    pub shots: Option<u32>,
    /// The trace id of the request that asked for it, passed on to what it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceId>,
}

/// The scenes, every reference image made for them, and the shots they started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Breakdown {
    pub scenes: Vec<Scene>,
    pub references: Vec<SceneAsset>,
    pub shots: Vec<ShotId>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakdownStage {
    #[default]
    Planning,
    References,
    Done,
    Failed,
}

/// What the `progress` query answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakdownStatus {
    pub stage: BreakdownStage,
    pub answers: usize,
    /// Scenes whose references are all made, of `scenes`.
    pub scenes_ready: usize,
    pub scenes: usize,
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
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<Breakdown> {
        let draws: Vec<SceneDraw> = (0..MAX_SCENES)
            .map(|_| SceneDraw {
                scene_id: SceneId::parse("sceneId", &ctx.uuid4()).expect("the SDK draws valid UUIDs"),
                // FLUX takes 32-bit seeds.
                seed: u64::from(ctx.random::<u32>() >> 1),
            })
            .collect();
        let ctx: &Ctx = ctx;
        let BreakdownInput { project_id, analysis_id, poll_every_secs, require_human_approval, shots: wanted_shots, trace } =
            ctx.state(|s| s.input.clone());
        let asked = until_valid(
            |refusals| {
                ctx.state_mut(|s| s.status.answers += 1);
                let plan = PlanScenes { project_id, analysis_id, draws: draws.clone(), refusals };
                ctx.execute_activity(BreakdownActivities::plan_scenes, plan, model_call_opts())
            },
            |refusal| ctx.state_mut(|s| s.status.refused.push(refusal.error.clone())),
        )
        .await;
        let scenes = match asked {
            Ok(scenes) => scenes,
            Err(AskFailed::Activity(why)) => return Err(give_up(ctx, format!("the ORCHESTRATOR could not be asked: {why}"))),
            Err(AskFailed::Refused(last)) => {
                return Err(give_up(
                    ctx,
                    format!("the ORCHESTRATOR's scenes broke the rules {MAX_ANSWERS} times; the last: {last}"),
                ));
            }
        };
        ctx.state_mut(|s| {
            s.status.stage = BreakdownStage::References;
            s.status.scenes = scenes.len();
        });
        let song_ms = scenes.last().map_or(1, |s| s.timestamps.end_ms).max(1);
        let share = |scene: &Scene| {
            wanted_shots.map(|n| ((u64::from(n) * scene.timestamps.duration_ms() + song_ms / 2) / song_ms).max(1) as usize)
        };
        let children = scenes.iter().map(|scene| async move {
            let input = SceneInput {
                project_id,
                scene_id: scene.scene_id,
                analysis_id,
                require_human_approval,
                references: wanted(scene).len(),
                most_shots: share(scene),
                poll_every_secs,
                trace,
            };
            let mut opts = ChildWorkflowOptions::workflow_id(scene_workflow_id(scene.scene_id));
            opts.search_attributes = Some(SearchAttributes::new([
                PROJECT_ID.value_set(project_id.to_string()),
                SCENE_ID.value_set(scene.scene_id.to_string()),
            ]));
            let started = ctx.start_child_workflow(SceneWorkflow::run, input, opts).await.map_err(|e| e.to_string())?;
            let made = started.result().await.map_err(|e| e.to_string())?;
            ctx.state_mut(|s| s.status.scenes_ready += 1);
            Ok::<_, String>(made)
        });
        let (mut references, mut shots) = (Vec::new(), Vec::new());
        let mut faults = Vec::new();
        for (scene, made) in scenes.iter().zip(join_all(children).await) {
            match made {
                Ok(made) => {
                    references.extend(made.references);
                    shots.extend(made.shots);
                }
                Err(why) => faults.push(format!("scene {} ({}): {why}", scene.index, scene.scene_id)),
            }
        }
        if !faults.is_empty() {
            return Err(give_up(ctx, format!("{} of {} scenes have no references: {}", faults.len(), scenes.len(), faults.join("; "))));
        }
        ctx.state_mut(|s| s.status.stage = BreakdownStage::Done);
        Ok(Breakdown { scenes, references, shots })
    }

    #[query]
    pub fn progress(&self, _ctx: &WorkflowContextView) -> BreakdownStatus {
        self.status.clone()
    }
}

type Ctx = WorkflowContext<BreakdownWorkflow>;

fn give_up(ctx: &Ctx, why: String) -> WorkflowTermination {
    ctx.state_mut(|s| {
        s.status.stage = BreakdownStage::Failed;
        s.status.error = Some(why.clone());
    });
    ApplicationFailure::builder(why).type_name("BreakdownFailed".to_string()).non_retryable(true).build().into()
}

