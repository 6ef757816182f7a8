//! Down to the analysis rate (about 22 kHz) by an integer factor: beats and brightness need
//! nothing above 11 kHz, and halving a 44.1/48 kHz song halves every later step. An integer
//! factor keeps it one short low-pass FIR with every tap exact, streamed packet by packet; the
//! analysis measures time in seconds, so 24 kHz (from 48 kHz) is as good as 22.05 kHz.

/// The rate the analysis aims for.
const TARGET_RATE: f64 = 22_050.0;
/// Taps per unit of decimation on each side of the centre.
const HALF_TAPS_PER_FACTOR: usize = 8;

pub struct Decimator {
    factor: usize,
    taps: Vec<f32>,
    /// The last `taps.len() - 1` inputs, then the new ones.
    history: Vec<f32>,
    /// Inputs consumed so far, to know which ones land on an output.
    seen: usize,
    /// Outputs still to drop so output 0 lines up with input 0 (the filter's group delay).
    skip: usize,
}

impl Decimator {
    pub fn new(input_rate: u32) -> Self {
        let factor = ((f64::from(input_rate) / TARGET_RATE).round() as usize).max(1);
        if factor == 1 {
            return Self { factor, taps: vec![1.0], history: Vec::new(), seen: 0, skip: 0 };
        }
        let half = HALF_TAPS_PER_FACTOR * factor;
        // Windowed sinc, cut-off at 90 % of the new Nyquist, Blackman window.
        let cutoff = 0.9 * 0.5 / factor as f64;
        let len = 2 * half + 1;
        let mut taps: Vec<f64> = (0..len)
            .map(|i| {
                let x = i as f64 - half as f64;
                let sinc = if x == 0.0 { 2.0 * cutoff } else { (2.0 * std::f64::consts::PI * cutoff * x).sin() / (std::f64::consts::PI * x) };
                let phase = 2.0 * std::f64::consts::PI * i as f64 / (len - 1) as f64;
                sinc * (0.42 - 0.5 * phase.cos() + 0.08 * (2.0 * phase).cos())
            })
            .collect();
        // Symmetric, so the convolution below need not reverse them.
        let sum: f64 = taps.iter().sum();
        taps.iter_mut().for_each(|t| *t /= sum);
        Self {
            factor,
            taps: taps.into_iter().map(|t| t as f32).collect(),
            history: vec![0.0; len - 1],
            seen: 0,
            // `half` is a multiple of `factor`, so the delay is a whole number of outputs.
            skip: half / factor,
        }
    }

    pub fn output_rate(&self, input_rate: u32) -> f64 {
        f64::from(input_rate) / self.factor as f64
    }

    /// Filters `input` and appends the outputs that fall on the new grid to `out`.
    pub fn push(&mut self, input: &[f32], out: &mut Vec<f32>) {
        if self.factor == 1 {
            out.extend_from_slice(input);
            return;
        }
        let len = self.taps.len();
        self.history.extend_from_slice(input);
        // Input n (0-based, counted from the stream's start) sits at history[len - 1 + n - seen].
        let first = self.seen.div_ceil(self.factor) * self.factor;
        let end = self.seen + input.len();
        let mut n = first;
        while n < end {
            let at = len - 1 + n - self.seen;
            let y = dot(&self.history[at + 1 - len..=at], &self.taps);
            if self.skip > 0 {
                self.skip -= 1;
            } else {
                out.push(y);
            }
            n += self.factor;
        }
        self.seen = end;
        let keep = self.history.len() - (len - 1);
        self.history.drain(..keep);
    }

    /// Pushes the filter's tail through, so the output is as long as the input.
    pub fn finish(&mut self, out: &mut Vec<f32>) {
        if self.factor > 1 {
            let tail = vec![0.0; self.taps.len() / 2];
            self.push(&tail, out);
        }
    }
}

/// `Σ x[i]·taps[i]` in eight independent lanes, which the compiler turns into SIMD (a single
/// running sum cannot be reordered, and this loop is most of the analysis's arithmetic).
fn dot(x: &[f32], taps: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (xs, ts) = (x.chunks_exact(8), taps.chunks_exact(8));
    let tail: f32 = xs.remainder().iter().zip(ts.remainder()).map(|(a, b)| a * b).sum();
    for (xc, tc) in xs.zip(ts) {
        for i in 0..8 {
            lanes[i] += xc[i] * tc[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(rate: u32, input: &[f32], chunk: usize) -> Vec<f32> {
        let mut d = Decimator::new(rate);
        let mut out = Vec::new();
        input.chunks(chunk).for_each(|c| d.push(c, &mut out));
        d.finish(&mut out);
        out
    }

    #[test]
    fn halves_44k_keeping_time_aligned_and_length() {
        // An impulse at input 1000 must come out at output 500, whatever the chunking.
        let mut x = vec![0.0f32; 4410];
        x[1000] = 1.0;
        for chunk in [1, 7, 1152, 10_000] {
            let y = run(44_100, &x, chunk);
            assert_eq!(y.len(), 2205, "chunk {chunk}");
            let peak = y.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
            assert_eq!(peak, 500, "chunk {chunk}");
        }
    }

    #[test]
    fn passes_low_tones_and_stops_high_ones() {
        let tone = |f: f32| (0..44_100).map(|i| (2.0 * std::f32::consts::PI * f * i as f32 / 44_100.0).sin()).collect::<Vec<_>>();
        let rms = |y: &[f32]| (y[2000..20_000].iter().map(|v| v * v).sum::<f32>() / 18_000.0).sqrt();
        let low = run(44_100, &tone(1000.0), 1152);
        assert!((rms(&low) - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.01, "1 kHz rms {}", rms(&low));
        // 16 kHz would alias to 6.05 kHz at 22.05 kHz if it got through.
        assert!(rms(&run(44_100, &tone(16_000.0), 1152)) < 0.001);
    }

    #[test]
    fn leaves_22k_alone() {
        let x: Vec<f32> = (0..100).map(|i| i as f32).collect();
        assert_eq!(run(22_050, &x, 9), x);
    }
}
