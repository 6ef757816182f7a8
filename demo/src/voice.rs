//! The singer: one note per word, a sawtooth (the glottis) through three resonant band-passes
//! at a vowel's formants (the mouth), with a vibrato that grows as the note is held. It starts
//! sharply at the word's first millisecond, so its onsets are where `timing.json` says.

use crate::instruments::{RATE, envelope};
use crate::score::hz;
use std::f64::consts::TAU;

/// A sung vowel: its first three formants (Hz) and their levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vowel([(f64, f64); 3]);

const A: Vowel = Vowel([(800.0, 1.0), (1150.0, 0.6), (2900.0, 0.25)]);
const E: Vowel = Vowel([(400.0, 1.0), (1700.0, 0.45), (2600.0, 0.25)]);
const O: Vowel = Vowel([(450.0, 1.0), (800.0, 0.7), (2830.0, 0.15)]);

impl Vowel {
    /// A rough guess from unpointed Hebrew: vav is mostly o/u, yod mostly i/e, else a.
    pub fn of(word: &str) -> Self {
        if word.contains('ו') {
            O
        } else if word.contains('י') {
            E
        } else {
            A
        }
    }
}

/// A band-pass biquad (constant 0 dB peak), one formant.
struct Resonator {
    b0: f64,
    a1: f64,
    a2: f64,
    x: [f64; 2],
    y: [f64; 2],
}

impl Resonator {
    fn new(center_hz: f64, bandwidth_hz: f64) -> Self {
        let w = TAU * center_hz / RATE;
        let alpha = w.sin() * bandwidth_hz / (2.0 * center_hz);
        let a0 = 1.0 + alpha;
        Self {
            b0: alpha / a0,
            a1: -2.0 * w.cos() / a0,
            a2: (1.0 - alpha) / a0,
            x: [0.0; 2],
            y: [0.0; 2],
        }
    }

    fn run(&mut self, x: f64) -> f64 {
        let y = self.b0 * (x - self.x[1]) - self.a1 * self.y[0] - self.a2 * self.y[1];
        self.x = [x, self.x[0]];
        self.y = [y, self.y[0]];
        y
    }
}

/// The formants' band-passes pass a sawtooth's harmonics at about a fifth of its level; this
/// brings a sung note up beside the band.
const MAKEUP: f64 = 4.0;

/// `seconds` of `midi` sung on `vowel`.
pub fn sing(midi: u8, seconds: f64, vowel: Vowel, gain: f64) -> Vec<f64> {
    let len = (seconds * RATE).round() as usize;
    let mut formants: Vec<(Resonator, f64)> = vowel
        .0
        .iter()
        .map(|&(f, level)| (Resonator::new(f, 80.0 + f / 20.0), level))
        .collect();
    let mut phase = 0.0;
    (0..len)
        .map(|i| {
            let t = i as f64 / RATE;
            // Vibrato of ±0.3 semitone at 5.5 Hz, grown in over the note's first 0.3 s.
            let depth = 0.3 * ((t - 0.1) / 0.2).clamp(0.0, 1.0);
            phase = (phase + hz(f64::from(midi) + depth * (TAU * 5.5 * t).sin()) / RATE).fract();
            let source = 2.0 * phase - 1.0;
            let voiced: f64 = formants
                .iter_mut()
                .map(|(r, level)| *level * r.run(source))
                .sum();
            gain * MAKEUP * voiced * envelope(i, len, 0.015, 0.08)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rms(x: &[f64]) -> f64 {
        (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64).sqrt()
    }

    #[test]
    fn a_note_is_loud_within_30_ms_of_its_start_and_silent_at_its_end() {
        let note = sing(67, 0.6, A, 1.0);
        let ms = |m: f64| (m / 1000.0 * RATE) as usize;
        assert_eq!(note.len(), ms(600.0));
        assert!(rms(&note[ms(30.0)..ms(60.0)]) > 0.5 * rms(&note[ms(200.0)..ms(400.0)]));
        assert!(note[note.len() - 1].abs() < 0.01);
    }

    #[test]
    fn vowels_come_from_the_letters() {
        assert_eq!(Vowel::of("שומרים"), O);
        assert_eq!(Vowel::of("איתי"), E);
        assert_eq!(Vowel::of("הים"), E);
        assert_eq!(Vowel::of("בשקט"), A);
    }
}
