//! Song analysis, all local: decode the MP3, fold it to mono at about 22 kHz, and read from it
//! the onsets, the tempo, a beat grid, and loudness and brightness per beat — what the studio
//! snaps Parts and Moments to. Pure computation: a file (or samples) in, an [`Analysis`] out,
//! streamed so a 20-minute song takes a few megabytes beyond the decoder's.

mod beat;
mod decode;
mod error;
mod frames;
mod onset;
mod resample;
mod segment;
mod tempo;

pub use error::AudioError;
pub use segment::{FLOOR_DBFS, Segment};

use frames::FrameAnalyzer;
use resample::Decimator;
use serde::Serialize;
use std::path::Path;

/// The longest song analysed; a film is cut to a song, so anything longer is a mistake.
pub const MAX_MINUTES: u64 = 120;
/// Below this RMS level the whole song counts as silence (dither and encoder noise sit lower).
const SILENCE_DBFS: f64 = -70.0;
/// Below this periodicity (see [`tempo::Pulse::strength`]) there is no beat to follow: noise
/// and beatless ambience stay well under it, music with any pulse well over it.
const MIN_PULSE: f64 = 0.1;

/// What `miri analyze beats --json` prints.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Beats {
    /// 0 when no beat was found.
    pub tempo_bpm: f64,
    pub beats_ms: Vec<u64>,
    pub onsets_ms: Vec<u64>,
    pub duration_ms: u64,
}

/// Why a song has no beat grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoBeat {
    Silent,
    /// Sound, but nothing periodic enough to call a beat (noise, ambience, too short).
    NoPulse,
}

impl std::fmt::Display for NoBeat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NoBeat::Silent => "no beat found: the song is silent",
            NoBeat::NoPulse => "no beat found: nothing in the song repeats steadily enough to follow",
        })
    }
}

#[derive(Debug, Clone)]
pub struct Analysis {
    pub beats: Beats,
    /// Consecutive segments covering the song, split at every beat.
    pub segments: Vec<Segment>,
    pub no_beat: Option<NoBeat>,
    /// RMS level of the whole song.
    pub rms_dbfs: f64,
}

/// Analyses an audio file (MP3). Decoding and analysis run on two threads, the decoder handing
/// over batches of mono samples, so the analysis costs little more than the decoding.
pub fn analyze_file(path: &Path) -> Result<Analysis, AudioError> {
    let decoder = decode::MonoDecoder::open(path)?;
    let rate = decoder.rate;
    let max_samples = MAX_MINUTES * 60 * u64::from(rate);
    let (batches, inbox) = std::sync::mpsc::sync_channel::<Vec<f32>>(BATCHES_IN_FLIGHT);
    std::thread::scope(|scope| {
        let analysis = scope.spawn(move || {
            let mut analyzer = Analyzer::new(rate);
            inbox.iter().for_each(|batch| analyzer.push(&batch));
            analyzer
        });
        let mut seen = 0u64;
        let mut batch = Vec::with_capacity(BATCH);
        let decoded = decoder.run(|samples| {
            seen += samples.len() as u64;
            if seen > max_samples {
                return Err(AudioError::TooLong { max_minutes: MAX_MINUTES });
            }
            batch.extend_from_slice(samples);
            if batch.len() >= BATCH {
                // The analysis only stops receiving by panicking, which the join below reports.
                let _ = batches.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
            Ok(())
        });
        let _ = batches.send(batch);
        drop(batches);
        let analyzer = analysis.join().expect("the analysis thread panicked");
        decoded?;
        if seen == 0 {
            return Err(AudioError::Empty { path: path.to_path_buf() });
        }
        Ok(analyzer.finish())
    })
}

/// Samples per batch handed from the decoder to the analysis (about 0.4 s at 44.1 kHz), and
/// batches waiting at most: the decoder never runs more than a few seconds ahead.
const BATCH: usize = 16_384;
const BATCHES_IN_FLIGHT: usize = 8;

/// Analyses mono samples at `rate` Hz.
pub fn analyze_samples(samples: &[f32], rate: u32) -> Analysis {
    let mut analyzer = Analyzer::new(rate);
    analyzer.push(samples);
    analyzer.finish()
}

/// The streaming pipeline: samples in at the source rate, per-frame figures out.
struct Analyzer {
    decimator: Decimator,
    frames: FrameAnalyzer,
    rate: f64,
    buffer: Vec<f32>,
}

impl Analyzer {
    fn new(rate: u32) -> Self {
        let decimator = Decimator::new(rate);
        let analysis_rate = decimator.output_rate(rate);
        Self { decimator, frames: FrameAnalyzer::new(analysis_rate), rate: analysis_rate, buffer: Vec::new() }
    }

    fn push(&mut self, samples: &[f32]) {
        self.buffer.clear();
        self.decimator.push(samples, &mut self.buffer);
        self.frames.push(&self.buffer);
    }

    fn finish(mut self) -> Analysis {
        self.buffer.clear();
        self.decimator.finish(&mut self.buffer);
        self.frames.push(&self.buffer);
        self.frames.finish();
        let fps = self.frames.frame_rate();
        let duration_ms = (self.frames.samples as f64 / self.rate * 1000.0).round() as u64;
        let frames = &self.frames.frames;
        let energy: f64 = frames.iter().map(|f| f.energy).sum();
        let rms_dbfs = if energy > 0.0 { (10.0 * (energy / self.frames.samples as f64).log10()).max(FLOOR_DBFS) } else { FLOOR_DBFS };
        let flux: Vec<f32> = frames.iter().map(|f| f.flux).collect();
        let to_ms = |frame: f64| (frame / fps * 1000.0).round().clamp(0.0, duration_ms as f64) as u64;

        let (no_beat, tempo_bpm, beats) = if rms_dbfs < SILENCE_DBFS {
            (Some(NoBeat::Silent), 0.0, Vec::new())
        } else {
            match tempo::estimate(&flux, fps) {
                Some(pulse) if pulse.strength >= MIN_PULSE => {
                    let beats = beat::track(&flux, pulse.period);
                    (None, tempo_of(&beats, fps).unwrap_or(60.0 * fps / pulse.period), beats)
                }
                _ => (Some(NoBeat::NoPulse), 0.0, Vec::new()),
            }
        };
        let onsets = if no_beat == Some(NoBeat::Silent) { Vec::new() } else { onset::pick(&flux) };
        let beats_ms: Vec<u64> = beats.iter().map(|&b| to_ms(b)).collect();
        let mut bounds = vec![0];
        bounds.extend(beats_ms.iter().copied().filter(|&b| b > 0 && b < duration_ms));
        bounds.push(duration_ms);
        let segments = segment::measure(frames, fps, self.frames.hop(), &bounds);
        Analysis {
            beats: Beats { tempo_bpm, beats_ms, onsets_ms: onsets.into_iter().map(to_ms).collect(), duration_ms },
            segments,
            no_beat,
            rms_dbfs,
        }
    }
}

/// Tempo from the tracked beats: the mean of the middle half of the gaps between them, so a
/// dropped or doubled beat does not move it and frame rounding averages out.
fn tempo_of(beats: &[f64], fps: f64) -> Option<f64> {
    let mut gaps: Vec<f64> = beats.windows(2).map(|w| w[1] - w[0]).collect();
    if gaps.len() < 2 {
        return None;
    }
    gaps.sort_by(f64::total_cmp);
    let quarter = gaps.len() / 4;
    let middle = &gaps[quarter..gaps.len() - quarter];
    Some(60.0 * fps / (middle.iter().sum::<f64>() / middle.len() as f64))
}

#[cfg(test)]
mod tests;
