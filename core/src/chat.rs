//! Conversations with the models: the story interview, QA on a shot, general questions. Each
//! message is an immutable record; a tool call the model made is kept with the message that made
//! it, so the chat shows what was done on the director's behalf.

use crate::schema::{FieldError, Validate, rfc3339, text};
use crate::{ConversationId, MessageId, ProjectId, ShotId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const MAX_MESSAGE_CHARS: usize = 20_000;

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
        Ok(())
    }
}
