//! The short-time spectrum, computed as samples stream in and reduced at once to what the rest
//! of the analysis reads per 10 ms frame: a compressed mel-band spectrum's rise (spectral flux,
//! the onset strength, with the low bands weighted up), the frame's energy (loudness) and its spectral centroid (brightness).
//! Nothing spectral is kept, so memory grows by a few floats per frame however long the song.

use realfft::{RealFftPlanner, RealToComplex, num_complex::Complex};
use std::sync::Arc;

/// Frames per second aimed at: a hop of 10 ms, rounded to whole samples (see `frame_rate`).
const FRAME_RATE: f64 = 100.0;
const BANDS: usize = 64;
const LOW_HZ: f64 = 30.0;
const HIGH_HZ: f64 = 11_000.0;
/// Log compression `ln(1 + γ·magnitude)`: loud enough parts are logarithmic, while the faint
/// edge of a window that a click is just entering adds almost nothing (a plain dB scale would
/// make that edge the biggest jump and put onsets a half-window early).
const GAMMA: f32 = 1000.0;
/// The bands below about 340 Hz (kick, bass, low drums), which count for as much in the flux as
/// all 64 together: the pulse of most music sits there, and the hi-hats and shakers above often
/// play between the beats. (Chosen on the annotated recordings of `make bench`: without it the
/// candombe excerpt is tracked half a beat off.)
const LOW_BANDS: usize = 8;
const LOW_WEIGHT: f32 = 0.5;

/// One frame, centred on `index / frame_rate` seconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Frame {
    /// Half-wave-rectified rise of the compressed mel bands since the previous frame, averaged.
    pub flux: f32,
    /// Sum of squared samples of the hop that starts at the frame's centre (they tile the song).
    pub energy: f64,
    /// Σ f·|X(f)| and Σ |X(f)|, so segments can pool them into one centroid.
    pub centroid_num: f64,
    pub centroid_den: f64,
}

pub struct FrameAnalyzer {
    rate: f64,
    hop: usize,
    window: Vec<f32>,
    fft: Arc<dyn RealToComplex<f32>>,
    input: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// Per FFT bin: (lower band, weight of the lower band); the rest goes to the band above.
    bin_bands: Vec<(usize, f32)>,
    bands: Vec<f32>,
    previous: Option<Vec<f32>>,
    /// Samples not yet consumed, starting at the next frame's first sample.
    pending: Vec<f32>,
    pub frames: Vec<Frame>,
    pub samples: u64,
}

impl FrameAnalyzer {
    pub fn new(rate: f64) -> Self {
        let hop = (rate / FRAME_RATE).round() as usize;
        let size = ((rate * 0.04).round() as usize).next_power_of_two();
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(size);
        let window: Vec<f32> = (0..size).map(|i| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / size as f64).cos()) as f32).collect();
        // Scale so a full-scale sine peaks near magnitude 0.5 whatever the window length.
        let norm: f32 = window.iter().sum();
        let window: Vec<f32> = window.iter().map(|w| w / norm).collect();
        let mel = |hz: f64| 2595.0 * (1.0 + hz / 700.0).log10();
        let (lo, hi) = (mel(LOW_HZ), mel(HIGH_HZ.min(rate / 2.0)));
        let bin_bands = (0..=size / 2)
            .map(|k| {
                let pos = (mel(k as f64 * rate / size as f64) - lo) / (hi - lo) * (BANDS - 1) as f64;
                if pos < 0.0 || pos > (BANDS - 1) as f64 {
                    (usize::MAX, 0.0)
                } else {
                    let band = (pos.floor() as usize).min(BANDS - 2);
                    (band, (1.0 - (pos - band as f64)) as f32)
                }
            })
            .collect();
        Self {
            rate,
            hop,
            input: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
            window,
            bin_bands,
            bands: vec![0.0; BANDS],
            previous: None,
            // Frames are centred: the first one sees half a window of silence before the song.
            pending: vec![0.0; size / 2],
            frames: Vec::new(),
            samples: 0,
        }
    }

    /// Frames per second, exactly.
    pub fn frame_rate(&self) -> f64 {
        self.rate / self.hop as f64
    }

    pub fn hop(&self) -> usize {
        self.hop
    }

    pub fn push(&mut self, samples: &[f32]) {
        self.samples += samples.len() as u64;
        self.pending.extend_from_slice(samples);
        let size = self.window.len();
        let mut start = 0;
        while self.pending.len() - start >= size {
            self.frame(start);
            start += self.hop;
        }
        self.pending.drain(..start);
    }

    /// Flushes the last frames, up to the one whose centre passes the last sample.
    pub fn finish(&mut self) {
        let (samples, want) = (self.samples, self.samples.div_ceil(self.hop as u64) as usize);
        self.push(&vec![0.0; self.window.len() / 2 + self.hop]);
        self.samples = samples;
        self.frames.truncate(want);
    }

    fn frame(&mut self, start: usize) {
        let size = self.window.len();
        let chunk = &self.pending[start..start + size];
        let centre = &chunk[size / 2..size / 2 + self.hop];
        let energy = centre.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
        for ((dst, &x), &w) in self.input.iter_mut().zip(chunk).zip(&self.window) {
            *dst = x * w;
        }
        self.fft.process_with_scratch(&mut self.input, &mut self.spectrum, &mut self.scratch).expect("buffers sized by the plan");
        self.bands.iter_mut().for_each(|b| *b = 0.0);
        let (mut num, mut den) = (0.0f64, 0.0f64);
        let bin_hz = self.rate / size as f64;
        for (k, (c, &(band, weight))) in self.spectrum.iter().zip(&self.bin_bands).enumerate() {
            let power = c.norm_sqr();
            let magnitude = f64::from(power.sqrt());
            num += k as f64 * bin_hz * magnitude;
            den += magnitude;
            if band != usize::MAX {
                self.bands[band] += weight * power;
                self.bands[band + 1] += (1.0 - weight) * power;
            }
        }
        self.bands.iter_mut().for_each(|b| *b = (GAMMA * b.sqrt()).ln_1p());
        let flux = match &self.previous {
            Some(prev) => {
                let rise = |range: std::ops::Range<usize>| -> f32 {
                    self.bands[range.clone()].iter().zip(&prev[range]).map(|(now, before)| (now - before).max(0.0)).sum()
                };
                let (low, high) = (rise(0..LOW_BANDS), rise(LOW_BANDS..BANDS));
                (1.0 - LOW_WEIGHT) * (low + high) / BANDS as f32 + LOW_WEIGHT * low / LOW_BANDS as f32
            }
            None => 0.0,
        };
        match &mut self.previous {
            Some(prev) => prev.copy_from_slice(&self.bands),
            None => self.previous = Some(self.bands.clone()),
        }
        self.frames.push(Frame { flux, energy, centroid_num: num, centroid_den: den });
    }
}
