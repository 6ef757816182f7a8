//! A rulebook rule: what a rejected still taught (written by the vision model, or by a director),
//! injected into later prompts. Rules are never edited; a retired rule is a new record with
//! `active: false`.

use crate::schema::{FieldError, Validate, rfc3339, text};
use crate::{Author, ProjectId, RuleId, VersionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub rule_id: RuleId,
    pub project_id: ProjectId,
    /// The rule, as one imperative sentence for the prompt writer.
    pub text: String,
    /// The rejected version it was learnt from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<VersionId>,
    /// The director's rejection reason it was learnt from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub author: Author,
    pub active: bool,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl Validate for Rule {
    fn validate(&self) -> Result<(), FieldError> {
        text("text", &self.text, 1000)
    }
}
