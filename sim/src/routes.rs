//! The simulator's HTTP surface, assembled in one place: each provider's API behind the
//! [`gate`] that counts calls and injects faults, then (outside the gate) the generated media, the
//! JWKS that webhook receivers verify against, and the `/_sim` controls tests use.

mod admin;
mod claude;
mod embeddings;
mod files;
mod gate;
mod gemini;
mod google;
mod queue;
mod vector;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::middleware;
use axum::routing::{get, post, put};
use miri_providers::fal::webhook::jwks_for;
use serde_json::Value;
use tower_http::services::ServeDir;

pub use gate::Provider;

use crate::state::Sim;

/// Model inputs may inline images (fal) or audio (Gemini) as base64.
const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

pub fn router(sim: Sim) -> Router {
    let files = ServeDir::new(sim.files_dir());
    let vertex = "/v1/projects/{project}/locations/{location}";
    let providers = Router::new()
        // fal's queue API.
        .route("/{owner}/{app}", post(queue::submit))
        .route("/{owner}/{app}/{*path}", post(queue::submit))
        .route("/{owner}/{app}/requests/{id}", get(queue::result))
        .route("/{owner}/{app}/requests/{id}/status", get(queue::status))
        .route("/{owner}/{app}/requests/{id}/cancel", put(queue::cancel))
        // Gemini, on the Gemini API (v1beta and the v1 google-genai calls) and on Vertex.
        .route("/v1beta/models/{action}", post(gemini::gemini_api))
        .route("/v1/models/{action}", post(gemini::gemini_api))
        .route(
            &format!("{vertex}/publishers/google/models/{{action}}"),
            post(gemini::vertex),
        )
        .route("/upload/v1beta/files", post(files::upload))
        .route("/upload/v1/files", post(files::upload))
        .route("/v1beta/files/{id}", get(files::get).delete(files::delete))
        .route("/v1/files/{id}", get(files::get).delete(files::delete))
        // Vertex Vector Search.
        .route(&format!("{vertex}/indexes/{{action}}"), post(vector::index))
        .route(
            &format!("{vertex}/indexEndpoints/{{action}}"),
            post(vector::endpoint),
        )
        // Anthropic.
        .route("/v1/messages", post(claude::messages))
        .route_layer(middleware::from_fn_with_state(
            sim.clone(),
            gate::provider_gate,
        ));
    Router::new()
        .route("/.well-known/jwks.json", get(jwks))
        .route("/_sim/stats", get(admin::stats))
        .route("/_sim/faults", get(admin::faults).post(admin::set_faults))
        .route("/_sim/requests/{id}/deliver", post(admin::deliver))
        .merge(providers)
        .layer(DefaultBodyLimit::max(MAX_INPUT_BYTES))
        .nest_service("/files", files)
        .with_state(sim)
}

async fn jwks(State(sim): State<Sim>) -> Json<Value> {
    Json(jwks_for(&[sim.key().verifying_key()]))
}
