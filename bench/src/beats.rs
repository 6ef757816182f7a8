//! Beat tracking, Miri against librosa on the same files in the same run: the annotated real
//! recordings in `../shared/data/beats` (read in place, never copied here; skipped, and said
//! so, when absent), a 4-minute MP3 made here and the bundled demo song (`miri-demo`), both
//! with a known grid, and any songs given with `--beat-songs` (a `NAME.beats` beside
//! `NAME.mp3` is its grid). Per file: the time to decode and track (best and first of a few
//! runs, each side in its own process's steady state), the F-measure at ±70 ms and the tempo
//! error against the grid.

use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The matching window of the F-measure, seconds.
const WINDOW_S: f64 = 0.07;
/// The made-up song: a kick on every beat, a hi-hat between, a chord under it all.
const SYNTH_BPM: f64 = 123.0;
const SYNTH_SECONDS: f64 = 240.0;

pub struct Plan {
    /// Directory of `NAME.mp3` + `NAME.beats` recordings with human annotations.
    pub data: PathBuf,
    /// More songs, from the command line.
    pub songs: Vec<PathBuf>,
    /// Timed runs per file and side.
    pub runs: usize,
    /// `miri` itself, to time `miri analyze beats --json` as a process too.
    pub miri_bin: Option<PathBuf>,
}

struct Song {
    name: String,
    path: PathBuf,
    kind: &'static str,
    /// Beat times in seconds, when known.
    grid: Option<Vec<f64>>,
}

pub fn run(plan: &Plan) -> anyhow::Result<Value> {
    let dir = tempfile::tempdir()?;
    let mut songs = Vec::new();
    let mut skipped = Vec::new();
    match annotated(&plan.data) {
        Ok(found) if !found.is_empty() => songs.extend(found),
        Ok(_) => skipped.push(format!("no NAME.mp3 + NAME.beats in {}: real-music part skipped", plan.data.display())),
        Err(e) => skipped.push(format!("{}: {e:#}; real-music part skipped", plan.data.display())),
    }
    songs.push(synthesise(dir.path())?);
    songs.push(demo_song(dir.path())?);
    for path in &plan.songs {
        let beats = path.with_extension("beats");
        let grid = beats.exists().then(|| read_grid(&beats)).transpose()?;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        songs.push(Song { name, path: path.clone(), kind: "given", grid });
    }
    for s in &skipped {
        eprintln!("beats: {s}");
    }
    eprintln!("beats: {} files, {} timed runs each side", songs.len(), plan.runs);

    let librosa = librosa(&songs, plan.runs);
    let mut rows = Vec::new();
    for (i, song) in songs.iter().enumerate() {
        let mut seconds = Vec::new();
        let mut result = None;
        for _ in 0..plan.runs {
            let started = Instant::now();
            let analysis = miri_audio::analyze_file(&song.path).with_context(|| format!("analysing {}", song.path.display()))?;
            seconds.push(started.elapsed().as_secs_f64());
            result = Some(analysis.beats);
        }
        let beats = result.context("no runs")?;
        let miri_beats: Vec<f64> = beats.beats_ms.iter().map(|&m| m as f64 / 1000.0).collect();
        let cli = plan.miri_bin.as_deref().map(|bin| cli_seconds(bin, &song.path, plan.runs)).transpose()?;
        let theirs = librosa.as_ref().ok().map(|files| &files[i]);
        rows.push(json!({
            "file": song.name,
            "kind": song.kind,
            "durationMs": beats.duration_ms,
            "referenceTempoBpm": song.grid.as_deref().and_then(reference_tempo),
            "miri": side(beats.tempo_bpm, &miri_beats, &seconds, song.grid.as_deref()),
            "miriCliSeconds": cli,
            "librosa": theirs.map(|t| {
                let beats: Vec<f64> = t["beats_s"].as_array().into_iter().flatten().filter_map(Value::as_f64).collect();
                let seconds: Vec<f64> = t["seconds"].as_array().into_iter().flatten().filter_map(Value::as_f64).collect();
                side(t["tempo_bpm"].as_f64().unwrap_or(0.0), &beats, &seconds, song.grid.as_deref())
            }),
        }));
    }
    let mean = |side: &str, kind: &str, key: &str| -> Option<f64> {
        let v: Vec<f64> = rows.iter().filter(|r| r["kind"] == kind).filter_map(|r| r[side][key].as_f64()).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let total = |side: &str| -> f64 { rows.iter().filter_map(|r| r[side]["bestSeconds"].as_f64()).sum() };
    let (miri_s, librosa_s) = (total("miri"), total("librosa"));
    let measured = librosa.is_ok();
    Ok(json!({
        "files": rows,
        "skipped": skipped,
        "librosa": match &librosa { Ok(_) => json!("measured"), Err(e) => json!(format!("not measured: {e:#}")) },
        "meanF": {
            "real": {"miri": mean("miri", "real", "fMeasure"), "librosa": mean("librosa", "real", "fMeasure")},
            "synthetic": {"miri": mean("miri", "synthetic", "fMeasure"), "librosa": mean("librosa", "synthetic", "fMeasure")},
        },
        "totalBestSeconds": {"miri": miri_s, "librosa": measured.then_some(librosa_s)},
        "speedupLibrosaOverMiri": (measured && miri_s > 0.0).then(|| librosa_s / miri_s),
        "method": format!("best of {} runs per file and side, decode + tracking, in-process (librosa: load at 22.05 kHz + beat_track, import untimed); F at ±{} ms, each annotation matched to at most one estimate, estimates outside the annotated span ±{} ms ignored; tempo error against 60 / median annotated interval", plan.runs, WINDOW_S * 1000.0, WINDOW_S * 1000.0),
        "target": "miri at least 10x faster than librosa with an equal or better F-measure",
    }))
}

/// One side's figures on one file.
fn side(tempo: f64, beats: &[f64], seconds: &[f64], grid: Option<&[f64]>) -> Value {
    let best = seconds.iter().copied().fold(f64::INFINITY, f64::min);
    let (f, tempo_error) = match grid {
        Some(grid) => (
            Some(f_measure(grid, beats)),
            reference_tempo(grid).map(|r| 100.0 * (tempo - r).abs() / r),
        ),
        None => (None, None),
    };
    json!({
        "tempoBpm": tempo,
        "beats": beats.len(),
        "fMeasure": f,
        "tempoErrorPct": tempo_error,
        "bestSeconds": best.is_finite().then_some(best),
        "firstSeconds": seconds.first(),
        "seconds": seconds,
    })
}

/// F-measure of `estimates` against `reference` (seconds, ascending), at ±[`WINDOW_S`]: each
/// annotation matched to at most one estimate. In one dimension with one window, matching in
/// time order, each annotation taking the earliest unused estimate in reach, is a maximum
/// matching. Estimates outside the annotated span (± the window) are not counted.
fn f_measure(reference: &[f64], estimates: &[f64]) -> f64 {
    let (Some(&first), Some(&last)) = (reference.first(), reference.last()) else { return 0.0 };
    let estimates: Vec<f64> = estimates.iter().copied().filter(|&e| e >= first - WINDOW_S && e <= last + WINDOW_S).collect();
    let (mut matched, mut next) = (0usize, 0usize);
    for &r in reference {
        while next < estimates.len() && estimates[next] < r - WINDOW_S {
            next += 1;
        }
        if next < estimates.len() && estimates[next] <= r + WINDOW_S {
            matched += 1;
            next += 1;
        }
    }
    if matched == 0 {
        return 0.0;
    }
    let (precision, recall) = (matched as f64 / estimates.len() as f64, matched as f64 / reference.len() as f64);
    2.0 * precision * recall / (precision + recall)
}

/// 60 / the median interval of the grid.
fn reference_tempo(grid: &[f64]) -> Option<f64> {
    let mut gaps: Vec<f64> = grid.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_by(f64::total_cmp);
    gaps.get(gaps.len() / 2).map(|g| 60.0 / g)
}

fn read_grid(path: &Path) -> anyhow::Result<Vec<f64>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap_or("").parse::<f64>().with_context(|| format!("{}: {l:?}", path.display())))
        .collect()
}

fn annotated(dir: &Path) -> anyhow::Result<Vec<Song>> {
    let mut songs = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let beats = path.with_extension("beats");
        if path.extension().is_some_and(|e| e == "mp3") && beats.exists() {
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            songs.push(Song { name, grid: Some(read_grid(&beats)?), path, kind: "real" });
        }
    }
    songs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(songs)
}

/// A 4-minute MP3 at [`SYNTH_BPM`] whose beats are exactly `k · 60 / BPM` s from 0.
fn synthesise(dir: &Path) -> anyhow::Result<Song> {
    let p = 60.0 / SYNTH_BPM;
    let path = dir.join("synthetic-4min.mp3");
    let kick = format!("0.8*sin(2*PI*(50+90*exp(-25*mod(t,{p})))*mod(t,{p}))*exp(-8*mod(t,{p}))");
    let hat = format!("0.2*(2*random(0)-1)*exp(-60*mod(t+{},{p}))", p / 2.0);
    let pad = "0.06*(sin(2*PI*220*t)+sin(2*PI*277.18*t)+sin(2*PI*329.63*t))";
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("aevalsrc='{kick}+{hat}+{pad}':s=44100:d={SYNTH_SECONDS}"))
        .args(["-ac", "1", "-codec:a", "libmp3lame", "-b:a", "192k"])
        .arg(&path)
        .output()
        .context("running ffmpeg")?;
    if !out.status.success() {
        bail!("ffmpeg could not make the synthetic song: {}", String::from_utf8_lossy(&out.stderr));
    }
    let grid = (0..).map(|k| k as f64 * p).take_while(|&t| t < SYNTH_SECONDS).collect();
    Ok(Song { name: format!("synthetic-4min-{SYNTH_BPM}bpm"), path, kind: "synthetic", grid: Some(grid) })
}

/// The demo song (72 s at 100 BPM, drums, bass, pad and a sung voice), whose beats are exactly
/// `k · 60 / BPM` s from 0.
fn demo_song(dir: &Path) -> anyhow::Result<Song> {
    let path = dir.join("demo-song.mp3");
    miri_demo::write_mp3(&path)?;
    let (p, end) = (60.0 / miri_demo::TEMPO_BPM, miri_demo::timing().duration_ms as f64 / 1000.0);
    let grid = (0..).map(|k| k as f64 * p).take_while(|&t| t < end).collect();
    Ok(Song { name: "demo-song".into(), path, kind: "synthetic", grid: Some(grid) })
}

/// `miri analyze beats FILE --json` as a process, wall-clock seconds per run.
fn cli_seconds(bin: &Path, file: &Path, runs: usize) -> anyhow::Result<Vec<f64>> {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            let out = Command::new(bin).args(["analyze", "beats"]).arg(file).arg("--json").output()?;
            if !out.status.success() {
                bail!("miri analyze beats {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
            }
            Ok(started.elapsed().as_secs_f64())
        })
        .collect()
}

/// librosa's answers and timings, one per song in order.
fn librosa(songs: &[Song], runs: usize) -> anyhow::Result<Vec<Value>> {
    let out = Command::new(".venv/bin/python")
        .arg("bench/librosa_beats.py")
        .arg(runs.to_string())
        .args(songs.iter().map(|s| &s.path))
        .output()
        .context("running .venv/bin/python bench/librosa_beats.py (make bench installs librosa)")?;
    if !out.status.success() {
        bail!("librosa_beats.py failed: {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or(""));
    }
    let v: Value = serde_json::from_slice(&out.stdout).context("librosa_beats.py's answer")?;
    let files = v["files"].as_array().cloned().unwrap_or_default();
    if files.len() != songs.len() {
        bail!("librosa_beats.py answered for {} of {} files", files.len(), songs.len());
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f_measure_matches_each_annotation_once_within_the_window() {
        let reference = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(f_measure(&reference, &reference), 1.0);
        // Two estimates near 1.0 match one annotation; 3.1 is outside ±70 ms.
        let f = f_measure(&reference, &[0.95, 1.02, 2.06, 3.1, 4.0]);
        let (p, r) = (3.0 / 5.0, 3.0 / 4.0);
        assert!((f - 2.0 * p * r / (p + r)).abs() < 1e-12, "{f}");
        // Estimates before the annotated span do not count against precision.
        assert_eq!(f_measure(&reference, &[0.2, 0.5, 1.0, 2.0, 3.0, 4.0]), 1.0);
        assert_eq!(f_measure(&reference, &[]), 0.0);
    }

    #[test]
    fn reference_tempo_is_60_over_the_median_gap() {
        assert_eq!(reference_tempo(&[0.0, 0.5, 1.0, 1.6, 2.1]), Some(120.0));
        assert_eq!(reference_tempo(&[1.0]), None);
    }
}
