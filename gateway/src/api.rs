//! The REST surface as data. Every route is declared once as an [`Op`] — method, path, handler,
//! what it takes, what it answers and who may call it — and [`build`] makes both the router and
//! the OpenAPI 3.1 document (`GET /api/openapi.json`) from the same list, so the document can
//! neither miss a route the gateway serves nor describe one it does not. Request bodies are
//! described by their Rust types (`schemars`, which reads the same serde attributes that parse
//! them).

use crate::{error::ApiError, server::AppState};
use axum::{
    Json, Router,
    extract::DefaultBodyLimit,
    handler::Handler,
    http::{Method, header},
    response::{IntoResponse, Response},
    routing::MethodRouter,
};
use schemars::{JsonSchema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value, json};
use std::sync::{Arc, OnceLock};

/// Where the document is served.
pub const OPENAPI_PATH: &str = "/api/openapi.json";

/// The largest request body an operation takes, unless it is an upload.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// How much of a refused body is read (and dropped) so the client, still sending, reads the
/// 413; beyond it the connection is closed.
const MAX_DRAIN_BYTES: u64 = 256 * 1024 * 1024;

/// How large a body an operation takes.
#[derive(Debug, Clone, Copy)]
enum Limit {
    Json,
    /// An upload, up to `--max-upload-mb`.
    Upload(usize),
}

impl Limit {
    fn bytes(self) -> usize {
        match self {
            Limit::Json => BODY_LIMIT,
            Limit::Upload(bytes) => bytes,
        }
    }

    fn refusal(self, length: u64) -> ApiError {
        let limit = self.bytes();
        ApiError::TooLarge(match self {
            Limit::Json => format!("the request body is {length} bytes; the limit is {limit} bytes"),
            Limit::Upload(_) => {
                format!("the upload is {length} bytes; the limit is {limit} bytes (--max-upload-mb {})", limit / (1024 * 1024))
            }
        })
    }
}

/// A body that declares more than its operation takes is answered 413 before any of it is
/// parsed. It is read and dropped first (up to [`MAX_DRAIN_BYTES`]): a server that answers and
/// hangs up mid-send leaves the client with a broken connection instead of the reason.
async fn refuse_oversize(req: axum::extract::Request, next: axum::middleware::Next, limit: Limit) -> Response {
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let Some(length) = declared.filter(|&n| n > limit.bytes() as u64) else {
        return next.run(req).await;
    };
    let mut body = req.into_body().into_data_stream();
    let mut read = 0u64;
    while read < length.min(MAX_DRAIN_BYTES) {
        match futures::StreamExt::next(&mut body).await {
            Some(Ok(chunk)) => read += chunk.len() as u64,
            _ => break,
        }
    }
    limit.refusal(length).into_response()
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// fal's Ed25519 signature headers, and nothing else.
    Signed,
    Public,
}

enum Request {
    None,
    Json { schema: fn(&mut SchemaGenerator) -> schemars::Schema, required: bool },
    Multipart(&'static [(&'static str, &'static str, bool)]),
}

/// One REST operation: how it is routed and how it is documented.
pub struct Op {
    method: Method,
    path: &'static str,
    summary: &'static str,
    auth: Auth,
    request: Request,
    query: Vec<(&'static str, &'static str, &'static str)>,
    answers: Vec<(u16, &'static str)>,
    limit: Limit,
    handler: MethodRouter<AppState>,
}

impl Op {
    fn new(method: Method, path: &'static str, summary: &'static str, handler: MethodRouter<AppState>) -> Self {
        Op {
            method,
            path,
            summary,
            auth: Auth::Bearer,
            request: Request::None,
            query: Vec::new(),
            answers: Vec::new(),
            limit: Limit::Json,
            handler,
        }
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(path: &'static str, summary: &'static str, handler: H) -> Self {
        Self::new(Method::GET, path, summary, axum::routing::get(handler))
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(path: &'static str, summary: &'static str, handler: H) -> Self {
        Self::new(Method::POST, path, summary, axum::routing::post(handler))
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(path: &'static str, summary: &'static str, handler: H) -> Self {
        Self::new(Method::PUT, path, summary, axum::routing::put(handler))
    }

    /// Takes a JSON body of type `B`.
    pub fn json<B: JsonSchema>(mut self) -> Self {
        self.request = Request::Json { schema: |g| g.subschema_for::<B>(), required: true };
        self
    }

    /// Takes a JSON body of type `B`, or none at all.
    pub fn optional_json<B: JsonSchema>(mut self) -> Self {
        self.request = Request::Json { schema: |g| g.subschema_for::<B>(), required: false };
        self
    }

    /// Takes a multipart form: (field, what it is, required).
    pub fn multipart(mut self, fields: &'static [(&'static str, &'static str, bool)]) -> Self {
        self.request = Request::Multipart(fields);
        self
    }

    /// A boolean query parameter.
    pub fn flag(mut self, name: &'static str, about: &'static str) -> Self {
        self.query.push((name, "boolean", about));
        self
    }

    /// What it answers besides the errors every operation may give.
    pub fn answers(mut self, answers: &[(u16, &'static str)]) -> Self {
        self.answers.extend_from_slice(answers);
        self
    }

    pub fn public(mut self) -> Self {
        self.auth = Auth::Public;
        self
    }

    /// Authenticated by fal's webhook signature alone.
    pub fn signed(mut self) -> Self {
        self.auth = Auth::Signed;
        self
    }

    /// Takes uploads of up to `bytes` (instead of [`BODY_LIMIT`]).
    pub fn upload_limit(mut self, bytes: usize) -> Self {
        self.limit = Limit::Upload(bytes);
        self
    }
}

/// The router serving `ops`, with `GET /api/openapi.json` describing them all (itself included).
pub fn build(mut ops: Vec<Op>) -> Router<AppState> {
    let served: Arc<OnceLock<Value>> = Arc::default();
    let doc = served.clone();
    ops.push(
        Op::get(OPENAPI_PATH, "This document: every REST operation, generated from the gateway's routes", move || {
            let doc = doc.clone();
            async move { Json(doc.get().cloned().unwrap_or(Value::Null)) }
        })
        .public()
        .answers(&[(200, "The OpenAPI 3.1 document")]),
    );
    let _ = served.set(document(&ops));
    ops.into_iter().fold(Router::new(), |router, op| {
        let limit = op.limit;
        let handler = op.handler.layer(DefaultBodyLimit::max(limit.bytes())).layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| refuse_oversize(req, next, limit),
        ));
        router.route(op.path, handler)
    })
}

/// The OpenAPI 3.1 document for `ops`.
fn document(ops: &[Op]) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    let mut paths = Map::new();
    for op in ops {
        let (path, parameters) = openapi_path(op.path);
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        entry[op.method.as_str().to_lowercase()] = operation(op, parameters, &mut generator);
    }
    let mut schemas = generator.take_definitions(true);
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "description": "Every refusal: a stable code and a message that says what is wrong and what to do.",
            "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "enum": ["bad_request", "unauthorized", "forbidden", "not_found", "conflict",
                                                    "too_large", "unprocessable", "unavailable", "internal"]},
                "message": {"type": "string"}}}},
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Miri studio API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Songs, scenes, shots, conversations and renders. JSON in camelCase; ids are UUIDs; times RFC 3339. \
gRPC serves the same service layer on the same port (server reflection lists it).",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                "description": "A studio token or a project key (viewer, editor or owner)."}},
        },
    })
}

/// Axum's `/api/media/{*key}` as OpenAPI's `/api/media/{key}`, with its path parameters.
fn openapi_path(path: &str) -> (String, Vec<Value>) {
    let mut parameters = Vec::new();
    let segments: Vec<String> = path
        .split('/')
        .map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let name = name.trim_start_matches('*');
                let schema = match name {
                    "key" => json!({"type": "string", "description": "A media key: sha256/<hex>.<ext>"}),
                    "token" => json!({"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "A token id"}),
                    _ => json!({"type": "string", "format": "uuid"}),
                };
                parameters.push(json!({"name": name, "in": "path", "required": true, "schema": schema}));
                format!("{{{name}}}")
            }
            None => segment.to_string(),
        })
        .collect();
    (segments.join("/"), parameters)
}

fn operation(op: &Op, mut parameters: Vec<Value>, generator: &mut SchemaGenerator) -> Value {
    let error = |about: &str| json!({"description": about, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let mut responses = Map::new();
    for (status, about) in &op.answers {
        let answer = if *status >= 400 { error(about) } else { json!({"description": about}) };
        responses.insert(status.to_string(), answer);
    }
    let has_ids = !parameters.is_empty();
    let mut common = vec![(400, "Malformed input: the message names the field and the problem")];
    if has_ids {
        common.push((404, "No such thing, or the caller does not belong to its project"));
    }
    match op.auth {
        Auth::Bearer => common.push((401, "Missing, unknown or revoked bearer token")),
        Auth::Signed => common.push((401, "The signature does not verify")),
        Auth::Public => {}
    }
    for (status, about) in common {
        responses.entry(status.to_string()).or_insert_with(|| error(about));
    }
    for (name, kind, about) in &op.query {
        parameters.push(json!({"name": name, "in": "query", "required": false, "description": about, "schema": {"type": kind}}));
    }
    if op.auth == Auth::Signed {
        for header in ["x-fal-webhook-request-id", "x-fal-webhook-user-id", "x-fal-webhook-timestamp", "x-fal-webhook-signature"] {
            parameters.push(json!({"name": header, "in": "header", "required": true, "schema": {"type": "string"}}));
        }
    }
    let mut out = json!({
        "operationId": operation_id(&op.method, op.path),
        "summary": op.summary,
        "tags": [tag(op.path)],
        "responses": responses,
        "security": if op.auth == Auth::Bearer { json!([{"bearer": []}]) } else { json!([]) },
    });
    if !parameters.is_empty() {
        out["parameters"] = Value::Array(parameters);
    }
    match &op.request {
        Request::None => {}
        Request::Json { schema, required } => {
            let schema = serde_json::to_value(schema(generator)).unwrap_or(Value::Null);
            out["requestBody"] = json!({"required": required, "content": {"application/json": {"schema": schema}}});
        }
        Request::Multipart(fields) => {
            let properties: Map<String, Value> = fields
                .iter()
                .map(|(name, about, _)| {
                    let format = if *name == "song" { json!({"type": "string", "format": "binary"}) } else { json!({"type": "string"}) };
                    let mut field = format;
                    field["description"] = json!(about);
                    (name.to_string(), field)
                })
                .collect();
            let required: Vec<&str> = fields.iter().filter(|(_, _, r)| *r).map(|(n, _, _)| *n).collect();
            out["requestBody"] = json!({"required": true, "content": {"multipart/form-data": {"schema":
                {"type": "object", "properties": properties, "required": required}}}});
        }
    }
    out
}

/// `post /api/projects/{id}/keys` → `postProjectsIdKeys`: unique, since method and path are.
fn operation_id(method: &Method, path: &str) -> String {
    let mut id = method.as_str().to_lowercase();
    for word in path.trim_start_matches("/api").split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id
}

/// The collection an operation is about: `/api/projects/{id}/keys/…` is `keys`.
fn tag(path: &str) -> String {
    let words: Vec<&str> = path.split('/').filter(|w| !w.is_empty() && *w != "api" && !w.starts_with('{')).collect();
    match words.as_slice() {
        ["projects", sub, ..] => sub.to_string(),
        [first, ..] => first.trim_end_matches(".json").to_string(),
        [] => "studio".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_openapi_paths_with_their_parameters() {
        let (path, params) = openapi_path("/api/media/{*key}");
        assert_eq!(path, "/api/media/{key}");
        assert_eq!(params[0]["name"], "key");
        let (path, params) = openapi_path("/api/projects/{id}/keys/{token}/revoke");
        assert_eq!(path, "/api/projects/{id}/keys/{token}/revoke");
        assert_eq!(params.len(), 2);
    }

    #[test]
    fn operation_ids_and_tags_come_from_method_and_path() {
        assert_eq!(operation_id(&Method::POST, "/api/projects/{id}/keys"), "postProjectsIdKeys");
        assert_eq!(operation_id(&Method::GET, "/api/media/{*key}"), "getMediaKey");
        assert_eq!(tag("/api/projects/{id}/keys/{token}/revoke"), "keys");
        assert_eq!(tag("/api/shots/{id}/approve"), "shots");
        assert_eq!(tag("/api/projects"), "projects");
        assert_eq!(tag("/api/openapi.json"), "openapi");
    }
}
