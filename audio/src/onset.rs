//! Onsets: the moments something starts (a hit, a note), as peaks of the spectral-flux series
//! that stand out from their neighbourhood, at most one per 30 ms.

/// Frames each side a peak must top.
const PEAK_SPAN: usize = 3;
/// Frames each side of the local mean a peak is compared with.
const MEAN_SPAN: usize = 10;
/// Frames between two onsets at least.
const MIN_GAP: usize = 3;

/// Onset times in frames (fractional, refined between frames).
pub fn pick(flux: &[f32]) -> Vec<f64> {
    let scale = std_dev(flux);
    if scale <= 0.0 {
        return Vec::new();
    }
    let mut onsets = Vec::new();
    let mut last: Option<usize> = None;
    for t in 0..flux.len() {
        let around = |span: usize| &flux[t.saturating_sub(span)..(t + span + 1).min(flux.len())];
        let peak = around(PEAK_SPAN).iter().all(|&v| v <= flux[t]);
        let near = around(MEAN_SPAN);
        let mean = near.iter().sum::<f32>() / near.len() as f32;
        if peak && flux[t] > 0.0 && flux[t] >= mean + 0.5 * scale && last.is_none_or(|l| t - l >= MIN_GAP) {
            onsets.push(t as f64 + vertex(flux, t));
            last = Some(t);
        }
    }
    onsets
}

pub fn std_dev(x: &[f32]) -> f32 {
    if x.is_empty() {
        return 0.0;
    }
    let mean = x.iter().sum::<f32>() / x.len() as f32;
    (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / x.len() as f32).sqrt()
}

/// Where the parabola through `x[t-1], x[t], x[t+1]` peaks, relative to `t` (within ±0.5).
pub fn vertex(x: &[f32], t: usize) -> f64 {
    if t == 0 || t + 1 >= x.len() {
        return 0.0;
    }
    let (a, b, c) = (f64::from(x[t - 1]), f64::from(x[t]), f64::from(x[t + 1]));
    let curve = a - 2.0 * b + c;
    if curve >= 0.0 { 0.0 } else { (0.5 * (a - c) / curve).clamp(-0.5, 0.5) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_isolated_peaks_once_and_between_frames() {
        let mut flux = vec![0.0f32; 100];
        for at in [10, 40, 70] {
            flux[at] = 1.0;
            flux[at + 1] = 1.0;
        }
        let found = pick(&flux);
        assert_eq!(found.len(), 3, "{found:?}");
        // Two equal frames: the peak lies between them.
        assert!((found[0] - 10.5).abs() < 1e-9, "{found:?}");
    }

    #[test]
    fn nothing_in_a_flat_series() {
        assert!(pick(&[0.3; 50]).is_empty());
        assert!(pick(&[]).is_empty());
    }
}
