//! Conversations with the models: the story interview, QA on a shot, general questions. Each
//! message is an immutable record; a tool call the model made is kept with the message that made
//! it, so the chat shows what was done on the director's behalf.

use crate::schema::{FieldError, Validate, each, rfc3339, text};
use crate::script::{Flaw, MAX_FLAWS};
use crate::{ConversationId, MessageId, ProjectId, ScriptId, ShotId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const MAX_MESSAGE_CHARS: usize = 20_000;
/// The most questions one assistant message asks.
pub const MAX_QUESTIONS: usize = 8;
pub const MAX_QUESTION_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    Story,
    ShotQa,
    General,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub conversation_id: ConversationId,
    pub project_id: ProjectId,
    pub topic: Topic,
    /// The shot a QA conversation is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shot_id: Option<ShotId>,
    pub title: String,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl Validate for Conversation {
    fn validate(&self) -> Result<(), FieldError> {
        text("title", &self.title, 200)?;
        match (self.topic, self.shot_id) {
            (Topic::ShotQa, None) => Err(FieldError::new("shotId", "a shot QA conversation names its shot")),
            (Topic::Story | Topic::General, Some(_)) => {
                Err(FieldError::new("shotId", "only a shot QA conversation names a shot"))
            }
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    User,
    Assistant,
    Tool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolCall {
    pub name: String,
    pub arguments: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub speaker: Speaker,
    pub content: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// What the assistant asks the director, beside its reply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<String>,
    /// The flaws the assistant named in this message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flaws: Vec<Flaw>,
    /// The script version this message proposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_id: Option<ScriptId>,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl Validate for Message {
    fn validate(&self) -> Result<(), FieldError> {
        if self.content.trim().is_empty() && self.tool_calls.is_empty() {
            return Err(FieldError::new("content", "must not be empty"));
        }
        let len = self.content.chars().count();
        if len > MAX_MESSAGE_CHARS {
            return Err(FieldError::new("content", format!("is too long ({len} characters; at most {MAX_MESSAGE_CHARS})")));
        }
        for (i, call) in self.tool_calls.iter().enumerate() {
            text(&format!("toolCalls[{i}].name"), &call.name, 100)?;
        }
        if self.questions.len() > MAX_QUESTIONS {
            return Err(FieldError::new("questions", format!("has {}; at most {MAX_QUESTIONS}", self.questions.len())));
        }
        for (i, q) in self.questions.iter().enumerate() {
            text(&format!("questions[{i}]"), q, MAX_QUESTION_CHARS)?;
        }
        if self.flaws.len() > MAX_FLAWS {
            return Err(FieldError::new("flaws", format!("has {}; at most {MAX_FLAWS}", self.flaws.len())));
        }
        each("flaws", &self.flaws)
    }
}
