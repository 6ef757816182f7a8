//! Kling's stand-in: an H.264 MP4 of exactly the requested length, made with ffmpeg from the start
//! frame (a slow push-in) and, when an end frame is given, a crossfade into it.
//!
//! The frames are downloaded over HTTP like the real service does, so a bad URL fails the request
//! the same way. Output is yuv420p at 24 fps with even dimensions, playable everywhere.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::{Value, json};
use uuid::Uuid;

use super::{Failure, publish};
use crate::contract::ImageField;
use crate::state::Sim;

const FPS: u32 = 24;
/// Longest side of the clip; larger start frames are scaled down.
const MAX_SIDE: u32 = 1280;
/// Largest image the simulator downloads.
const MAX_IMAGE_BYTES: usize = 50 * 1024 * 1024;
/// How much the push-in magnifies over the whole clip.
const ZOOM: f32 = 0.12;
/// Share of the clip spent crossfading into the end frame.
const CROSSFADE_SHARE: f32 = 0.4;

pub async fn make(
    sim: &Sim,
    id: Uuid,
    start: &ImageField,
    end: Option<&ImageField>,
    duration_secs: u32,
) -> Result<Value, Failure> {
    let work = WorkDir::create(sim.work_dir().join(id.to_string())).await?;
    let start_path = download(sim, start, work.path(), "start").await?;
    let end_path = match end {
        Some(end) => Some(download(sim, end, work.path(), "end").await?),
        None => None,
    };
    let (width, height) = clip_size(&start_path, start.field).await?;
    let clip = work.path().join("clip.mp4");
    run_tool(
        "ffmpeg",
        &encode_args(
            &start_path,
            end_path.as_deref(),
            width,
            height,
            duration_secs,
            &clip,
        ),
    )
    .await
    .map_err(|reason| {
        Failure::new(
            None,
            &format!("Video generation failed: {reason}"),
            "generation_error",
        )
    })?;

    let name = format!("{id}.mp4");
    let (url, file_size) = publish(sim, &name, &clip).await?;
    Ok(json!({
        "video": {
            "url": url,
            "content_type": "video/mp4",
            "file_name": name,
            "file_size": file_size,
        }
    }))
}

/// Fetches an input frame into `dir`, named after its detected format so ffmpeg can loop it.
async fn download(
    sim: &Sim,
    image: &ImageField,
    dir: &Path,
    stem: &str,
) -> Result<PathBuf, Failure> {
    let unreachable = |reason: String| {
        Failure::new(
            Some(image.field),
            &format!("Could not download the image at {}: {reason}", image.url),
            "image_load_error",
        )
    };
    let response = sim
        .http()
        .get(&image.url)
        .send()
        .await
        .map_err(|err| unreachable(err.without_url().to_string()))?;
    if !response.status().is_success() {
        return Err(unreachable(format!("HTTP {}", response.status())));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|err| unreachable(err.without_url().to_string()))?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(unreachable(format!("larger than {MAX_IMAGE_BYTES} bytes")));
    }
    let extension = image_extension(&bytes).ok_or_else(|| {
        Failure::new(
            Some(image.field),
            "Unsupported image format; send a PNG, JPEG or WebP image",
            "image_format_error",
        )
    })?;
    let path = dir.join(format!("{stem}.{extension}"));
    tokio::fs::write(&path, &bytes)
        .await
        .map_err(Failure::storage)?;
    Ok(path)
}

fn image_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else {
        None
    }
}

/// The clip takes the start frame's aspect ratio (as Kling does from v2 on), scaled to fit
/// `MAX_SIDE` and rounded down to even sides for yuv420p.
async fn clip_size(start: &Path, field: &'static str) -> Result<(u32, u32), Failure> {
    let unreadable = |reason: String| {
        Failure::new(
            Some(field),
            &format!("Could not read the image: {reason}"),
            "image_load_error",
        )
    };
    let probe = run_tool(
        "ffprobe",
        &[
            "-v".into(),
            "error".into(),
            "-select_streams".into(),
            "v:0".into(),
            "-show_entries".into(),
            "stream=width,height".into(),
            "-of".into(),
            "csv=p=0:s=x".into(),
            start.display().to_string(),
        ],
    )
    .await
    .map_err(unreadable)?;
    let (width, height) = probe
        .trim()
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .filter(|&(w, h)| w > 0 && h > 0)
        .ok_or_else(|| unreadable(format!("ffprobe reported {probe:?}")))?;
    let scale = (MAX_SIDE as f32 / width.max(height) as f32).min(1.0);
    let even = |side: u32| ((side as f32 * scale) as u32 / 2 * 2).max(2);
    Ok((even(width), even(height)))
}

fn encode_args(
    start: &Path,
    end: Option<&Path>,
    width: u32,
    height: u32,
    secs: u32,
    out: &Path,
) -> Vec<String> {
    let frames = secs * FPS;
    // Each frame is cropped from a 2x upscale, so the push-in moves in half-pixel steps.
    let push_in = |label: &str, input: usize, length: f32| {
        format!(
            "[{input}:v]scale={w2}:{h2}:force_original_aspect_ratio=increase,crop={w2}:{h2},\
             zoompan=z='1+{ZOOM}*on/{frames}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s={width}x{height}:fps={FPS},\
             setsar=1,trim=duration={length}[{label}]",
            w2 = width * 2,
            h2 = height * 2,
        )
    };
    let mut args: Vec<String> = [
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-loop",
        "1",
        "-framerate",
    ]
    .map(String::from)
    .to_vec();
    args.push(FPS.to_string());
    args.extend(["-i".into(), start.display().to_string()]);

    let graph = match end {
        Some(end) => {
            args.extend([
                "-loop".into(),
                "1".into(),
                "-framerate".into(),
                FPS.to_string(),
            ]);
            args.extend(["-i".into(), end.display().to_string()]);
            let fade = secs as f32 * CROSSFADE_SHARE;
            format!(
                "{};{};[a][b]xfade=transition=fade:duration={fade}:offset={offset},format=yuv420p[v]",
                push_in("a", 0, secs as f32),
                push_in("b", 1, fade),
                offset = secs as f32 - fade,
            )
        }
        None => format!("{};[a]format=yuv420p[v]", push_in("a", 0, secs as f32)),
    };
    args.extend(["-filter_complex".into(), graph, "-map".into(), "[v]".into()]);
    args.extend(
        [
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-r",
            "24",
            "-frames:v",
        ]
        .map(String::from),
    );
    args.push(frames.to_string());
    args.extend(["-an", "-movflags", "+faststart"].map(String::from));
    args.push(out.display().to_string());
    args
}

/// Runs ffmpeg or ffprobe and returns its standard output, or why it failed. The child is killed
/// if the request is cancelled while it runs.
async fn run_tool(program: &str, args: &[String]) -> Result<String, String> {
    let output = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|err| format!("could not run {program}: {err}; is it installed?"))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
    Err(format!(
        "{program} exited with {}: {}",
        output.status,
        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
    ))
}

/// A request's scratch folder, removed however the request ends (even when cancelled).
struct WorkDir(PathBuf);

impl WorkDir {
    async fn create(path: PathBuf) -> Result<Self, Failure> {
        tokio::fs::create_dir_all(&path)
            .await
            .map_err(Failure::storage)?;
        Ok(Self(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if let Err(err) = std::fs::remove_dir_all(&self.0) {
            tracing::warn!(path = %self.0.display(), %err, "could not remove scratch folder");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_detected_from_magic_bytes() {
        assert_eq!(image_extension(b"\x89PNG\r\n\x1a\nrest"), Some("png"));
        assert_eq!(image_extension(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("jpg"));
        assert_eq!(image_extension(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(image_extension(b"<html>"), None);
    }
}
