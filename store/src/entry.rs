//! What every backend stores: an [`Entry`] is one immutable revision of one entity, with the ids
//! it is listed under and the time it was recorded. Backends see only entries; the typed layer
//! ([`crate::Store`]) turns records into entries and back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The kinds of entity the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Project,
    AgentConfig,
    Analysis,
    Scene,
    SceneAsset,
    Shot,
    Version,
    Rule,
    Conversation,
    Message,
    Render,
    ProviderRequest,
    Token,
    Ledger,
    Script,
    Membership,
}

impl Kind {
    pub const ALL: [Kind; 16] = [
        Self::Project,
        Self::AgentConfig,
        Self::Analysis,
        Self::Scene,
        Self::SceneAsset,
        Self::Shot,
        Self::Version,
        Self::Rule,
        Self::Conversation,
        Self::Message,
        Self::Render,
        Self::ProviderRequest,
        Self::Token,
        Self::Ledger,
        Self::Script,
        Self::Membership,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::AgentConfig => "agent_config",
            Self::Analysis => "analysis",
            Self::Scene => "scene",
            Self::SceneAsset => "scene_asset",
            Self::Shot => "shot",
            Self::Version => "version",
            Self::Rule => "rule",
            Self::Conversation => "conversation",
            Self::Message => "message",
            Self::Render => "render",
            Self::ProviderRequest => "provider_request",
            Self::Token => "token",
            Self::Ledger => "ledger",
            Self::Script => "script",
            Self::Membership => "membership",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The ids an entity is listed under (its place in the seed's hierarchy
/// `projects/{p}/scenes/{s}/shots/{sh}/versions/{v}`, `projects/{p}/conversations/{c}/messages/{m}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Place {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
}

/// One immutable revision of one entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub kind: Kind,
    pub id: String,
    /// 0 for the first record of the entity, then 1, 2, … with no gaps.
    pub revision: u64,
    pub place: Place,
    /// When the store accepted it; as-of reads compare against this.
    pub recorded_at: DateTime<Utc>,
    pub body: Value,
}

/// Which revision a read wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    Newest,
    Revision(u64),
    /// The newest revision recorded at or before this time.
    AsOf(DateTime<Utc>),
}

/// What a list is restricted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Under {
    All,
    Project(String),
    Scene(String),
    Shot(String),
    Conversation(String),
}
