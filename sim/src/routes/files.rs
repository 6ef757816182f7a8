//! Gemini's Files API as google-genai drives it: a resumable upload (start with the API key, then
//! chunks to the session URL, which is their only credential, each answered with
//! `X-Goog-Upload-Status`), then `GET` until `ACTIVE`, and `DELETE`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};

use super::google::{self, Api, GoogleError};
use crate::state::Sim;
use crate::uploads::{Chunk, Declared, StoredFile, UploadError};

/// The real service's chunk size; clients send multiples of it.
const CHUNK_GRANULARITY: u32 = 8 * 1024 * 1024;

#[derive(Deserialize)]
pub struct UploadQuery {
    upload_id: Option<String>,
    key: Option<String>,
}

#[derive(Deserialize)]
pub struct KeyQuery {
    key: Option<String>,
}

#[derive(Deserialize, Default)]
struct CreateBody {
    #[serde(default)]
    file: FileMeta,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct FileMeta {
    #[serde(alias = "display_name")]
    display_name: Option<String>,
    #[serde(alias = "mime_type")]
    mime_type: Option<String>,
    #[serde(alias = "size_bytes")]
    size_bytes: Option<Value>,
}

/// `POST /upload/v1beta/files`: a start without `upload_id`, a chunk with it.
pub async fn upload(
    State(sim): State<Sim>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GoogleError> {
    match query.upload_id {
        Some(session) => chunk(&sim, &session, &headers, &body),
        None => start(&sim, query.key.as_deref(), &headers, &body),
    }
}

fn start(
    sim: &Sim,
    key: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, GoogleError> {
    google::authorize(Api::Gemini, headers, key)?;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if header("x-goog-upload-protocol") != Some("resumable") {
        return Err(GoogleError::invalid(
            "The simulator serves resumable uploads only; send X-Goog-Upload-Protocol: resumable",
        ));
    }
    if header("x-goog-upload-command") != Some("start") {
        return Err(GoogleError::invalid(
            "A new upload needs X-Goog-Upload-Command: start",
        ));
    }
    let meta = if body.is_empty() {
        CreateBody::default()
    } else {
        google::parse::<CreateBody>(body)?
    };
    let size_header = header("x-goog-upload-header-content-length")
        .map(|n| {
            n.parse::<u64>().map_err(|_| {
                GoogleError::invalid(format!(
                    "X-Goog-Upload-Header-Content-Length {n:?} is not a byte count"
                ))
            })
        })
        .transpose()?;
    let size_body = meta.file.size_bytes.as_ref().and_then(|n| match n {
        Value::String(s) => s.parse().ok(),
        other => other.as_u64(),
    });
    let declared = Declared {
        display_name: meta.file.display_name,
        mime_type: header("x-goog-upload-header-content-type")
            .map(str::to_owned)
            .or(meta.file.mime_type)
            .unwrap_or_else(|| "application/octet-stream".into()),
        size_bytes: size_header.or(size_body),
    };
    let session = sim.uploads().start(declared);
    let url = sim.public_url(&format!(
        "upload/v1beta/files?upload_id={session}&upload_protocol=resumable"
    ));
    let mut response = StatusCode::OK.into_response();
    let out = response.headers_mut();
    out.insert(
        "x-goog-upload-url",
        HeaderValue::from_str(&url).expect("a URL is a valid header"),
    );
    out.insert("x-goog-upload-status", HeaderValue::from_static("active"));
    out.insert(
        "x-goog-upload-chunk-granularity",
        HeaderValue::from(CHUNK_GRANULARITY),
    );
    Ok(response)
}

fn chunk(
    sim: &Sim,
    session: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, GoogleError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let commands: Vec<String> = header("x-goog-upload-command")
        .unwrap_or("")
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    let has = |command: &str| commands.iter().any(|c| c == command);
    if commands.is_empty()
        || commands
            .iter()
            .any(|c| !["upload", "finalize", "query"].contains(&c.as_str()))
    {
        return Err(GoogleError::invalid(format!(
            "X-Goog-Upload-Command {:?} is not one of upload, finalize, 'upload, finalize', query",
            header("x-goog-upload-command").unwrap_or("")
        )));
    }
    let upload_error = |err: UploadError| match err {
        UploadError::UnknownSession(_) => GoogleError::not_found(err.to_string()),
        _ => GoogleError::invalid(err.to_string()),
    };
    if has("query") {
        let received = sim.uploads().received(session).map_err(upload_error)?;
        return Ok(status_response("active", Some(received), None));
    }
    let offset = match header("x-goog-upload-offset") {
        Some(n) => Some(n.parse::<u64>().map_err(|_| {
            GoogleError::invalid(format!("X-Goog-Upload-Offset {n:?} is not a byte offset"))
        })?),
        None if has("upload") => {
            return Err(GoogleError::invalid(
                "An upload chunk needs X-Goog-Upload-Offset",
            ));
        }
        None => None,
    };
    let bytes: &[u8] = if has("upload") { body } else { &[] };
    match sim
        .uploads()
        .chunk(session, offset, bytes, has("finalize"))
        .map_err(upload_error)?
    {
        Chunk::Active { received } => Ok(status_response("active", Some(received), None)),
        Chunk::Final(file) => {
            tracing::info!(file = %file.id, bytes = file.bytes.len(), "file uploaded");
            Ok(status_response(
                "final",
                None,
                Some(json!({ "file": file_json(sim, &file) })),
            ))
        }
    }
}

fn status_response(status: &'static str, received: Option<u64>, body: Option<Value>) -> Response {
    let mut response = match body {
        Some(body) => Json(body).into_response(),
        None => StatusCode::OK.into_response(),
    };
    let out = response.headers_mut();
    out.insert("x-goog-upload-status", HeaderValue::from_static(status));
    if let Some(received) = received {
        out.insert("x-goog-upload-size-received", HeaderValue::from(received));
    }
    response
}

pub async fn get(
    State(sim): State<Sim>,
    Path(id): Path<String>,
    Query(query): Query<KeyQuery>,
    headers: HeaderMap,
) -> Result<Json<Value>, GoogleError> {
    google::authorize(Api::Gemini, &headers, query.key.as_deref())?;
    let file = sim.uploads().look(&id).ok_or_else(|| missing(&id))?;
    Ok(Json(file_json(&sim, &file)))
}

pub async fn delete(
    State(sim): State<Sim>,
    Path(id): Path<String>,
    Query(query): Query<KeyQuery>,
    headers: HeaderMap,
) -> Result<Json<Value>, GoogleError> {
    google::authorize(Api::Gemini, &headers, query.key.as_deref())?;
    if !sim.uploads().delete(&id) {
        return Err(missing(&id));
    }
    Ok(Json(json!({})))
}

fn missing(id: &str) -> GoogleError {
    GoogleError::not_found(format!("File files/{id} does not exist or was deleted"))
}

/// The uploaded file's id named by a `fileData.fileUri` (`…/files/{id}` on any host).
pub fn id_of_uri(uri: &str) -> Option<&str> {
    let (_, id) = uri.rsplit_once("files/")?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

fn file_json(sim: &Sim, file: &StoredFile) -> Value {
    let mut body = json!({
        "name": format!("files/{}", file.id),
        "mimeType": file.mime_type,
        "sizeBytes": file.bytes.len().to_string(),
        "createTime": file.created_at.to_rfc3339(),
        "updateTime": file.created_at.to_rfc3339(),
        "expirationTime": file.expires_at().to_rfc3339(),
        "sha256Hash": STANDARD.encode(&file.sha256_hex),
        "uri": sim.public_url(&format!("v1beta/files/{}", file.id)),
        "state": file.state.as_str(),
        "source": "UPLOADED",
    });
    if let Some(name) = &file.display_name {
        body["displayName"] = json!(name);
    }
    body
}
