//! `miri demo` as a newcomer runs it: the whole pipeline on the bundled demo song, offline, on
//! free loopback ports of its own; the film is checked with ffprobe against the song.

use miri_testkit::{miri_bin, temporal_bin};
use serde_json::Value;
use std::process::Command;

#[test]
fn the_demo_makes_a_film_of_the_demo_song_frame_for_frame() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("film.mp4");
    let run = Command::new(miri_bin())
        .args(["demo", "--json", "--shots", "10", "--out"])
        .arg(&out)
        .env("MIRI_TEMPORAL_BIN", temporal_bin())
        .env("MIRI_WEB_DIST", concat!(env!("CARGO_MANIFEST_DIR"), "/../web/dist"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "miri demo failed:\n{stderr}");
    let summary: Value = serde_json::from_slice(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&run.stdout)));

    assert_eq!(summary["video"].as_str().unwrap(), out.to_str().unwrap());
    assert_eq!(summary["fps"], 24);
    assert!(summary["elapsedMs"].as_u64().unwrap() > 0);
    let again = dir.path().join("again.mp3");
    miri_demo::write_mp3(&again).unwrap();
    let song = summary["audio"].as_str().unwrap();
    assert_eq!(std::fs::read(song).unwrap(), std::fs::read(&again).unwrap(), "the song used is the bundled one");

    // Ten shots or so, covering the song's 72 s end to end.
    let shots = summary["shots"].as_array().unwrap();
    assert!((8..=12).contains(&shots.len()), "{} shots", shots.len());
    let edges: Vec<(u64, u64)> = shots.iter().map(|s| (s["startMs"].as_u64().unwrap(), s["endMs"].as_u64().unwrap())).collect();
    assert_eq!(edges[0].0, 0);
    assert!(edges.windows(2).all(|w| w[0].1 == w[1].0), "{edges:?}");
    assert_eq!(edges.last().unwrap().1, miri_demo::timing().duration_ms);

    // The film is the song's length to the frame: 72 s at 24 fps.
    let frames = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames,width,height", "-of", "json"])
        .arg(&out)
        .output()
        .unwrap();
    let info: Value = serde_json::from_slice(&frames.stdout).unwrap();
    let stream = &info["streams"][0];
    assert_eq!((stream["width"].as_u64(), stream["height"].as_u64()), (Some(1280), Some(720)));
    assert_eq!(stream["nb_read_frames"].as_str().unwrap().parse::<u64>().unwrap(), 72 * 24);
}
