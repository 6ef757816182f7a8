//! A render: the film made from named versions of every shot, on the song. It records exactly
//! which versions went in, so an old render can be remade and compared.

use crate::schema::{FieldError, Validate, rfc3339};
use crate::{MediaRef, ProjectId, RenderId, ShotId, Timestamps, VersionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderMode {
    /// Every shot's approved clip.
    Final,
    /// Whatever each shot has (clip, still or title card), before clips are paid for.
    Animatic,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderShot {
    pub shot_id: ShotId,
    pub timestamps: Timestamps,
    /// The version used (a clip, or in an animatic a still); none for a title card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<VersionId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Render {
    pub render_id: RenderId,
    pub project_id: ProjectId,
    pub mode: RenderMode,
    pub shots: Vec<RenderShot>,
    pub fps: u32,
    pub width: u32,
    pub height: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaRef>,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl Validate for Render {
    fn validate(&self) -> Result<(), FieldError> {
        if !(1..=120).contains(&self.fps) {
            return Err(FieldError::new("fps", format!("must be 1 to 120 (got {})", self.fps)));
        }
        for (field, v) in [("width", self.width), ("height", self.height)] {
            if !(16..=7680).contains(&v) || v % 2 != 0 {
                return Err(FieldError::new(field, format!("must be even and 16 to 7680 (got {v})")));
            }
        }
        if self.shots.is_empty() {
            return Err(FieldError::new("shots", "a render has at least one shot"));
        }
        for (i, s) in self.shots.iter().enumerate() {
            s.timestamps.validate().map_err(|e| e.within(&format!("shots[{i}].timestamps")))?;
            if self.mode == RenderMode::Final && s.version_id.is_none() {
                return Err(FieldError::new(format!("shots[{i}].versionId"), "a final render uses a clip for every shot"));
            }
        }
        Ok(())
    }
}
