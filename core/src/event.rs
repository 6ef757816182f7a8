//! Events published to a project's Socket.IO room. The store is the truth; an event only says
//! that something new was appended, so a client that missed one re-reads over REST.

use crate::chat::Proposal;
use crate::{ConversationId, Message, MessageId, ProjectId, RenderId, ScriptId, Shot, ShotId, ShotStatus, Speaker};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShotUpdated {
    pub project_id: ProjectId,
    pub shot_id: ShotId,
    pub status: ShotStatus,
    /// The shot record's revision: clients drop an event older than what they show.
    pub revision: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl ShotUpdated {
    pub const NAME: &'static str = "SHOT_UPDATED";

    /// The event announcing `revision` of `shot`.
    pub fn of(shot: &Shot, revision: u64) -> Self {
        Self {
            project_id: shot.project_id,
            shot_id: shot.shot_id,
            status: shot.status,
            revision,
            reason: shot.reason.clone(),
            updated_at: shot.updated_at,
        }
    }
}

/// How far a render has got: `done` of `total` in `stage` (segments while conforming).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderProgress {
    pub project_id: ProjectId,
    pub render_id: RenderId,
    pub done: u64,
    pub total: u64,
    pub stage: RenderStage,
}

impl RenderProgress {
    pub const NAME: &'static str = "RENDER_PROGRESS";
}

/// The steps of a render, in order; `Failed` ends it early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderStage {
    Planning,
    Conforming,
    Joining,
    Muxing,
    Done,
    Failed,
}

/// A message was added to a conversation (the director's, or the model's reply).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    pub project_id: ProjectId,
    pub conversation_id: ConversationId,
    pub message_id: MessageId,
    pub speaker: Speaker,
    pub content: String,
    /// The script version the message proposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_id: Option<ScriptId>,
    /// The change a QA reply proposes for its shot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<Proposal>,
    pub created_at: DateTime<Utc>,
}

impl ChatMessage {
    pub const NAME: &'static str = "CHAT_MESSAGE";

    /// The event announcing `message` of a conversation of `project`.
    pub fn of(project_id: ProjectId, message: &Message) -> Self {
        Self {
            project_id,
            conversation_id: message.conversation_id,
            message_id: message.message_id,
            speaker: message.speaker,
            content: message.content.clone(),
            script_id: message.script_id,
            proposal: message.proposal.clone(),
            created_at: message.created_at,
        }
    }
}

/// Any event a worker publishes for a project's room; told apart by its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Event {
    Shot(ShotUpdated),
    Render(RenderProgress),
    Chat(ChatMessage),
}

impl Event {
    /// The Socket.IO event name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Shot(_) => ShotUpdated::NAME,
            Self::Render(_) => RenderProgress::NAME,
            Self::Chat(_) => ChatMessage::NAME,
        }
    }

    pub fn project_id(&self) -> ProjectId {
        match self {
            Self::Shot(e) => e.project_id,
            Self::Render(e) => e.project_id,
            Self::Chat(e) => e.project_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn a_chat_message_is_told_apart_from_the_other_events_by_its_fields() {
        let message = Message::new(
            MessageId::from_uuid(Uuid::from_u128(2)),
            ConversationId::from_uuid(Uuid::from_u128(1)),
            Speaker::Assistant,
            "מי איתה?",
            Utc::now(),
        );
        let event = Event::Chat(ChatMessage::of(ProjectId::from_uuid(Uuid::nil()), &message));
        let back: Event = serde_json::from_str(&serde_json::to_string(&event).unwrap()).unwrap();
        assert_eq!((back.name(), &back), ("CHAT_MESSAGE", &event));
    }
}
