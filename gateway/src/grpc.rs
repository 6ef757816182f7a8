//! The gRPC adapter (tonic, `proto/miri/v1/studio.proto`) over the same service layer as REST:
//! each call authenticates from its `authorization` metadata, parses its ids, calls
//! [`crate::shots`], [`crate::renders`] (here) or [`crate::scenes`] and [`crate::chat`] ([`story`]) and shapes
//! the answer. Server reflection lists every service, so `grpcurl`
//! can discover and call them without the proto file.

use crate::rest::media_url;
use crate::{auth, auth::Caller, error::ApiError, renders, server::AppState, shots};
use miri_core::RenderMode;
use futures::{Stream, StreamExt};
use miri_core::{Event, Shot, ShotId, ShotUpdated, Version as CoreVersion};
use miri_store::Kind;
use std::pin::Pin;
use axum::Router;
use proto::{
    chat_server::ChatServer, projects_server::ProjectsServer, renders_server::RendersServer, scenes_server::ScenesServer,
    shots_server::ShotsServer,
};
use tonic::server::NamedService;
use tonic::{Request, Response, Status};

mod story;

#[allow(clippy::all, missing_docs)]
pub mod proto {
    tonic::include_proto!("miri.v1");
    /// The descriptor set server reflection serves.
    pub const DESCRIPTOR: &[u8] = tonic::include_file_descriptor_set!("miri_descriptor");
}

use proto::{
    GenerateResponse, ListProjectsRequest, ListProjectsResponse, ListRendersRequest, ListRendersResponse, ListShotsRequest,
    ListShotsResponse, ListVersionsResponse, ProjectEvent, RefineRequest, RejectRequest, RenderRef, RenderStatus, ShotAnswer,
    ShotRef, StartRenderRequest, StartRenderResponse, WatchProjectRequest,
};

/// Every service and reflection as routes beside REST on one port (gRPC is told apart by its
/// paths, `/miri.v1.Shots/…`): added before the web app's fallback, so they are never shadowed.
pub fn routes(state: AppState) -> Router<AppState> {
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(proto::DESCRIPTOR)
        .build_v1()
        .expect("the descriptor set compiled from proto/ is valid");
    let studio = Studio(state);
    let router = serve(Router::new(), reflection);
    let router = serve(router, ShotsServer::new(studio.clone()));
    let router = serve(router, ProjectsServer::new(studio.clone()));
    let router = serve(router, ScenesServer::new(studio.clone()));
    let router = serve(router, ChatServer::new(studio.clone()));
    serve(router, RendersServer::new(studio))
}

/// `router` with `service` at every method path of it: `/{package.Service}/*`.
fn serve<S>(router: Router<AppState>, service: S) -> Router<AppState>
where
    S: NamedService + tonic::codegen::Service<axum::extract::Request, Error = std::convert::Infallible> + Clone + Send + Sync + 'static,
    S::Response: axum::response::IntoResponse,
    S::Future: Send + 'static,
{
    router.route_service(&format!("/{}/{{*method}}", S::NAME), service)
}

#[derive(Clone)]
struct Studio(AppState);

impl Studio {
    /// The caller named by the request's `authorization: Bearer <token>` metadata.
    async fn caller<T>(&self, request: &Request<T>) -> Result<Caller, Status> {
        let header = request
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Status::unauthenticated("send the metadata authorization: Bearer <token>"))?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or_else(|| Status::unauthenticated("the authorization metadata is Bearer <token>"))?;
        auth::resolve(&self.0.store, token)
            .await
            .map_err(|e| Status::from(ApiError::from(e)))?
            .ok_or_else(|| Status::unauthenticated("missing or invalid bearer token"))
    }
}

fn shot_id(raw: &str) -> Result<ShotId, Status> {
    ShotId::parse("shot_id", raw).map_err(|e| Status::invalid_argument(e.to_string()))
}

impl From<ApiError> for Status {
    fn from(e: ApiError) -> Self {
        let message = e.to_string();
        match e {
            ApiError::BadRequest(_) | ApiError::Unprocessable(_) => Status::invalid_argument(message),
            ApiError::Unauthorized => Status::unauthenticated(message),
            ApiError::Forbidden(_) => Status::permission_denied(message),
            ApiError::NotFound(_) => Status::not_found(message),
            ApiError::Conflict(_) => Status::failed_precondition(message),
            ApiError::TooLarge(_) => Status::resource_exhausted(message),
            ApiError::Unavailable(_) => Status::unavailable(message),
            ApiError::Internal(_) => {
                tracing::error!("{message}");
                Status::internal(message)
            }
        }
    }
}

fn shot((revision, s): (u64, miri_core::Shot)) -> proto::Shot {
    proto::Shot {
        shot_id: s.shot_id.to_string(),
        project_id: s.project_id.to_string(),
        scene_id: s.scene_id.map(|id| id.to_string()).unwrap_or_default(),
        status: s.status.as_str().to_string(),
        revision,
        start_ms: s.timestamps.start_ms,
        end_ms: s.timestamps.end_ms,
        lyrics_snippet: s.lyrics_snippet,
        description: s.description,
        motion: s.motion.unwrap_or_default(),
        camera: s.camera.unwrap_or_default(),
        reason: s.reason.unwrap_or_default(),
        updated_at: s.updated_at.to_rfc3339(),
    }
}

fn version(v: CoreVersion) -> proto::Version {
    let plain = |value: serde_json::Value| value.as_str().map(str::to_string).unwrap_or_default();
    proto::Version {
        version_id: v.version_id.to_string(),
        kind: plain(serde_json::to_value(v.kind).unwrap_or_default()),
        parent: v.parent.map(|p| p.to_string()).unwrap_or_default(),
        author: plain(serde_json::to_value(v.author).unwrap_or_default()),
        model_code: v.model_code.unwrap_or_default(),
        seed: v.seed,
        cost_usd_micros: v.cost.map_or(0, |c| c.usd_micros),
        reason: v.reason.unwrap_or_default(),
        prompt: v.prompt.unwrap_or_default(),
        media_url: v.media.map(|m| media_url(&m.key)).unwrap_or_default(),
        created_at: v.created_at.to_rfc3339(),
        request_json: v.request.map(|r| r.to_string()).unwrap_or_default(),
    }
}

/// A project's events as `WatchProject` streams them.
type Events = Pin<Box<dyn Stream<Item = Result<ProjectEvent, Status>> + Send>>;

#[tonic::async_trait]
impl proto::projects_server::Projects for Studio {
    type WatchProjectStream = Events;

    /// Shot revisions from the store's feed (subscribed before the call is answered, so nothing
    /// after it is missed) merged with the project's events off the Redis channel.
    async fn watch_project(&self, request: Request<WatchProjectRequest>) -> Result<Response<Events>, Status> {
        let caller = self.caller(&request).await?;
        let project = crate::rest::existing_project(&self.0, &caller, &request.get_ref().project_id).await?.0.config.project_id;
        let store = self.0.store.clone();
        let feed = store.feed(project).await.map_err(ApiError::from)?;
        let shots = feed.filter_map(move |entry| {
            let store = store.clone();
            async move {
                match entry {
                    Ok(entry) if entry.kind == Kind::Shot => match store.decode::<Shot>(entry).await {
                        Ok((revision, shot)) => Some(Ok(Event::Shot(ShotUpdated::of(&shot, revision)))),
                        Err(e) => Some(Err(Status::from(ApiError::from(e)))),
                    },
                    Ok(_) => None,
                    Err(e) => Some(Err(Status::from(ApiError::from(e)))),
                }
            }
        });
        let unavailable = |e: redis::RedisError| Status::unavailable(format!("the event channel: {e}"));
        let client = redis::Client::open(self.0.redis.url()).map_err(unavailable)?;
        let mut pubsub = client.get_async_pubsub().await.map_err(unavailable)?;
        pubsub.subscribe(&self.0.events_channel).await.map_err(unavailable)?;
        let others = pubsub.into_on_message().filter_map(move |message| async move {
            let payload: String = message.get_payload().ok()?;
            let event: Event = serde_json::from_str(&payload).ok()?;
            (event.project_id() == project && !matches!(event, Event::Shot(_))).then_some(Ok(event))
        });
        let events = futures::stream::select(shots.boxed(), others.boxed()).map(|event| {
            event.map(|event| ProjectEvent { name: event.name().to_string(), json: serde_json::to_string(&event).unwrap_or_default() })
        });
        Ok(Response::new(Box::pin(events)))
    }

    async fn list_projects(&self, request: Request<ListProjectsRequest>) -> Result<Response<ListProjectsResponse>, Status> {
        let caller = self.caller(&request).await?;
        let projects = crate::rest::visible_projects(&self.0, &caller).await?;
        Ok(Response::new(ListProjectsResponse {
            projects: projects
                .into_iter()
                .map(|p| proto::Project {
                    project_id: p.config.project_id.to_string(),
                    name: p.config.project_name,
                    created_at: p.config.creation_timestamp.to_rfc3339(),
                })
                .collect(),
        }))
    }
}

#[tonic::async_trait]
impl proto::shots_server::Shots for Studio {
    async fn list_shots(&self, request: Request<ListShotsRequest>) -> Result<Response<ListShotsResponse>, Status> {
        let caller = self.caller(&request).await?;
        let shots = shots::list(&self.0, &caller, &request.get_ref().project_id).await?;
        Ok(Response::new(ListShotsResponse { shots: shots.into_iter().map(shot).collect() }))
    }

    async fn get_shot(&self, request: Request<ShotRef>) -> Result<Response<proto::Shot>, Status> {
        let caller = self.caller(&request).await?;
        let (revision, found, _) = crate::rest::existing_shot(&self.0, &caller, shot_id(&request.get_ref().shot_id)?).await?;
        Ok(Response::new(shot((revision, found))))
    }

    async fn generate(&self, request: Request<ShotRef>) -> Result<Response<GenerateResponse>, Status> {
        let caller = self.caller(&request).await?;
        let id = shot_id(&request.get_ref().shot_id)?;
        let workflow_id = shots::generate(&self.0, &caller, id).await?;
        Ok(Response::new(GenerateResponse { shot_id: id.to_string(), workflow_id }))
    }

    async fn approve(&self, request: Request<ShotRef>) -> Result<Response<ShotAnswer>, Status> {
        let caller = self.caller(&request).await?;
        let (revision, found, already_approved) = shots::approve(&self.0, &caller, shot_id(&request.get_ref().shot_id)?).await?;
        Ok(Response::new(ShotAnswer { shot: Some(shot((revision, found))), already_approved }))
    }

    async fn reject(&self, request: Request<RejectRequest>) -> Result<Response<ShotAnswer>, Status> {
        let caller = self.caller(&request).await?;
        let r = request.get_ref();
        let found = shots::reject(&self.0, &caller, shot_id(&r.shot_id)?, &r.reason).await?;
        Ok(Response::new(ShotAnswer { shot: Some(shot(found)), already_approved: false }))
    }

    async fn refine(&self, request: Request<RefineRequest>) -> Result<Response<ShotAnswer>, Status> {
        let caller = self.caller(&request).await?;
        let r = request.get_ref();
        let found = shots::refine(&self.0, &caller, shot_id(&r.shot_id)?, &r.command).await?;
        Ok(Response::new(ShotAnswer { shot: Some(shot(found)), already_approved: false }))
    }

    async fn list_versions(&self, request: Request<ShotRef>) -> Result<Response<ListVersionsResponse>, Status> {
        let caller = self.caller(&request).await?;
        let versions = shots::versions(&self.0, &caller, shot_id(&request.get_ref().shot_id)?).await?;
        Ok(Response::new(ListVersionsResponse { versions: versions.into_iter().map(version).collect() }))
    }
}

/// A render's status as `GET /api/renders/{id}` shows it, in the proto's fields.
fn render_status(v: &serde_json::Value) -> RenderStatus {
    let text = |key: &str| v[key].as_str().unwrap_or_default().to_string();
    let json = |key: &str| if v[key].is_null() { String::new() } else { v[key].to_string() };
    RenderStatus {
        render_id: text("renderId"),
        status: text("status"),
        progress_json: json("progress"),
        render_json: json("render"),
        media_url: text("mediaUrl"),
        error: text("error"),
    }
}

#[tonic::async_trait]
impl proto::renders_server::Renders for Studio {
    async fn start_render(&self, request: Request<StartRenderRequest>) -> Result<Response<StartRenderResponse>, Status> {
        let caller = self.caller(&request).await?;
        let r = request.get_ref();
        let mode = match r.mode.as_str() {
            "" | "final" => RenderMode::Final,
            "animatic" => RenderMode::Animatic,
            other => return Err(Status::invalid_argument(format!("mode {other:?} is neither \"final\" nor \"animatic\""))),
        };
        let (render_id, workflow_id) = renders::start_render(&self.0, &caller, &r.project_id, mode, r.overlay).await?;
        let mode = if mode == RenderMode::Animatic { "animatic" } else { "final" };
        Ok(Response::new(StartRenderResponse { render_id: render_id.to_string(), workflow_id, mode: mode.into(), overlay: r.overlay }))
    }

    async fn get_render(&self, request: Request<RenderRef>) -> Result<Response<RenderStatus>, Status> {
        let caller = self.caller(&request).await?;
        let status = renders::status(&self.0, &caller, &request.get_ref().render_id).await?;
        Ok(Response::new(render_status(&status)))
    }

    async fn list_renders(&self, request: Request<ListRendersRequest>) -> Result<Response<ListRendersResponse>, Status> {
        let caller = self.caller(&request).await?;
        let finished = renders::finished(&self.0, &caller, &request.get_ref().project_id).await?;
        let renders = finished
            .iter()
            .map(|r| {
                render_status(&serde_json::json!({
                    "renderId": r.render_id, "status": "completed", "render": r, "mediaUrl": renders::media_url(r),
                }))
            })
            .collect();
        Ok(Response::new(ListRendersResponse { renders }))
    }
}
