//! `RenderWorkflow` (`render:{projectId}:{renderId}`, task queue `miri-render`): the final film —
//! or an animatic, every shot from the best material it has — read top to bottom as the process. Plan the edit list from the shots and the song; conform
//! every shot's clip in parallel (each its own activity, so a killed worker loses only the
//! segments in flight); join them; put the song under the picture, store the film and record
//! which versions went in. Shots that cannot make a film fail the render with every shot at
//! fault named, never a silently wrong video.

use crate::contract::{
    ConformSegment, FinishRender, HEARTBEAT_TIMEOUT, PlanRender, RenderActivities, RenderFormat, failure,
};
use miri_core::render::report::Unreadable;
use miri_core::{ProjectId, Render, RenderId, RenderMode, RenderStage};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use temporalio_common::{
    RetryPolicy,
    error::{ActivityExecutionError, ApplicationFailure, IncomingError},
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ActivityOptions, WorkflowContext, WorkflowContextView, WorkflowResult, WorkflowTermination,
    workflows::join_all,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderInput {
    pub project_id: ProjectId,
    pub render_id: RenderId,
    pub format: RenderFormat,
    /// The final film, or an animatic of whatever the shots have.
    #[serde(default = "RenderMode::final_cut")]
    pub mode: RenderMode,
    /// A review copy with a burned-in overlay; off for the clean export.
    #[serde(default)]
    pub overlay: bool,
}

/// What the `progress` query answers: `done` of `total` in `stage` (segments while conforming),
/// and why it failed once it has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderStatus {
    pub stage: RenderStage,
    pub done: u64,
    pub total: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[workflow]
pub struct RenderWorkflow {
    input: RenderInput,
    status: RenderStatus,
}

#[workflow_methods]
impl RenderWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: RenderInput) -> Self {
        let status = RenderStatus {
            stage: RenderStage::Planning,
            done: 0,
            total: 0,
            error: None,
        };
        Self { input, status }
    }

    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<Render> {
        let ctx: &Ctx = ctx;
        let input = ctx.state(|s| s.input.clone());
        let (project_id, render_id, format, mode) = (input.project_id, input.render_id, input.format, input.mode);

        let plan = ctx
            .execute_activity(
                RenderActivities::plan_render,
                PlanRender {
                    project_id,
                    render_id,
                    format,
                    mode,
                    overlay: input.overlay,
                },
                plan_opts(),
            )
            .await;
        let plan = match plan {
            Ok(plan) => plan,
            Err(e) => return Err(give_up(ctx, failure_message(&e))),
        };

        let total = plan.segments.len();
        ctx.state_mut(|s| {
            s.status.stage = RenderStage::Conforming;
            s.status.total = total as u64;
        });
        // Every segment is started before any is awaited: they run side by side on the render
        // workers, and each finished one counts at once in the `progress` query.
        let conforms = plan.segments.iter().enumerate().map(|(index, segment)| {
            let job = ConformSegment {
                project_id,
                render_id,
                format,
                index,
                total,
                segment: segment.clone(),
            };
            async move {
                let done = ctx
                    .execute_activity(RenderActivities::conform_segment, job, conform_opts())
                    .await;
                if done.is_ok() {
                    ctx.state_mut(|s| s.status.done += 1);
                }
                match done {
                    Ok(why) => Ok(why.zip(segment.shot_id).map(|(why, shot_id)| Unreadable { shot_id, why })),
                    Err(e) => Err(format!("{}: {}", segment.what(), failure_message(&e))),
                }
            }
        });
        let (made, faults): (Vec<_>, Vec<_>) = join_all(conforms).await.into_iter().partition(Result::is_ok);
        let unreadable: Vec<Unreadable> = made.into_iter().filter_map(|m| m.ok().flatten()).collect();
        let faults: Vec<String> = faults.into_iter().filter_map(Result::err).collect();
        if !faults.is_empty() {
            let why = format!(
                "{} of {total} shots could not be conformed: {}",
                faults.len(),
                faults.join("; ")
            );
            return Err(give_up(ctx, why));
        }

        let finish = FinishRender {
            project_id,
            render_id,
            format,
            plan,
            unreadable,
        };
        ctx.state_mut(|s| s.status.stage = RenderStage::Joining);
        if let Err(e) = ctx
            .execute_activity(
                RenderActivities::join_segments,
                finish.clone(),
                assemble_opts(),
            )
            .await
        {
            return Err(give_up(ctx, failure_message(&e)));
        }
        ctx.state_mut(|s| s.status.stage = RenderStage::Muxing);
        let render = match ctx
            .execute_activity(RenderActivities::finish_render, finish, assemble_opts())
            .await
        {
            Ok(render) => render,
            Err(e) => return Err(give_up(ctx, failure_message(&e))),
        };
        ctx.state_mut(|s| s.status.stage = RenderStage::Done);
        Ok(render)
    }

    #[query]
    pub fn progress(&self, _ctx: &WorkflowContextView) -> RenderStatus {
        self.status.clone()
    }
}

type Ctx = WorkflowContext<RenderWorkflow>;

/// Records why the render stopped (for the query) and fails the execution with that message.
fn give_up(ctx: &Ctx, why: String) -> WorkflowTermination {
    ctx.state_mut(|s| {
        s.status.stage = RenderStage::Failed;
        s.status.error = Some(why.clone());
    });
    ApplicationFailure::builder(why)
        .type_name(failure::BAD_SHOTS.to_string())
        .non_retryable(true)
        .build()
        .into()
}

fn failure_message(e: &ActivityExecutionError) -> String {
    match e.cause() {
        Some(IncomingError::Application(a)) => a.to_string(),
        _ => e.to_string(),
    }
}

fn retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::builder()
        .initial_interval(Duration::from_millis(500))
        .backoff_coefficient(2.0)
        .maximum_interval(Duration::from_secs(30))
        .maximum_attempts(max_attempts)
        .non_retryable_error_types([
            failure::BAD_SHOTS.to_string(),
            failure::NOT_FOUND.to_string(),
        ])
        .build()
}

/// Store reads and one ffprobe of the song.
fn plan_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(120))
        .heartbeat_timeout(HEARTBEAT_TIMEOUT)
        .retry_policy(retry(8))
        .build()
}

/// One clip through ffmpeg. The heartbeat timeout is what a killed worker costs: its segment is
/// retried on another worker that long after its last heartbeat.
fn conform_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(30 * 60))
        .heartbeat_timeout(Duration::from_secs(10))
        .retry_policy(retry(5))
        .build()
}

/// Stream copies and an audio encode of the whole song: minutes at most.
fn assemble_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(30 * 60))
        .heartbeat_timeout(HEARTBEAT_TIMEOUT)
        .retry_policy(retry(5))
        .build()
}
