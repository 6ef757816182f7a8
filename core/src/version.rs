//! A version: one immutable artefact of a shot (a prompt, a still, a clip, …) with who made it
//! and why. A shot's history is its versions, newest first; nothing is ever replaced.

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    User,
    Llm,
    System,
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
    pub created_at: DateTime<Utc>,
}
