//! The animatic at issue 13's size — 40 shots of 5 s on a 200-second song, 1280×720 at 24 fps,
//! every shot from its still — through the calls the render activities make (`still_segment`
//! with the shot's camera move into the segment cache, two at a time; concat; mux), cold and
//! again after one shot's still changed. Both outputs are checked with ffprobe (4800 ± 1 frames).
//! The song is encoded for muxing first, timed apart: the system does that beside the song's
//! analysis, long before the director asks for an animatic.

use crate::render::{check, ffmpeg, hex_sha256};
use futures::{StreamExt, TryStreamExt};
use miri_render::{FrameRate, Motion, SegmentCache, Shot, VideoFormat};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Instant;

const SHOT_MS: u64 = 5000;
const FPS: u32 = 24;
/// Segments made at once: the machine's 2 cores, as the render workflow's parallel activities.
const PARALLEL: usize = 2;
/// Issue 13's targets, in seconds.
const COLD_TARGET: f64 = 30.0;
const CHANGED_TARGET: f64 = 5.0;

pub async fn run(shots: usize) -> anyhow::Result<Value> {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let song_s = (shots as u64 * SHOT_MS) as f64 / 1000.0;
    eprintln!("animatic: making a {song_s} s song and {shots} stills of 1024x576");
    ffmpeg(&["-f", "lavfi", "-i", &format!("sine=frequency=440:duration={song_s}"), "-c:a", "libmp3lame", "-b:a", "192k", "song.mp3"], d).await?;
    let stills: Vec<PathBuf> = (0..shots).map(|i| d.join(format!("still{i:02}.png"))).collect();
    futures::stream::iter(0..shots)
        .map(|i| async move { still(d, &format!("still{i:02}.png"), (i as u32).wrapping_mul(0x9E3779) & 0xFFFFFF).await })
        .buffer_unordered(PARALLEL)
        .try_collect::<Vec<()>>()
        .await?;
    let song = d.join("song.mp3");
    let format = VideoFormat::new(1280, 720, FrameRate::new(FPS, 1)?)?;
    let cache = SegmentCache::new(d.join("segment-cache"));

    let started = Instant::now();
    cache.encoded_song(&song, &hex_sha256(&std::fs::read(&song)?)).await?;
    let song_ahead = started.elapsed().as_secs_f64();
    let cold_out = d.join("cold.mp4");
    let started = Instant::now();
    let cold_phases = pass(&stills, &song, &format, &cache, d, "cold", &cold_out).await?;
    let cold = started.elapsed().as_secs_f64();
    let mut changed_stills = stills.clone();
    changed_stills[0] = d.join("still-changed.png");
    still(d, "still-changed.png", 0xFF00FF).await?;
    let changed_out = d.join("changed.mp4");
    let started = Instant::now();
    let changed_phases = pass(&changed_stills, &song, &format, &cache, d, "changed", &changed_out).await?;
    let changed = started.elapsed().as_secs_f64();
    let frames = shots as u64 * SHOT_MS * u64::from(FPS) / 1000;
    let (cold_check, changed_check) = (check(&cold_out, frames, song_s).await?, check(&changed_out, frames, song_s).await?);
    eprintln!("animatic: song ahead {song_ahead:.1} s; cold {cold:.1} s ({cold_phases}), after one change {changed:.1} s ({changed_phases})");
    Ok(json!({
        "shots": shots,
        "songSeconds": song_s,
        "output": {"width": 1280, "height": 720, "fps": FPS, "frames": frames},
        "parallelSegments": PARALLEL,
        "songEncodedAheadSeconds": song_ahead,
        "coldSeconds": cold,
        "coldPhases": cold_phases,
        "coldOutput": cold_check,
        "oneStillChangedSeconds": changed,
        "changedPhases": changed_phases,
        "changedOutput": changed_check,
        "targets": {"coldAtMost30s": cold <= COLD_TARGET, "afterOneChangeAtMost5s": changed <= CHANGED_TARGET},
        "ratioColdOverTarget": cold / COLD_TARGET,
        "ratioChangedOverTarget": changed / CHANGED_TARGET,
    }))
}

/// A 1024×576 still (a provider's 16:9) in one colour with a lighter square, so a camera move shows.
async fn still(d: &Path, name: &str, rgb: u32) -> anyhow::Result<()> {
    let src = format!("color=c=0x{rgb:06X}:s=1024x576:d=1,drawbox=x=400:y=200:w=220:h=180:color=white@0.6:t=fill");
    ffmpeg(&["-f", "lavfi", "-i", &src, "-frames:v", "1", name], d).await
}

/// Seconds spent in each step of one animatic.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Phases {
    segments_seconds: f64,
    concat_seconds: f64,
    mux_seconds: f64,
}

impl std::fmt::Display for Phases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "segments {:.1} s, concat {:.1} s, mux {:.1} s", self.segments_seconds, self.concat_seconds, self.mux_seconds)
    }
}

/// One animatic: each still's segment from the cache or made into it, concat, mux.
async fn pass(stills: &[PathBuf], song: &Path, format: &VideoFormat, cache: &SegmentCache, d: &Path, name: &str, out: &Path) -> anyhow::Result<Phases> {
    let started = Instant::now();
    let shots = stills.iter().enumerate().map(|(i, still)| {
        let (start_ms, end_ms) = (i as u64 * SHOT_MS, (i as u64 + 1) * SHOT_MS);
        Shot { label: format!("shot{i:02}"), start_ms, end_ms, media: Some((i, still.clone())) }
    });
    let list = miri_render::plan(shots.collect(), stills.len() as u64 * SHOT_MS, format.fps()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let parts: Vec<PathBuf> = list.segments.iter().map(|s| d.join(format!("{name}-{}.seg.mp4", s.label))).collect();
    futures::stream::iter(list.segments.iter().zip(&parts))
        .map(|(segment, part)| async move {
            let (index, still) = &segment.media;
            // The moves a shot without a camera description gets: zooms, in and out by turns.
            let motion = if index % 2 == 0 { Motion::ZoomIn } else { Motion::ZoomOut };
            let entry = cache.made_by(&format!("still {motion:?}"), &hex_sha256(&std::fs::read(still)?), segment.frames, format).await;
            if !cache.take(&entry, part)? {
                miri_render::still_segment(still, motion, segment.frames, format, None, part, |_| {}).await?;
                cache.keep(part, &entry)?;
            }
            anyhow::Ok(())
        })
        .buffer_unordered(PARALLEL)
        .try_collect::<Vec<()>>()
        .await?;
    let segments_seconds = started.elapsed().as_secs_f64();
    let video = d.join(format!("{name}-video.mp4"));
    miri_render::concat(&parts, &video).await?;
    let concat_seconds = started.elapsed().as_secs_f64() - segments_seconds;
    let encoded = cache.encoded_song(song, &hex_sha256(&std::fs::read(song)?)).await?;
    miri_render::mux_encoded(&video, &encoded, out).await?;
    let mux_seconds = started.elapsed().as_secs_f64() - segments_seconds - concat_seconds;
    Ok(Phases { segments_seconds, concat_seconds, mux_seconds })
}
