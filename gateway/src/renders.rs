//! Renders over REST (and, through the same functions, gRPC): start one (`POST /api/projects/{id}/renders`, answered at once with the
//! render id), follow it (`GET /api/renders/{id}`) and list a project's finished ones, newest
//! first (`GET /api/projects/{id}/renders`), so any older animatic can be replayed. A finished render is its store record; a
//! running or failed one is read from its workflow, found by the `RenderId` search attribute
//! since the id alone does not name the workflow.

use crate::{api::Op, auth::Caller, error::ApiError, rest::existing_project, server::AppState};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use futures::StreamExt;
use bytes::Bytes;
use miri_core::{ProjectId, Render, RenderId, RenderMode};
use serde::Deserialize;
use miri_store::{At, Under};
use miri_workflows::{
    RENDER_TASK_QUEUE, RenderWorkflow,
    contract::RenderFormat,
    render::RenderInput,
    render_workflow_id, render_workflow_project,
    search::{PROJECT_ID, RENDER_ID},
};
use serde_json::{Value, json};
use temporalio_client::{
    WorkflowExecutionStatus, WorkflowGetResultOptions, WorkflowListOptions, WorkflowQueryOptions,
    WorkflowStartOptions, errors::WorkflowGetResultError,
};
use temporalio_common::error::IncomingError;
use temporalio_common::search_attributes::SearchAttributes;
use uuid::Uuid;

pub fn ops() -> Vec<Op> {
    vec![
        Op::post("/api/projects/{id}/renders", "Start a final render or an animatic of the project", start)
            .optional_json::<StartRender>()
            .answers(&[(202, "{renderId, workflowId, mode, overlay}"), (403, "A viewer cannot render")]),
        Op::get("/api/projects/{id}/renders", "The project's finished renders, newest first, each with its report", list)
            .answers(&[(200, "{renders: [...]}")]),
        Op::get("/api/renders/{id}", "Where a render stands: running with its progress, completed or failed", show)
            .answers(&[(200, "{status, renderId, progress | render, mediaUrl | error}")]),
    ]
}

/// `{"mode": "final" | "animatic", "overlay": bool}`; an empty body is a clean final render.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartRender {
    #[serde(default = "RenderMode::final_cut")]
    mode: RenderMode,
    /// A review copy with which shot, its status, lyric and time code burned in.
    #[serde(default)]
    overlay: bool,
}

async fn start(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let StartRender { mode, overlay } = if body.iter().all(u8::is_ascii_whitespace) {
        StartRender { mode: RenderMode::Final, overlay: false }
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::BadRequest(format!(
                "a render is asked for with {{\"mode\": \"final\" | \"animatic\", \"overlay\": true | false}}: {e}"
            ))
        })?
    };
    let (render_id, workflow_id) = start_render(&st, &caller, &id, mode, overlay).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"renderId": render_id, "workflowId": workflow_id, "mode": mode, "overlay": overlay})),
    ))
}

/// Starts a render of project `project`: its id and its workflow's (the service REST and gRPC
/// share).
pub(crate) async fn start_render(
    st: &AppState,
    caller: &Caller,
    project: &str,
    mode: RenderMode,
    overlay: bool,
) -> Result<(RenderId, String), ApiError> {
    let (project, member) = existing_project(st, caller, project).await?;
    member.require_editor()?;
    let project_id = project.config.project_id;
    let render_id = RenderId::from_uuid(Uuid::new_v4());
    let workflow_id = render_workflow_id(project_id, render_id);
    let input = RenderInput { project_id, render_id, format: RenderFormat::FINAL, mode, overlay };
    let opts = WorkflowStartOptions::new(RENDER_TASK_QUEUE, workflow_id.clone())
        .search_attributes(SearchAttributes::new([
            PROJECT_ID.value_set(project_id.to_string()),
            RENDER_ID.value_set(render_id.to_string()),
        ]))
        .build();
    st.temporal
        .start_workflow(RenderWorkflow::run, input, opts)
        .await
        .map_err(|e| ApiError::Unavailable(format!("could not start the render workflow: {e}")))?;
    Ok((render_id, workflow_id))
}

/// `{"status": "completed", "render": {...}, "mediaUrl"}`, `{"status": "running", "progress"}`
/// or `{"status": "failed", "error"}`.
async fn show(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(status(&st, &caller, &id).await?))
}

/// A render not yet visible in Temporal is looked for this many times, this far apart.
const LOOKUPS: u32 = 4;
const LOOKUP_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// Where render `render` stands, as `show` answers it (the service REST and gRPC share).
pub(crate) async fn status(st: &AppState, caller: &Caller, render: &str) -> Result<Value, ApiError> {
    let render_id = RenderId::parse("renderId", render)?;
    let missing = || ApiError::NotFound(format!("render {render_id} does not exist"));
    if let Some((project, done)) = completed(st, render_id).await? {
        caller.member_or(st, project, missing).await?;
        return Ok(done);
    }
    let query = format!("{}=\"{render_id}\"", RENDER_ID.name());
    // Temporal's visibility lags a just-started workflow by a moment: look again before a 404.
    let mut looked = 1;
    let execution = loop {
        let mut found = st.temporal.list_workflows(query.clone(), WorkflowListOptions::builder().limit(1).build());
        match found.next().await {
            Some(Ok(execution)) => break execution,
            Some(Err(e)) => return Err(ApiError::Unavailable(format!("could not look the render up: {e}"))),
            None if looked < LOOKUPS => {
                looked += 1;
                tokio::time::sleep(LOOKUP_PAUSE).await;
            }
            None => return Err(missing()),
        }
    };
    let project = render_workflow_project(execution.id()).ok_or_else(missing)?;
    caller.member_or(st, project, missing).await?;
    let handle = st.temporal.get_workflow_handle::<RenderWorkflow>(execution.id());
    match execution.status() {
        WorkflowExecutionStatus::Running => {
            let status = handle
                .query(RenderWorkflow::progress, (), WorkflowQueryOptions::default())
                .await
                .map_err(|e| ApiError::Unavailable(format!("the render worker did not answer: {e}")))?;
            Ok(json!({"status": "running", "renderId": render_id, "progress": status}))
        }
        WorkflowExecutionStatus::Completed => completed(st, render_id)
            .await?
            .map(|(_, done)| done)
            .ok_or_else(|| ApiError::Internal(format!("render {render_id} finished but has no record"))),
        _ => {
            let error = match handle.get_result(WorkflowGetResultOptions::default()).await {
                Err(WorkflowGetResultError::Failed(failure)) => match *failure {
                    IncomingError::Application(a) => a.to_string(),
                    other => other.to_string(),
                },
                Err(other) => other.to_string(),
                Ok(_) => "the render finished without a record".into(),
            };
            Ok(json!({"status": "failed", "renderId": render_id, "error": error}))
        }
    }
}

/// `{"renders": [...]}`: the project's finished renders, newest first, each its record with its
/// `mediaUrl`.
async fn list(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let renders: Vec<Value> = finished(&st, &caller, &id).await?.iter().map(listed).collect();
    Ok(Json(json!({ "renders": renders })))
}

/// The project's finished renders, newest first (the service REST and gRPC share).
pub(crate) async fn finished(st: &AppState, caller: &Caller, project: &str) -> Result<Vec<Render>, ApiError> {
    let project_id = existing_project(st, caller, project).await?.0.config.project_id;
    let mut renders: Vec<Render> =
        st.store.list::<Render>(Under::Project(project_id.to_string()), At::Newest).await?.into_iter().map(|(_, r)| r).collect();
    renders.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    Ok(renders)
}

/// A render record as the API shows it: the record, and where its film is fetched.
fn listed(render: &Render) -> Value {
    let mut value = serde_json::to_value(render).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut value {
        fields.insert("mediaUrl".into(), json!(media_url(render)));
    }
    value
}

pub(crate) fn media_url(render: &Render) -> Option<String> {
    render.media.as_ref().map(|m| format!("/api/media/{}", m.key))
}

/// A finished render's project and answer; `None` while it has no record.
async fn completed(st: &AppState, render_id: RenderId) -> Result<Option<(ProjectId, Value)>, ApiError> {
    let Some((_, render)) = st
        .store
        .get::<Render>(&render_id.to_string(), At::Newest)
        .await?
    else {
        return Ok(None);
    };
    let media_url = media_url(&render);
    Ok(Some((
        render.project_id,
        json!({"status": "completed", "renderId": render_id, "render": render, "mediaUrl": media_url}),
    )))
}
