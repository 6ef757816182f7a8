//! A project: the seed's ProjectConfig, plus the song, lyrics and plot the director brought.

use crate::schema::{FieldError, Validate, rfc3339, text};
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
    #[serde(default = "yes")]
    pub require_human_approval: bool,
}

fn yes() -> bool {
    true
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

impl Validate for GlobalSettings {
    fn validate(&self) -> Result<(), FieldError> {
        for (field, value) in [
            ("llmModel", &self.llm_model),
            ("imageModel", &self.image_model),
            ("videoModel", &self.video_model),
            ("loraWeightsId", &self.lora_weights_id),
        ] {
            model_id(field, value)?;
        }
        if crate::prompt::KlingModel::of(&self.video_model).is_none() {
            return Err(FieldError::new("videoModel", "must be a Kling image-to-video endpoint (fal-ai/kling-video/…/image-to-video)"));
        }
        Ok(())
    }
}

/// A model id: a non-empty path of letters, digits and `-._/:@`, no whitespace.
pub fn model_id(field: &str, value: &str) -> Result<(), FieldError> {
    text(field, value, 200)?;
    if !value.chars().all(|c| c.is_ascii_alphanumeric() || "-._/:@".contains(c)) {
        return Err(FieldError::new(field, format!("{value:?} is not a model id (letters, digits and - . _ / : @)")));
    }
    Ok(())
}

/// The seed's ProjectConfig.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectConfig {
    pub project_id: ProjectId,
    pub project_name: String,
    pub global_settings: GlobalSettings,
    #[serde(with = "rfc3339")]
    pub creation_timestamp: DateTime<Utc>,
}

impl Validate for ProjectConfig {
    fn validate(&self) -> Result<(), FieldError> {
        text("projectName", &self.project_name, 200)?;
        self.global_settings.validate().map_err(|e| e.within("globalSettings"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    #[serde(flatten)]
    pub config: ProjectConfig,
    pub song: MediaRef,
    pub lyrics: String,
    pub plot: String,
}
