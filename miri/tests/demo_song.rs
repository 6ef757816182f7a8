//! `miri demo-song` as a user runs it: the built binary writes the song, its lyrics and its
//! timing, and the song it wrote is the one `miri analyze beats` then reads at 100 BPM.

use serde_json::Value;
use std::process::Command;

#[test]
fn writes_the_song_its_lyrics_and_its_timing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let run = Command::new(env!("CARGO_BIN_EXE_miri"))
        .args(["demo-song", "--json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let v: Value = serde_json::from_slice(&run.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["durationMs", "lyrics", "song", "tempoBpm", "timing"]);
    assert_eq!(
        (v["tempoBpm"].as_f64(), v["durationMs"].as_u64()),
        (Some(100.0), Some(72_000))
    );
    for (key, name) in [
        ("song", "song.mp3"),
        ("lyrics", "lyrics.txt"),
        ("timing", "timing.json"),
    ] {
        assert_eq!(
            v[key].as_str().map(std::path::PathBuf::from),
            Some(out.join(name))
        );
    }
    let lyrics = std::fs::read_to_string(out.join("lyrics.txt")).unwrap();
    let timing: Value =
        serde_json::from_slice(&std::fs::read(out.join("timing.json")).unwrap()).unwrap();
    let sung: Vec<&str> = lyrics.lines().filter(|l| !l.is_empty()).collect();
    let timed: Vec<&str> = timing["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(sung, timed);

    let analysed = Command::new(env!("CARGO_BIN_EXE_miri"))
        .args(["analyze", "beats", "--json"])
        .arg(out.join("song.mp3"))
        .output()
        .unwrap();
    assert!(
        analysed.status.success(),
        "{}",
        String::from_utf8_lossy(&analysed.stderr)
    );
    let beats: Value = serde_json::from_slice(&analysed.stdout).unwrap();
    let tempo = beats["tempo_bpm"].as_f64().unwrap();
    assert!((tempo - 100.0).abs() <= 1.0, "tempo {tempo}");
    assert!(
        beats["duration_ms"].as_u64().unwrap().abs_diff(72_000) <= 50,
        "{}",
        beats["duration_ms"]
    );
}

#[test]
fn an_out_path_that_is_a_file_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("taken");
    std::fs::write(&file, "").unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_miri"))
        .args(["demo-song", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("taken"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}
