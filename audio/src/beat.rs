//! The beat grid, by dynamic programming over the onset series (the idea of Ellis, 2007): each
//! frame's best score is its onset strength plus the best score of an earlier beat, less a
//! penalty that grows with how far the gap strays (in log ratio) from the song's period. The
//! best chain, traced back from the end, is the grid — on the onsets where there are onsets,
//! and at the steady period across the gaps where there are none.

use crate::onset::{std_dev, vertex};

/// How hard the chain holds to the period: the penalty per squared log ratio of a gap to it.
const TIGHTNESS: f64 = 100.0;
/// Beats at either end weaker than this share of the beats' RMS onset are dropped (the chain
/// runs on at the period through a silent intro or fade-out; those are not beats).
const TRIM: f64 = 0.5;

/// Beat positions in frames (fractional) for an onset series whose period is `period` frames.
pub fn track(onset: &[f32], period: f64) -> Vec<f64> {
    let scale = f64::from(std_dev(onset));
    if onset.is_empty() || scale <= 0.0 || period < 2.0 {
        return Vec::new();
    }
    let local = smooth(onset, period / 32.0, scale);
    let (shortest, longest) = ((period / 2.0).round() as usize, (2.0 * period).round() as usize);
    let penalty: Vec<f64> = (0..=longest).map(|gap| TIGHTNESS * (gap as f64 / period).ln().powi(2)).collect();
    let mut score = vec![0.0f64; local.len()];
    let mut back = vec![usize::MAX; local.len()];
    for t in 0..local.len() {
        let mut best = (0.0, usize::MAX);
        for gap in shortest.max(1)..=longest.min(t) {
            let s = score[t - gap] - penalty[gap];
            if s > best.0 {
                best = (s, t - gap);
            }
        }
        score[t] = local[t] + best.0;
        back[t] = best.1;
    }
    // The chain ends at the best score within the last period.
    let tail = local.len().saturating_sub(period.ceil() as usize);
    let Some(mut t) = (tail..local.len()).max_by(|&a, &b| score[a].total_cmp(&score[b])) else { return Vec::new() };
    let mut beats = vec![t];
    while back[t] != usize::MAX {
        t = back[t];
        beats.push(t);
    }
    beats.reverse();
    trim(&mut beats, &local);
    let shifted: Vec<f32> = local.iter().map(|&v| v as f32).collect();
    beats.into_iter().map(|b| b as f64 + vertex(&shifted, b)).collect()
}

/// The onset series over its standard deviation, smoothed by a Gaussian of `sigma` frames so a
/// beat a frame off its onset still scores.
fn smooth(onset: &[f32], sigma: f64, scale: f64) -> Vec<f64> {
    let sigma = sigma.max(0.5);
    let reach = (3.0 * sigma).ceil() as isize;
    let kernel: Vec<f64> = (-reach..=reach).map(|i| (-0.5 * (i as f64 / sigma).powi(2)).exp()).collect();
    let sum: f64 = kernel.iter().sum();
    (0..onset.len() as isize)
        .map(|t| {
            kernel
                .iter()
                .zip(-reach..)
                .filter_map(|(k, i)| onset.get(usize::try_from(t + i).ok()?).map(|&v| k * f64::from(v)))
                .sum::<f64>()
                / sum
                / scale
        })
        .collect()
}

fn trim(beats: &mut Vec<usize>, local: &[f64]) {
    if beats.is_empty() {
        return;
    }
    let rms = (beats.iter().map(|&b| local[b] * local[b]).sum::<f64>() / beats.len() as f64).sqrt();
    let threshold = TRIM * rms;
    let first = beats.iter().position(|&b| local[b] >= threshold).unwrap_or(beats.len());
    let last = beats.iter().rposition(|&b| local[b] >= threshold).map_or(first, |i| i + 1);
    beats.truncate(last);
    beats.drain(..first.min(beats.len()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lands_on_pulses_and_bridges_a_missing_one() {
        let mut onset = vec![0.0f32; 1000];
        for k in 1..19 {
            if k != 9 {
                onset[k * 50 + 3] = 1.0;
            }
        }
        let beats = track(&onset, 50.0);
        let want: Vec<f64> = (1..19).map(|k| (k * 50 + 3) as f64).collect();
        assert_eq!(beats.len(), want.len(), "{beats:?}");
        for (b, w) in beats.iter().zip(&want) {
            assert!((b - w).abs() <= 1.0, "{beats:?}");
        }
    }

    #[test]
    fn silence_before_and_after_is_trimmed() {
        let mut onset = vec![0.0f32; 2000];
        for k in 0..10 {
            onset[800 + k * 40] = 1.0;
        }
        let beats = track(&onset, 40.0);
        assert_eq!(beats.len(), 10, "{beats:?}");
        assert!((beats[0] - 800.0).abs() <= 1.0);
    }
}
