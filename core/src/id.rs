//! Typed identifiers. Every id is a UUID; a malformed one is rejected at the edge with an error
//! that names the field, so nothing downstream ever sees a string that is not an id.

use serde::{Deserialize, Serialize};
use std::{fmt, marker::PhantomData, str::FromStr};
use uuid::Uuid;

/// An id of one kind of entity; the kind is a marker type so a shot id cannot be passed where a
/// project id is expected.
#[derive(Serialize)]
#[serde(transparent, bound = "")]
pub struct Id<K> {
    uuid: Uuid,
    #[serde(skip)]
    kind: PhantomData<fn() -> K>,
}

impl<'de, K> Deserialize<'de> for Id<K> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        Uuid::parse_str(&text).map(Self::from_uuid).map_err(|_| {
            serde::de::Error::custom(format_args!("must be a UUID (got {:?})", text.chars().take(64).collect::<String>()))
        })
    }
}

/// Marker for project ids.
pub enum ProjectKind {}
/// Marker for shot ids.
pub enum ShotKind {}
/// Marker for version ids.
pub enum VersionKindMarker {}
/// Marker for scene ids.
pub enum SceneKind {}
/// Marker for agent configuration ids.
pub enum ConfigKind {}
/// Marker for song-analysis ids.
pub enum AnalysisKind {}
/// Marker for rulebook rule ids.
pub enum RuleKind {}
/// Marker for conversation ids.
pub enum ConversationKind {}
/// Marker for chat message ids.
pub enum MessageKind {}
/// Marker for render ids.
pub enum RenderKind {}
/// Marker for scene reference-image ids.
pub enum AssetKind {}
/// Marker for script ids.
pub enum ScriptKind {}

pub type ProjectId = Id<ProjectKind>;
pub type ShotId = Id<ShotKind>;
pub type VersionId = Id<VersionKindMarker>;
pub type SceneId = Id<SceneKind>;
pub type ConfigId = Id<ConfigKind>;
pub type AnalysisId = Id<AnalysisKind>;
pub type RuleId = Id<RuleKind>;
pub type ConversationId = Id<ConversationKind>;
pub type MessageId = Id<MessageKind>;
pub type RenderId = Id<RenderKind>;
pub type AssetId = Id<AssetKind>;
pub type ScriptId = Id<ScriptKind>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} must be a UUID (got {value:?})")]
pub struct IdError {
    pub field: &'static str,
    pub value: String,
}

impl<K> Id<K> {
    pub fn from_uuid(uuid: Uuid) -> Self {
        Self { uuid, kind: PhantomData }
    }

    /// Parses `value` as the id in `field`; the error names the field.
    pub fn parse(field: &'static str, value: &str) -> Result<Self, IdError> {
        Uuid::parse_str(value)
            .map(Self::from_uuid)
            .map_err(|_| IdError { field, value: value.chars().take(64).collect() })
    }

    pub fn uuid(&self) -> Uuid {
        self.uuid
    }
}

impl<K> Clone for Id<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for Id<K> {}
impl<K> PartialEq for Id<K> {
    fn eq(&self, other: &Self) -> bool {
        self.uuid == other.uuid
    }
}
impl<K> Eq for Id<K> {}
impl<K> std::hash::Hash for Id<K> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.uuid.hash(state)
    }
}
impl<K> fmt::Display for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.uuid.hyphenated().fmt(f)
    }
}
impl<K> fmt::Debug for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.uuid.hyphenated())
    }
}
impl<K> FromStr for Id<K> {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse("id", s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_id_names_the_field() {
        let err = ShotId::parse("shotId", "../etc/passwd").unwrap_err();
        assert_eq!(err.field, "shotId");
        assert!(err.to_string().contains("shotId must be a UUID"));
    }

    #[test]
    fn round_trips_through_json_as_a_plain_string() {
        let id = ProjectId::parse("projectId", "6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a\"");
        assert_eq!(serde_json::from_str::<ProjectId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ProjectId>("\"nope\"").is_err());
    }
}
