//! The whole pipeline on signals made here, whose beats are known exactly.

use super::*;

const RATE: u32 = 44_100;

/// A tiny deterministic generator (no dependency, same noise every run).
struct Lcg(u64);

impl Lcg {
    /// Uniform in [-1, 1).
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 40) as f32 / (1u64 << 23) as f32) - 1.0
    }
}

/// Clicks (20 ms noise bursts with a fast decay) at `bpm`, each moved by up to ±`jitter_ms`,
/// over quiet noise; returns the samples and the click times in ms.
fn clicks(bpm: f64, seconds: f64, jitter_ms: f64, seed: u64) -> (Vec<f32>, Vec<f64>) {
    let mut rng = Lcg(seed);
    let n = (seconds * f64::from(RATE)) as usize;
    let mut x: Vec<f32> = (0..n).map(|_| 0.001 * rng.next()).collect();
    let mut times = Vec::new();
    let mut t = 500.0;
    while t < seconds * 1000.0 - 100.0 {
        let at = t + jitter_ms * f64::from(rng.next());
        let start = (at / 1000.0 * f64::from(RATE)) as usize;
        for i in 0..(0.02 * f64::from(RATE)) as usize {
            x[start + i] += 0.5 * rng.next() * (-(i as f32) / 100.0).exp();
        }
        times.push(at);
        t += 60_000.0 / bpm;
    }
    (x, times)
}

fn nearest(ms: u64, to: &[f64]) -> f64 {
    to.iter().map(|&t| (t - ms as f64).abs()).fold(f64::INFINITY, f64::min)
}

/// Tempo within ±2 %, every click with a beat within 30 ms and every beat within 30 ms of a click.
fn assert_tracks(a: &Analysis, bpm: f64, clicks: &[f64]) {
    assert_eq!(a.no_beat, None);
    let b = &a.beats;
    assert!((b.tempo_bpm - bpm).abs() <= 0.02 * bpm, "tempo {} for {bpm}", b.tempo_bpm);
    let beats: Vec<f64> = b.beats_ms.iter().map(|&m| m as f64).collect();
    for &c in clicks {
        assert!(nearest(c.round() as u64, &beats) <= 30.0, "click at {c} ms has no beat near it: {:?}", b.beats_ms);
    }
    for &m in &b.beats_ms {
        assert!(nearest(m, clicks) <= 30.0, "beat at {m} ms is on no click");
    }
}

#[test]
fn steady_click_tracks_at_several_tempi() {
    for bpm in [72.0, 100.0, 120.0, 143.0] {
        let (x, times) = clicks(bpm, 30.0, 0.0, 1);
        let a = analyze_samples(&x, RATE);
        assert_tracks(&a, bpm, &times);
        assert_eq!(a.beats.duration_ms, 30_000);
    }
}

#[test]
fn jittered_clicks_still_give_the_tempo_and_the_clicks() {
    let (x, times) = clicks(110.0, 40.0, 15.0, 7);
    assert_tracks(&analyze_samples(&x, RATE), 110.0, &times);
}

#[test]
fn every_click_is_an_onset() {
    let (x, times) = clicks(120.0, 20.0, 10.0, 3);
    let a = analyze_samples(&x, RATE);
    assert_eq!(a.beats.onsets_ms.len(), times.len(), "{:?}", a.beats.onsets_ms);
    for &o in &a.beats.onsets_ms {
        assert!(nearest(o, &times) <= 30.0, "onset at {o} ms is on no click");
    }
}

#[test]
fn silence_has_no_beat_and_says_so() {
    let a = analyze_samples(&vec![0.0; 10 * RATE as usize], RATE);
    assert_eq!(a.no_beat, Some(NoBeat::Silent));
    assert_eq!(a.beats, Beats { tempo_bpm: 0.0, beats_ms: vec![], onsets_ms: vec![], duration_ms: 10_000 });
    assert_eq!(a.rms_dbfs, FLOOR_DBFS);
    let empty = analyze_samples(&[], RATE);
    assert_eq!((empty.no_beat, empty.beats.duration_ms), (Some(NoBeat::Silent), 0));
}

#[test]
fn white_noise_has_no_pulse() {
    let mut rng = Lcg(11);
    let x: Vec<f32> = (0..30 * RATE as usize).map(|_| 0.3 * rng.next()).collect();
    let a = analyze_samples(&x, RATE);
    assert_eq!(a.no_beat, Some(NoBeat::NoPulse));
    assert_eq!((a.beats.tempo_bpm, a.beats.beats_ms.len()), (0.0, 0));
}

#[test]
fn a_sine_has_no_pulse_and_its_level_and_pitch_as_brightness() {
    let tone = |hz: f32| -> Vec<f32> {
        (0..10 * RATE as usize).map(|i| 0.5 * (2.0 * std::f32::consts::PI * hz * i as f32 / RATE as f32).sin()).collect()
    };
    let a = analyze_samples(&tone(440.0), RATE);
    assert_eq!(a.no_beat, Some(NoBeat::NoPulse));
    // 0.5 peak is 0.354 RMS: -9.03 dBFS.
    assert!((a.rms_dbfs + 9.03).abs() < 0.1, "{}", a.rms_dbfs);
    assert_eq!(a.segments.len(), 1);
    let s = &a.segments[0];
    assert!((s.rms_dbfs + 9.03).abs() < 0.1 && (s.centroid_hz - 440.0).abs() < 0.15 * 440.0, "{s:?}");
    let bright = analyze_samples(&tone(4000.0), RATE);
    assert!((bright.segments[0].centroid_hz - 4000.0).abs() < 0.1 * 4000.0, "{:?}", bright.segments);
}

#[test]
fn segments_split_the_song_at_every_beat() {
    let (x, _) = clicks(120.0, 12.0, 0.0, 5);
    let a = analyze_samples(&x, RATE);
    assert_eq!(a.segments.first().unwrap().start_ms, 0);
    assert_eq!(a.segments.last().unwrap().end_ms, a.beats.duration_ms);
    assert!(a.segments.windows(2).all(|w| w[0].end_ms == w[1].start_ms));
    let starts: Vec<u64> = a.segments.iter().skip(1).map(|s| s.start_ms).collect();
    assert_eq!(starts, a.beats.beats_ms);
    // A segment starting on a click is well above the quiet noise between clicks (-65 dBFS).
    assert!(a.segments[1].rms_dbfs > -50.0, "{:?}", a.segments[1]);
}

#[test]
fn twenty_minutes_stream_through_in_bounded_time() {
    // Streamed in decoder-sized packets, as a file would be: nothing song-long is held but the
    // per-frame figures.
    let (beat, _) = clicks(125.0, 60_000.0 / 125.0 / 1000.0 * 8.0, 0.0, 9);
    let mut analyzer = Analyzer::new(RATE);
    let started = std::time::Instant::now();
    let packets = 20 * 60 * RATE as usize / 1152;
    for i in 0..packets {
        let at = i * 1152 % beat.len();
        let packet: Vec<f32> = (0..1152).map(|j| beat[(at + j) % beat.len()]).collect();
        analyzer.push(&packet);
    }
    let a = analyzer.finish();
    let took = started.elapsed();
    assert!((a.beats.tempo_bpm - 125.0).abs() <= 2.5, "{}", a.beats.tempo_bpm);
    assert!(a.beats.beats_ms.len() > 2400, "{}", a.beats.beats_ms.len());
    assert!(took.as_secs() < 30, "{took:?}");
}

#[test]
fn a_text_file_is_not_audio() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("song.mp3");
    std::fs::write(&file, "these are lyrics, not a song\n".repeat(200)).unwrap();
    let err = analyze_file(&file).unwrap_err();
    assert!(matches!(err, AudioError::NotAudio { .. }), "{err}");
    assert!(err.to_string().contains("song.mp3") && err.to_string().contains("MP3"), "{err}");
    let missing = analyze_file(&dir.path().join("nope.mp3")).unwrap_err();
    assert!(matches!(missing, AudioError::Unreadable { .. }), "{missing}");
}
