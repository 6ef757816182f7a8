//! The song analysis over REST. `POST /api/projects/{id}/analyses` starts one (answered at once
//! with its id); `GET /api/projects/{id}/analyses/{analysisId}` follows it; `GET
//! /api/projects/{id}/analysis` is the newest table, `GET /api/projects/{id}/analyses` every one
//! (newest first: each analysis is a new record, none is ever overwritten).

use crate::follow::{Followed, follow};
use crate::{api::Op, auth::Caller, error::ApiError, rest::existing_project, server::AppState};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use miri_core::{Analysis, AnalysisId};
use miri_store::{At, Under};
use miri_workflows::{
    AnalysisWorkflow, TASK_QUEUE, analysis::AnalysisInput, analysis_workflow_id, search::PROJECT_ID,
};
use serde_json::{Value, json};
use temporalio_client::WorkflowStartOptions;
use temporalio_common::search_attributes::SearchAttributes;
use uuid::Uuid;

pub fn ops() -> Vec<Op> {
    vec![
        Op::post("/api/projects/{id}/analyses", "Analyse the song: beats and features locally, Parts and Moments by the ORCHESTRATOR", start)
            .answers(&[(202, "{analysisId, workflowId}"), (403, "A viewer cannot start an analysis")]),
        Op::get("/api/projects/{id}/analyses", "Every analysis of the song, newest first", list).answers(&[(200, "{analyses: [...]}")]),
        Op::get("/api/projects/{id}/analyses/{analysis}", "One analysis: running with its progress, completed or failed", show)
            .answers(&[(200, "{status, analysisId, analysis | progress | error}")]),
        Op::get("/api/projects/{id}/analysis", "The newest completed analysis (Parts, Moments, beats)", newest)
            .answers(&[(200, "The analysis")]),
    ]
}

async fn start(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (project, member) = existing_project(&st, &caller, &id).await?;
    member.require_editor()?;
    let project_id = project.config.project_id;
    let analysis_id = AnalysisId::from_uuid(Uuid::new_v4());
    let workflow_id = analysis_workflow_id(project_id, analysis_id);
    let opts = WorkflowStartOptions::new(TASK_QUEUE, workflow_id.clone())
        .search_attributes(SearchAttributes::new([PROJECT_ID.value_set(project_id.to_string())]))
        .build();
    st.temporal
        .start_workflow(AnalysisWorkflow::run, AnalysisInput { project_id, analysis_id }, opts)
        .await
        .map_err(|e| ApiError::Unavailable(format!("could not start the analysis workflow: {e}")))?;
    Ok((StatusCode::ACCEPTED, Json(json!({"analysisId": analysis_id, "workflowId": workflow_id}))))
}

/// `{"status": "completed", "analysis"}`, `{"status": "running", "progress"}` or
/// `{"status": "failed", "error", "progress"}`.
async fn show(
    State(st): State<AppState>,
    caller: Caller,
    Path((id, analysis)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let project_id = existing_project(&st, &caller, &id).await?.0.config.project_id;
    let analysis_id = AnalysisId::parse("analysisId", &analysis)?;
    if let Some((_, done)) = st.store.get::<Analysis>(&analysis_id.to_string(), At::Newest).await?
        && done.project_id == project_id
    {
        return Ok(Json(json!({"status": "completed", "analysisId": analysis_id, "analysis": done})));
    }
    let what = format!("analysis {analysis_id} of project {project_id}");
    let id = analysis_workflow_id(project_id, analysis_id);
    Ok(Json(match follow::<AnalysisWorkflow, _>(&st, id, AnalysisWorkflow::progress, &what).await? {
        Followed::Running(progress) => json!({"status": "running", "analysisId": analysis_id, "progress": progress}),
        Followed::Completed(analysis) => json!({"status": "completed", "analysisId": analysis_id, "analysis": analysis}),
        Followed::Failed { error, progress } => {
            json!({"status": "failed", "analysisId": analysis_id, "error": error, "progress": progress})
        }
    }))
}

async fn analyses(st: &AppState, caller: &Caller, id: &str) -> Result<Vec<Analysis>, ApiError> {
    let project_id = existing_project(st, caller, id).await?.0.config.project_id;
    let mut all: Vec<Analysis> =
        st.store.list::<Analysis>(Under::Project(project_id.to_string()), At::Newest).await?.into_iter().map(|(_, a)| a).collect();
    all.sort_by_key(|a| std::cmp::Reverse(a.created_at));
    Ok(all)
}

async fn newest(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Analysis>, ApiError> {
    analyses(&st, &caller, &id).await?.into_iter().next().map(Json).ok_or_else(|| {
        ApiError::NotFound(format!("project {id} has no analysis yet; POST /api/projects/{id}/analyses makes one"))
    })
}

/// Every analysis, newest first, without their tables.
async fn list(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let items: Vec<Value> = analyses(&st, &caller, &id)
        .await?
        .iter()
        .map(|a| {
            json!({"analysisId": a.analysis_id, "createdAt": a.created_at.to_rfc3339(), "durationMs": a.duration_ms,
                   "parts": a.parts.len(), "moments": a.moments.len()})
        })
        .collect();
    Ok(Json(json!({"analyses": items})))
}
