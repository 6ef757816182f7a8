//! `miri demo-song --out DIR [--json]`: writes the bundled demo song (`miri-demo`) as
//! `song.mp3`, with `lyrics.txt` and `timing.json` beside it — what a director would upload,
//! and the known answers to check the analysis against.

use anyhow::Context;
use std::path::Path;

pub fn run(out: &Path, json: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let (song, lyrics, timing_file) = (
        out.join("song.mp3"),
        out.join("lyrics.txt"),
        out.join("timing.json"),
    );
    miri_demo::write_mp3(&song)?;
    std::fs::write(&lyrics, miri_demo::lyrics())
        .with_context(|| format!("writing {}", lyrics.display()))?;
    let timing = miri_demo::timing();
    let text = serde_json::to_string_pretty(&timing).context("writing the timing as JSON")?;
    std::fs::write(&timing_file, text + "\n")
        .with_context(|| format!("writing {}", timing_file.display()))?;
    if json {
        let answer = serde_json::json!({
            "song": song,
            "lyrics": lyrics,
            "timing": timing_file,
            "tempoBpm": timing.tempo_bpm,
            "durationMs": timing.duration_ms,
        });
        println!("{answer}");
    } else {
        println!(
            "wrote {} ({:.1} s at {} BPM, {} sung lines), {} and {}",
            song.display(),
            timing.duration_ms as f64 / 1000.0,
            timing.tempo_bpm,
            timing.lines.len(),
            lyrics.display(),
            timing_file.display()
        );
    }
    Ok(())
}
