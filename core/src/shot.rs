//! A shot: a span of the song that becomes one still and one clip. The record is immutable; each
//! status change is a new revision of it.

use crate::schema::{FieldError, Validate, rfc3339, text};
use crate::{ProjectId, SceneId, ShotId, ShotStatus, VersionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod plan;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timestamps {
    pub start_ms: u64,
    pub end_ms: u64,
}

/// Longest span anything in a song may have (a day; songs are minutes).
pub const MAX_SPAN_MS: u64 = 24 * 3600 * 1000;

impl Timestamps {
    pub fn duration_ms(&self) -> u64 {
        self.end_ms.saturating_sub(self.start_ms)
    }
}

impl Validate for Timestamps {
    fn validate(&self) -> Result<(), FieldError> {
        if self.start_ms >= self.end_ms {
            return Err(FieldError::new(
                "startMs",
                format!("must be before endMs ({} ms is not before {} ms)", self.start_ms, self.end_ms),
            ));
        }
        if self.end_ms > MAX_SPAN_MS {
            return Err(FieldError::new("endMs", format!("{} ms is past any song's end", self.end_ms)));
        }
        Ok(())
    }
}

/// What a director sends to add a shot.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewShot {
    pub start_ms: u64,
    pub end_ms: u64,
    #[serde(default)]
    pub lyrics_snippet: String,
    pub description: String,
    /// What moves in the clip; the description stands in when absent.
    #[serde(default)]
    pub motion: Option<String>,
    /// How the still is framed.
    #[serde(default)]
    pub camera: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShotError {
    #[error("startMs ({start_ms}) must be before endMs ({end_ms})")]
    EmptySpan { start_ms: u64, end_ms: u64 },
    #[error("description must not be empty")]
    EmptyDescription,
    #[error("{field} is too long ({len} characters; at most {max})")]
    TooLong { field: &'static str, len: usize, max: usize },
}

impl NewShot {
    pub const MAX_DESCRIPTION: usize = 4000;
    pub const MAX_LYRICS: usize = 1000;

    pub fn validate(&self) -> Result<Timestamps, ShotError> {
        if self.start_ms >= self.end_ms {
            return Err(ShotError::EmptySpan { start_ms: self.start_ms, end_ms: self.end_ms });
        }
        if crate::schema::blank(&self.description) {
            return Err(ShotError::EmptyDescription);
        }
        let none = String::new();
        for (field, value, max) in [
            ("description", &self.description, Self::MAX_DESCRIPTION),
            ("lyricsSnippet", &self.lyrics_snippet, Self::MAX_LYRICS),
            ("motion", self.motion.as_ref().unwrap_or(&none), Self::MAX_DESCRIPTION),
            ("camera", self.camera.as_ref().unwrap_or(&none), Self::MAX_LYRICS),
        ] {
            let len = value.chars().count();
            if len > max {
                return Err(ShotError::TooLong { field, len, max });
            }
        }
        Ok(Timestamps { start_ms: self.start_ms, end_ms: self.end_ms })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shot {
    pub shot_id: ShotId,
    pub project_id: ProjectId,
    /// The scene it belongs to (shots added by hand before scenes exist have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene_id: Option<SceneId>,
    pub timestamps: Timestamps,
    pub lyrics_snippet: String,
    /// What the still shows, at rest (the FLUX prompt's scene).
    pub description: String,
    /// What moves in the clip (the Kling action); the description stands in when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motion: Option<String>,
    /// How the still is framed (the FLUX prompt's camera), when the plan says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera: Option<String>,
    pub status: ShotStatus,
    /// Why the shot is in this status (a rejection reason, a failure), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Identifies the change that produced this revision, so a retried writer can tell that its
    /// change already landed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
    /// Every version the shot had when this revision was written, oldest first.
    #[serde(default)]
    pub versions: Vec<VersionId>,
    #[serde(with = "rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl Validate for Shot {
    fn validate(&self) -> Result<(), FieldError> {
        self.timestamps.validate().map_err(|e| e.within("timestamps"))?;
        text("description", &self.description, NewShot::MAX_DESCRIPTION)?;
        for (field, value) in [("motion", &self.motion), ("camera", &self.camera)] {
            if let Some(v) = value {
                text(field, v, NewShot::MAX_DESCRIPTION)?;
            }
        }
        if self.lyrics_snippet.chars().count() > NewShot::MAX_LYRICS {
            return Err(FieldError::new("lyricsSnippet", format!("is longer than {} characters", NewShot::MAX_LYRICS)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_shot(start_ms: u64, end_ms: u64, description: &str) -> NewShot {
        NewShot { start_ms, end_ms, lyrics_snippet: String::new(), description: description.into(), motion: None, camera: None }
    }

    #[test]
    fn span_must_not_be_empty() {
        assert_eq!(
            new_shot(500, 500, "x").validate().unwrap_err().to_string(),
            "startMs (500) must be before endMs (500)"
        );
        assert_eq!(new_shot(0, 3000, "x").validate().unwrap().duration_ms(), 3000);
    }

    #[test]
    fn description_is_required_and_bounded() {
        assert_eq!(new_shot(0, 1, "  ").validate(), Err(ShotError::EmptyDescription));
        let long = "מ".repeat(NewShot::MAX_DESCRIPTION + 1);
        assert!(matches!(
            new_shot(0, 1, &long).validate(),
            Err(ShotError::TooLong { field: "description", .. })
        ));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_str::<NewShot>(
            r#"{"startMs":0,"endMs":1,"description":"x","colour":"red"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("colour"));
    }
}
