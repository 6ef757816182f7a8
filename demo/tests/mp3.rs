//! The demo song as the analysis meets it: written as an MP3 by real ffmpeg, decoded and
//! tracked by `miri-audio`, and checked against what `timing.json` says.

use miri_demo::{TEMPO_BPM, timing, write_mp3};

/// The F-measure's window, as in the beat benchmark.
const WINDOW_MS: f64 = 70.0;

/// Each reference time matched to at most one estimate within `window` ms, in time order.
fn matched(reference: &[f64], estimates: &[f64], window: f64) -> usize {
    let (mut hits, mut next) = (0, 0);
    for &r in reference {
        while next < estimates.len() && estimates[next] < r - window {
            next += 1;
        }
        if next < estimates.len() && estimates[next] <= r + window {
            hits += 1;
            next += 1;
        }
    }
    hits
}

#[test]
fn the_mp3_has_the_known_length_tempo_beats_and_word_onsets() {
    let dir = tempfile::tempdir().unwrap();
    let song = dir.path().join("song.mp3");
    write_mp3(&song).unwrap();
    let analysis = miri_audio::analyze_file(&song).unwrap();
    let beats = &analysis.beats;
    let t = timing();

    assert!(
        (60_000..=90_000).contains(&beats.duration_ms),
        "{} ms",
        beats.duration_ms
    );
    assert!(
        beats.duration_ms.abs_diff(t.duration_ms) <= 50,
        "decoded {} ms, timing.json {} ms",
        beats.duration_ms,
        t.duration_ms
    );
    assert!(
        (beats.tempo_bpm - TEMPO_BPM).abs() <= 1.0,
        "tempo {}",
        beats.tempo_bpm
    );

    let grid: Vec<f64> = (0..)
        .map(|k| k as f64 * t.beat_ms())
        .take_while(|&ms| ms < t.duration_ms as f64)
        .collect();
    let found: Vec<f64> = beats.beats_ms.iter().map(|&b| b as f64).collect();
    let hits = matched(&grid, &found, WINDOW_MS) as f64;
    let f = 2.0 * hits / (grid.len() + found.len()) as f64;
    eprintln!(
        "tempo {:.2} BPM, {} beats found of {}, F {f:.3}",
        beats.tempo_bpm,
        found.len(),
        grid.len()
    );
    assert!(f >= 0.9, "beat F-measure {f:.3}");

    let starts: Vec<f64> = t.words().map(|w| w.start_ms as f64).collect();
    let onsets: Vec<f64> = beats.onsets_ms.iter().map(|&o| o as f64).collect();
    let near = starts
        .iter()
        .filter(|&&s| onsets.iter().any(|&o| (o - s).abs() <= 50.0))
        .count();
    eprintln!(
        "{near} of {} word starts have an onset within 50 ms",
        starts.len()
    );
    assert!(
        near as f64 >= 0.8 * starts.len() as f64,
        "{near} of {} word starts",
        starts.len()
    );
}

#[test]
fn the_same_build_writes_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.mp3"), dir.path().join("b.mp3"));
    write_mp3(&a).unwrap();
    write_mp3(&b).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn an_unwritable_path_is_an_encode_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("song.mp3");
    let err = write_mp3(&path).unwrap_err();
    assert!(
        matches!(err, miri_demo::DemoError::Encode { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("missing/song.mp3"), "{err}");
}
