//! `miri analyze beats` as a user runs it: the built binary on MP3s that ffmpeg makes here.

use serde_json::Value;
use std::{path::Path, process::Command};

/// Encodes an ffmpeg lavfi audio source to an MP3 at `out`.
fn mp3(source: &str, out: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source])
        .args(["-ac", "1", "-codec:a", "libmp3lame", "-b:a", "192k"])
        .arg(out)
        .status()
        .expect("ffmpeg on PATH");
    assert!(status.success(), "ffmpeg could not make {}", out.display());
}

/// (exit code, stdout, stderr).
fn analyze(file: &Path, json: bool) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_miri"));
    cmd.args(["analyze", "beats"]).arg(file);
    if json {
        cmd.arg("--json");
    }
    let out = cmd.output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_click_track_at_128_bpm() {
    let dir = tempfile::tempdir().unwrap();
    let song = dir.path().join("clicks.mp3");
    // A 2 kHz blip of 30 ms every 60/128 s from t = 0, over a quiet hum, for 20 s.
    let period = 60.0 / 128.0;
    mp3(
        &format!(
            "aevalsrc='0.7*sin(2*PI*2000*t)*exp(-80*mod(t,{period}))*lt(mod(t,{period}),0.03)+0.02*sin(2*PI*110*t)':s=44100:d=20"
        ),
        &song,
    );
    let (code, stdout, stderr) = analyze(&song, true);
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["beats_ms", "duration_ms", "onsets_ms", "tempo_bpm"]);
    let tempo = v["tempo_bpm"].as_f64().unwrap();
    assert!((tempo - 128.0).abs() <= 0.02 * 128.0, "tempo {tempo}");
    assert!(v["duration_ms"].as_u64().unwrap().abs_diff(20_000) <= 30, "{}", v["duration_ms"]);
    let beats: Vec<f64> = v["beats_ms"].as_array().unwrap().iter().map(|b| b.as_f64().unwrap()).collect();
    assert!(beats.len() >= 40, "{beats:?}");
    for b in &beats {
        let off = (b / 1000.0 / period - (b / 1000.0 / period).round()).abs() * period * 1000.0;
        assert!(off <= 30.0, "beat at {b} ms is {off:.0} ms off the grid");
    }
    assert!(v["onsets_ms"].as_array().unwrap().len() >= 40);

    let (code, summary, _) = analyze(&song, false);
    assert_eq!(code, 0);
    assert!(summary.contains("BPM") && summary.contains("beats") && summary.contains("dBFS"), "{summary}");
}

#[test]
fn silence_answers_no_beat() {
    let dir = tempfile::tempdir().unwrap();
    let song = dir.path().join("silence.mp3");
    mp3("anullsrc=r=44100:cl=mono:d=5", &song);
    let (code, stdout, stderr) = analyze(&song, true);
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!((v["tempo_bpm"].as_f64(), v["beats_ms"].as_array().map(Vec::len)), (Some(0.0), Some(0)));
    assert!(stderr.contains("no beat found"), "{stderr}");
}

#[test]
fn a_file_that_is_not_audio_fails_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lyrics.mp3");
    std::fs::write(&file, "la la la\n".repeat(500)).unwrap();
    let (code, stdout, stderr) = analyze(&file, true);
    assert_ne!(code, 0);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("lyrics.mp3") && stderr.contains("not audio"), "{stderr}");
}
