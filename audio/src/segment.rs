//! Loudness and brightness per segment of the song (per beat, by default): the RMS level in
//! dBFS of the samples in it and the spectral centroid of its frames, pooled so a loud frame
//! counts for more than a quiet one.

use crate::frames::Frame;
use serde::Serialize;

/// The level reported for a segment without any signal.
pub const FLOOR_DBFS: f64 = -120.0;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Segment {
    pub start_ms: u64,
    pub end_ms: u64,
    pub rms_dbfs: f64,
    pub centroid_hz: f64,
}

/// One segment per pair of consecutive `bounds_ms` (ascending), from the frames whose centres
/// fall inside it; `frame_rate` frames a second of `hop` samples each.
pub fn measure(frames: &[Frame], frame_rate: f64, hop: usize, bounds_ms: &[u64]) -> Vec<Segment> {
    let frame_of = |ms: u64| ((ms as f64 / 1000.0 * frame_rate).round() as usize).min(frames.len());
    bounds_ms
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| {
            let part = &frames[frame_of(w[0])..frame_of(w[1])];
            let energy: f64 = part.iter().map(|f| f.energy).sum();
            let samples = (part.len() * hop) as f64;
            let rms_dbfs = if energy > 0.0 { (10.0 * (energy / samples).log10()).max(FLOOR_DBFS) } else { FLOOR_DBFS };
            let (num, den) = part.iter().fold((0.0, 0.0), |(n, d), f| (n + f.centroid_num, d + f.centroid_den));
            Segment { start_ms: w[0], end_ms: w[1], rms_dbfs, centroid_hz: if den > 0.0 { num / den } else { 0.0 } }
        })
        .collect()
}
