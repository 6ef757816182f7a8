//! Gemini's model methods on both front doors: the Gemini API (`/v1beta/models/{m}:…`, and `/v1/…`
//! which google-genai calls by default) and Vertex (`/v1/projects/{p}/locations/{l}/publishers/
//! google/models/{m}:…`). `generateContent` and its streaming twin answer from [`crate::gemini`];
//! embedding methods go to [`super::embeddings`].

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::embeddings;
use super::google::{self, Api, GoogleError};
use crate::gemini::{self, Attachment, GenerateRequest, Resolved};
use crate::state::Sim;
use crate::uploads::FileState;

#[derive(Deserialize)]
pub struct ModelQuery {
    alt: Option<String>,
    key: Option<String>,
}

/// `POST /v1beta/models/{model}:{method}` and `/v1/models/{model}:{method}`.
pub async fn gemini_api(
    State(sim): State<Sim>,
    Path(action): Path<String>,
    Query(query): Query<ModelQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GoogleError> {
    google::authorize(Api::Gemini, &headers, query.key.as_deref())?;
    dispatch(&sim, Api::Gemini, &action, &query, &body).await
}

/// `POST /v1/projects/{p}/locations/{l}/publishers/google/models/{model}:{method}`.
pub async fn vertex(
    State(sim): State<Sim>,
    Path((_project, _location, action)): Path<(String, String, String)>,
    Query(query): Query<ModelQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GoogleError> {
    google::authorize(Api::Vertex, &headers, query.key.as_deref())?;
    dispatch(&sim, Api::Vertex, &action, &query, &body).await
}

async fn dispatch(
    sim: &Sim,
    api: Api,
    action: &str,
    query: &ModelQuery,
    body: &Bytes,
) -> Result<Response, GoogleError> {
    let (model, method) = google::split_action(action)?;
    match (api, method) {
        (_, "generateContent") => Ok(Json(generate(sim, model, body)?).into_response()),
        (_, "streamGenerateContent") => {
            let chunks = gemini::stream_chunks(generate(sim, model, body)?);
            Ok(if query.alt.as_deref() == Some("sse") {
                sse(chunks)
            } else {
                Json(Value::Array(chunks)).into_response()
            })
        }
        (_, "countTokens") => {
            let request: GenerateRequest = google::parse(body)?;
            let usage = gemini::usage(&resolve(sim, &request)?, 0);
            Ok(Json(json!({
                "totalTokens": usage["promptTokenCount"],
                "promptTokensDetails": usage["promptTokensDetails"],
            }))
            .into_response())
        }
        (_, "embedContent") => Ok(Json(embeddings::embed_content(body)?).into_response()),
        (_, "batchEmbedContents") => Ok(Json(embeddings::batch(body)?).into_response()),
        (Api::Vertex, "predict") => Ok(Json(embeddings::predict(body)?).into_response()),
        _ => Err(GoogleError::not_found(format!(
            "Method {method} is not served for models/{model} by the simulator"
        ))),
    }
}

fn generate(sim: &Sim, model: &str, body: &Bytes) -> Result<Value, GoogleError> {
    let request: GenerateRequest = google::parse(body)?;
    let resolved = resolve(sim, &request)?;
    gemini::answer(model, &request, &resolved, sim.roll_bad_answer()).map_err(GoogleError::invalid)
}

/// Checks every attachment (inline bytes decode, uploaded files exist and are active) and
/// gathers what usage is counted from.
fn resolve(sim: &Sim, request: &GenerateRequest) -> Result<Resolved, GoogleError> {
    let mut resolved = gemini::resolve_inline(request).map_err(GoogleError::invalid)?;
    for (at, reference) in request.file_references() {
        if reference.starts_with("gs://") {
            // Cloud Storage objects are Vertex's to read; the simulator cannot see them.
            resolved
                .attachments
                .push(Attachment::unknown_size(reference));
            continue;
        }
        let file = super::files::id_of_uri(reference)
            .and_then(|id| sim.uploads().get(id))
            .ok_or_else(|| {
                GoogleError::invalid(format!(
                    "{at}.file_data.file_uri: file {reference} does not exist; upload it with the Files API first"
                ))
            })?;
        if file.state != FileState::Active {
            return Err(GoogleError::failed_precondition(format!(
                "The File {} is not in an ACTIVE state and usage is not allowed.",
                file.id
            )));
        }
        resolved
            .attachments
            .push(Attachment::new(&file.mime_type, &file.bytes));
    }
    Ok(resolved)
}

/// Every chunk as a `data:` event; the whole answer is known, so it goes out in one body.
fn sse(chunks: Vec<Value>) -> Response {
    let events: String = chunks
        .iter()
        .map(|chunk| format!("data: {chunk}\r\n\r\n"))
        .collect();
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        )],
        events,
    )
        .into_response()
}
