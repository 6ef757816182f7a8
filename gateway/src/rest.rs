//! The REST API (JSON, camelCase as in the seed's schemas). Handlers are thin: parse, then call
//! the service layer ([`crate::shots`] for the shot actions, shared with gRPC) or append to the
//! store.

use crate::{api::Op, auth::{Caller, Member}, error::ApiError, mp3, server::AppState, shots};
use axum::{
    Json,
    extract::{Multipart, Path, State, rejection::JsonRejection},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use chrono::Utc;
use miri_core::{
    GlobalSettings, NewShot, Project, ProjectConfig, ProjectId, SceneId, Shot, ShotId, ShotStatus, Version,
    prompt::KlingModel,
};
use miri_workflows::{ShotWorkflow, shot_workflow_id};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Value, json};
use uuid::Uuid;

pub fn ops(max_upload_bytes: usize) -> Vec<Op> {
    vec![
        Op::get("/api/projects", "The projects the caller belongs to, oldest first", list_projects).answers(&[(200, "[project]")]),
        Op::post("/api/projects", "Create a project from a song (MP3), its lyrics and a plot; its creator owns it", create_project)
            .multipart(&[
                ("name", "The project's name", true),
                ("song", "The song, an MP3 file", true),
                ("lyrics", "The lyrics, any script", false),
                ("plot", "The base plot", false),
            ])
            .answers(&[
                (201, "{projectId}"),
                (403, "A viewer or a project key cannot create projects"),
                (413, "The upload is over --max-upload-mb"),
                (422, "The song is not an MP3"),
            ])
            .upload_limit(max_upload_bytes),
        Op::get("/api/projects/{id}/shots", "The project's shots, each at its newest revision", list_shots).answers(&[(200, "[shot]")]),
        Op::post("/api/projects/{id}/shots", "Add a shot (DRAFT) on the song's timeline", create_shot)
            .json::<NewShot>()
            .answers(&[(201, "{shotId}"), (403, "A viewer cannot add shots"), (422, "Longer than the video model's longest clip")]),
        Op::post("/api/shots/generate", "Generate the shot's still (DRAFT or FAILED); answered at once", generate)
            .json::<GenerateRequest>()
            .answers(&[(202, "{shotId, workflowId}"), (403, "A viewer cannot generate"), (409, "Not DRAFT or FAILED")]),
        Op::get("/api/shots/{id}", "One shot at its newest revision", get_shot).answers(&[(200, "The shot")]),
        Op::get("/api/shots/{id}/versions", "Every version the shot has had, newest first", list_versions).answers(&[(200, "[version]")]),
        Op::post("/api/shots/{id}/approve", "Approve the still awaiting approval: its clip is made", approve)
            .answers(&[(202, "Approved"), (200, "Approved before: alreadyApproved, no second clip"), (403, "A viewer cannot approve"), (409, "Not awaiting approval")]),
        Op::post("/api/shots/{id}/reject", "Reject the still, saying why (the rulebook learns from it)", reject)
            .json::<RejectRequest>()
            .answers(&[(202, "Rejected"), (403, "A viewer cannot reject"), (409, "Not awaiting approval")]),
        Op::post("/api/shots/{id}/refine", "Edit the still by one short imperative command", refine)
            .json::<RefineRequest>()
            .answers(&[(202, "Refining"), (403, "A viewer cannot refine"), (409, "Not awaiting approval"), (422, "The command is vague or too long")]),
        Op::get("/api/media/{*key}", "A stored image, clip, song or film by its content address", media)
            .answers(&[(200, "The bytes, with their content type")]),
    ]
}

/// `Json<T>` whose rejections are [`ApiError`]s (400 with serde's message, 413 when too large).
pub(crate) struct Body<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = ApiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let Json(v) = Json::<T>::from_request(req, state).await.map_err(|e: JsonRejection| ApiError::from(e))?;
        Ok(Body(v))
    }
}

fn parse_shot_id(raw: &str) -> Result<ShotId, ApiError> {
    Ok(ShotId::parse("shotId", raw)?)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProjectView {
    project_id: ProjectId,
    name: String,
    created_at: chrono::DateTime<Utc>,
    global_settings: GlobalSettings,
    lyrics: String,
    plot: String,
    song_url: String,
}

impl From<Project> for ProjectView {
    fn from(p: Project) -> Self {
        Self {
            project_id: p.config.project_id,
            name: p.config.project_name,
            created_at: p.config.creation_timestamp,
            global_settings: p.config.global_settings,
            lyrics: p.lyrics,
            plot: p.plot,
            song_url: media_url(&p.song.key),
        }
    }
}

/// A shot as the API shows it: the newest record, flattened, with its revision.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ShotView {
    shot_id: ShotId,
    project_id: ProjectId,
    #[serde(skip_serializing_if = "Option::is_none")]
    scene_id: Option<SceneId>,
    status: ShotStatus,
    revision: u64,
    start_ms: u64,
    end_ms: u64,
    lyrics_snippet: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    motion: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    camera: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    updated_at: chrono::DateTime<Utc>,
    /// Set on an approve that found the shot approved already.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    already_approved: bool,
}

impl ShotView {
    fn with_already_approved(self) -> Self {
        Self { already_approved: true, ..self }
    }

    fn new(revision: u64, s: Shot) -> Self {
        Self {
            shot_id: s.shot_id,
            project_id: s.project_id,
            scene_id: s.scene_id,
            status: s.status,
            revision,
            start_ms: s.timestamps.start_ms,
            end_ms: s.timestamps.end_ms,
            lyrics_snippet: s.lyrics_snippet,
            description: s.description,
            motion: s.motion,
            camera: s.camera,
            reason: s.reason,
            updated_at: s.updated_at,
            already_approved: false,
        }
    }
}

pub(crate) fn media_url(key: &str) -> String {
    format!("/api/media/{key}")
}

async fn list_projects(State(st): State<AppState>, caller: Caller) -> Result<Json<Vec<ProjectView>>, ApiError> {
    Ok(Json(visible_projects(&st, &caller).await?.into_iter().map(ProjectView::from).collect()))
}

/// The projects `caller` belongs to, oldest first.
pub(crate) async fn visible_projects(st: &AppState, caller: &Caller) -> Result<Vec<Project>, ApiError> {
    let all = st.store.projects().await?;
    if caller.is_admin() {
        return Ok(all);
    }
    let mine: std::collections::HashSet<ProjectId> = match caller.project() {
        Some(p) => [p].into(),
        None => st.store.memberships_of(caller.token_id()).await?.into_iter().map(|m| m.project_id).collect(),
    };
    Ok(all.into_iter().filter(|p| mine.contains(&p.config.project_id)).collect())
}

/// Multipart `name`, `song` (MP3), `lyrics`, `plot`. Everything is checked before anything is
/// stored, so a refused upload leaves no record.
async fn create_project(
    State(st): State<AppState>,
    caller: Caller,
    mut form: Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require_studio_editor()?;
    let (mut name, mut lyrics, mut plot, mut song) = (None, None, None, None::<Bytes>);
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        let field_name = field.name().unwrap_or_default().to_string();
        match field_name.as_str() {
            "song" => song = Some(field.bytes().await.map_err(multipart_error)?),
            "name" | "lyrics" | "plot" => {
                let text = field.text().await.map_err(multipart_error)?;
                let slot = match field_name.as_str() {
                    "name" => &mut name,
                    "lyrics" => &mut lyrics,
                    _ => &mut plot,
                };
                *slot = Some(text);
            }
            other => return Err(ApiError::BadRequest(format!("unknown form field {other:?}"))),
        }
    }
    let name = name.map(|n| n.trim().to_string()).filter(|n| !miri_core::schema::blank(n));
    let name = name.ok_or_else(|| ApiError::BadRequest("name is required".into()))?;
    if name.chars().count() > 200 {
        return Err(ApiError::BadRequest("name is too long (at most 200 characters)".into()));
    }
    let song = song.ok_or_else(|| ApiError::BadRequest("song (an MP3 file) is required".into()))?;
    mp3::check(&song).map_err(ApiError::Unprocessable)?;
    let song = st.media.put(song, "audio/mpeg").await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let project = Project {
        config: ProjectConfig {
            project_id: ProjectId::from_uuid(Uuid::new_v4()),
            project_name: name,
            global_settings: GlobalSettings::default(),
            creation_timestamp: Utc::now(),
        },
        song,
        lyrics: lyrics.unwrap_or_default(),
        plot: plot.unwrap_or_default(),
    };
    st.store.create_project(&project).await?;
    caller.join(&st.store, project.config.project_id, miri_store::Role::Owner, &caller.name()).await?;
    Ok((StatusCode::CREATED, Json(json!({"projectId": project.config.project_id}))))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge(format!("the upload is larger than the limit: {}", e.body_text()))
    } else {
        ApiError::BadRequest(e.body_text())
    }
}

/// The project named by `raw` with the caller's standing in it: 400 when it is no id, 404 when
/// it does not exist or the caller does not belong to it.
pub(crate) async fn existing_project(st: &AppState, caller: &Caller, raw: &str) -> Result<(Project, Member), ApiError> {
    let id = ProjectId::parse("projectId", raw)?;
    let member = caller.in_project(st, id).await?;
    let project = st.store.project(id).await?.ok_or_else(|| ApiError::NotFound(format!("project {id} does not exist")))?;
    Ok((project, member))
}

/// `Ok` while `shot` waits for the director's decision; otherwise the 409 saying `act` needs that.
pub(crate) fn awaiting_approval(shot: &Shot, act: &str) -> Result<(), ApiError> {
    match shot.status {
        ShotStatus::AwaitingApproval => Ok(()),
        other => Err(ApiError::Conflict(format!("shot {} is {other}; {act} needs AWAITING_APPROVAL", shot.shot_id))),
    }
}

/// The shot with the caller's standing in its project; 404 alike when it does not exist and when
/// the caller does not belong to its project.
pub(crate) async fn existing_shot(st: &AppState, caller: &Caller, id: ShotId) -> Result<(u64, Shot, Member), ApiError> {
    let missing = || ApiError::NotFound(format!("shot {id} does not exist"));
    let (revision, shot) = st.store.shot(id).await?.ok_or_else(missing)?;
    let member = caller.member_or(st, shot.project_id, missing).await?;
    Ok((revision, shot, member))
}

async fn list_shots(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<ShotView>>, ApiError> {
    let shots = shots::list(&st, &caller, &id).await?;
    Ok(Json(shots.into_iter().map(|(rev, s)| ShotView::new(rev, s)).collect()))
}

async fn create_shot(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(new): Body<NewShot>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (project, member) = existing_project(&st, &caller, &id).await?;
    member.require_editor()?;
    let timestamps = new.validate().map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let video_model = &project.config.global_settings.video_model;
    if let Some(Err(longest)) = KlingModel::of(video_model).map(|m| m.clip_secs(timestamps.duration_ms())) {
        return Err(ApiError::Unprocessable(format!(
            "the shot lasts {:.1} s; {video_model} makes clips of at most {longest} s — split the shot",
            timestamps.duration_ms() as f64 / 1000.0
        )));
    }
    let shot = Shot {
        shot_id: ShotId::from_uuid(Uuid::new_v4()),
        project_id: project.config.project_id,
        scene_id: None,
        versions: Vec::new(),
        timestamps,
        lyrics_snippet: new.lyrics_snippet,
        description: new.description,
        motion: new.motion.map(|m| m.trim().to_string()).filter(|m| !m.is_empty()),
        camera: new.camera.map(|c| c.trim().to_string()).filter(|c| !c.is_empty()),
        status: ShotStatus::Draft,
        reason: None,
        change_id: None,
        updated_at: Utc::now(),
    };
    st.store.append_shot(&shot, 0).await?;
    Ok((StatusCode::CREATED, Json(json!({"shotId": shot.shot_id}))))
}

async fn get_shot(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<ShotView>, ApiError> {
    let (rev, shot, _) = existing_shot(&st, &caller, parse_shot_id(&id)?).await?;
    Ok(Json(ShotView::new(rev, shot)))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionView {
    #[serde(flatten)]
    version: Version,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_url: Option<String>,
}

async fn list_versions(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<VersionView>>, ApiError> {
    let versions = shots::versions(&st, &caller, parse_shot_id(&id)?).await?;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| VersionView { media_url: v.media.as_ref().map(|m| media_url(&m.key)), version: v })
            .collect(),
    ))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GenerateRequest {
    shot_id: String,
}

/// Starts the shot's workflow (or signals the running one) and returns at once.
async fn generate(
    State(st): State<AppState>,
    caller: Caller,
    Body(req): Body<GenerateRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = parse_shot_id(&req.shot_id)?;
    let workflow_id = shots::generate(&st, &caller, id).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"shotId": id, "workflowId": workflow_id}))))
}

async fn approve(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ShotView>), ApiError> {
    let (revision, shot, already) = shots::approve(&st, &caller, parse_shot_id(&id)?).await?;
    let view = ShotView::new(revision, shot);
    // Approved already: the clip is under way or done. Idempotent, and no second clip.
    Ok(if already { (StatusCode::OK, Json(view.with_already_approved())) } else { (StatusCode::ACCEPTED, Json(view)) })
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RejectRequest {
    reason: String,
}

async fn reject(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(req): Body<RejectRequest>,
) -> Result<(StatusCode, Json<ShotView>), ApiError> {
    let (revision, shot) = shots::reject(&st, &caller, parse_shot_id(&id)?, &req.reason).await?;
    Ok((StatusCode::ACCEPTED, Json(ShotView::new(revision, shot))))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefineRequest {
    /// One short imperative edit command ("Change the sky to dusk orange").
    command: String,
}

/// `POST /api/shots/{id}/refine`: the still awaiting approval is edited by one command (FLUX.2
/// edit, the scene's seed and references); a vague or long command is refused here, unpaid.
async fn refine(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(req): Body<RefineRequest>,
) -> Result<(StatusCode, Json<ShotView>), ApiError> {
    let (revision, shot) = shots::refine(&st, &caller, parse_shot_id(&id)?, &req.command).await?;
    Ok((StatusCode::ACCEPTED, Json(ShotView::new(revision, shot))))
}

type Handle = temporalio_client::WorkflowHandle<temporalio_client::Client, ShotWorkflow>;

pub(crate) async fn signal<F, Fut>(st: &AppState, id: ShotId, send: F) -> Result<(), ApiError>
where
    F: FnOnce(Handle) -> Fut,
    Fut: Future<Output = Result<(), temporalio_client::errors::WorkflowInteractionError>>,
{
    let handle = st.temporal.get_workflow_handle::<ShotWorkflow>(shot_workflow_id(id));
    send(handle).await.map_err(|e| match e {
        temporalio_client::errors::WorkflowInteractionError::NotFound(_) => {
            ApiError::Conflict(format!("shot {id} has no running workflow; generate it first"))
        }
        e => ApiError::Unavailable(format!("could not signal the shot workflow: {e}")),
    })
}

async fn media(State(st): State<AppState>, _c: Caller, Path(key): Path<String>) -> Result<Response, ApiError> {
    let bytes = st.media.get(&key).await.map_err(|e| match e {
        miri_store::MediaError::BadKey(_) => ApiError::BadRequest(e.to_string()),
        miri_store::MediaError::NotFound(_) => ApiError::NotFound(e.to_string()),
        e => ApiError::Internal(e.to_string()),
    })?;
    let content_type = match key.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("mp4") => "video/mp4",
        Some("mp3") => "audio/mpeg",
        _ => "application/octet-stream",
    };
    Ok((
        [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "private, max-age=31536000, immutable")],
        bytes,
    )
        .into_response())
}
