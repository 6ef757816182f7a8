//! A short chaos run as `make test` runs it (`make chaos` runs the 20-shot one): six shots,
//! the worker killed -9 at least five times, Temporal and the gateway restarted once, 5xx and
//! doubled and dropped webhooks from the simulator — and the film still comes out to the frame,
//! with nothing lost and nothing paid twice.

use serde_json::Value;
use std::process::Command;

#[test]
fn a_short_film_survives_kills_restarts_and_faults() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("film.mp4");
    let run = Command::new(env!("CARGO_BIN_EXE_miri-chaos"))
        .args(["--shots", "6", "--kills", "5", "--seed", "11", "--within-secs", "600", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    let last = stdout.lines().last().unwrap_or_default();
    let tally: Value = serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: the last line is not JSON: {stdout}\n{stderr}"));
    assert!(run.status.success(), "{tally}\n{stderr}");
    assert_eq!((tally["shots"].as_u64(), tally["completed"].as_u64()), (Some(6), Some(6)), "{tally}");
    assert!(tally["worker_kills"].as_u64().unwrap() >= 5, "{tally}");
    assert_eq!((tally["temporal_restarts"].as_u64(), tally["gateway_restarts"].as_u64()), (Some(1), Some(1)), "{tally}");
    assert_eq!(tally["records_lost"], 0, "{tally}");
    assert_eq!(tally["duplicate_paid_submissions"], 0, "{tally}");
    assert!(tally["records_seen"].as_u64().unwrap() > 6, "{tally}");
    assert_eq!(tally["film_frames"], tally["song_frames"], "{tally}");
    assert_eq!(tally["final_render"].as_str().unwrap(), std::path::absolute(&out).unwrap().to_str().unwrap());
    assert!(out.metadata().unwrap().len() > 0);
}
