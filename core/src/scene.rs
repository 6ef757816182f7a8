//! A scene: a stretch of the song in one place, one outfit, one set of props and one seed. The
//! seed is drawn once when the scene is made and recorded here; every FLUX call in the scene uses
//! it, which is what keeps the background and Miri's outfit the same from shot to shot.

use crate::prompt::color::{Hex, colour_problems};
use crate::schema::{FieldError, Validate, each, rfc3339, text};
use crate::{ProjectId, SceneId, Timestamps};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod ask;
pub mod asset;

pub const MAX_PROPS: usize = 8;

/// A garment or prop colour by name and exact code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Colour {
    pub name: String,
    pub hex: Hex,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outfit {
    /// What she wears, with every colour written as `hex #RRGGBB`.
    pub description: String,
    pub colours: Vec<Colour>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prop {
    pub name: String,
    pub description: String,
    pub colour: Hex,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scene {
    pub scene_id: SceneId,
    pub project_id: ProjectId,
    /// Position in the film, from 0.
    pub index: u32,
    pub timestamps: Timestamps,
    pub location: String,
    pub background: String,
    pub outfit: Outfit,
    #[serde(default)]
    pub props: Vec<Prop>,
    /// Drawn once, recorded, passed to every FLUX.2 call in the scene.
    pub seed: u64,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl Validate for Outfit {
    fn validate(&self) -> Result<(), FieldError> {
        text("description", &self.description, 2000)?;
        if let Some(p) = colour_problems(&self.description).first() {
            return Err(FieldError::new("description", format!("colours must be written as hex #RRGGBB ({p:?})")));
        }
        Ok(())
    }
}

impl Validate for Prop {
    fn validate(&self) -> Result<(), FieldError> {
        text("name", &self.name, 200)?;
        text("description", &self.description, 2000)
    }
}

impl Validate for Scene {
    fn validate(&self) -> Result<(), FieldError> {
        self.timestamps.validate().map_err(|e| e.within("timestamps"))?;
        text("location", &self.location, 500)?;
        text("background", &self.background, 2000)?;
        self.outfit.validate().map_err(|e| e.within("outfit"))?;
        if self.props.len() > MAX_PROPS {
            return Err(FieldError::new("props", format!("has {} props; at most {MAX_PROPS}", self.props.len())));
        }
        each("props", &self.props)
    }
}

/// Scenes in order must cover `0..song_ms` exactly: no gap, no overlap, nothing past the end.
pub fn check_cover(scenes: &[Scene], song_ms: u64) -> Result<(), FieldError> {
    let mut expected = 0;
    for (i, s) in scenes.iter().enumerate() {
        let field = format!("scenes[{i}].timestamps.startMs");
        let t = s.timestamps;
        if t.start_ms > expected {
            return Err(FieldError::new(field, format!("leaves a gap from {expected} ms to {} ms", t.start_ms)));
        }
        if t.start_ms < expected {
            return Err(FieldError::new(field, format!("overlaps the previous scene, which ends at {expected} ms")));
        }
        expected = t.end_ms;
    }
    if expected != song_ms {
        return Err(FieldError::new(
            "scenes",
            format!("must end where the song ends ({song_ms} ms), not at {expected} ms"),
        ));
    }
    Ok(())
}
