//! What Miri measures in the song itself before a model hears it: the beat grid, the onsets and
//! the loudness and brightness of each beat. The model's Parts and Moments are snapped onto this
//! grid and their measurable metrics are computed from it, so tempo and loudness in the table are
//! measured, never guessed; the model contributes only what needs ears (labels, words, mood).

use crate::analysis::Rhythm;
use crate::Timestamps;
use crate::timeline::nearest;
use serde::{Deserialize, Serialize};

/// How far a model's timestamp may be moved onto a beat or onset.
pub const SNAP_TOLERANCE_MS: u64 = 150;

/// An onset this close to a beat makes the beat felt.
const FELT_WITHIN_MS: u64 = 70;

/// The song's local features, as the analysis activity measured them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SongFeatures {
    pub song_sha256: String,
    pub duration_ms: u64,
    /// 0 when the song has no steady beat.
    pub tempo_bpm: f64,
    pub beats_ms: Vec<u64>,
    pub onsets_ms: Vec<u64>,
    /// Loudness and brightness per beat (per fixed window when there is no beat), in order.
    pub segments: Vec<Loudness>,
    /// Why there is no beat grid, when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_beat: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Loudness {
    pub start_ms: u64,
    pub end_ms: u64,
    /// RMS level in dBFS (≤ 0).
    pub loudness_db: f64,
    /// 0 dark – 1 bright (see [`brightness_of`]).
    pub brightness: f64,
}

/// Spectral centroid in Hz as 0–1 brightness: log-scaled between 150 Hz (a dull bass line) and
/// 6 kHz (cymbals and sibilants), where the centroids of music lie.
pub fn brightness_of(centroid_hz: f64) -> f64 {
    if centroid_hz <= 0.0 {
        return 0.0;
    }
    ((centroid_hz / 150.0).ln() / (6000.0_f64 / 150.0).ln()).clamp(0.0, 1.0)
}

impl SongFeatures {
    /// `ms` moved to the nearest beat, onset, or the song's start or end within `tolerance_ms`;
    /// unchanged when none is that close. Past the end is clamped to the end.
    pub fn snap(&self, ms: u64, tolerance_ms: u64) -> u64 {
        let ms = ms.min(self.duration_ms);
        let anchors = [0, self.duration_ms];
        let nearest = nearest(&self.beats_ms, ms)
            .into_iter()
            .chain(nearest(&self.onsets_ms, ms))
            .chain(anchors)
            .min_by_key(|&a| (a.abs_diff(ms), a));
        match nearest {
            Some(a) if a.abs_diff(ms) <= tolerance_ms => a,
            _ => ms,
        }
    }

    /// Tempo, beat strength and onset density measured over `span`.
    pub fn rhythm(&self, span: Timestamps) -> Rhythm {
        let beats = inside(&self.beats_ms, span);
        let onsets = inside(&self.onsets_ms, span);
        let tempo_bpm = local_tempo(beats).unwrap_or(self.tempo_bpm);
        let felt = beats
            .iter()
            .filter(|&&b| nearest(&self.onsets_ms, b).is_some_and(|o| o.abs_diff(b) <= FELT_WITHIN_MS))
            .count();
        let beat_strength = if beats.is_empty() { 0.0 } else { felt as f64 / beats.len() as f64 };
        let seconds = span.duration_ms().max(1) as f64 / 1000.0;
        Rhythm { tempo_bpm, beat_strength, onset_density: (onsets.len() as f64 / seconds).min(50.0) }
    }

    /// Loudness (dBFS, power-averaged) and brightness (time-averaged) over `span`.
    pub fn loudness(&self, span: Timestamps) -> (f64, f64) {
        let (mut power, mut bright, mut total) = (0.0, 0.0, 0.0);
        for s in &self.segments {
            let overlap = s.end_ms.min(span.end_ms).saturating_sub(s.start_ms.max(span.start_ms)) as f64;
            if overlap > 0.0 {
                power += overlap * 10f64.powf(s.loudness_db / 10.0);
                bright += overlap * s.brightness;
                total += overlap;
            }
        }
        if total == 0.0 {
            return (-120.0, 0.0);
        }
        ((10.0 * (power / total).log10()).clamp(-120.0, 0.0), (bright / total).clamp(0.0, 1.0))
    }
}

/// The elements of sorted `grid` in `[start, end)`.
fn inside(grid: &[u64], span: Timestamps) -> &[u64] {
    let from = grid.partition_point(|&g| g < span.start_ms);
    let to = grid.partition_point(|&g| g < span.end_ms);
    &grid[from..to.max(from)]
}

/// 60 000 over the median gap between consecutive beats, when there are at least two gaps and
/// the result is a tempo the table accepts.
fn local_tempo(beats: &[u64]) -> Option<f64> {
    let mut gaps: Vec<u64> = beats.windows(2).map(|w| w[1] - w[0]).filter(|&g| g > 0).collect();
    if gaps.len() < 2 {
        return None;
    }
    gaps.sort_unstable();
    let tempo = 60_000.0 / gaps[gaps.len() / 2] as f64;
    (20.0..=320.0).contains(&tempo).then_some(tempo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn song() -> SongFeatures {
        SongFeatures {
            song_sha256: "0".repeat(64),
            duration_ms: 10_000,
            tempo_bpm: 120.0,
            beats_ms: (0..20).map(|k| k * 500).collect(),
            onsets_ms: vec![0, 500, 1000, 1730, 2500],
            segments: (0..20)
                .map(|k| Loudness { start_ms: k * 500, end_ms: k * 500 + 500, loudness_db: if k < 10 { -20.0 } else { -10.0 }, brightness: 0.5 })
                .collect(),
            no_beat: None,
        }
    }

    #[test]
    fn snaps_to_the_nearest_beat_or_onset_within_the_tolerance_only() {
        let s = song();
        assert_eq!(s.snap(1040, 150), 1000);
        assert_eq!(s.snap(1700, 150), 1730, "the onset at 1730 is nearer than the beat at 1500");
        assert_eq!(s.snap(1250, 150), 1250, "250 ms from any anchor stays put");
        assert_eq!(s.snap(9_950, 150), 10_000, "the song's end is an anchor");
        assert_eq!(s.snap(12_000, 150), 10_000, "past the end is clamped");
    }

    #[test]
    fn rhythm_is_measured_over_the_span() {
        let r = song().rhythm(Timestamps { start_ms: 0, end_ms: 3000 });
        assert_eq!(r.tempo_bpm, 120.0);
        // Beats 0, 500, 1000, 1500, 2000, 2500; onsets within 70 ms of 0, 500, 1000, 2500.
        assert!((r.beat_strength - 4.0 / 6.0).abs() < 1e-9, "{}", r.beat_strength);
        assert!((r.onset_density - 5.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn loudness_averages_power_not_decibels() {
        let (db, bright) = song().loudness(Timestamps { start_ms: 4000, end_ms: 6000 });
        // Half at −20 dB, half at −10 dB: 10·log10((0.01 + 0.1) / 2) ≈ −12.6 dB.
        assert!((db - (-12.596)).abs() < 0.01, "{db}");
        assert_eq!(bright, 0.5);
    }

    #[test]
    fn brightness_is_log_scaled_between_dull_and_bright() {
        assert_eq!(brightness_of(0.0), 0.0);
        assert_eq!(brightness_of(150.0), 0.0);
        assert_eq!(brightness_of(6000.0), 1.0);
        assert!((brightness_of(948.7) - 0.5).abs() < 0.01);
    }
}
