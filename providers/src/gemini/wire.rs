//! Gemini's `generateContent` JSON. Requests go out camelCase; answers are read in camelCase or
//! snake_case (`inline_data`, `mime_type`, `thought_signature`…), since Google's own clients and
//! services use both. Media and arguments are borrowed from the request, not copied.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use miri_core::llm::{
    Blob, BlobData, BlockReason, FinishReason, FunctionCall, FunctionResponse, GenerateError,
    GenerateRequest, Part, Reply, Role, ThoughtSignature, ToolChoice, ToolDeclaration, Turn, Usage,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ProviderError;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GenerateBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    system_instruction: Option<Content<'a>>,
    contents: Vec<Content<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generation_config: Option<GenerationConfig<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_config: Option<ToolConfig<'a>>,
}

impl<'a> GenerateBody<'a> {
    pub fn from_request(request: &'a GenerateRequest) -> Self {
        let system_instruction = request.system.as_deref().map(|text| Content {
            role: None,
            parts: vec![WirePart {
                text: Some(Cow::Borrowed(text)),
                ..WirePart::default()
            }],
        });
        let config = GenerationConfig {
            response_mime_type: request.response_schema.as_ref().map(|_| "application/json"),
            response_json_schema: request.response_schema.as_ref(),
            temperature: request.temperature,
            max_output_tokens: request.max_output_tokens,
        };
        let has_config = config.response_mime_type.is_some()
            || config.temperature.is_some()
            || config.max_output_tokens.is_some();
        let tools = if request.tools.is_empty() {
            Vec::new()
        } else {
            vec![Tool {
                function_declarations: request.tools.iter().map(Declaration::from).collect(),
            }]
        };
        Self {
            system_instruction,
            contents: request.turns.iter().map(Content::from).collect(),
            generation_config: has_config.then_some(config),
            tools,
            tool_config: ToolConfig::from_choice(&request.tool_choice),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct Content<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<Cow<'a, str>>,
    #[serde(default)]
    parts: Vec<WirePart<'a>>,
}

impl<'a> From<&'a Turn> for Content<'a> {
    fn from(turn: &'a Turn) -> Self {
        let role = match turn.role {
            Role::User => "user",
            Role::Model => "model",
        };
        Self {
            role: Some(Cow::Borrowed(role)),
            parts: turn.parts.iter().map(WirePart::from).collect(),
        }
    }
}

/// One part; exactly one of the content fields is set, `thought_signature` may ride along.
#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WirePart<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<Cow<'a, str>>,
    #[serde(alias = "inline_data", skip_serializing_if = "Option::is_none")]
    inline_data: Option<InlineData<'a>>,
    #[serde(alias = "file_data", skip_serializing_if = "Option::is_none")]
    file_data: Option<FileData<'a>>,
    #[serde(alias = "function_call", skip_serializing_if = "Option::is_none")]
    function_call: Option<WireFunctionCall<'a>>,
    #[serde(alias = "function_response", skip_serializing_if = "Option::is_none")]
    function_response: Option<WireFunctionResponse<'a>>,
    /// A thought summary, present only with `includeThoughts`, which Miri never asks for.
    #[serde(default, skip_serializing)]
    thought: bool,
    #[serde(alias = "thought_signature", skip_serializing_if = "Option::is_none")]
    thought_signature: Option<Cow<'a, str>>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InlineData<'a> {
    #[serde(alias = "mime_type")]
    mime_type: Cow<'a, str>,
    data: Cow<'a, str>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileData<'a> {
    #[serde(alias = "mime_type", default)]
    mime_type: Cow<'a, str>,
    #[serde(alias = "file_uri")]
    file_uri: Cow<'a, str>,
}

#[derive(Serialize, Deserialize)]
struct WireFunctionCall<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<Cow<'a, str>>,
    name: Cow<'a, str>,
    #[serde(default)]
    args: Cow<'a, Value>,
}

#[derive(Serialize, Deserialize)]
struct WireFunctionResponse<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<Cow<'a, str>>,
    name: Cow<'a, str>,
    #[serde(default)]
    response: Cow<'a, Value>,
}

impl<'a> From<&'a Part> for WirePart<'a> {
    fn from(part: &'a Part) -> Self {
        match part {
            Part::Text { text, signature } => Self {
                text: Some(Cow::Borrowed(text)),
                thought_signature: signature.as_ref().map(|s| Cow::Borrowed(s.0.as_str())),
                ..Self::default()
            },
            Part::InlineData(Blob { mime_type, data }) => Self {
                inline_data: Some(InlineData {
                    mime_type: Cow::Borrowed(mime_type),
                    data: match data {
                        BlobData::Base64(encoded) => Cow::Borrowed(encoded),
                        BlobData::Bytes(raw) => Cow::Owned(STANDARD.encode(raw)),
                    },
                }),
                ..Self::default()
            },
            Part::FileRef { mime_type, uri } => Self {
                file_data: Some(FileData {
                    mime_type: Cow::Borrowed(mime_type),
                    file_uri: Cow::Borrowed(uri),
                }),
                ..Self::default()
            },
            Part::FunctionCall(call) => Self {
                function_call: Some(WireFunctionCall {
                    id: call.id.as_deref().map(Cow::Borrowed),
                    name: Cow::Borrowed(&call.name),
                    args: Cow::Borrowed(&call.args),
                }),
                thought_signature: call.signature.as_ref().map(|s| Cow::Borrowed(s.0.as_str())),
                ..Self::default()
            },
            Part::FunctionResponse(response) => Self {
                function_response: Some(WireFunctionResponse {
                    id: response.id.as_deref().map(Cow::Borrowed),
                    name: Cow::Borrowed(&response.name),
                    response: Cow::Borrowed(&response.response),
                }),
                ..Self::default()
            },
        }
    }
}

impl WirePart<'_> {
    /// The neutral part, or `None` for parts Miri does not use (thought summaries, code
    /// execution). A bare signature is kept as empty text so it goes back with the turn.
    fn into_part(self) -> Option<Part> {
        let signature = self
            .thought_signature
            .map(|s| ThoughtSignature(s.into_owned()));
        if self.thought {
            return None;
        }
        if let Some(call) = self.function_call {
            return Some(Part::FunctionCall(FunctionCall {
                id: call.id.map(Cow::into_owned),
                name: call.name.into_owned(),
                args: call.args.into_owned(),
                signature,
            }));
        }
        if let Some(inline) = self.inline_data {
            return Some(Part::InlineData(Blob {
                mime_type: inline.mime_type.into_owned(),
                data: BlobData::Base64(inline.data.into_owned()),
            }));
        }
        if let Some(file) = self.file_data {
            return Some(Part::FileRef {
                mime_type: file.mime_type.into_owned(),
                uri: file.file_uri.into_owned(),
            });
        }
        if let Some(response) = self.function_response {
            return Some(Part::FunctionResponse(FunctionResponse {
                id: response.id.map(Cow::into_owned),
                name: response.name.into_owned(),
                response: response.response.into_owned(),
            }));
        }
        match (self.text, signature) {
            (Some(text), signature) => Some(Part::Text {
                text: text.into_owned(),
                signature,
            }),
            (None, Some(signature)) => Some(Part::Text {
                text: String::new(),
                signature: Some(signature),
            }),
            (None, None) => None,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GenerationConfig<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    response_mime_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_json_schema: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_output_tokens: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tool<'a> {
    function_declarations: Vec<Declaration<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Declaration<'a> {
    name: &'a str,
    description: &'a str,
    parameters_json_schema: &'a Value,
}

impl<'a> From<&'a ToolDeclaration> for Declaration<'a> {
    fn from(tool: &'a ToolDeclaration) -> Self {
        Self {
            name: &tool.name,
            description: &tool.description,
            parameters_json_schema: &tool.parameters,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ToolConfig<'a> {
    function_calling_config: FunctionCallingConfig<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FunctionCallingConfig<'a> {
    mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed_function_names: Option<[&'a str; 1]>,
}

impl<'a> ToolConfig<'a> {
    /// `AUTO` is Gemini's default, so it is left out.
    fn from_choice(choice: &'a ToolChoice) -> Option<Self> {
        let (mode, allowed) = match choice {
            ToolChoice::Auto => return None,
            ToolChoice::Any => ("ANY", None),
            ToolChoice::None => ("NONE", None),
            ToolChoice::Specific(name) => ("ANY", Some([name.as_str()])),
        };
        Some(Self {
            function_calling_config: FunctionCallingConfig {
                mode,
                allowed_function_names: allowed,
            },
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GenerateAnswer {
    #[serde(default)]
    candidates: Vec<Candidate>,
    #[serde(alias = "prompt_feedback")]
    prompt_feedback: Option<PromptFeedback>,
    #[serde(alias = "usage_metadata", default)]
    usage_metadata: UsageMetadata,
    #[serde(alias = "model_version")]
    model_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    content: Option<Content<'static>>,
    #[serde(alias = "finish_reason")]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromptFeedback {
    #[serde(alias = "block_reason")]
    block_reason: Option<String>,
    #[serde(alias = "block_reason_message")]
    block_reason_message: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageMetadata {
    #[serde(alias = "prompt_token_count", default)]
    prompt_token_count: u64,
    #[serde(alias = "candidates_token_count", default)]
    candidates_token_count: u64,
    #[serde(alias = "thoughts_token_count", default)]
    thoughts_token_count: u64,
}

impl GenerateAnswer {
    /// The first candidate as a reply; a prompt refused before any candidate is `Blocked`.
    pub fn into_reply(self) -> Result<Reply, GenerateError<ProviderError>> {
        let Some(candidate) = self.candidates.into_iter().next() else {
            return Err(match self.prompt_feedback {
                Some(PromptFeedback {
                    block_reason: Some(reason),
                    block_reason_message,
                }) => GenerateError::Blocked {
                    reason: block_reason(&reason),
                    message: block_reason_message,
                },
                _ => GenerateError::Provider(ProviderError::Malformed(
                    "generate content: no candidates and no block reason".to_owned(),
                )),
            });
        };
        let parts: Vec<Part> = candidate
            .content
            .map(|content| content.parts)
            .unwrap_or_default()
            .into_iter()
            .filter_map(WirePart::into_part)
            .collect();
        let calls = parts.iter().any(|p| matches!(p, Part::FunctionCall(_)));
        let finish = finish_reason(
            candidate
                .finish_reason
                .as_deref()
                .unwrap_or("FINISH_REASON_UNSPECIFIED"),
            calls,
        );
        Ok(Reply {
            parts,
            finish,
            usage: Usage {
                input_tokens: self.usage_metadata.prompt_token_count,
                output_tokens: self.usage_metadata.candidates_token_count,
                thinking_tokens: self.usage_metadata.thoughts_token_count,
            },
            model_version: self.model_version,
        })
    }
}

/// Gemini says `STOP` also when it stops to call functions; that is `ToolUse` here, as on Claude.
fn finish_reason(raw: &str, function_calls: bool) -> FinishReason {
    match raw {
        "STOP" if function_calls => FinishReason::ToolUse,
        "STOP" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::MaxTokens,
        "RECITATION" => FinishReason::Recitation,
        "SAFETY" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => {
            FinishReason::Safety(raw.to_owned())
        }
        "MALFORMED_FUNCTION_CALL" | "UNEXPECTED_TOOL_CALL" | "TOO_MANY_TOOL_CALLS" => {
            FinishReason::ToolCallFailed(raw.to_owned())
        }
        other => FinishReason::Other(other.to_owned()),
    }
}

fn block_reason(raw: &str) -> BlockReason {
    match raw {
        "SAFETY" => BlockReason::Safety,
        "OTHER" => BlockReason::Other,
        "BLOCKLIST" => BlockReason::Blocklist,
        "PROHIBITED_CONTENT" => BlockReason::ProhibitedContent,
        "IMAGE_SAFETY" => BlockReason::ImageSafety,
        "MODEL_ARMOR" => BlockReason::ModelArmor,
        "JAILBREAK" => BlockReason::Jailbreak,
        other => BlockReason::Unrecognised(other.to_owned()),
    }
}
