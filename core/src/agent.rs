//! Which model plays which part. The seed's AgentConfig: one active record per role, so changing
//! the director's model is a new record, not a code change, and every call site asks the role.

use crate::ConfigId;
use crate::project::model_id;
use crate::schema::{FieldError, Validate, rfc3339};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AgentRole {
    /// Song analysis and scene/shot breakdown.
    Orchestrator,
    /// Checks prompts and stills against the rules and the script.
    Auditor,
    /// Looks at rejected stills and writes rulebook rules.
    VisionAnalyzer,
    /// Interviews the director about the story.
    Director,
}

impl AgentRole {
    pub const ALL: [AgentRole; 4] = [Self::Orchestrator, Self::Auditor, Self::VisionAnalyzer, Self::Director];

    /// The model a new project starts with for this role.
    pub fn default_model(self) -> &'static str {
        match self {
            Self::Orchestrator | Self::Director => "gemini-2.5-pro",
            Self::Auditor => "claude-sonnet-4-6",
            Self::VisionAnalyzer => "gemini-2.5-flash",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentConfig {
    pub config_id: ConfigId,
    pub role: AgentRole,
    pub model_string: String,
    pub active: bool,
    #[serde(with = "rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl Validate for AgentConfig {
    fn validate(&self) -> Result<(), FieldError> {
        model_id("modelString", &self.model_string)
    }
}

/// The model for `role`: the newest active config of that role, else the role's default.
pub fn model_for(configs: &[AgentConfig], role: AgentRole) -> &str {
    configs
        .iter()
        .filter(|c| c.role == role && c.active)
        .max_by_key(|c| c.updated_at)
        .map_or(role.default_model(), |c| c.model_string.as_str())
}
