//! A shot: a span of the song that becomes one still and one clip. The record is immutable; each
//! status change is a new revision of it.

use crate::{ProjectId, ShotId, ShotStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timestamps {
    pub start_ms: u64,
    pub end_ms: u64,
}

impl Timestamps {
    pub fn duration_ms(&self) -> u64 {
        self.end_ms - self.start_ms
    }
}

/// What a director sends to add a shot.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewShot {
    pub start_ms: u64,
    pub end_ms: u64,
    #[serde(default)]
    pub lyrics_snippet: String,
    pub description: String,
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
        if self.description.trim().is_empty() {
            return Err(ShotError::EmptyDescription);
        }
        for (field, value, max) in [
            ("description", &self.description, Self::MAX_DESCRIPTION),
            ("lyricsSnippet", &self.lyrics_snippet, Self::MAX_LYRICS),
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
    pub timestamps: Timestamps,
    pub lyrics_snippet: String,
    pub description: String,
    pub status: ShotStatus,
    /// Why the shot is in this status (a rejection reason, a failure), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Identifies the change that produced this revision, so a retried writer can tell that its
    /// change already landed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_shot(start_ms: u64, end_ms: u64, description: &str) -> NewShot {
        NewShot { start_ms, end_ms, lyrics_snippet: String::new(), description: description.into() }
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
