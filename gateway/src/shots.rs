//! The shot actions as one service layer: generate, approve, reject, refine — each checks the
//! caller's role and the shot's state, then starts or signals the shot's workflow. REST and gRPC
//! are adapters over these (parse, call, shape the answer), so the two can never disagree on
//! what an action does or refuses.

use crate::rest::{awaiting_approval, existing_project, existing_shot, signal};
use crate::{auth::Caller, error::ApiError, server::AppState};
use miri_core::chat::tool::MAX_REASON_CHARS;
use miri_core::prompt::{edit, violation::summary};
use miri_core::{Shot, ShotId, ShotStatus, Version};
use miri_telemetry::trace;
use miri_workflows::{
    ShotWorkflow, TASK_QUEUE,
    search::{PROJECT_ID, SHOT_ID, SHOT_STATUS},
    shot::{Approve, Generate, Refine, Reject, ShotInput},
    shot_workflow_id,
};
use temporalio_client::{WorkflowIdConflictPolicy, WorkflowSignalOptions, WorkflowStartOptions};
use temporalio_common::search_attributes::SearchAttributes;

/// Starts the shot's workflow (or signals the running one); answers its workflow id.
pub(crate) async fn generate(st: &AppState, caller: &Caller, id: ShotId) -> Result<String, ApiError> {
    let (_, shot, member) = existing_shot(st, caller, id).await?;
    member.require_editor()?;
    if !matches!(shot.status, ShotStatus::Draft | ShotStatus::Failed) {
        return Err(ApiError::Conflict(format!("shot {id} is {}; generate needs DRAFT or FAILED", shot.status)));
    }
    let project = st
        .store
        .project(shot.project_id)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("shot {id} belongs to missing project {}", shot.project_id)))?;
    let workflow_id = shot_workflow_id(id);
    let input = ShotInput {
        project_id: shot.project_id,
        shot_id: id,
        require_human_approval: project.config.global_settings.require_human_approval,
        poll_every_secs: st.poll_every_secs,
    };
    let opts = WorkflowStartOptions::new(TASK_QUEUE, workflow_id.clone())
        .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
        .search_attributes(SearchAttributes::new([
            PROJECT_ID.value_set(shot.project_id.to_string()),
            SHOT_ID.value_set(id.to_string()),
            SHOT_STATUS.value_set(shot.status.as_str().to_string()),
        ]))
        .build();
    st.temporal
        .signal_with_start_workflow(ShotWorkflow::run, input, ShotWorkflow::generate, Generate { by: member.name(), trace: trace::current() }, opts)
        .await
        .map_err(|e| ApiError::Unavailable(format!("could not start the shot workflow: {e}")))?;
    Ok(workflow_id)
}

/// Approves the still awaiting approval. A shot approved already (its clip under way or done)
/// answers `true` beside it and nothing is sent: idempotent, and never a second clip.
pub(crate) async fn approve(st: &AppState, caller: &Caller, id: ShotId) -> Result<(u64, Shot, bool), ApiError> {
    let (revision, shot, member) = existing_shot(st, caller, id).await?;
    member.require_editor()?;
    match shot.status {
        ShotStatus::AwaitingApproval => {}
        ShotStatus::GeneratingVideo | ShotStatus::Completed | ShotStatus::FinalRender => return Ok((revision, shot, true)),
        other => return Err(ApiError::Conflict(format!("shot {id} is {other}; approve needs AWAITING_APPROVAL"))),
    }
    let by = member.name();
    signal(st, id, |h| async move { h.signal(ShotWorkflow::approve, Approve { by, trace: trace::current() }, WorkflowSignalOptions::default()).await })
        .await?;
    Ok((revision, shot, false))
}

/// Rejects the still awaiting approval, for `reason` (the rulebook learns from it).
pub(crate) async fn reject(st: &AppState, caller: &Caller, id: ShotId, reason: &str) -> Result<(u64, Shot), ApiError> {
    let (revision, shot, member) = existing_shot(st, caller, id).await?;
    member.require_editor()?;
    let reason = reason.trim().to_string();
    if miri_core::schema::blank(&reason) {
        return Err(ApiError::BadRequest("reason must not be empty (invisible characters alone say nothing)".into()));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::BadRequest(format!("reason is too long (at most {MAX_REASON_CHARS} characters)")));
    }
    awaiting_approval(&shot, "reject")?;
    let by = member.name();
    signal(st, id, |h| async move { h.signal(ShotWorkflow::reject, Reject { by, reason, trace: trace::current() }, WorkflowSignalOptions::default()).await })
        .await?;
    Ok((revision, shot))
}

/// Edits the still awaiting approval by one command (FLUX.2 edit, the scene's seed and
/// references); a vague or long command is refused here, unpaid.
pub(crate) async fn refine(st: &AppState, caller: &Caller, id: ShotId, command: &str) -> Result<(u64, Shot), ApiError> {
    let (revision, shot, member) = existing_shot(st, caller, id).await?;
    member.require_editor()?;
    let command = command.trim().to_string();
    let violations = edit::validate(&command);
    if !violations.is_empty() {
        return Err(ApiError::Unprocessable(format!("the edit command is refused: {}", summary(&violations))));
    }
    awaiting_approval(&shot, "refine")?;
    let refine = Refine { by: member.name(), command, fix: None, proposal: None, trace: trace::current() };
    signal(st, id, |h| async move { h.signal(ShotWorkflow::refine, refine, WorkflowSignalOptions::default()).await }).await?;
    Ok((revision, shot))
}

/// The project's shots, each at its newest revision.
pub(crate) async fn list(st: &AppState, caller: &Caller, project: &str) -> Result<Vec<(u64, Shot)>, ApiError> {
    let (project, _) = existing_project(st, caller, project).await?;
    Ok(st.store.shots(project.config.project_id).await?)
}

/// Every version the shot has had, newest first.
pub(crate) async fn versions(st: &AppState, caller: &Caller, id: ShotId) -> Result<Vec<Version>, ApiError> {
    let (_, shot, _) = existing_shot(st, caller, id).await?;
    Ok(st.store.versions(shot.shot_id).await?)
}
