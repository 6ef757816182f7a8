//! What the simulated Gemini answers to a `generateContent` request: a function call when the
//! tool config demands one (or the prompt names a declared function), JSON that satisfies the
//! requested schema in JSON mode, prose otherwise; every string made from the request's own words.
//!
//! Gemini 3 models sign their function calls (`thoughtSignature`) and refuse a conversation that
//! resends an earlier call without its signature, as the real ones do.
//!
//! Requests are read in both spellings the real API accepts: camelCase, and the snake_case some
//! nested fields arrive in from google-genai.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::embed::token_estimate;
use crate::material::Material;
use crate::schema_fill;
use crate::studio;

/// Gemini's fixed cost of one image.
const IMAGE_TOKENS: u64 = 258;
/// Gemini's rate for audio.
const AUDIO_TOKENS_PER_SECOND: f64 = 32.0;
/// Bit rate assumed for compressed audio whose duration is not read from a header.
const ASSUMED_AUDIO_BITS_PER_SECOND: f64 = 128_000.0;
/// A streamed text answer is cut into at most this many chunks.
const STREAM_CHUNKS: usize = 3;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateRequest {
    #[serde(default)]
    contents: Vec<Content>,
    #[serde(default, alias = "system_instruction")]
    system_instruction: Option<Content>,
    #[serde(default)]
    tools: Vec<Tool>,
    #[serde(default, alias = "tool_config")]
    tool_config: Option<ToolConfig>,
    #[serde(default, alias = "generation_config")]
    generation_config: Option<GenerationConfig>,
}

#[derive(Debug, Deserialize)]
struct Content {
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    parts: Vec<Part>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Part {
    text: Option<String>,
    #[serde(alias = "inline_data")]
    inline_data: Option<InlineData>,
    #[serde(alias = "file_data")]
    file_data: Option<FileData>,
    #[serde(alias = "function_response")]
    function_response: Option<Value>,
    #[serde(alias = "function_call")]
    function_call: Option<Value>,
    #[serde(alias = "thought_signature")]
    thought_signature: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InlineData {
    #[serde(alias = "mime_type")]
    mime_type: String,
    data: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileData {
    #[serde(alias = "file_uri")]
    file_uri: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tool {
    #[serde(default, alias = "function_declarations")]
    function_declarations: Vec<FunctionDeclaration>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FunctionDeclaration {
    name: String,
    parameters: Option<Value>,
    #[serde(alias = "parameters_json_schema")]
    parameters_json_schema: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ToolConfig {
    #[serde(default, alias = "function_calling_config")]
    function_calling_config: Option<FunctionCallingConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FunctionCallingConfig {
    mode: Option<String>,
    #[serde(default, alias = "allowed_function_names")]
    allowed_function_names: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerationConfig {
    #[serde(alias = "response_mime_type")]
    response_mime_type: Option<String>,
    #[serde(alias = "response_schema")]
    response_schema: Option<Value>,
    #[serde(alias = "response_json_schema")]
    response_json_schema: Option<Value>,
    #[serde(alias = "max_output_tokens")]
    max_output_tokens: Option<u64>,
}

impl GenerateRequest {
    /// Every `fileData.fileUri`, with where it sits (`contents[i].parts[j]`).
    pub fn file_references(&self) -> Vec<(String, &str)> {
        self.parts()
            .filter_map(|(at, part)| Some((at, part.file_data.as_ref()?.file_uri.as_str())))
            .collect()
    }

    fn parts(&self) -> impl Iterator<Item = (String, &Part)> {
        self.contents.iter().enumerate().flat_map(|(i, content)| {
            content
                .parts
                .iter()
                .enumerate()
                .map(move |(j, part)| (format!("contents[{i}].parts[{j}]"), part))
        })
    }

    /// The system instruction, then every text part and function response, in order.
    fn text(&self) -> String {
        let mut text = String::new();
        let system = self.system_instruction.iter().flat_map(|c| c.parts.iter());
        for part in system.chain(self.contents.iter().flat_map(|c| c.parts.iter())) {
            if let Some(t) = &part.text {
                text.push_str(t);
                text.push('\n');
            }
            if let Some(response) = &part.function_response {
                text.push_str(&response.to_string());
                text.push('\n');
            }
        }
        text
    }
}

/// A non-text input as usage counts it.
#[derive(Debug)]
pub struct Attachment {
    modality: &'static str,
    tokens: u64,
}

impl Attachment {
    pub fn new(mime_type: &str, bytes: &[u8]) -> Self {
        let modality = modality(mime_type);
        let tokens = match modality {
            "AUDIO" => (audio_seconds(bytes) * AUDIO_TOKENS_PER_SECOND).ceil() as u64,
            "IMAGE" => IMAGE_TOKENS,
            _ => (bytes.len() as u64).div_ceil(4),
        };
        Self { modality, tokens }
    }

    /// An attachment the simulator cannot read (a `gs://` object): counted as one image.
    pub fn unknown_size(uri: &str) -> Self {
        let guess = if uri.ends_with(".mp3") || uri.ends_with(".wav") {
            "audio/*"
        } else {
            ""
        };
        Self {
            modality: modality(guess),
            tokens: IMAGE_TOKENS,
        }
    }
}

/// What an answer is computed from once attachments are checked.
#[derive(Debug)]
pub struct Resolved {
    text: String,
    pub attachments: Vec<Attachment>,
}

/// Decodes the inline attachments (refusing bad base64 like the real API) and collects the text.
pub fn resolve_inline(request: &GenerateRequest) -> Result<Resolved, String> {
    let mut attachments = Vec::new();
    for (at, part) in request.parts() {
        if let Some(inline) = &part.inline_data {
            let bytes = STANDARD.decode(inline.data.trim()).map_err(|err| {
                format!("Invalid value at '{at}.inline_data.data' (TYPE_BYTES), Base64 decoding failed: {err}")
            })?;
            attachments.push(Attachment::new(&inline.mime_type, &bytes));
        }
    }
    Ok(Resolved {
        text: request.text(),
        attachments,
    })
}

/// The whole `GenerateContentResponse` for `request`.
pub fn answer(
    model: &str,
    request: &GenerateRequest,
    resolved: &Resolved,
    broken: bool,
) -> Result<Value, String> {
    if request.contents.iter().all(|c| c.parts.is_empty()) {
        return Err("* GenerateContentRequest.contents: contents is not specified".into());
    }
    let config = request.generation_config.as_ref();
    if config.is_some_and(|c| c.response_schema.is_some() && c.response_json_schema.is_some()) {
        return Err("responseSchema and responseJsonSchema cannot both be set; send one".into());
    }
    let signs = signs_thoughts(model);
    if signs {
        check_signatures(request)?;
    }
    let mut material = Material::from_text(&resolved.text);
    let mut finish = "STOP";
    let part = match function_call(request, &mut material)? {
        Some(call) if signs => {
            let signature = STANDARD.encode(Sha256::digest(call.to_string().as_bytes()));
            json!({ "functionCall": call, "thoughtSignature": signature })
        }
        Some(call) => json!({ "functionCall": call }),
        None => {
            let text = text_answer(config, &resolved.text, broken, &mut material);
            match config.and_then(|c| c.max_output_tokens) {
                Some(limit) if token_estimate(&text) > limit => {
                    finish = "MAX_TOKENS";
                    json!({ "text": cut_to_tokens(&text, limit) })
                }
                _ => json!({ "text": text }),
            }
        }
    };
    let output_tokens = match part["text"].as_str() {
        Some(text) => token_estimate(text),
        None => token_estimate(&part.to_string()),
    };
    Ok(json!({
        "candidates": [{
            "content": { "role": "model", "parts": [part] },
            "finishReason": finish,
            "index": 0,
        }],
        "usageMetadata": usage(resolved, output_tokens),
        "modelVersion": model,
        "responseId": Uuid::new_v4().simple().to_string()[..22].to_owned(),
    }))
}

/// `usageMetadata`: text at about four bytes a token, audio at 32 tokens a second, images flat.
pub fn usage(resolved: &Resolved, output_tokens: u64) -> Value {
    let mut details: Vec<(&str, u64)> = vec![("TEXT", token_estimate(&resolved.text))];
    for attachment in &resolved.attachments {
        match details.iter_mut().find(|(m, _)| *m == attachment.modality) {
            Some((_, tokens)) => *tokens += attachment.tokens,
            None => details.push((attachment.modality, attachment.tokens)),
        }
    }
    let prompt: u64 = details.iter().map(|(_, t)| t).sum();
    json!({
        "promptTokenCount": prompt,
        "candidatesTokenCount": output_tokens,
        "totalTokenCount": prompt + output_tokens,
        "promptTokensDetails": details
            .iter()
            .map(|(modality, tokens)| json!({ "modality": modality, "tokenCount": tokens }))
            .collect::<Vec<_>>(),
    })
}

/// The longest run of whole words of `text` within `limit` tokens, or its first `limit * 4` bytes
/// when even the first word is longer. Like the real model, a JSON answer cut short stays cut.
fn cut_to_tokens(text: &str, limit: u64) -> String {
    let mut cut = String::new();
    for word in text.split_inclusive(' ') {
        if token_estimate(&format!("{cut}{word}")) > limit {
            break;
        }
        cut.push_str(word);
    }
    if cut.is_empty() {
        cut = text.chars().take(limit as usize * 4).collect();
    }
    cut.trim_end().to_owned()
}

/// The answer as `streamGenerateContent` chunks: text cut in a few pieces, the finish reason on
/// the last one only.
pub fn stream_chunks(response: Value) -> Vec<Value> {
    let Some(text) = response["candidates"][0]["content"]["parts"][0]["text"].as_str() else {
        return vec![response];
    };
    let chars: Vec<char> = text.chars().collect();
    let size = chars.len().div_ceil(STREAM_CHUNKS).max(1);
    let pieces: Vec<String> = chars.chunks(size).map(|c| c.iter().collect()).collect();
    let last = pieces.len().saturating_sub(1);
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut chunk = response.clone();
            chunk["candidates"][0]["content"]["parts"] = json!([{ "text": piece }]);
            if i < last
                && let Some(candidate) = chunk["candidates"][0].as_object_mut()
            {
                candidate.remove("finishReason");
            }
            chunk
        })
        .collect()
}

fn text_answer(config: Option<&GenerationConfig>, text: &str, broken: bool, material: &mut Material) -> String {
    let mime = config
        .and_then(|c| c.response_mime_type.as_deref())
        .unwrap_or("text/plain")
        .to_ascii_lowercase();
    let schema = config.and_then(|c| {
        c.response_json_schema
            .clone()
            .or_else(|| c.response_schema.as_ref().map(schema_fill::from_openapi))
    });
    match (mime.as_str(), schema) {
        ("application/json", Some(schema)) => {
            let task = schema["title"].as_str().and_then(|title| studio::answer(title, text, broken));
            let value = task.unwrap_or_else(|| schema_fill::fill(&schema, material));
            schema_fill::to_ordered_text(&value, &schema)
        }
        ("application/json", None) => json!({ "answer": material.prose() }).to_string(),
        ("text/x.enum", Some(schema)) => match schema_fill::fill(&schema, material) {
            Value::String(choice) => choice,
            other => other.to_string(),
        },
        _ => material.prose(),
    }
}

/// The function the model calls, if any: mode `ANY` always calls (the function the prompt names,
/// else the first allowed); `AUTO` calls only a function the last user turn names.
fn function_call(
    request: &GenerateRequest,
    material: &mut Material,
) -> Result<Option<Value>, String> {
    let declared: Vec<&FunctionDeclaration> = request
        .tools
        .iter()
        .flat_map(|tool| &tool.function_declarations)
        .collect();
    if declared.is_empty() {
        return Ok(None);
    }
    let config = request
        .tool_config
        .as_ref()
        .and_then(|t| t.function_calling_config.as_ref());
    let mode = config
        .and_then(|c| c.mode.as_deref())
        .unwrap_or("AUTO")
        .to_ascii_uppercase();
    if mode == "NONE" {
        return Ok(None);
    }
    let allowed: Vec<&FunctionDeclaration> = match config {
        Some(c) if !c.allowed_function_names.is_empty() => {
            let allowed: Vec<_> = declared
                .iter()
                .copied()
                .filter(|d| c.allowed_function_names.contains(&d.name))
                .collect();
            if allowed.is_empty() {
                return Err(format!(
                    "allowedFunctionNames {:?} names no declared function",
                    c.allowed_function_names
                ));
            }
            allowed
        }
        _ => declared,
    };
    let last_user = request
        .contents
        .iter()
        .rev()
        .find(|c| c.role.as_deref().unwrap_or("user") == "user");
    let answered = last_user.is_some_and(|c| c.parts.iter().any(|p| p.function_response.is_some()));
    let said: String = last_user
        .map(|c| {
            c.parts
                .iter()
                .filter_map(|p| p.text.as_deref())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
        .to_lowercase();
    let named = allowed.iter().copied().find(|d| {
        let name = d.name.to_lowercase();
        said.contains(&name) || said.contains(&name.replace('_', " "))
    });
    let chosen = match mode.as_str() {
        "ANY" => named.or(allowed.first().copied()),
        _ if answered => None,
        _ => named,
    };
    Ok(chosen.map(|declaration| {
        let schema = declaration
            .parameters_json_schema
            .clone()
            .or_else(|| {
                declaration
                    .parameters
                    .as_ref()
                    .map(schema_fill::from_openapi)
            })
            .unwrap_or_else(|| json!({ "type": "object" }));
        json!({ "name": declaration.name, "args": schema_fill::fill(&schema, material) })
    }))
}

/// Gemini 3 models sign their function calls and insist on getting the signatures back.
fn signs_thoughts(model: &str) -> bool {
    model.starts_with("gemini-3")
}

/// Gemini 3's rule: the first function call of every earlier model turn must come back with its
/// `thoughtSignature`.
fn check_signatures(request: &GenerateRequest) -> Result<(), String> {
    for (i, content) in request.contents.iter().enumerate() {
        if content.role.as_deref() != Some("model") {
            continue;
        }
        let first_call = content.parts.iter().position(|p| p.function_call.is_some());
        if let Some(j) = first_call
            && content.parts[j].thought_signature.is_none()
        {
            return Err(format!(
                "Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:{}` , position {}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.",
                content.parts[j]
                    .function_call
                    .as_ref()
                    .and_then(|c| c["name"].as_str())
                    .unwrap_or(""),
                i + 1
            ));
        }
    }
    Ok(())
}

fn modality(mime_type: &str) -> &'static str {
    match mime_type.split('/').next().unwrap_or("") {
        "audio" => "AUDIO",
        "image" => "IMAGE",
        "video" => "VIDEO",
        _ => "DOCUMENT",
    }
}

/// A WAV's duration from its header; other audio assumed at 128 kbit/s.
fn audio_seconds(bytes: &[u8]) -> f64 {
    const WAV_HEADER: usize = 44;
    if bytes.len() > WAV_HEADER && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
        let byte_rate = u32::from_le_bytes(bytes[28..32].try_into().expect("four bytes"));
        if byte_rate > 0 {
            return (bytes.len() - WAV_HEADER) as f64 / f64::from(byte_rate);
        }
    }
    bytes.len() as f64 * 8.0 / ASSUMED_AUDIO_BITS_PER_SECOND
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_cut_at_whole_words_within_the_limit() {
        let text = "rain on the rooftop and neon in the harbour";
        assert_eq!(cut_to_tokens(text, 3), "rain on the");
        assert!(token_estimate(&cut_to_tokens(text, 5)) <= 5);
        assert_eq!(cut_to_tokens("supercalifragilistic", 2), "supercal");
        assert_eq!(cut_to_tokens(text, 100), text);
    }
}
