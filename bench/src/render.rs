//! The final render at issue 7's size — 40 shots of 5 s on a 200-second song, 1280×720 at 24 fps
//! — three ways, in one run: Miri's render path (`miri_render`: plan → conform two segments at a
//! time → concat → mux, called directly, no Temporal), one hand-written ffmpeg command (the
//! limit), and the equivalent moviepy script (`bench/moviepy_render.py`, the seed's first
//! choice). Every output is checked with ffprobe (4800 ± 1 frames, ≈ 200 s), so no side wins by
//! doing less.

use anyhow::{Context, bail};
use futures::{StreamExt, TryStreamExt};
use miri_render::{FrameRate, SegmentCache, Shot, VideoFormat};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;
use tokio::process::Command;

const SHOT_MS: u64 = 5000;
const FPS: u32 = 24;
/// What `render/src/encoder.rs` uses; the other two sides are given the same.
const PRESET: &str = "veryfast";
const CRF: &str = "20";
/// Conforms at once: the machine's 2 cores, what the RenderWorkflow's parallel activities
/// amount to on one worker.
const PARALLEL: usize = 2;
/// The fit `VideoFormat::fit_filters` applies, written out for the hand-written command.
const FIT: &str = "scale=1280:720:force_original_aspect_ratio=decrease:force_divisible_by=2,\
                   pad=1280:720:(ow-iw)/2:(oh-ih)/2:black,setsar=1";

pub async fn ffmpeg(args: &[&str], cwd: &Path) -> anyhow::Result<()> {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .await?;
    if !out.status.success() {
        bail!("ffmpeg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// Frames of the video stream and the container's duration in seconds, by ffprobe.
pub async fn check(file: &Path, frames: u64, seconds: f64) -> anyhow::Result<Value> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_packets", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_packets:format=duration", "-of", "json"])
        .arg(file)
        .output()
        .await?;
    let v: Value = serde_json::from_slice(&out.stdout).context("ffprobe's answer")?;
    let got_frames: u64 = v["streams"][0]["nb_read_packets"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
    let got_seconds: f64 = v["format"]["duration"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let audio = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=codec_name", "-of", "csv=p=0"])
        .arg(file)
        .output()
        .await?;
    let audio = String::from_utf8_lossy(&audio.stdout).trim().to_string();
    let valid = got_frames.abs_diff(frames) <= 1 && (got_seconds - seconds).abs() <= 0.5 && !audio.is_empty();
    Ok(json!({"frames": got_frames, "durationSeconds": got_seconds, "audioCodec": audio, "valid": valid}))
}

/// `side`'s figures: wall seconds and its output's check, or why it was not measured.
async fn timed<F: Future<Output = anyhow::Result<()>>>(side: &str, output: &Path, job: F) -> Value {
    eprintln!("render: {side}");
    let started = Instant::now();
    match job.await {
        Ok(()) => {
            let seconds = started.elapsed().as_secs_f64();
            let output = check(output, 4800, 200.0).await.unwrap_or_else(|e| json!({"valid": false, "error": e.to_string()}));
            eprintln!("render: {side} took {seconds:.1} s, output {output}");
            json!({"measured": true, "wallSeconds": seconds, "output": output})
        }
        Err(e) => {
            eprintln!("render: {side} not measured: {e:#}");
            json!({"measured": false, "why": format!("{e:#}")})
        }
    }
}

pub async fn run(shots: usize) -> anyhow::Result<Value> {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let song_ms = shots as u64 * SHOT_MS;
    let song_s = song_ms as f64 / 1000.0;
    eprintln!("render: making a {song_s} s song and {shots} clips of 5 s at 1280x720 {FPS} fps");
    ffmpeg(&["-f", "lavfi", "-i", &format!("sine=frequency=440:duration={song_s}"), "-c:a", "libmp3lame", "-b:a", "192k", "song.mp3"], d)
        .await?;
    let clips: Vec<PathBuf> = (0..shots).map(|i| d.join(format!("clip{i:02}.mp4"))).collect();
    futures::stream::iter(0..shots)
        .map(|i| async move {
            // Far-apart hues, so a wrong cut would show.
            let colour = format!("0x{:06X}", (i as u32).wrapping_mul(0x9E3779) & 0xFFFFFF);
            let src = format!("color=c={colour}:s=1280x720:r={FPS}:d=5");
            let name = format!("clip{i:02}.mp4");
            ffmpeg(&["-f", "lavfi", "-i", &src, "-c:v", "libx264", "-preset", PRESET, "-pix_fmt", "yuv420p", &name], d).await
        })
        .buffer_unordered(PARALLEL)
        .try_collect::<Vec<()>>()
        .await?;
    let song = d.join("song.mp3");
    let span = |i: usize| (i as u64 * SHOT_MS, (i as u64 + 1) * SHOT_MS);

    // 1. Miri's render path, three times: cold (nothing conformed yet: every segment encoded,
    // as a render of clips that arrived before this version did); from the segment cache (what
    // the pipeline does: each clip is conformed when its shot completes, so the film's render
    // links, joins and muxes); and after one shot's clip changed (one segment encoded).
    let format = VideoFormat::new(1280, 720, FrameRate::new(FPS, 1)?)?;
    let cache = SegmentCache::new(d.join("segment-cache"));
    let miri_out = d.join("miri.mp4");
    let mut cold_conform = None;
    let miri = timed("miri cold (plan, conform 2 at a time, concat, mux)", &miri_out, async {
        cold_conform = Some(miri_pass(&clips, &song, &format, &cache, d, "cold", &miri_out).await?);
        Ok(())
    })
    .await;
    let cached_out = d.join("miri-cached.mp4");
    let cached = timed("miri from the segment cache (clips conformed when their shots completed)", &cached_out, async {
        miri_pass(&clips, &song, &format, &cache, d, "cached", &cached_out).await.map(drop)
    })
    .await;
    let mut changed_clips = clips.clone();
    changed_clips[0] = d.join("clip-changed.mp4");
    let changed_src = format!("color=c=0xFF00FF:s=1280x720:r={FPS}:d=5");
    ffmpeg(&["-f", "lavfi", "-i", &changed_src, "-c:v", "libx264", "-preset", PRESET, "-pix_fmt", "yuv420p", "clip-changed.mp4"], d).await?;
    let changed_out = d.join("miri-changed.mp4");
    let changed = timed("miri after one shot's clip changed", &changed_out, async {
        miri_pass(&changed_clips, &song, &format, &cache, d, "changed", &changed_out).await.map(drop)
    })
    .await;

    // 2. One hand-written ffmpeg command: concat demuxer with each clip cut at its shot's length,
    // the same fit, rate and encoder setting, the MP3 as AAC.
    let list: String = clips
        .iter()
        .enumerate()
        .map(|(i, clip)| {
            let (start, end) = span(i);
            format!("file '{}'\noutpoint {:.3}\n", clip.display(), (end - start) as f64 / 1000.0)
        })
        .collect();
    std::fs::write(d.join("list.txt"), list)?;
    let ffmpeg_out = d.join("ffmpeg.mp4");
    let vf = format!("fps={FPS},{FIT},format=yuv420p");
    let frames = (song_ms * u64::from(FPS) / 1000).to_string();
    let ffmpeg_args: Vec<&str> = vec![
        "-f", "concat", "-safe", "0", "-i", "list.txt", "-i", "song.mp3", "-map", "0:v:0", "-map", "1:a:0",
        "-vf", &vf, "-fps_mode", "cfr", "-r", "24", "-frames:v", &frames,
        "-c:v", "libx264", "-preset", PRESET, "-crf", CRF, "-profile:v", "high", "-pix_fmt", "yuv420p", "-bf", "0",
        "-c:a", "aac", "-b:a", "192k", "-shortest", "-movflags", "+faststart", "ffmpeg.mp4",
    ];
    let hand = timed("one hand-written ffmpeg command", &ffmpeg_out, ffmpeg(&ffmpeg_args, d)).await;

    // 3. The moviepy script.
    let shots_json: Vec<Value> = clips
        .iter()
        .enumerate()
        .map(|(i, clip)| json!({"media": clip, "startMs": span(i).0, "endMs": span(i).1}))
        .collect();
    std::fs::write(d.join("shots.json"), serde_json::to_string(&shots_json)?)?;
    let moviepy_out = d.join("moviepy.mp4");
    let script = std::path::absolute("bench/moviepy_render.py")?;
    let moviepy = timed("moviepy script", &moviepy_out, async {
        let python = std::path::absolute(".venv/bin/python")?;
        if !python.exists() || !script.exists() {
            bail!("{} or {} is missing (run from the repository root after make bootstrap)", python.display(), script.display());
        }
        let out = Command::new(&python)
            .arg(&script)
            .args([d.join("shots.json"), song.clone(), moviepy_out.clone()])
            .args([PRESET, CRF])
            .env("IMAGEIO_FFMPEG_EXE", "/usr/bin/ffmpeg")
            .current_dir(d)
            .stdin(Stdio::null())
            .output()
            .await?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = err.lines().rev().take(5).collect();
            bail!("moviepy_render.py failed ({}): {}", out.status, tail.into_iter().rev().collect::<Vec<_>>().join(" | "));
        }
        Ok(())
    })
    .await;

    let secs = |v: &Value| v["wallSeconds"].as_f64().filter(|_| v["output"]["valid"] == true);
    let ratio = |mine: &Value, other: &Value| secs(mine).zip(secs(other)).map(|(m, o)| m / o);
    let (vs_moviepy, vs_ffmpeg) = (ratio(&miri, &moviepy), ratio(&miri, &hand));
    let (step_vs_moviepy, step_vs_ffmpeg) = (ratio(&cached, &moviepy), ratio(&cached, &hand));
    let moviepy_version = Command::new(".venv/bin/python")
        .args(["-c", "import moviepy; print(moviepy.__version__)"])
        .output()
        .await
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    Ok(json!({
        "shots": shots,
        "shotSeconds": SHOT_MS as f64 / 1000.0,
        "songSeconds": song_s,
        "output": {"width": 1280, "height": 720, "fps": FPS, "frames": song_ms * u64::from(FPS) / 1000},
        "encoder": {"codec": "libx264", "preset": PRESET, "crf": CRF, "audio": "aac 192k"},
        "parallelConforms": PARALLEL,
        "miri": miri,
        "miriColdConformSeconds": cold_conform,
        "miriFromCache": cached,
        "miriOneClipChanged": changed,
        "ffmpeg": {"command": format!("ffmpeg {}", ffmpeg_args.join(" ")), "result": hand},
        "moviepy": {"version": moviepy_version, "script": "bench/moviepy_render.py", "result": moviepy},
        "ratioMiriOverMoviepy": vs_moviepy,
        "moviepySlowerBy": vs_moviepy.map(|r| 1.0 / r),
        "ratioMiriOverFfmpeg": vs_ffmpeg,
        "renderStepOverMoviepy": step_vs_moviepy,
        "renderStepOverFfmpeg": step_vs_ffmpeg,
        "targets": {
            "cold": {"moviepyAtLeast10xSlower": vs_moviepy.map(|r| r <= 0.1), "miriAtMost1.3xFfmpeg": vs_ffmpeg.map(|r| r <= 1.3)},
            "renderStep": {"moviepyAtLeast10xSlower": step_vs_moviepy.map(|r| r <= 0.1), "miriAtMost1.3xFfmpeg": step_vs_ffmpeg.map(|r| r <= 1.3)},
        },
        "note": "cold encodes every segment at render time; renderStep is the pipeline's render, whose clips were conformed into the segment cache as their shots completed (that earlier work is miriColdConformSeconds)",
    }))
}

/// One render through Miri's path with `cache`: plan, take each segment from the cache or
/// conform it (two at a time) into it, concat, mux. Answers the seconds spent conforming.
async fn miri_pass(
    clips: &[PathBuf],
    song: &Path,
    format: &VideoFormat,
    cache: &SegmentCache,
    d: &Path,
    pass: &str,
    out: &Path,
) -> anyhow::Result<f64> {
    let shots = clips.iter().enumerate().map(|(i, clip)| {
        let (start_ms, end_ms) = (i as u64 * SHOT_MS, (i as u64 + 1) * SHOT_MS);
        Shot { label: format!("shot{i:02}"), start_ms, end_ms, media: Some(clip.clone()) }
    });
    let song_ms = clips.len() as u64 * SHOT_MS;
    let list = miri_render::plan(shots.collect(), song_ms, format.fps()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let parts: Vec<PathBuf> = list.segments.iter().map(|s| d.join(format!("{pass}-{}.seg.mp4", s.label))).collect();
    let conforming = Instant::now();
    futures::stream::iter(list.segments.iter().zip(&parts))
        .map(|(segment, part)| async move {
            let sha = hex_sha256(&std::fs::read(&segment.media)?);
            let entry = cache.entry(&sha, segment.frames, format).await;
            if !cache.take(&entry, part)? {
                miri_render::conform(&segment.media, segment.frames, format, None, part, |_| {}).await?;
                cache.keep(part, &entry)?;
            }
            anyhow::Ok(())
        })
        .buffer_unordered(PARALLEL)
        .try_collect::<Vec<()>>()
        .await?;
    let conform_seconds = conforming.elapsed().as_secs_f64();
    let video = d.join(format!("{pass}-video.mp4"));
    miri_render::concat(&parts, &video).await?;
    // The song is encoded for muxing once per song (cached like the segments).
    let encoded = cache.encoded_song(song, &hex_sha256(&std::fs::read(song)?)).await?;
    miri_render::mux_encoded(&video, &encoded, out).await?;
    Ok(conform_seconds)
}

/// The content hash the media store names a clip by.
pub fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
