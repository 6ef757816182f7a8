//! The breakdown activities: ask the ORCHESTRATOR for scenes, and for each scene its shots (paid
//! calls, through [`crate::ask`]), and store them under the ids the workflows drew.

use crate::alive::alive;
use crate::ask;
use crate::lookup::{required, story, stored_run};
use crate::budget::BudgetPolicy;
use crate::rulebook::Rulebook;
use crate::shot::{fail, store_failure};
use chrono::Utc;
use miri_core::ask::Refusal;
use miri_core::prompt::KlingModel;
use miri_core::scene::ask::{self as scene_ask, ScenesAnswer};
use miri_core::shot::plan::{self, ShotsAnswer, moments_in};
use miri_core::{AgentRole, Analysis, Project, Scene, Shot};
use miri_providers::models::Models;
use miri_store::{Records, StoreError};
use miri_workflows::contract::{Answered, PlanScenes, PlanShots, breakdown_markers, failure};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

pub struct BreakdownActivityDeps {
    pub store: Records,
    pub models: Models,
    pub budget: BudgetPolicy,
    /// The rules the shots' descriptions must keep.
    pub rules: Rulebook,
}

pub struct BreakdownWorker {
    deps: BreakdownActivityDeps,
}

impl BreakdownWorker {
    pub fn new(deps: BreakdownActivityDeps) -> Self {
        Self { deps }
    }
}

#[activities]
impl BreakdownWorker {
    #[activity(definition = breakdown_markers::PlanScenes)]
    pub async fn plan_scenes(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: PlanScenes,
    ) -> Result<Answered<Vec<Scene>>, ActivityError> {
        alive(&ctx, async move {
            let d = &self.deps;
            let ids: Vec<_> = input.draws.iter().map(|draw| draw.scene_id).collect();
            if let Some(stored) = stored_run::<Scene, _>(&d.store, ids).await? {
                return Ok(Answered::Stored(stored));
            }
            let analysis: Analysis = required(&d.store, "analysis", input.analysis_id).await?;
            let project: Project = required(&d.store, "project", input.project_id).await?;
            let model = ask::model(&d.store, AgentRole::Orchestrator).await?;
            let request = scene_ask::request(&model, &analysis, &story(&d.store, &project).await?, &input.refusals);
            let first = input.draws.first().map(|d| d.scene_id.to_string()).unwrap_or_default();
            let call = format!("scenes:{first}:{}", input.refusals.len());
            let reply = ask::ask(&d.models, &d.budget, &d.store, ask::Call::new(input.project_id, &call), request).await?;
            let text = match ask::complete(&reply) {
                Ok(text) => text,
                Err(refusal) => return Ok(Answered::Refused(refusal)),
            };
            let scenes = match ScenesAnswer::parse(&text)
                .and_then(|answer| answer.into_scenes(&analysis, input.project_id, &input.draws, Utc::now()))
            {
                Ok(scenes) => scenes,
                Err(e) => {
                    tracing::info!(project = %input.project_id, error = %e, "the ORCHESTRATOR's scenes were refused");
                    return Ok(Answered::Refused(Refusal::new(&text, e.to_string())));
                }
            };
            for scene in &scenes {
                match d.store.append(scene, 0).await {
                    // A retry after an earlier attempt stored it: the same id, the same scene.
                    Ok(()) | Err(StoreError::Conflict { .. }) => {}
                    Err(e) => return Err(store_failure(e)),
                }
            }
            Ok(Answered::Stored(scenes))
        })
        .await
    }

    #[activity(definition = breakdown_markers::PlanShots)]
    pub async fn plan_shots(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: PlanShots,
    ) -> Result<Answered<Vec<Shot>>, ActivityError> {
        alive(&ctx, async move {
            let d = &self.deps;
            if let Some(stored) = stored_run::<Shot, _>(&d.store, &input.shot_ids).await? {
                return Ok(Answered::Stored(stored));
            }
            let scene: Scene = required(&d.store, "scene", input.scene_id).await?;
            let analysis: Analysis = required(&d.store, "analysis", input.analysis_id).await?;
            let project: Project = required(&d.store, "project", input.project_id).await?;
            let settings = &project.config.global_settings;
            let longest = KlingModel::of(&settings.video_model)
                .and_then(|m| m.clip_secs(u64::MAX).err())
                .ok_or_else(|| fail(failure::INVALID_PROMPT, format!("{} is not a video model Miri knows", settings.video_model)))?;
            let moments = moments_in(&analysis.moments, scene.timestamps);
            let most = input.most_shots.map_or(plan::MAX_SHOTS, |m| m.max(plan::fewest(&scene, longest)));
            let model = ask::model(&d.store, AgentRole::Orchestrator).await?;
            let about = format!("{} {}", scene.location, scene.background);
            let rules: Vec<String> = d.rules.nearest(input.project_id, &about).await?.into_iter().map(|r| r.text).collect();
            let plot = story(&d.store, &project).await?;
            let brief = plan::Brief { plot: &plot, rules: &rules };
            let request = plan::request(&model, &scene, &moments, &brief, longest, most, &input.refusals);
            let call = format!("shots:{}:{}", input.scene_id, input.refusals.len());
            let reply = ask::ask(&d.models, &d.budget, &d.store, ask::Call::new(input.project_id, &call), request).await?;
            let text = match ask::complete(&reply) {
                Ok(text) => text,
                Err(refusal) => return Ok(Answered::Refused(refusal)),
            };
            let shots = match ShotsAnswer::parse(&text).and_then(|answer| {
                answer.into_shots(&scene, &moments, longest, most, &input.shot_ids, &settings.image_model, Utc::now())
            }) {
                Ok(shots) => shots,
                Err(e) => {
                    tracing::info!(scene = %input.scene_id, error = %e, "the ORCHESTRATOR's shots were refused");
                    return Ok(Answered::Refused(Refusal::new(&text, e.to_string())));
                }
            };
            for shot in &shots {
                match d.store.append_shot(shot, 0).await {
                    Ok(()) | Err(StoreError::Conflict { .. }) => {}
                    Err(e) => return Err(store_failure(e)),
                }
            }
            Ok(Answered::Stored(shots))
        })
        .await
    }
}
