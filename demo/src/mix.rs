//! The arrangement played into a stereo buffer: drums on the beat grid, a pad and a bass per
//! bar, the voice on every word of `timing.json`, each Part as full as its [`Arrangement`]
//! says; then the whole scaled so its peak sits at -1 dBFS.

use crate::instruments::{self, Noise, RATE};
use crate::score::{Arrangement, BEATS_PER_BAR, CHORDS, MELODY, hz};
use crate::timing::Timing;
use crate::voice::{Vowel, sing};

/// The peak of the finished song: -1 dBFS, headroom for the MP3 encoder's overshoot.
const PEAK: f64 = 0.89;
/// The pad's two layers are detuned by this much either way, one per side: a wide chorus.
const DETUNE_SEMITONES: f64 = 0.06;

struct Stereo {
    left: Vec<f64>,
    right: Vec<f64>,
}

impl Stereo {
    fn silence(timing: &Timing) -> Self {
        let frames = frame(timing.duration_ms as f64 / 1000.0);
        Self {
            left: vec![0.0; frames],
            right: vec![0.0; frames],
        }
    }

    /// Adds `sound` from frame `start`, `pan` from -1 (left) to 1 (right); what runs past the
    /// song's end is cut.
    fn add(&mut self, start: usize, sound: &[f64], pan: f64) {
        let (l, r) = ((1.0 - pan).min(1.0), (1.0 + pan).min(1.0));
        let end = (start + sound.len()).min(self.left.len());
        for (i, s) in (start..end).zip(sound) {
            self.left[i] += l * s;
            self.right[i] += r * s;
        }
    }
}

/// The frame at `seconds` (beats at 100 BPM fall on whole frames: 0.6 s is 26 460 of them).
fn frame(seconds: f64) -> usize {
    (seconds * RATE).round() as usize
}

/// The song as interleaved stereo samples at [`RATE`].
pub fn render(timing: &Timing) -> Vec<f32> {
    let mut song = Stereo::silence(timing);
    band(timing, &mut song);
    voice(timing, &mut song);
    let peak = song
        .left
        .iter()
        .chain(&song.right)
        .fold(0.0f64, |m, s| m.max(s.abs()));
    let scale = if peak > 0.0 { PEAK / peak } else { 0.0 };
    song.left
        .iter()
        .zip(&song.right)
        .flat_map(|(l, r)| [(l * scale) as f32, (r * scale) as f32])
        .collect()
}

fn arrangement(timing: &Timing, seconds: f64) -> Arrangement {
    Arrangement::of(timing.part_at((seconds * 1000.0).round() as u64).label)
}

/// Drums on every beat, a pad and a bass line per bar.
fn band(timing: &Timing, song: &mut Stereo) {
    let beat_s = timing.beat_ms() / 1000.0;
    let bar_s = beat_s * BEATS_PER_BAR as f64;
    let mut noise = Noise::new(0x6d69_7269);

    let beats = (timing.duration_ms as f64 / timing.beat_ms()).round() as usize;
    for beat in 0..beats {
        let at = beat as f64 * beat_s;
        let a = arrangement(timing, at);
        // Kick on 1 and 3, snare on 2 and 4: every beat has a hit.
        if beat % 2 == 0 {
            song.add(frame(at), &instruments::kick(a.kick), 0.0);
        } else if a.snare > 0.0 {
            song.add(frame(at), &instruments::snare(a.snare, &mut noise), -0.15);
        }
        song.add(frame(at), &instruments::hat(a.hat, &mut noise), 0.3);
        // The off-beat hi-hat is softer, so the pulse stays on the beat.
        if a.hat_eighths {
            song.add(
                frame(at + beat_s / 2.0),
                &instruments::hat(0.6 * a.hat, &mut noise),
                0.3,
            );
        }
    }

    for (bar, chord) in CHORDS.iter().enumerate() {
        let at = bar as f64 * bar_s;
        let a = arrangement(timing, at);
        for note in [chord.root, chord.third, chord.fifth].map(f64::from) {
            for side in [-1.0, 1.0] {
                song.add(
                    frame(at),
                    &instruments::pad(
                        hz(note + side * DETUNE_SEMITONES),
                        bar_s,
                        a.pad_cutoff_hz,
                        a.pad,
                    ),
                    0.6 * side,
                );
            }
        }
        if a.bass > 0.0 {
            let length = bar_s / a.bass_notes as f64;
            let note = instruments::bass(hz(f64::from(chord.root) - 12.0), length, a.bass);
            for n in 0..a.bass_notes {
                song.add(frame(at + n as f64 * length), &note, 0.0);
            }
        }
    }
}

/// One sung note per word, over exactly the word's span.
fn voice(timing: &Timing, song: &mut Stereo) {
    for (line, notes) in timing.lines.iter().zip(MELODY) {
        for (word, &note) in line.words.iter().zip(notes) {
            let (start, end) = (word.start_ms as f64 / 1000.0, word.end_ms as f64 / 1000.0);
            song.add(
                frame(start),
                &sing(
                    note,
                    end - start,
                    Vowel::of(&word.text),
                    arrangement(timing, start).voice,
                ),
                0.0,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timing;

    fn rms(x: &[f64]) -> f64 {
        (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64).sqrt()
    }

    /// The voice alone: silent in the 3 ms before every word, sounding within 30 ms of its start —
    /// the placement the analysis's onsets are checked against (`tests/mp3.rs`), here without
    /// the drums that hit on most of the same instants.
    #[test]
    fn the_voice_starts_a_note_at_every_word() {
        let t = timing();
        let mut song = Stereo::silence(&t);
        voice(&t, &mut song);
        let at = |ms: u64| frame(ms as f64 / 1000.0);
        for w in t.words() {
            let body = rms(&song.left[at(w.start_ms + 100)..at(w.end_ms - 100)]);
            let head = rms(&song.left[at(w.start_ms + 10)..at(w.start_ms + 30)]);
            let before = rms(&song.left[at(w.start_ms) - at(3)..at(w.start_ms)]);
            assert!(
                head > 0.5 * body && before < 0.05 * body,
                "{w:?}: before {before:.4}, first 30 ms {head:.4}, body {body:.4}"
            );
        }
    }
}
