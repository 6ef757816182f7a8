//! The song's timing as a director's tools would know it: the tempo, the Parts and every sung
//! line and word with its span. `song/timing.json` is the one record of when things happen; the
//! synthesiser reads it to place the sections and the sung notes, so what is heard and what the
//! file says cannot drift apart.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timing {
    pub tempo_bpm: f64,
    pub duration_ms: u64,
    /// Consecutive, covering `0..duration_ms`.
    pub parts: Vec<Part>,
    /// The lyrics file's lines, in order.
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartLabel {
    Intro,
    Verse,
    Chorus,
    Bridge,
    Outro,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    pub label: PartLabel,
    pub start_ms: u64,
    pub end_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    pub start_ms: u64,
    pub end_ms: u64,
    pub text: String,
    pub words: Vec<Word>,
}

/// One sung word: the voice sings one note over exactly this span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Word {
    pub start_ms: u64,
    pub end_ms: u64,
    pub text: String,
}

impl Timing {
    /// The Part playing at `ms` (the last one for the song's very end).
    pub fn part_at(&self, ms: u64) -> &Part {
        self.parts
            .iter()
            .find(|p| ms < p.end_ms)
            .unwrap_or_else(|| self.parts.last().expect("the song has parts"))
    }

    pub fn words(&self) -> impl Iterator<Item = &Word> {
        self.lines.iter().flat_map(|l| &l.words)
    }

    /// Milliseconds from one beat to the next.
    pub fn beat_ms(&self) -> f64 {
        60_000.0 / self.tempo_bpm
    }
}

#[cfg(test)]
mod tests {
    use crate::{TEMPO_BPM, lyrics, timing};

    #[test]
    fn parts_cover_the_song_without_gaps_or_overlaps() {
        let t = timing();
        assert!(
            (60_000..=90_000).contains(&t.duration_ms),
            "{} ms",
            t.duration_ms
        );
        assert_eq!(t.parts.first().map(|p| p.start_ms), Some(0));
        assert_eq!(t.parts.last().map(|p| p.end_ms), Some(t.duration_ms));
        for pair in t.parts.windows(2) {
            assert_eq!(pair[0].end_ms, pair[1].start_ms, "{pair:?}");
        }
        assert!(t.parts.iter().all(|p| p.start_ms < p.end_ms));
    }

    #[test]
    fn lines_and_words_are_sorted_disjoint_and_inside_each_other() {
        let t = timing();
        for pair in t.lines.windows(2) {
            assert!(
                pair[0].end_ms <= pair[1].start_ms,
                "{:?} overlaps {:?}",
                pair[0].text,
                pair[1].text
            );
        }
        for line in &t.lines {
            assert!(
                line.start_ms < line.end_ms && line.end_ms <= t.duration_ms,
                "{line:?}"
            );
            assert!(!line.words.is_empty(), "{:?}", line.text);
            for w in &line.words {
                assert!(
                    line.start_ms <= w.start_ms && w.start_ms < w.end_ms && w.end_ms <= line.end_ms,
                    "{w:?} in {:?}",
                    line.text
                );
            }
            for pair in line.words.windows(2) {
                assert!(pair[0].end_ms <= pair[1].start_ms, "{pair:?}");
            }
            let words: Vec<&str> = line.words.iter().map(|w| w.text.as_str()).collect();
            assert_eq!(words.join(" "), line.text);
        }
    }

    #[test]
    fn words_start_and_end_on_the_eighth_note_grid() {
        let t = timing();
        assert_eq!(t.tempo_bpm, TEMPO_BPM);
        let eighth = t.beat_ms() / 2.0;
        for w in t.words() {
            for ms in [w.start_ms, w.end_ms] {
                let steps = ms as f64 / eighth;
                assert!(
                    (steps - steps.round()).abs() < 1e-9,
                    "{w:?} is off the grid at {ms} ms"
                );
            }
        }
    }

    #[test]
    fn line_texts_are_the_lyrics_lines_in_order() {
        let sung: Vec<&str> = lyrics().lines().filter(|l| !l.trim().is_empty()).collect();
        let t = timing();
        let timed: Vec<&str> = t.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(sung, timed);
    }

    #[test]
    fn the_lyrics_are_hebrew_lines_in_sections() {
        let text = lyrics();
        assert!(text.ends_with('\n') && !text.contains("\n\n\n"));
        let hebrew = |c: char| ('\u{05D0}'..='\u{05EA}').contains(&c);
        for line in text.lines().filter(|l| !l.is_empty()) {
            assert!(line.chars().all(|c| hebrew(c) || c == ' '), "{line:?}");
        }
        assert_eq!(
            text.split("\n\n").count(),
            4,
            "verse, chorus, bridge, chorus"
        );
    }
}
