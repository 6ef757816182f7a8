//! A project: the seed's ProjectConfig plus the song, lyrics and plot the director brought.

use crate::{MediaRef, ProjectId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The seed's `globalSettings`: model ids come from here, never from call sites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalSettings {
    pub llm_model: String,
    /// fal endpoint id of the still model (FLUX.2 with LoRA).
    pub image_model: String,
    /// fal endpoint id of the clip model (Kling image-to-video).
    pub video_model: String,
    pub lora_weights_id: String,
    pub require_human_approval: bool,
}

impl Default for GlobalSettings {
    fn default() -> Self {
        Self {
            llm_model: "gemini-2.5-pro".into(),
            image_model: "fal-ai/flux-2/lora".into(),
            video_model: "fal-ai/kling-video/v3/standard/image-to-video".into(),
            lora_weights_id: "miriN14".into(),
            require_human_approval: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub project_id: ProjectId,
    pub project_name: String,
    pub global_settings: GlobalSettings,
    pub creation_timestamp: DateTime<Utc>,
    pub song: MediaRef,
    pub lyrics: String,
    pub plot: String,
}
