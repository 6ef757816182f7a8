//! The band: kick, snare, hi-hat, bass and a chord pad, each a function from a note to its
//! mono samples. Plain oscillators, envelopes and one-pole filters — enough for a beat tracker
//! and a listener to hear a song, small enough to read.

use std::f64::consts::TAU;

/// Samples per second of everything the demo renders.
pub const RATE: f64 = 44_100.0;

/// A fixed-seed linear congruential generator: the drums' noise, the same on every run.
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Uniform in [-1, 1).
    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 40) as f64 / (1u64 << 23) as f64 - 1.0
    }
}

/// A one-pole low-pass: cheap, and gentle enough for a pad's brightness or a hi-hat's hiss.
pub struct LowPass {
    a: f64,
    y: f64,
}

impl LowPass {
    pub fn new(cutoff_hz: f64) -> Self {
        Self {
            a: 1.0 - (-TAU * cutoff_hz / RATE).exp(),
            y: 0.0,
        }
    }

    pub fn run(&mut self, x: f64) -> f64 {
        self.y += self.a * (x - self.y);
        self.y
    }
}

/// Linear attack and release inside a note of `len` samples, so no note starts or stops with a click.
pub fn envelope(i: usize, len: usize, attack_s: f64, release_s: f64) -> f64 {
    let (attack, release) = ((attack_s * RATE).max(1.0), (release_s * RATE).max(1.0));
    (i as f64 / attack).min((len - i) as f64 / release).min(1.0)
}

fn samples(seconds: f64) -> usize {
    (seconds * RATE).round() as usize
}

/// A sine whose pitch falls from 140 to 50 Hz: the low thump the beat tracker leans on.
pub fn kick(gain: f64) -> Vec<f64> {
    let len = samples(0.35);
    let mut phase = 0.0;
    (0..len)
        .map(|i| {
            let t = i as f64 / RATE;
            phase += TAU * (50.0 + 90.0 * (-30.0 * t).exp()) / RATE;
            gain * phase.sin() * (-9.0 * t).exp() * envelope(i, len, 0.001, 0.02)
        })
        .collect()
}

/// High-passed noise over a 185 Hz body, both decaying fast.
pub fn snare(gain: f64, noise: &mut Noise) -> Vec<f64> {
    let len = samples(0.2);
    let mut low = LowPass::new(1500.0);
    (0..len)
        .map(|i| {
            let t = i as f64 / RATE;
            let n = noise.next();
            let hiss = n - low.run(n);
            gain * (0.6 * hiss * (-22.0 * t).exp()
                + 0.4 * (TAU * 185.0 * t).sin() * (-30.0 * t).exp())
                * envelope(i, len, 0.0005, 0.01)
        })
        .collect()
}

/// A short burst of noise with its lows taken out.
pub fn hat(gain: f64, noise: &mut Noise) -> Vec<f64> {
    let len = samples(0.06);
    let mut low = LowPass::new(7000.0);
    (0..len)
        .map(|i| {
            let n = noise.next();
            gain * (n - low.run(n))
                * (-70.0 * i as f64 / RATE).exp()
                * envelope(i, len, 0.0005, 0.005)
        })
        .collect()
}

/// A round bass note: the fundamental with two soft harmonics, plucked then held.
pub fn bass(hz: f64, seconds: f64, gain: f64) -> Vec<f64> {
    let len = samples(seconds);
    (0..len)
        .map(|i| {
            let t = i as f64 / RATE;
            let w = TAU * hz * t;
            let tone = w.sin() + 0.35 * (2.0 * w).sin() + 0.15 * (3.0 * w).sin();
            gain * tone * (0.4 + 0.6 * (-3.0 * t).exp()) * envelope(i, len, 0.005, 0.04)
        })
        .collect()
}

/// One held pad voice: a sawtooth through two one-pole low-passes at `cutoff_hz` (higher is
/// brighter), fading in and out.
pub fn pad(hz: f64, seconds: f64, cutoff_hz: f64, gain: f64) -> Vec<f64> {
    let len = samples(seconds);
    let (mut first, mut second) = (LowPass::new(cutoff_hz), LowPass::new(cutoff_hz));
    let mut phase = 0.0;
    (0..len)
        .map(|i| {
            phase = (phase + hz / RATE).fract();
            gain * second.run(first.run(2.0 * phase - 1.0)) * envelope(i, len, 0.08, 0.15)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_fixed_by_its_seed_and_stays_in_range() {
        let (mut a, mut b) = (Noise::new(7), Noise::new(7));
        let xs: Vec<f64> = (0..10_000).map(|_| a.next()).collect();
        assert!(xs.iter().all(|x| (-1.0..1.0).contains(x)));
        assert_eq!(xs, (0..10_000).map(|_| b.next()).collect::<Vec<_>>());
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.05, "{mean}");
    }

    #[test]
    fn notes_start_and_end_silent() {
        let mut noise = Noise::new(1);
        for note in [
            kick(1.0),
            snare(1.0, &mut noise),
            hat(1.0, &mut noise),
            bass(65.4, 0.3, 1.0),
            pad(220.0, 1.0, 2000.0, 1.0),
        ] {
            assert!(
                note[0].abs() < 0.05 && note[note.len() - 1].abs() < 0.05,
                "{} {}",
                note[0],
                note[note.len() - 1]
            );
        }
    }
}
