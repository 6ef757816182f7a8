//! The simulator's HTTP surface, assembled in one place: fal's queue API, the generated media, the
//! JWKS that webhook receivers verify against, and the `/_sim` controls tests use.

mod admin;
mod queue;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post, put};
use miri_providers::fal::webhook::jwks_for;
use serde_json::Value;
use tower_http::services::ServeDir;

use crate::state::Sim;

/// Model inputs may inline images as data URIs.
const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

pub fn router(sim: Sim) -> Router {
    let files = ServeDir::new(sim.files_dir());
    Router::new()
        .route("/.well-known/jwks.json", get(jwks))
        .route("/_sim/stats", get(admin::stats))
        .route("/_sim/requests/{id}/deliver", post(admin::deliver))
        .route("/{owner}/{app}", post(queue::submit))
        .route("/{owner}/{app}/{*path}", post(queue::submit))
        .route("/{owner}/{app}/requests/{id}", get(queue::result))
        .route("/{owner}/{app}/requests/{id}/status", get(queue::status))
        .route("/{owner}/{app}/requests/{id}/cancel", put(queue::cancel))
        .layer(DefaultBodyLimit::max(MAX_INPUT_BYTES))
        .nest_service("/files", files)
        .with_state(sim)
}

async fn jwks(State(sim): State<Sim>) -> Json<Value> {
    Json(jwks_for(&[sim.key().verifying_key()]))
}
