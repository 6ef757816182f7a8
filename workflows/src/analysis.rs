//! `AnalysisWorkflow` (`analysis:{projectId}:{analysisId}`): the song analysis table, read top to
//! bottom as the process. Measure the song locally, then ask the ORCHESTRATOR for Parts and
//! Moments; an answer that cannot make a valid table goes back to the model with the reason, at
//! most [`MAX_ANSWERS`] times, after which the analysis fails with the last reason. Beside it, the
//! render worker makes the song ready to mux, so the project's first render does not wait for it.

use crate::ask::{AskFailed, MAX_ANSWERS, message, until_valid};
use crate::RENDER_TASK_QUEUE;
use crate::contract::{AnalyseSong, AnalysisActivities, ExtractFeatures, HEARTBEAT_TIMEOUT, PrepareSong, RenderActivities, failure};
use miri_core::{Analysis, AnalysisId, ProjectId};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use temporalio_common::{RetryPolicy, error::ApplicationFailure};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{ActivityOptions, WorkflowContext, WorkflowContextView, WorkflowResult, WorkflowTermination};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisInput {
    pub project_id: ProjectId,
    pub analysis_id: AnalysisId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisStage {
    Measuring,
    Asking,
    Done,
    Failed,
}

/// What the `progress` query answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisStatus {
    pub stage: AnalysisStage,
    /// Answers asked for so far.
    pub answers: usize,
    /// Why earlier answers were refused, oldest first.
    pub refused: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[workflow]
pub struct AnalysisWorkflow {
    input: AnalysisInput,
    status: AnalysisStatus,
}

#[workflow_methods]
impl AnalysisWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: AnalysisInput) -> Self {
        let status = AnalysisStatus { stage: AnalysisStage::Measuring, answers: 0, refused: Vec::new(), error: None };
        Self { input, status }
    }

    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<Analysis> {
        let ctx: &Ctx = ctx;
        let project_id = ctx.state(|s| s.input.project_id);
        let song = async {
            if ctx.patched(PREPARE_SONG_PATCH) {
                // Best effort: a render encodes the song itself when it is not ready.
                let _ = ctx.execute_activity(RenderActivities::prepare_song, PrepareSong { project_id }, prepare_opts()).await;
            }
        };
        let (analysed, ()) = futures::join!(analyse(ctx), song);
        analysed
    }

    #[query]
    pub fn progress(&self, _ctx: &WorkflowContextView) -> AnalysisStatus {
        self.status.clone()
    }
}

type Ctx = WorkflowContext<AnalysisWorkflow>;

/// Marks histories whose analysis prepares the song for muxing beside it.
const PREPARE_SONG_PATCH: &str = "prepare-song";

/// Measures the song, then asks for the table until an answer makes a valid one.
async fn analyse(ctx: &Ctx) -> WorkflowResult<Analysis> {
    let AnalysisInput { project_id, analysis_id } = ctx.state(|s| s.input.clone());
    let features = match ctx
        .execute_activity(AnalysisActivities::extract_features, ExtractFeatures { project_id }, measure_opts())
        .await
    {
        Ok(features) => features,
        Err(e) => return Err(give_up(ctx, format!("the song could not be measured: {}", message(&e)))),
    };
    ctx.state_mut(|s| s.status.stage = AnalysisStage::Asking);
    let asked = until_valid(
        |refusals| {
            ctx.state_mut(|s| s.status.answers += 1);
            let ask = AnalyseSong { project_id, analysis_id, features: features.clone(), refusals };
            ctx.execute_activity(AnalysisActivities::analyse_song, ask, ask_opts())
        },
        |refusal| ctx.state_mut(|s| s.status.refused.push(refusal.error.clone())),
    )
    .await;
    match asked {
        Ok(analysis) => {
            ctx.state_mut(|s| s.status.stage = AnalysisStage::Done);
            Ok(analysis)
        }
        Err(AskFailed::Activity(why)) => Err(give_up(ctx, format!("the ORCHESTRATOR could not be asked: {why}"))),
        Err(AskFailed::Refused(last)) => Err(give_up(
            ctx,
            format!("the ORCHESTRATOR's answer broke the analysis schema {MAX_ANSWERS} times; the last: {last}"),
        )),
    }
}

/// Records why the analysis stopped (for the query) and fails the execution with that message.
fn give_up(ctx: &Ctx, why: String) -> WorkflowTermination {
    ctx.state_mut(|s| {
        s.status.stage = AnalysisStage::Failed;
        s.status.error = Some(why.clone());
    });
    ApplicationFailure::builder(why).type_name("AnalysisFailed".to_string()).non_retryable(true).build().into()
}

fn retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::builder()
        .initial_interval(Duration::from_secs(1))
        .backoff_coefficient(2.0)
        .maximum_interval(Duration::from_secs(60))
        .maximum_attempts(max_attempts)
        .non_retryable_error_types([
            failure::BAD_SONG.to_string(),
            failure::NOT_FOUND.to_string(),
            failure::PROVIDER_REJECTED.to_string(),
            failure::OVER_BUDGET.to_string(),
            failure::UNPRICED.to_string(),
        ])
        .build()
}

/// Decoding and measuring: seconds for a song, a minute for a 20-minute file on a slow disk.
fn measure_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(300))
        .heartbeat_timeout(HEARTBEAT_TIMEOUT)
        .retry_policy(retry(5))
        .build()
}

/// Encoding the song as AAC on the render worker: ~15 s for 200 s of song on one core.
fn prepare_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(300))
        .heartbeat_timeout(HEARTBEAT_TIMEOUT)
        .task_queue(RENDER_TASK_QUEUE.to_string())
        .schedule_to_start_timeout(Duration::from_secs(300))
        .retry_policy(retry(2))
        .build()
}

/// One model call with the song attached (an upload first when it is large).
fn ask_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(600))
        .heartbeat_timeout(HEARTBEAT_TIMEOUT)
        .retry_policy(retry(6))
        .build()
}
