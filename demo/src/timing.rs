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

    /// The lyrics in enhanced LRC — `[mm:ss.xx] <mm:ss.xx> word <mm:ss.xx> word …` per line, a
    /// blank line where the Part changes — for a director who has the timing to give it.
    pub fn timed_lyrics(&self) -> String {
        let stamp = |ms: u64| format!("{:02}:{:05.2}", ms / 60_000, (ms % 60_000) as f64 / 1000.0);
        let mut out = String::new();
        let mut part = None;
        for line in &self.lines {
            let here = self.part_at(line.start_ms).start_ms;
            if part.is_some_and(|p| p != here) {
                out.push('\n');
            }
            part = Some(here);
            let words: Vec<String> = line.words.iter().map(|w| format!("<{}> {}", stamp(w.start_ms), w.text)).collect();
            out.push_str(&format!("[{}] {}\n", stamp(line.start_ms), words.join(" ")));
        }
        out
    }

    /// Milliseconds from one beat to the next.
    pub fn beat_ms(&self) -> f64 {
        60_000.0 / self.tempo_bpm
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn timed_lyrics_stamp_every_line_and_word_and_keep_the_sections() {
        let t = crate::timing();
        let lrc = t.timed_lyrics();
        let first = &t.lines[0];
        assert!(lrc.starts_with(&format!("[00:{:05.2}] <00:{:05.2}> {}", first.start_ms as f64 / 1000.0, first.start_ms as f64 / 1000.0, first.words[0].text)), "{lrc}");
        assert_eq!(lrc.lines().filter(|l| l.starts_with('[')).count(), t.lines.len());
        assert_eq!(lrc.matches('<').count(), t.words().count());
        assert_eq!(lrc.split("\n\n").count(), crate::lyrics().trim().split("\n\n").count(), "a section per lyric section");
    }

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
