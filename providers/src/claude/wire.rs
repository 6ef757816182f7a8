//! Anthropic's Messages JSON and its mapping to the neutral types.
//!
//! Claude has no response-schema switch that every model takes, so a JSON response schema becomes
//! a forced tool whose `input_schema` is the schema; the tool's input comes back as the reply's
//! JSON text, as Gemini's structured output does.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use miri_core::llm::{
    Blob, BlobData, FinishReason, FunctionCall, GenerateError, GenerateRequest, Part, Reply, Role,
    ToolChoice, Usage,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::ProviderError;

/// The forced tool that carries a JSON answer.
const RESPONSE_TOOL: &str = "respond_with_json";

#[derive(Serialize)]
pub(super) struct MessagesBody<'a> {
    model: &'a str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'a str>,
    messages: Vec<Message>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
}

#[derive(Serialize)]
struct Message {
    role: &'static str,
    content: Vec<Value>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    description: &'a str,
    input_schema: &'a Value,
}

type MapError = GenerateError<ProviderError>;

impl<'a> MessagesBody<'a> {
    pub fn from_request(
        request: &'a GenerateRequest,
        default_max_tokens: u32,
    ) -> Result<Self, MapError> {
        let messages = request
            .turns
            .iter()
            .map(|turn| {
                Ok(Message {
                    role: match turn.role {
                        Role::User => "user",
                        Role::Model => "assistant",
                    },
                    content: turn
                        .parts
                        .iter()
                        .map(content_block)
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect::<Result<_, MapError>>()?;
        let mut tools: Vec<Tool<'a>> = request
            .tools
            .iter()
            .map(|tool| Tool {
                name: &tool.name,
                description: &tool.description,
                input_schema: &tool.parameters,
            })
            .collect();
        let tool_choice = match &request.response_schema {
            Some(schema) => {
                tools.push(Tool {
                    name: RESPONSE_TOOL,
                    description: "Give the answer as JSON matching the input schema.",
                    input_schema: schema,
                });
                Some(json!({"type": "tool", "name": RESPONSE_TOOL}))
            }
            None if tools.is_empty() && request.tool_choice == ToolChoice::Auto => None,
            None => Some(match &request.tool_choice {
                ToolChoice::Auto => json!({"type": "auto"}),
                ToolChoice::Any => json!({"type": "any"}),
                ToolChoice::None => json!({"type": "none"}),
                ToolChoice::Specific(name) => json!({"type": "tool", "name": name}),
            }),
        };
        Ok(Self {
            model: &request.model,
            max_tokens: request.max_output_tokens.unwrap_or(default_max_tokens),
            system: request.system.as_deref(),
            messages,
            tools,
            tool_choice,
            temperature: request.temperature,
        })
    }
}

/// One neutral part as a Messages content block.
fn content_block(part: &Part) -> Result<Value, MapError> {
    Ok(match part {
        Part::Text { text, .. } => json!({"type": "text", "text": text}),
        Part::InlineData(Blob { mime_type, data }) => {
            let kind = if mime_type.starts_with("image/") {
                "image"
            } else if mime_type == "application/pdf" {
                "document"
            } else {
                return Err(GenerateError::Unsupported(format!(
                    "inline {mime_type} media"
                )));
            };
            let data = match data {
                BlobData::Base64(encoded) => encoded.clone(),
                BlobData::Bytes(raw) => STANDARD.encode(raw),
            };
            json!({"type": kind, "source": {"type": "base64", "media_type": mime_type, "data": data}})
        }
        Part::FileRef { mime_type, .. } => {
            return Err(GenerateError::Unsupported(format!(
                "a {mime_type} file reference"
            )));
        }
        Part::FunctionCall(call) => {
            let id = call.id.as_deref().ok_or_else(|| {
                GenerateError::Unsupported("a function call without an id".to_owned())
            })?;
            json!({"type": "tool_use", "id": id, "name": call.name, "input": call.args})
        }
        Part::FunctionResponse(response) => {
            let id = response.id.as_deref().ok_or_else(|| {
                GenerateError::Unsupported("a function response without an id".to_owned())
            })?;
            // Claude reads tool results as text: a string goes as it is, anything else as JSON.
            let content = match &response.response {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            json!({"type": "tool_result", "tool_use_id": id, "content": content})
        }
    })
}

#[derive(Deserialize)]
pub(super) struct MessagesAnswer {
    content: Vec<Block>,
    stop_reason: Option<String>,
    usage: WireUsage,
    model: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct WireUsage {
    input_tokens: u64,
    output_tokens: u64,
}

impl MessagesAnswer {
    /// With `json_answer`, the forced tool's input is the reply's text and the turn counts as
    /// stopped, not as waiting for a tool result. Text beside the forced tool's input is dropped
    /// so the reply's text stays JSON; a refusal (text and no tool call) is kept.
    pub fn into_reply(self, json_answer: bool) -> Reply {
        let answered = json_answer
            && self
                .content
                .iter()
                .any(|block| matches!(block, Block::ToolUse { name, .. } if name == RESPONSE_TOOL));
        let parts = self
            .content
            .into_iter()
            .filter_map(|block| match block {
                Block::Text { .. } if answered => None,
                Block::Text { text } => Some(Part::text(text)),
                Block::ToolUse { name, input, .. } if json_answer && name == RESPONSE_TOOL => {
                    Some(Part::text(input.to_string()))
                }
                Block::ToolUse { id, name, input } => Some(Part::FunctionCall(FunctionCall {
                    id: Some(id),
                    name,
                    args: input,
                    signature: None,
                })),
                Block::Other => None,
            })
            .collect();
        let finish = match self.stop_reason.as_deref().unwrap_or("unspecified") {
            "tool_use" if json_answer => FinishReason::Stop,
            "end_turn" => FinishReason::Stop,
            "tool_use" => FinishReason::ToolUse,
            "max_tokens" => FinishReason::MaxTokens,
            "stop_sequence" => FinishReason::StopSequence,
            "pause_turn" => FinishReason::PauseTurn,
            "refusal" => FinishReason::Refusal,
            "model_context_window_exceeded" => FinishReason::ContextWindowExceeded,
            other => FinishReason::Other(other.to_owned()),
        };
        Reply {
            parts,
            finish,
            usage: Usage {
                input_tokens: self.usage.input_tokens,
                output_tokens: self.usage.output_tokens,
                thinking_tokens: 0,
            },
            model_version: self.model,
        }
    }
}
