//! The script: the story the director and the DIRECTOR model agreed on in the story interview,
//! as ordered beats along the song, with the flaws the model named and how each was resolved.
//! Each proposal is a new script (version 1, 2, … of its conversation); accepting one appends a
//! new revision of it with `acceptedBy`/`acceptedAt`, so nothing the director saw is overwritten.

use crate::schema::{FieldError, Validate, each, rfc3339, rfc3339_opt, text};
use crate::{ConversationId, ProjectId, ScriptId, Timestamps};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod ask;

/// The most beats a script has (a music video is minutes long).
pub const MAX_BEATS: usize = 40;
/// The most flaws one answer or one script names.
pub const MAX_FLAWS: usize = 12;
pub const MAX_BEAT_CHARS: usize = 1000;
pub const MAX_FLAW_CHARS: usize = 1000;

/// What a named flaw is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlawKind {
    /// The story contradicts itself or leaves a hole (who, where, why, how it ends).
    Logic,
    /// The story's mood fights the song's (a storm over a lullaby).
    Atmosphere,
}

/// A flaw the DIRECTOR model named; in a script, with how it was resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flaw {
    pub kind: FlawKind,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
}

impl Validate for Flaw {
    fn validate(&self) -> Result<(), FieldError> {
        text("text", &self.text, MAX_FLAW_CHARS)?;
        match &self.resolution {
            Some(r) => text("resolution", r, MAX_FLAW_CHARS),
            None => Ok(()),
        }
    }
}

/// One step of the story, optionally tied to the Part of the song it plays over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Beat {
    pub summary: String,
    /// The song Part's label, as the analysis names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// That Part's span, filled in by Miri from the analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamps: Option<Timestamps>,
}

impl Validate for Beat {
    fn validate(&self) -> Result<(), FieldError> {
        text("summary", &self.summary, MAX_BEAT_CHARS)?;
        if let Some(part) = &self.part {
            text("part", part, 100)?;
        }
        match &self.timestamps {
            Some(t) => t.validate().map_err(|e| e.within("timestamps")),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Script {
    pub script_id: ScriptId,
    pub project_id: ProjectId,
    /// The story conversation that made it.
    pub conversation_id: ConversationId,
    /// 1 for the conversation's first proposal, then 2, 3, …
    pub version: u32,
    pub title: String,
    pub logline: String,
    pub beats: Vec<Beat>,
    /// Every flaw named on the way, each with its resolution.
    #[serde(default)]
    pub flaws: Vec<Flaw>,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_by: Option<String>,
    #[serde(default, with = "rfc3339_opt", skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<DateTime<Utc>>,
}

impl Script {
    pub fn is_accepted(&self) -> bool {
        self.accepted_at.is_some()
    }

    /// The script as the plot the breakdown follows: title and logline, then each beat with its
    /// Part and span.
    pub fn as_plot(&self) -> String {
        let mut plot = format!("{} — {}", self.title, self.logline);
        for (i, beat) in self.beats.iter().enumerate() {
            plot.push_str(&format!("\n{}.", i + 1));
            if let Some(part) = &beat.part {
                plot.push_str(&format!(" [{part}]"));
            }
            if let Some(t) = beat.timestamps {
                plot.push_str(&format!(" ({}–{} ms)", t.start_ms, t.end_ms));
            }
            plot.push_str(&format!(" {}", beat.summary));
        }
        plot
    }

    /// The revision that records the director's acceptance.
    pub fn accepted(&self, by: &str, at: DateTime<Utc>) -> Script {
        Script { accepted_by: Some(by.to_string()), accepted_at: Some(at), ..self.clone() }
    }
}

impl Validate for Script {
    fn validate(&self) -> Result<(), FieldError> {
        if self.version == 0 {
            return Err(FieldError::new("version", "starts at 1"));
        }
        text("title", &self.title, 200)?;
        text("logline", &self.logline, MAX_BEAT_CHARS)?;
        if self.beats.is_empty() || self.beats.len() > MAX_BEATS {
            return Err(FieldError::new("beats", format!("has {} beats; a script has 1 to {MAX_BEATS}", self.beats.len())));
        }
        each("beats", &self.beats)?;
        let mut last_start = 0;
        for (i, beat) in self.beats.iter().enumerate() {
            if let Some(t) = beat.timestamps {
                if t.start_ms < last_start {
                    return Err(FieldError::new(
                        format!("beats[{i}].timestamps.startMs"),
                        format!("{} ms is before the beat before it ({last_start} ms); beats follow the song in order", t.start_ms),
                    ));
                }
                last_start = t.start_ms;
            }
        }
        if self.flaws.len() > MAX_FLAWS {
            return Err(FieldError::new("flaws", format!("has {} flaws; at most {MAX_FLAWS}", self.flaws.len())));
        }
        each("flaws", &self.flaws)?;
        if let Some(i) = self.flaws.iter().position(|f| f.resolution.is_none()) {
            return Err(FieldError::new(format!("flaws[{i}].resolution"), "say how the flaw was resolved, or why it stays"));
        }
        match (&self.accepted_by, self.accepted_at) {
            (Some(by), Some(_)) => text("acceptedBy", by, 200),
            (None, None) => Ok(()),
            _ => Err(FieldError::new("acceptedAt", "acceptedBy and acceptedAt come together")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::from_json;
    use uuid::Uuid;

    pub(crate) fn script() -> Script {
        Script {
            script_id: ScriptId::from_uuid(Uuid::from_u128(7)),
            project_id: ProjectId::from_uuid(Uuid::nil()),
            conversation_id: ConversationId::from_uuid(Uuid::from_u128(3)),
            version: 1,
            title: "Goodnight".into(),
            logline: "Miri says goodnight to the sea.".into(),
            beats: vec![
                Beat { summary: "She looks out of the window.".into(), part: Some("intro".into()), timestamps: Some(Timestamps { start_ms: 0, end_ms: 9600 }) },
                Beat { summary: "She falls asleep.".into(), part: None, timestamps: None },
            ],
            flaws: vec![Flaw { kind: FlawKind::Logic, text: "Who is with her?".into(), resolution: Some("Her mother.".into()) }],
            created_at: Utc::now(),
            accepted_by: None,
            accepted_at: None,
        }
    }

    #[test]
    fn acceptance_is_a_copy_with_who_and_when_and_round_trips() {
        let s = script();
        s.validate().unwrap();
        let accepted = s.accepted("token:test", Utc::now());
        assert!(accepted.is_accepted() && !s.is_accepted());
        assert_eq!((accepted.script_id, &accepted.beats), (s.script_id, &s.beats));
        let back: Script = from_json(&serde_json::to_string(&accepted).unwrap()).unwrap();
        assert_eq!(back, accepted);
        let unaccepted = serde_json::to_value(&s).unwrap();
        assert!(unaccepted.get("acceptedAt").is_none(), "{unaccepted}");
    }

    #[test]
    fn a_broken_script_names_the_field() {
        let mut s = script();
        s.beats[1].summary = " ".into();
        assert_eq!(s.validate().unwrap_err().field, "beats[1].summary");

        let mut s = script();
        s.beats[1].timestamps = Some(Timestamps { start_ms: 0, end_ms: 100 });
        s.beats[0].timestamps = Some(Timestamps { start_ms: 5000, end_ms: 9600 });
        let err = s.validate().unwrap_err();
        assert_eq!(err.field, "beats[1].timestamps.startMs");
        assert!(err.message.contains("follow the song in order"), "{err}");

        let mut s = script();
        s.flaws[0].resolution = None;
        assert_eq!(s.validate().unwrap_err().field, "flaws[0].resolution");

        let mut s = script();
        s.beats.clear();
        assert!(s.validate().unwrap_err().message.contains("1 to 40"));

        let mut s = script();
        s.accepted_by = Some("token:x".into());
        assert_eq!(s.validate().unwrap_err().field, "acceptedAt");
    }
}
