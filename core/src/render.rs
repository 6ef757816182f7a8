//! A render: the film made from named versions of every shot, on the song. It records exactly
//! which versions went in, so an old render can be remade and compared.

use crate::schema::{FieldError, Validate, rfc3339};
use crate::{MediaRef, ProjectId, RenderId, ShotId, Timestamps, VersionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod report;

pub use report::RenderReport;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RenderMode {
    /// Every shot's approved clip.
    Final,
    /// Whatever each shot has (clip, still or title card), before clips are paid for.
    Animatic,
}

impl RenderMode {
    /// What a render is unless it says otherwise.
    pub fn final_cut() -> Self {
        Self::Final
    }
}

/// The slow camera move an animatic makes over a still, read off the shot's camera description
/// ("push in", "pan left", …); a description that names none gets a gentle zoom, in or out by
/// the shot's id, so neighbouring stills do not all move alike. The same shot always moves the
/// same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CameraMove {
    Hold,
    ZoomIn,
    ZoomOut,
    PanLeft,
    PanRight,
}

impl CameraMove {
    pub fn of(camera: Option<&str>, shot: ShotId) -> Self {
        let text = camera.unwrap_or_default().to_lowercase();
        let says = |words: &[&str]| words.iter().any(|w| text.contains(w));
        let named = [
            (&["static", "locked", "still camera", "hold"][..], Self::Hold),
            (&["pan left", "pans left"][..], Self::PanLeft),
            (&["pan right", "pans right", "tracking", "dolly right"][..], Self::PanRight),
            (&["pull back", "pulls back", "zoom out", "zooms out", "dolly out", "reveal"][..], Self::ZoomOut),
            (&["push in", "pushes in", "zoom in", "zooms in", "dolly in", "close-up", "close up"][..], Self::ZoomIn),
        ];
        match named.iter().find(|(words, _)| says(words)) {
            Some((_, chosen)) => *chosen,
            None if shot.uuid().as_bytes()[15].is_multiple_of(2) => Self::ZoomIn,
            None => Self::ZoomOut,
        }
    }
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
    /// What the render shows of the song (absent from renders made before reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<RenderReport>,
    /// A review copy, with which shot, its status, its lyric and the time code burned in
    /// (absent in the clean export).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overlay: bool,
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

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn the_camera_description_chooses_the_move_and_the_id_breaks_ties() {
        let shot = |n: u128| ShotId::from_uuid(Uuid::from_u128(n));
        assert_eq!(CameraMove::of(Some("Slow push in on her face"), shot(1)), CameraMove::ZoomIn);
        assert_eq!(CameraMove::of(Some("wide, the camera pulls back"), shot(1)), CameraMove::ZoomOut);
        assert_eq!(CameraMove::of(Some("Pan left across the garden"), shot(1)), CameraMove::PanLeft);
        assert_eq!(CameraMove::of(Some("tracking shot"), shot(1)), CameraMove::PanRight);
        assert_eq!(CameraMove::of(Some("static, eye level"), shot(1)), CameraMove::Hold);
        assert_eq!(CameraMove::of(None, shot(2)), CameraMove::ZoomIn);
        assert_eq!(CameraMove::of(Some("eye level, 35mm"), shot(3)), CameraMove::ZoomOut);
        assert_eq!(CameraMove::of(None, shot(3)), CameraMove::of(None, shot(3)), "deterministic");
    }
}
