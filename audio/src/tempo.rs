//! The song's main pulse: the beat period at which the onset series best matches itself
//! (autocorrelation), weighted by a log-normal prior around 120 BPM — the tempo a listener is
//! most likely to tap when a song could be felt at half or double speed.

const MIN_BPM: f64 = 30.0;
const MAX_BPM: f64 = 300.0;
const PRIOR_BPM: f64 = 120.0;
/// Width of the prior in octaves.
const PRIOR_OCTAVES: f64 = 1.0;

pub struct Pulse {
    /// Beat period in frames (fractional).
    pub period: f64,
    /// The autocorrelation at that period over its value at lag 0: near 0 for noise, well
    /// above it for anything with a beat.
    pub strength: f64,
}

/// The best period of `onset` (`frame_rate` frames a second), or `None` when the series is too short to hold two of the
/// slowest beats or has no variation at all.
pub fn estimate(onset: &[f32], frame_rate: f64) -> Option<Pulse> {
    let min_lag = (60.0 * frame_rate / MAX_BPM).floor() as usize;
    let max_lag = ((60.0 * frame_rate / MIN_BPM).ceil() as usize).min(onset.len() / 2);
    if max_lag <= min_lag + 2 {
        return None;
    }
    let mean = onset.iter().map(|&v| f64::from(v)).sum::<f64>() / onset.len() as f64;
    let x: Vec<f64> = onset.iter().map(|&v| f64::from(v) - mean).collect();
    let energy: f64 = x.iter().map(|v| v * v).sum();
    if energy <= 0.0 {
        return None;
    }
    // Normalised so every lag is an average over the pairs it has (long lags have fewer).
    let ac: Vec<f64> = (0..=max_lag + 1)
        .map(|lag| {
            let sum: f64 = x[lag..].iter().zip(&x).map(|(a, b)| a * b).sum();
            sum / (x.len() - lag) as f64 * x.len() as f64 / energy
        })
        .collect();
    let prior = |lag: f64| {
        let octaves = (60.0 * frame_rate / lag / PRIOR_BPM).log2() / PRIOR_OCTAVES;
        (-0.5 * octaves * octaves).exp()
    };
    let best = (min_lag..=max_lag)
        .filter(|&lag| ac[lag] >= ac[lag - 1] && ac[lag] >= ac[lag + 1])
        .max_by(|&a, &b| (prior(a as f64) * ac[a]).total_cmp(&(prior(b as f64) * ac[b])))?;
    let (a, b, c) = (ac[best - 1], ac[best], ac[best + 1]);
    let curve = a - 2.0 * b + c;
    let shift = if curve < 0.0 { (0.5 * (a - c) / curve).clamp(-0.5, 0.5) } else { 0.0 };
    Some(Pulse { period: best as f64 + shift, strength: b })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pulses(period: f64, frames: usize) -> Vec<f32> {
        let mut x = vec![0.0f32; frames];
        let mut t = 0.0;
        while (t as usize) < frames {
            x[t as usize] = 1.0;
            t += period;
        }
        x
    }

    #[test]
    fn finds_the_period_of_a_pulse_train() {
        // 100 BPM at 100 frames/s: a beat every 60 frames.
        let p = estimate(&pulses(60.0, 3000), 100.0).unwrap();
        assert!((p.period - 60.0).abs() < 0.5, "{}", p.period);
        assert!(p.strength > 0.5);
    }

    #[test]
    fn prefers_the_level_nearer_120_bpm() {
        // Beats every 25 frames (240 BPM) are also a pulse every 50 (120 BPM).
        let p = estimate(&pulses(25.0, 3000), 100.0).unwrap();
        assert!((p.period - 50.0).abs() < 0.5, "{}", p.period);
    }

    #[test]
    fn none_without_enough_frames_or_variation() {
        assert!(estimate(&pulses(50.0, 40), 100.0).is_none());
        assert!(estimate(&[0.5; 3000], 100.0).is_none());
    }
}
