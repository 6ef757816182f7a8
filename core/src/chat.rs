//! Conversations with the models: the story interview, QA on a shot, general questions. Each
//! message is an immutable record; a tool call the model made is kept with the message that made
//! it, so the chat shows what was done on the director's behalf.

pub mod assistant;
pub mod qa;
pub mod tool;

use crate::prompt::edit;
use crate::prompt::flux::FluxPrompt;
use crate::prompt::violation::summary;
use crate::schema::{FieldError, Validate, blank, each, rfc3339, text};
use crate::script::{Flaw, MAX_FLAWS};
use tool::Tool;
use crate::{ConversationId, MessageId, ProjectId, ScriptId, ShotId, VersionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub const MAX_MESSAGE_CHARS: usize = 20_000;
/// The most questions one assistant message asks.
pub const MAX_QUESTIONS: usize = 8;
pub const MAX_QUESTION_CHARS: usize = 500;
/// How much of a conversation goes into one request, newest messages kept.
pub const MAX_CONVERSATION_CHARS: usize = 60_000;
/// The longest summary of a proposed prompt fix.
pub const MAX_SUMMARY_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
pub struct Message {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub speaker: Speaker,
    pub content: String,
    /// The studio actions this message proposes (a general conversation's assistant).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<Tool>,
    /// What the assistant asks the director, beside its reply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<String>,
    /// The flaws the assistant named in this message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flaws: Vec<Flaw>,
    /// The script version this message proposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_id: Option<ScriptId>,
    /// The change this message proposes for its shot (QA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<Proposal>,
    /// Who applied the proposal to which still, and when: the message's next revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied: Option<Applied>,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// What the QA assistant proposes for the still awaiting approval: one short imperative edit
/// command, or the whole corrected FLUX prompt with the change in the director's words. Either
/// way the shot is refined (a FLUX.2 edit of the still with the scene's seed and references).
/// `hebrew` is what is proposed, in Hebrew (the command, or the corrected prompt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Proposal {
    Edit {
        command: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hebrew: Option<String>,
    },
    Prompt {
        summary: String,
        prompt: FluxPrompt,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hebrew: Option<String>,
    },
}

impl Proposal {
    /// The change in words: the command, or the fix's summary.
    pub fn words(&self) -> &str {
        match self {
            Self::Edit { command, .. } => command,
            Self::Prompt { summary, .. } => summary,
        }
    }

    /// What a translation into Hebrew renders: the command, or the corrected prompt as JSON.
    pub fn text(&self) -> String {
        match self {
            Self::Edit { command, .. } => command.clone(),
            Self::Prompt { prompt, .. } => serde_json::to_string(prompt).expect("a prompt always serialises"),
        }
    }

    pub fn with_hebrew(mut self, translation: String) -> Self {
        match &mut self {
            Self::Edit { hebrew, .. } | Self::Prompt { hebrew, .. } => *hebrew = Some(translation),
        }
        self
    }
}

impl Validate for Proposal {
    fn validate(&self) -> Result<(), FieldError> {
        match self {
            Self::Edit { command, .. } => {
                let violations = edit::validate(command);
                if violations.is_empty() {
                    Ok(())
                } else {
                    Err(FieldError::new("proposal.command", format!("is no edit command: {}", summary(&violations))))
                }
            }
            Self::Prompt { summary, .. } => text("proposal.summary", summary, MAX_SUMMARY_CHARS),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    pub by: String,
    /// The still the proposal refined.
    pub still: VersionId,
    #[serde(with = "rfc3339")]
    pub at: DateTime<Utc>,
}

/// The ids an assistant's reply is stored under (drawn by its workflow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyIds {
    pub conversation_id: ConversationId,
    pub reply_id: MessageId,
}

impl Message {
    /// A message that says `content`, with nothing beside it yet.
    pub fn new(message_id: MessageId, conversation_id: ConversationId, speaker: Speaker, content: &str, created_at: DateTime<Utc>) -> Self {
        Self {
            message_id,
            conversation_id,
            speaker,
            content: content.to_string(),
            tool_calls: Vec::new(),
            questions: Vec::new(),
            flaws: Vec::new(),
            script_id: None,
            proposal: None,
            applied: None,
            created_at,
        }
    }

    /// The next revision of this message, saying `by` applied its proposal to `still`.
    pub fn applied(&self, by: &str, still: VersionId, at: DateTime<Utc>) -> Self {
        Self { applied: Some(Applied { by: by.to_string(), still, at }), ..self.clone() }
    }
}

/// The newest messages that fit [`MAX_CONVERSATION_CHARS`], oldest first, as a model reads
/// them, and how many older ones were left out.
pub fn recent(messages: &[Message]) -> (usize, Vec<Value>) {
    let mut kept = Vec::new();
    let mut chars = 0;
    for m in messages.iter().rev() {
        chars += m.content.chars().count();
        if chars > MAX_CONVERSATION_CHARS && !kept.is_empty() {
            break;
        }
        let mut v = json!({ "speaker": m.speaker, "content": m.content });
        if !m.questions.is_empty() {
            v["questions"] = json!(m.questions);
        }
        if !m.flaws.is_empty() {
            v["flaws"] = json!(m.flaws);
        }
        if !m.tool_calls.is_empty() {
            v["toolCalls"] = json!(m.tool_calls);
        }
        if let Some(p) = &m.proposal {
            v["proposal"] = json!(p);
            v["applied"] = json!(m.applied.is_some());
        }
        kept.push(v);
    }
    kept.reverse();
    (messages.len() - kept.len(), kept)
}

impl Validate for Message {
    fn validate(&self) -> Result<(), FieldError> {
        if blank(&self.content) && self.tool_calls.is_empty() {
            return Err(FieldError::new("content", "must not be empty"));
        }
        let len = self.content.chars().count();
        if len > MAX_MESSAGE_CHARS {
            return Err(FieldError::new("content", format!("is too long ({len} characters; at most {MAX_MESSAGE_CHARS})")));
        }
        for (i, call) in self.tool_calls.iter().enumerate() {
            call.check(&format!("toolCalls[{i}].arguments"))?;
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
        if let Some(p) = &self.proposal {
            p.validate()?;
        }
        each("flaws", &self.flaws)
    }
}
