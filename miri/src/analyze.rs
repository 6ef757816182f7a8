//! `miri analyze beats FILE [--json]`: the song's tempo, beat grid and onsets, from
//! `miri-audio`, as JSON for scripts or as a short summary for a person.

use anyhow::Context;
use miri_audio::Analysis;
use std::path::Path;

pub fn beats(file: &Path, json: bool) -> anyhow::Result<()> {
    let analysis = miri_audio::analyze_file(file)?;
    if let Some(why) = analysis.no_beat {
        eprintln!("{why}");
    }
    if json {
        println!("{}", serde_json::to_string(&analysis.beats).context("writing the analysis as JSON")?);
    } else {
        print!("{}", summary(&analysis));
    }
    Ok(())
}

fn summary(a: &Analysis) -> String {
    let b = &a.beats;
    let seconds = |ms: u64| ms as f64 / 1000.0;
    let tempo = match a.no_beat {
        Some(why) => format!("{why}\n"),
        None => format!(
            "tempo {:.1} BPM, {} beats from {:.2} s to {:.2} s\n",
            b.tempo_bpm,
            b.beats_ms.len(),
            seconds(*b.beats_ms.first().unwrap_or(&0)),
            seconds(*b.beats_ms.last().unwrap_or(&0))
        ),
    };
    let (quiet, loud) = a.segments.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(q, l), s| (q.min(s.rms_dbfs), l.max(s.rms_dbfs)));
    format!(
        "duration {:.2} s\n{tempo}{} onsets\nloudness {:.1} dBFS RMS overall, {:.1} to {:.1} dBFS per beat\n",
        seconds(b.duration_ms),
        b.onsets_ms.len(),
        a.rms_dbfs,
        quiet,
        loud,
    )
}
