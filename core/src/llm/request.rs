//! A generation request: the conversation so far, the tools the model may call and the shape its
//! answer must take.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateRequest {
    /// The provider's model id, from the role's `AgentConfig::model_string`.
    pub model: String,
    pub system: Option<String>,
    pub turns: Vec<Turn>,
    /// A JSON Schema the answer must satisfy; the answer then comes back as JSON text.
    pub response_schema: Option<Value>,
    pub tools: Vec<ToolDeclaration>,
    pub tool_choice: ToolChoice,
    pub temperature: Option<f32>,
    pub max_output_tokens: Option<u32>,
}

impl GenerateRequest {
    /// A request with only the model and the conversation; set the other fields as needed.
    pub fn new(model: impl Into<String>, turns: Vec<Turn>) -> Self {
        Self {
            model: model.into(),
            system: None,
            turns,
            response_schema: None,
            tools: Vec::new(),
            tool_choice: ToolChoice::Auto,
            temperature: None,
            max_output_tokens: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    User,
    Model,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    pub role: Role,
    pub parts: Vec<Part>,
}

impl Turn {
    pub fn user(parts: Vec<Part>) -> Self {
        Self {
            role: Role::User,
            parts,
        }
    }

    pub fn model(parts: Vec<Part>) -> Self {
        Self {
            role: Role::Model,
            parts,
        }
    }
}

/// An opaque token some models attach to their own output (Gemini's `thoughtSignature`). It must
/// go back unchanged with the model turn it came in, or the next call is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThoughtSignature(pub String);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Part {
    Text {
        text: String,
        signature: Option<ThoughtSignature>,
    },
    InlineData(Blob),
    /// Media the provider already holds: a Gemini Files API URI or a `gs://` object on Vertex.
    FileRef {
        mime_type: String,
        uri: String,
    },
    FunctionCall(FunctionCall),
    FunctionResponse(FunctionResponse),
}

impl Part {
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text {
            text: text.into(),
            signature: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blob {
    pub mime_type: String,
    pub data: BlobData,
}

/// Media bytes, either raw or already base64-encoded (standard alphabet, padded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BlobData {
    Bytes(Vec<u8>),
    Base64(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionCall {
    /// Claude always sets one; Gemini may not. Answer with the same id.
    pub id: Option<String>,
    pub name: String,
    pub args: Value,
    pub signature: Option<ThoughtSignature>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionResponse {
    pub id: Option<String>,
    pub name: String,
    pub response: Value,
}

/// A function the model may call; `parameters` is a JSON Schema of its arguments object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolDeclaration {
    pub name: String,
    pub description: String,
    pub parameters: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToolChoice {
    /// The model decides whether to call a tool.
    Auto,
    /// The model must call one of the tools.
    Any,
    /// The model must not call tools.
    None,
    /// The model must call this tool.
    Specific(String),
}
