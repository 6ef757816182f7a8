//! Anthropic's Messages API, `POST /v1/messages`: a `tool_use` block whose input satisfies the
//! tool's `input_schema` when `tool_choice` demands a tool (or the prompt names one), JSON text
//! for `output_config.format` json_schema, prose otherwise; all made from the request's words by
//! the same filler Gemini uses; `stream: true` gets the same answer as Anthropic's event stream.
//! Refusals use Anthropic's `{"type":"error","error":{…}}`.

use axum::Json;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::embed::token_estimate;
use crate::material::Material;
use crate::schema_fill;
use crate::studio;
use crate::state::Sim;
use axum::extract::State;

/// One refused call, as Anthropic answers it.
#[derive(Debug)]
pub struct ClaudeError {
    status: StatusCode,
    kind: &'static str,
    message: String,
    retry_after_secs: Option<u64>,
}

impl ClaudeError {
    fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_error",
                "Number of requests has exceeded your rate limit",
            )
        }
    }

    pub fn overloaded() -> Self {
        let status = StatusCode::from_u16(529).expect("529 is a valid status code");
        Self::new(status, "overloaded_error", "Overloaded")
    }
}

impl IntoResponse for ClaudeError {
    fn into_response(self) -> Response {
        let body =
            json!({ "type": "error", "error": { "type": self.kind, "message": self.message } });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[derive(Deserialize)]
struct MessagesRequest {
    model: String,
    max_tokens: u64,
    messages: Vec<Message>,
    #[serde(default)]
    system: Option<Value>,
    #[serde(default)]
    tools: Vec<ToolDefinition>,
    #[serde(default)]
    tool_choice: Option<ToolChoice>,
    #[serde(default)]
    stream: bool,
    #[serde(default)]
    output_config: Option<OutputConfig>,
}

#[derive(Deserialize)]
struct Message {
    role: String,
    content: Value,
}

#[derive(Deserialize)]
struct ToolDefinition {
    name: String,
    /// Absent on Anthropic's server tools, which the simulator never calls.
    input_schema: Option<Value>,
}

#[derive(Deserialize)]
struct ToolChoice {
    #[serde(rename = "type")]
    kind: String,
    name: Option<String>,
}

#[derive(Deserialize)]
struct OutputConfig {
    format: Option<Value>,
}

pub async fn messages(State(sim): State<Sim>, headers: HeaderMap, body: Bytes) -> Result<Response, ClaudeError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if header("x-api-key").is_none() {
        return Err(ClaudeError::new(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            "x-api-key header is required",
        ));
    }
    if header("anthropic-version").is_none() {
        return Err(ClaudeError::invalid(
            "anthropic-version: header is required",
        ));
    }
    let request: MessagesRequest =
        serde_json::from_slice(&body).map_err(|err| ClaudeError::invalid(err.to_string()))?;
    if request.messages.is_empty() {
        return Err(ClaudeError::invalid(
            "messages: at least one message is required",
        ));
    }
    if let Some(bad) = request
        .messages
        .iter()
        .find(|m| m.role != "user" && m.role != "assistant")
    {
        return Err(ClaudeError::invalid(format!(
            "messages: role {:?} is not user or assistant",
            bad.role
        )));
    }
    let message = answer(&request, sim.roll_bad_answer())?;
    Ok(if request.stream {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            )],
            stream_events(&message),
        )
            .into_response()
    } else {
        Json(message).into_response()
    })
}

fn answer(request: &MessagesRequest, broken: bool) -> Result<Value, ClaudeError> {
    let mut text = request.system.as_ref().map(text_of).unwrap_or_default();
    for message in &request.messages {
        text.push('\n');
        text.push_str(&text_of(&message.content));
    }
    let mut material = Material::from_text(&text);
    let (block, mut stop_reason) = match chosen_tool(request)? {
        Some(tool) => {
            let schema = tool
                .input_schema
                .clone()
                .unwrap_or_else(|| json!({ "type": "object" }));
            // Miri's own tasks (named by their schema's title) get the studio's answers.
            let task = schema["title"].as_str().and_then(|title| studio::answer(title, &text, broken));
            let input = task.unwrap_or_else(|| schema_fill::fill(&schema, &mut material));
            let id = format!("toolu_{}", Uuid::new_v4().simple());
            (
                json!({ "type": "tool_use", "id": id, "name": tool.name, "input": input }),
                "tool_use",
            )
        }
        None => {
            let schema = request
                .output_config
                .as_ref()
                .and_then(|c| c.format.as_ref())
                .filter(|f| f["type"] == "json_schema")
                .and_then(|f| f.get("schema"));
            let text = match schema {
                Some(schema) => {
                    schema_fill::to_ordered_text(&schema_fill::fill(schema, &mut material), schema)
                }
                None => material.prose(),
            };
            (json!({ "type": "text", "text": text }), "end_turn")
        }
    };
    let mut block = block;
    let mut output_tokens = token_estimate(&block.to_string());
    if stop_reason == "end_turn" && output_tokens > request.max_tokens {
        let cut: String = block["text"]
            .as_str()
            .unwrap_or("")
            .chars()
            .take(request.max_tokens as usize * 4)
            .collect();
        block["text"] = json!(cut);
        output_tokens = request.max_tokens;
        stop_reason = "max_tokens";
    }
    Ok(json!({
        "id": format!("msg_{}", Uuid::new_v4().simple()),
        "type": "message",
        "role": "assistant",
        "model": request.model,
        "content": [block],
        "stop_reason": stop_reason,
        "stop_sequence": null,
        "usage": {
            "input_tokens": token_estimate(&text),
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }))
}

/// `message` as Anthropic's event stream: `message_start`, one content block started, sent as a
/// few deltas and stopped, then `message_delta` with the stop reason and `message_stop`.
fn stream_events(message: &Value) -> String {
    let block = &message["content"][0];
    let (start, pieces, delta_kind, field) = if block["type"] == "tool_use" {
        let start =
            json!({ "type": "tool_use", "id": block["id"], "name": block["name"], "input": {} });
        (
            start,
            split(&block["input"].to_string()),
            "input_json_delta",
            "partial_json",
        )
    } else {
        let text = block["text"].as_str().unwrap_or("");
        (
            json!({ "type": "text", "text": "" }),
            split(text),
            "text_delta",
            "text",
        )
    };
    let mut head = message.clone();
    head["content"] = json!([]);
    head["stop_reason"] = Value::Null;
    head["usage"]["output_tokens"] = json!(1);
    let mut events = vec![
        json!({ "type": "message_start", "message": head }),
        json!({ "type": "content_block_start", "index": 0, "content_block": start }),
    ];
    for piece in pieces {
        events.push(json!({ "type": "content_block_delta", "index": 0, "delta": { "type": delta_kind, field: piece } }));
    }
    events.push(json!({ "type": "content_block_stop", "index": 0 }));
    events.push(json!({
        "type": "message_delta",
        "delta": { "stop_reason": message["stop_reason"], "stop_sequence": null },
        "usage": { "output_tokens": message["usage"]["output_tokens"] },
    }));
    events.push(json!({ "type": "message_stop" }));
    events
        .iter()
        .map(|event| {
            format!(
                "event: {}\ndata: {event}\n\n",
                event["type"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// `text` in up to three pieces, cut on character boundaries.
fn split(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let size = chars.len().div_ceil(3).max(1);
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

/// `tool` → that tool; `any` → the tool the last user turn names, else the first; `auto` (the
/// default) → a named tool unless the turn is a tool result; `none` → no tool.
fn chosen_tool(request: &MessagesRequest) -> Result<Option<&ToolDefinition>, ClaudeError> {
    let callable: Vec<&ToolDefinition> = request
        .tools
        .iter()
        .filter(|t| t.input_schema.is_some())
        .collect();
    let kind = request
        .tool_choice
        .as_ref()
        .map_or("auto", |c| c.kind.as_str());
    if kind == "tool" {
        let name = request
            .tool_choice
            .as_ref()
            .and_then(|c| c.name.as_deref())
            .unwrap_or("");
        return callable
            .into_iter()
            .find(|t| t.name == name)
            .map(Some)
            .ok_or_else(|| {
                ClaudeError::invalid(format!("tool_choice: tool {name:?} is not among tools"))
            });
    }
    if kind == "none" || callable.is_empty() {
        return Ok(None);
    }
    let last = request.messages.iter().rev().find(|m| m.role == "user");
    let answered = last.is_some_and(|m| {
        m.content
            .as_array()
            .is_some_and(|blocks| blocks.iter().any(|b| b["type"] == "tool_result"))
    });
    let said = last
        .map(|m| text_of(&m.content))
        .unwrap_or_default()
        .to_lowercase();
    let named = callable.iter().copied().find(|t| {
        let name = t.name.to_lowercase();
        said.contains(&name) || said.contains(&name.replace('_', " "))
    });
    Ok(match kind {
        "any" => named.or(callable.first().copied()),
        "auto" if !answered => named,
        "auto" => None,
        other => {
            return Err(ClaudeError::invalid(format!(
                "tool_choice.type {other:?} is not auto, any, tool or none"
            )));
        }
    })
}

/// The text of a `content` or `system`: a string, or the text (and tool results) of its blocks.
fn text_of(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .map(|block| match block["type"].as_str() {
                Some("text") => block["text"].as_str().unwrap_or("").to_owned(),
                Some("tool_result") => text_of(&block["content"]),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}
