//! A version: one immutable artefact of a shot (a prompt, a still, a clip, …) with who made it
//! and why. A shot's history is its versions, newest first; nothing is ever replaced.

use crate::schema::{FieldError, Validate, rfc3339};
use crate::{MediaRef, ShotId, VersionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionKind {
    Prompt,
    Image,
    Video,
    Edit,
    Audit,
    Render,
    /// A prompt's Hebrew translation (its parent is the prompt).
    Translation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    User,
    Llm,
    System,
}

/// What a call cost, in millionths of a US dollar (integers: a ledger never rounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    pub usd_micros: u64,
    /// An estimate made before the call, until the provider's bill replaces it.
    pub estimated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    pub version_id: VersionId,
    pub shot_id: ShotId,
    pub kind: VersionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<VersionId>,
    /// The provider's model id (a fal endpoint id) that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
    pub author: Author,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The text of a prompt version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaRef>,
    /// The validated request this prompt is (a FLUX or Kling request in its file form); what is
    /// submitted is derived from it, so a version records exactly what was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<serde_json::Value>,
    /// Where the provider published the media (the URL later provider calls can read it from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// The provider's request id that produced the media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_request_id: Option<String>,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl Validate for Version {
    fn validate(&self) -> Result<(), FieldError> {
        if self.parent == Some(self.version_id) {
            return Err(FieldError::new("parent", "a version cannot be its own parent"));
        }
        match self.kind {
            VersionKind::Prompt | VersionKind::Edit | VersionKind::Translation if self.prompt.as_deref().is_none_or(|p| p.trim().is_empty()) => {
                Err(FieldError::new("prompt", format!("a {:?} version carries its prompt text", self.kind).to_lowercase()))
            }
            VersionKind::Image | VersionKind::Video | VersionKind::Render if self.media.is_none() => {
                Err(FieldError::new("media", format!("a {:?} version carries its media", self.kind).to_lowercase()))
            }
            _ => Ok(()),
        }
    }
}
