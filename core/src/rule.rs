//! A rulebook rule: what a rejected still taught (written by the vision model, or by a director),
//! injected into later prompts. Rules are never edited; a retired rule is a new record with
//! `active: false`.

pub mod ask;

use crate::schema::{FieldError, Validate, rfc3339, text};
use crate::{Author, ProjectId, RuleId, ShotId, VersionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub rule_id: RuleId,
    pub project_id: ProjectId,
    /// The rule, as one imperative sentence for the prompt writer.
    pub text: String,
    /// The shot whose rejection taught it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shot_id: Option<ShotId>,
    /// The rejected version it was learnt from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<VersionId>,
    /// The director's rejection reason it was learnt from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub author: Author,
    /// The model that wrote it (for a rule by the VISION_ANALYZER).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub active: bool,
    /// The text's embedding, for the local index (`embedding_model` made it); none when the
    /// worker had no embedding model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<Vec<f32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding_model: Option<String>,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl Validate for Rule {
    fn validate(&self) -> Result<(), FieldError> {
        text("text", &self.text, 1000)
    }
}
