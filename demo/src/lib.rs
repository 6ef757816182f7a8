//! The bundled demo song: a 72-second lullaby at 100 BPM with original Hebrew lyrics (a child's
//! bedtime prayer), synthesised here from its own score, with its words' timing. It is the
//! offline fixture of the song analysis and the demo: everything about it is known exactly —
//! the tempo, the beat grid from 0, every Part and every sung word — and it sounds the same,
//! sample for sample, on every run.

mod instruments;
mod mix;
mod mp3;
mod score;
mod timing;
mod voice;

pub use mp3::{DemoError, write_mp3};
pub use timing::{Line, Part, PartLabel, Timing, Word};

/// The song's tempo; beat `k` falls at exactly `k · 60 / TEMPO_BPM` seconds.
pub const TEMPO_BPM: f64 = 100.0;
/// Samples per second of [`synthesise`]'s output (two channels, interleaved).
pub const SAMPLE_RATE: u32 = instruments::RATE as u32;

/// The base plot the demo (and the chaos run) brings with the song.
pub const PLOT: &str = "A little girl, Miri, says her bedtime prayer: she thanks for the day and asks for her family to be kept safe, then falls asleep under the stars.";

const LYRICS: &str = include_str!("../song/lyrics.he.txt");
const TIMING: &str = include_str!("../song/timing.json");

/// The lyrics as a director would upload them: one sung line per line, a blank line between
/// sections.
pub fn lyrics() -> &'static str {
    LYRICS
}

/// The tempo, the Parts and when every line and word is sung.
pub fn timing() -> Timing {
    serde_json::from_str(TIMING).expect("song/timing.json is valid (tested)")
}

/// The song as interleaved stereo f32 samples at [`SAMPLE_RATE`], peaking at -1 dBFS.
pub fn synthesise() -> Vec<f32> {
    mix::render(&timing())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{DefaultHasher, Hash, Hasher};

    fn hash(pcm: &[f32]) -> u64 {
        let mut h = DefaultHasher::new();
        pcm.iter().for_each(|s| s.to_bits().hash(&mut h));
        h.finish()
    }

    #[test]
    fn synthesis_is_deterministic_long_enough_and_never_clips() {
        let (first, second) = (synthesise(), synthesise());
        assert_eq!(hash(&first), hash(&second));
        let t = timing();
        assert_eq!(
            first.len() as u64,
            t.duration_ms * u64::from(SAMPLE_RATE) / 1000 * 2
        );
        let peak = first.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(peak <= 1.0 && peak > 0.8, "peak {peak}");
    }

    #[test]
    fn the_chorus_is_louder_than_the_intro() {
        let pcm = synthesise();
        let t = timing();
        let rms = |p: &Part| {
            let span =
                &pcm[(p.start_ms * 88_200 / 1000) as usize..(p.end_ms * 88_200 / 1000) as usize];
            (span.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / span.len() as f64).sqrt()
        };
        let part = |label| t.parts.iter().find(|p| p.label == label).unwrap();
        let (intro, chorus) = (rms(part(PartLabel::Intro)), rms(part(PartLabel::Chorus)));
        assert!(
            chorus > 1.5 * intro,
            "intro {intro:.3} chorus {chorus:.3} RMS"
        );
    }
}
