//! What a model answers: its parts, why it stopped, what it cost, and the one failure that is not
//! the provider's fault — a prompt the model refused to read.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::request::{FunctionCall, Part, Turn};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// Text and function calls, in the model's order, signatures kept.
    pub parts: Vec<Part>,
    pub finish: FinishReason,
    pub usage: Usage,
    /// The exact model version that answered, when the provider says.
    pub model_version: Option<String>,
}

impl Reply {
    /// All text parts joined; with a response schema this is the JSON answer.
    pub fn text(&self) -> String {
        self.parts
            .iter()
            .filter_map(|part| match part {
                Part::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The answer parsed as JSON, for requests that set a response schema.
    pub fn json(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(&self.text())
    }

    pub fn function_calls(&self) -> impl Iterator<Item = &FunctionCall> {
        self.parts.iter().filter_map(|part| match part {
            Part::FunctionCall(call) => Some(call),
            _ => None,
        })
    }

    /// The model's turn, verbatim, to send back with the function responses.
    pub fn into_turn(self) -> Turn {
        Turn::model(self.parts)
    }
}

/// Why the model stopped. Only `Stop` and `ToolUse` mean the answer is complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FinishReason {
    Stop,
    /// The model stopped to wait for function responses.
    ToolUse,
    MaxTokens,
    StopSequence,
    /// The provider's content filter cut the answer; the provider's own code is kept.
    Safety(String),
    Recitation,
    /// The model declined to answer.
    Refusal,
    /// A long-running turn paused; send the conversation again to continue.
    PauseTurn,
    ContextWindowExceeded,
    /// The model produced a function call the provider could not accept; its code is kept.
    ToolCallFailed(String),
    Other(String),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    /// Answer tokens, not counting thinking.
    pub output_tokens: u64,
    /// Thinking tokens; billed as output.
    pub thinking_tokens: u64,
}

/// Why a prompt was refused before the model answered anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockReason {
    Safety,
    Blocklist,
    ProhibitedContent,
    ImageSafety,
    ModelArmor,
    Jailbreak,
    Other,
    /// A reason this code does not know yet, as the provider spelled it.
    Unrecognised(String),
}

impl fmt::Display for BlockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Safety => "safety",
            Self::Blocklist => "blocklist",
            Self::ProhibitedContent => "prohibited content",
            Self::ImageSafety => "image safety",
            Self::ModelArmor => "model armor",
            Self::Jailbreak => "jailbreak",
            Self::Other => "other",
            Self::Unrecognised(raw) => raw,
        };
        f.write_str(name)
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GenerateError<E> {
    #[error(
        "the model refused the prompt (block reason: {reason}){}; change the prompt or its media, retrying the same prompt will not help",
        .message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
    )]
    Blocked {
        reason: BlockReason,
        message: Option<String>,
    },

    #[error("this model cannot take {0}; send it to a model that can, or leave it out")]
    Unsupported(String),

    #[error(transparent)]
    Provider(E),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{Role, ThoughtSignature};

    #[test]
    fn text_joins_text_parts_and_the_turn_keeps_every_part_and_signature() {
        let call = FunctionCall {
            id: None,
            name: "get_beats".into(),
            args: Value::Null,
            signature: Some(ThoughtSignature("s".into())),
        };
        let reply = Reply {
            parts: vec![
                Part::text("{\"a\":"),
                Part::FunctionCall(call.clone()),
                Part::text("1}"),
            ],
            finish: FinishReason::ToolUse,
            usage: Usage::default(),
            model_version: None,
        };
        assert_eq!(reply.json().unwrap(), serde_json::json!({"a": 1}));
        assert_eq!(reply.function_calls().collect::<Vec<_>>(), vec![&call]);
        let parts = reply.parts.clone();
        let turn = reply.into_turn();
        assert_eq!(turn.role, Role::Model);
        assert_eq!(turn.parts, parts);
    }

    #[test]
    fn a_block_names_its_reason_and_says_what_to_do() {
        let err: GenerateError<std::io::Error> = GenerateError::Blocked {
            reason: BlockReason::Unrecognised("NEW_REASON".into()),
            message: Some("blocked".into()),
        };
        let text = err.to_string();
        assert!(
            text.contains("NEW_REASON") && text.contains(": blocked"),
            "{text}"
        );
        assert!(text.contains("change the prompt"), "{text}");
    }
}
