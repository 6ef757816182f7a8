//! Scenes over REST. `POST /api/projects/{id}/breakdowns` breaks the song into scenes from its
//! newest analysis (answered at once with the breakdown's id); `GET
//! /api/projects/{id}/breakdowns/{breakdownId}` follows it; `GET /api/projects/{id}/scenes` is the
//! newest breakdown's scenes in order, each with its reference images. A breakdown never changes
//! an earlier one's scenes: its scenes are new records, made together (one `createdAt`).

use crate::follow::{Followed, follow};
use crate::{api::Op, auth::Caller, error::ApiError, rest::{Body, existing_project}, server::AppState};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use miri_core::{Analysis, Scene, SceneAsset};
use miri_store::{At, Under};
use miri_workflows::{
    BreakdownWorkflow, TASK_QUEUE, breakdown::BreakdownInput, breakdown_workflow_id, search::PROJECT_ID,
};
use serde::Deserialize;
use serde_json::{Value, json};
use temporalio_client::WorkflowStartOptions;
use temporalio_common::search_attributes::SearchAttributes;
use uuid::Uuid;

pub fn ops() -> Vec<Op> {
    vec![
        Op::post("/api/projects/{id}/breakdowns", "Break the song into scenes and shots from its newest analysis", start)
            .json::<BreakdownRequest>()
            .answers(&[(202, "{breakdownId, workflowId, analysisId}"), (403, "A viewer cannot break the song down"), (409, "No analysis yet")]),
        Op::get("/api/projects/{id}/breakdowns/{breakdown}", "Where a breakdown stands; completed: its scenes, references and shots", show)
            .answers(&[(200, "{status, breakdownId, progress | scenes, references, shots | error}")]),
        Op::get("/api/projects/{id}/scenes", "The newest breakdown's scenes in film order, each with its reference images", newest)
            .answers(&[(200, "{scenes: [...]}")]),
    ]
}

/// The most shots a director may ask a song to have.
const MOST_SHOTS: u32 = 480;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BreakdownRequest {
    /// About how many shots the song should have; the ORCHESTRATOR decides when absent.
    #[serde(default)]
    shots: Option<u32>,
}

async fn start(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(req): Body<BreakdownRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let started = start_breakdown(&st, &caller, &id, req.shots).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"breakdownId": started.breakdown_id, "workflowId": started.workflow_id, "analysisId": started.analysis_id})),
    ))
}

/// A breakdown under way.
pub(crate) struct Started {
    pub(crate) breakdown_id: Uuid,
    pub(crate) workflow_id: String,
    pub(crate) analysis_id: miri_core::AnalysisId,
}

/// Starts breaking the song into scenes and shots from the project's newest analysis.
pub(crate) async fn start_breakdown(st: &AppState, caller: &Caller, project: &str, shots: Option<u32>) -> Result<Started, ApiError> {
    let (project, member) = existing_project(st, caller, project).await?;
    member.require_editor()?;
    if let Some(n) = shots.filter(|n| !(1..=MOST_SHOTS).contains(n)) {
        return Err(ApiError::BadRequest(format!("shots: must be between 1 and {MOST_SHOTS} (got {n})")));
    }
    let project_id = project.config.project_id;
    let analyses = st.store.list::<Analysis>(Under::Project(project_id.to_string()), At::Newest).await?;
    let Some((_, analysis)) = analyses.into_iter().max_by_key(|(_, a)| a.created_at) else {
        return Err(ApiError::Conflict(format!(
            "project {project_id} has no analysis to break down; POST /api/projects/{project_id}/analyses first"
        )));
    };
    let breakdown = Uuid::new_v4();
    let workflow_id = breakdown_workflow_id(project_id, breakdown);
    let opts = WorkflowStartOptions::new(TASK_QUEUE, workflow_id.clone())
        .search_attributes(SearchAttributes::new([PROJECT_ID.value_set(project_id.to_string())]))
        .build();
    let input = BreakdownInput {
        project_id,
        analysis_id: analysis.analysis_id,
        poll_every_secs: st.poll_every_secs,
        require_human_approval: project.config.global_settings.require_human_approval,
        shots,
        trace: miri_telemetry::trace::current(),
    };
    st.temporal
        .start_workflow(BreakdownWorkflow::run, input, opts)
        .await
        .map_err(|e| ApiError::Unavailable(format!("could not start the breakdown workflow: {e}")))?;
    Ok(Started { breakdown_id: breakdown, workflow_id, analysis_id: analysis.analysis_id })
}

async fn show(
    State(st): State<AppState>,
    caller: Caller,
    Path((id, breakdown)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(breakdown_status(&st, &caller, &id, &breakdown).await?))
}

/// `{"status": "running"|"completed"|"failed", "breakdownId", …}`: where a breakdown stands.
pub(crate) async fn breakdown_status(st: &AppState, caller: &Caller, project: &str, breakdown: &str) -> Result<Value, ApiError> {
    let project_id = existing_project(st, caller, project).await?.0.config.project_id;
    let breakdown = Uuid::parse_str(breakdown)
        .map_err(|_| ApiError::BadRequest(format!("breakdownId: must be a UUID (got {:?})", breakdown.chars().take(40).collect::<String>())))?;
    let what = format!("breakdown {breakdown} of project {project_id}");
    let id = breakdown_workflow_id(project_id, breakdown);
    Ok(match follow::<BreakdownWorkflow, _>(st, id, BreakdownWorkflow::progress, &what).await? {
        Followed::Running(progress) => json!({"status": "running", "breakdownId": breakdown, "progress": progress}),
        Followed::Completed(made) => {
            json!({"status": "completed", "breakdownId": breakdown, "scenes": made.scenes, "references": made.references,
                   "shots": made.shots})
        }
        Followed::Failed { error, progress } => {
            json!({"status": "failed", "breakdownId": breakdown, "error": error, "progress": progress})
        }
    })
}

async fn newest(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let scenes = newest_scenes(&st, &caller, &id).await?;
    Ok(Json(json!({"scenes": scenes.into_iter().map(|(_, shown)| shown).collect::<Vec<_>>()})))
}

/// The newest breakdown's scenes, in order, each beside its JSON with its references.
pub(crate) async fn newest_scenes(st: &AppState, caller: &Caller, project: &str) -> Result<Vec<(Scene, Value)>, ApiError> {
    let project_id = existing_project(st, caller, project).await?.0.config.project_id;
    let all: Vec<Scene> =
        st.store.list::<Scene>(Under::Project(project_id.to_string()), At::Newest).await?.into_iter().map(|(_, s)| s).collect();
    let newest = all.iter().map(|s| s.created_at).max();
    let mut scenes: Vec<Scene> = all.into_iter().filter(|s| Some(s.created_at) == newest).collect();
    scenes.sort_by_key(|s| s.index);
    let mut shown = Vec::with_capacity(scenes.len());
    for scene in scenes {
        let assets = st.store.list::<SceneAsset>(Under::Scene(scene.scene_id.to_string()), At::Newest).await?;
        let references: Vec<Value> = assets
            .into_iter()
            .map(|(_, a)| {
                let media_url = a.media.as_ref().map(|m| format!("/api/media/{}", m.key));
                json!({"assetId": a.asset_id, "role": a.role, "name": a.name, "seed": a.request.seed,
                       "prompt": a.request.prompt_text(), "hebrew": a.hebrew, "mediaUrl": media_url, "cost": a.cost})
            })
            .collect();
        let mut json = serde_json::to_value(&scene).map_err(|e| ApiError::Internal(e.to_string()))?;
        json["references"] = Value::Array(references);
        shown.push((scene, json));
    }
    Ok(shown)
}
