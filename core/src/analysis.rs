//! The song analysis: macro Parts (intro, verse, chorus, …) and micro Moments of two or three
//! words, each with its span and rhythm and atmosphere metrics. Shots are cut on Moments, so a
//! Moment that does not sit inside its Part, or a Part that overlaps the next, is refused here.

use crate::schema::{FieldError, Validate, each, rfc3339, text, within};
use crate::{AnalysisId, ProjectId, Timestamps};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod ask;
pub mod features;

pub use features::SongFeatures;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rhythm {
    /// 0 when the span has no steady beat.
    pub tempo_bpm: f64,
    /// How strongly the beat is felt, 0–1.
    pub beat_strength: f64,
    /// Onsets per second.
    pub onset_density: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Atmosphere {
    /// 0 calm – 1 intense.
    pub energy: f64,
    /// −1 sad – 1 joyful.
    pub valence: f64,
    /// Spectral brightness, 0 dark – 1 bright.
    pub brightness: f64,
    /// Loudness in dBFS (≤ 0).
    pub loudness_db: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    pub label: String,
    pub timestamps: Timestamps,
    pub rhythm: Rhythm,
    pub atmosphere: Atmosphere,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Moment {
    pub timestamps: Timestamps,
    /// The two or three words sung in it.
    pub words: String,
    /// Index of the Part it belongs to.
    pub part: usize,
    pub rhythm: Rhythm,
    pub atmosphere: Atmosphere,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    pub analysis_id: AnalysisId,
    pub project_id: ProjectId,
    /// The analysed song's content hash.
    pub song_sha256: String,
    pub duration_ms: u64,
    pub parts: Vec<Part>,
    pub moments: Vec<Moment>,
    /// The beat grid and onsets measured in the song (absent from analyses made before they
    /// were kept), for the render report's cut sync.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub beats_ms: Vec<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub onsets_ms: Vec<u64>,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl Validate for Rhythm {
    fn validate(&self) -> Result<(), FieldError> {
        if self.tempo_bpm != 0.0 {
            within("tempoBpm", self.tempo_bpm, 20.0..=320.0)?;
        }
        within("beatStrength", self.beat_strength, 0.0..=1.0)?;
        within("onsetDensity", self.onset_density, 0.0..=50.0)
    }
}

impl Validate for Atmosphere {
    fn validate(&self) -> Result<(), FieldError> {
        within("energy", self.energy, 0.0..=1.0)?;
        within("valence", self.valence, -1.0..=1.0)?;
        within("brightness", self.brightness, 0.0..=1.0)?;
        within("loudnessDb", self.loudness_db, -120.0..=0.0)
    }
}

impl Validate for Part {
    fn validate(&self) -> Result<(), FieldError> {
        text("label", &self.label, 100)?;
        self.timestamps.validate().map_err(|e| e.within("timestamps"))?;
        self.rhythm.validate().map_err(|e| e.within("rhythm"))?;
        self.atmosphere.validate().map_err(|e| e.within("atmosphere"))
    }
}

impl Validate for Moment {
    fn validate(&self) -> Result<(), FieldError> {
        self.timestamps.validate().map_err(|e| e.within("timestamps"))?;
        let n = self.words.split_whitespace().count();
        if !(2..=3).contains(&n) && !unspaced_phrase(&self.words) {
            return Err(FieldError::new("words", format!("a Moment is two or three words, not {n}")));
        }
        self.rhythm.validate().map_err(|e| e.within("rhythm"))?;
        self.atmosphere.validate().map_err(|e| e.within("atmosphere"))
    }
}

/// Chinese, Japanese, Thai, Lao, Khmer and Burmese are written without spaces between words: a
/// Moment in them is one run of 2–12 characters of those scripts (two or three words' worth).
fn unspaced_phrase(words: &str) -> bool {
    let unspaced = |c: char| {
        matches!(c as u32,
            0x0E00..=0x0EFF | 0x1000..=0x109F | 0x1780..=0x17FF | 0x3040..=0x30FF | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F)
    };
    let text = words.trim();
    let n = text.chars().filter(|c| !c.is_ascii_punctuation() && !"、。，！？".contains(*c)).count();
    !text.contains(char::is_whitespace) && (2..=12).contains(&n) && text.chars().filter(|c| c.is_alphanumeric()).all(unspaced)
}

impl Validate for Analysis {
    fn validate(&self) -> Result<(), FieldError> {
        if self.song_sha256.len() != 64 || !self.song_sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(FieldError::new("songSha256", "must be 64 hex digits"));
        }
        each("parts", &self.parts)?;
        each("moments", &self.moments)?;
        for (i, pair) in self.parts.windows(2).enumerate() {
            if pair[1].timestamps.start_ms < pair[0].timestamps.end_ms {
                return Err(FieldError::new(format!("parts[{}].timestamps.startMs", i + 1), "overlaps the previous Part"));
            }
        }
        if let Some(last) = self.parts.last().filter(|p| p.timestamps.end_ms > self.duration_ms) {
            return Err(FieldError::new(
                format!("parts[{}].timestamps.endMs", self.parts.len() - 1),
                format!("ends at {} ms, after the song ({} ms)", last.timestamps.end_ms, self.duration_ms),
            ));
        }
        for (i, m) in self.moments.iter().enumerate() {
            let Some(part) = self.parts.get(m.part) else {
                return Err(FieldError::new(format!("moments[{i}].part"), format!("there is no Part {}", m.part)));
            };
            let (p, t) = (part.timestamps, m.timestamps);
            if t.start_ms < p.start_ms || t.end_ms > p.end_ms {
                return Err(FieldError::new(
                    format!("moments[{i}].timestamps"),
                    format!("{}–{} ms is outside its Part ({}–{} ms)", t.start_ms, t.end_ms, p.start_ms, p.end_ms),
                ));
            }
        }
        for (i, pair) in self.moments.windows(2).enumerate() {
            if pair[1].timestamps.start_ms < pair[0].timestamps.end_ms {
                return Err(FieldError::new(format!("moments[{}].timestamps.startMs", i + 1), "overlaps the previous Moment"));
            }
        }
        Ok(())
    }
}
