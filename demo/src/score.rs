//! What is played, apart from when words are sung (that is `timing.json`): a chord per bar, a
//! note per sung word, and how full each kind of Part is arranged. A lullaby in C major, four
//! beats to the bar.

use crate::timing::PartLabel;

pub const BEATS_PER_BAR: usize = 4;

/// A triad as MIDI notes in root position, between C3 and E4 (the pad's register); the bass
/// plays the root an octave lower.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chord {
    pub root: u8,
    pub third: u8,
    pub fifth: u8,
}

const C: Chord = Chord {
    root: 48,
    third: 52,
    fifth: 55,
};
const DM: Chord = Chord {
    root: 50,
    third: 53,
    fifth: 57,
};
const F: Chord = Chord {
    root: 53,
    third: 57,
    fifth: 60,
};
const G: Chord = Chord {
    root: 55,
    third: 59,
    fifth: 62,
};
const AM: Chord = Chord {
    root: 57,
    third: 60,
    fifth: 64,
};

/// One chord per bar, bar 0 first: intro 4, verse 8, chorus 8, bridge 4, chorus 4, outro 2.
pub const CHORDS: [Chord; 30] = [
    C, G, AM, F, // intro
    C, G, AM, F, C, G, F, G, // verse
    F, C, G, AM, F, C, G, C, // chorus
    AM, F, DM, G, // bridge
    F, C, G, C, // chorus
    F, C, // outro
];

/// The sung note (MIDI) of each word, line by line as in `timing.json`: the melody keeps to
/// the chord tones of its bar and rises for the chorus.
pub const MELODY: [&[u8]; 12] = [
    &[64, 67, 67, 69, 67],
    &[64, 60, 64, 65],
    &[67, 67, 64, 62],
    &[65, 65, 64, 62],
    &[72, 69, 69, 67],
    &[71, 71, 67, 67, 69],
    &[69, 72, 67],
    &[67, 62, 60],
    &[64, 60, 64, 69, 69],
    &[65, 62, 65, 67],
    &[72, 69, 69, 67],
    &[67, 62, 60],
];

/// How full a Part is played: the intro is a pad over a kick and quarter hi-hats, the verse adds
/// the snare and the bass, the chorus is loudest and brightest with the bass on eighths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrangement {
    pub kick: f64,
    /// 0 leaves the snare out.
    pub snare: f64,
    pub hat: f64,
    /// Hi-hats between the beats too.
    pub hat_eighths: bool,
    /// 0 leaves the bass out.
    pub bass: f64,
    /// Bass notes per bar.
    pub bass_notes: usize,
    pub pad: f64,
    /// The pad's low-pass cutoff: its brightness.
    pub pad_cutoff_hz: f64,
    pub voice: f64,
}

impl Arrangement {
    pub fn of(label: PartLabel) -> Self {
        let base = Arrangement {
            kick: 0.8,
            snare: 0.45,
            hat: 0.12,
            hat_eighths: true,
            bass: 0.35,
            bass_notes: 2,
            pad: 0.10,
            pad_cutoff_hz: 1400.0,
            voice: 0.55,
        };
        match label {
            PartLabel::Intro => Arrangement {
                kick: 0.6,
                snare: 0.0,
                hat_eighths: false,
                bass: 0.0,
                pad_cutoff_hz: 800.0,
                ..base
            },
            PartLabel::Verse => base,
            PartLabel::Chorus => Arrangement {
                kick: 1.0,
                snare: 0.65,
                hat: 0.18,
                bass: 0.4,
                bass_notes: 8,
                pad: 0.13,
                pad_cutoff_hz: 3200.0,
                voice: 0.7,
                ..base
            },
            PartLabel::Bridge => Arrangement {
                kick: 0.7,
                snare: 0.3,
                hat: 0.09,
                bass_notes: 1,
                pad_cutoff_hz: 1000.0,
                ..base
            },
            PartLabel::Outro => Arrangement {
                kick: 0.5,
                snare: 0.0,
                hat: 0.08,
                hat_eighths: false,
                bass: 0.0,
                pad_cutoff_hz: 700.0,
                ..base
            },
        }
    }
}

/// The frequency of a MIDI note, A4 = 440 Hz.
pub fn hz(midi: f64) -> f64 {
    440.0 * 2f64.powf((midi - 69.0) / 12.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timing;

    #[test]
    fn one_chord_per_bar_and_one_note_per_word() {
        let t = timing();
        let bar_ms = t.beat_ms() * BEATS_PER_BAR as f64;
        assert_eq!(CHORDS.len() as f64 * bar_ms, t.duration_ms as f64);
        assert_eq!(MELODY.len(), t.lines.len());
        for (notes, line) in MELODY.iter().zip(&t.lines) {
            assert_eq!(notes.len(), line.words.len(), "{:?}", line.text);
        }
    }

    #[test]
    fn parts_start_on_bar_lines() {
        let t = timing();
        let bar_ms = t.beat_ms() * BEATS_PER_BAR as f64;
        for p in &t.parts {
            assert_eq!(
                (p.start_ms as f64 % bar_ms, p.end_ms as f64 % bar_ms),
                (0.0, 0.0),
                "{p:?}"
            );
        }
    }

    #[test]
    fn the_chorus_is_fuller_and_brighter_than_the_intro() {
        let (intro, chorus) = (
            Arrangement::of(PartLabel::Intro),
            Arrangement::of(PartLabel::Chorus),
        );
        assert!(chorus.kick > intro.kick && chorus.snare > intro.snare && chorus.bass > intro.bass);
        assert!(chorus.pad_cutoff_hz > intro.pad_cutoff_hz);
        assert_eq!(hz(69.0), 440.0);
    }
}
