//! The song under the picture. The video is copied; the MP3 is decoded and encoded as AAC, because
//! decoding honours the MP3's encoder delay (so the song's first sample lands on the first
//! frame) and the MP4 records AAC's own priming exactly, which copied MP3 in MP4 does not.
//! Encoding 200 s of song takes ffmpeg's AAC encoder ~15 s, so [`encode_song`] does it once per
//! song (the segment cache keeps it) and [`mux_encoded`] copies both streams under the picture.

use std::ffi::OsString;
use std::path::Path;

use tokio::process::Command;

use crate::error::RenderError;
use crate::ffmpeg::{self, Job};
use crate::probe::{frame_count, probe};

/// Both streams copied: the video, and a song already encoded by [`encode_song`].
const COPY_OPTIONS: &str = "-map 0:v:0 -map 1:a:0 -c copy -movflags +faststart";

/// Writes `output`: the video stream of `video` under the AAC audio of `encoded_song`, both
/// copied, so muxing takes no encoding at all.
pub async fn mux_encoded(video: &Path, encoded_song: &Path, output: &Path) -> Result<(), RenderError> {
    let task = format!("putting {} under {}", encoded_song.display(), video.display());
    let info = probe(video).await?;
    let frames = frame_count(&info, &task)?;
    let mut args: Vec<OsString> = vec!["-i".into(), video.into(), "-i".into(), encoded_song.into()];
    args.extend(COPY_OPTIONS.split_whitespace().map(OsString::from));
    ffmpeg::make(Job { task, args, output, frames, cwd: None }, &mut |_| {}).await
}

/// Encodes the first audio stream of `song` as AAC into `output` (an M4A), written under a
/// temporary name and renamed when complete.
pub async fn encode_song(song: &Path, output: &Path) -> Result<(), RenderError> {
    let task = format!("encoding {} as AAC", song.display());
    let write_error = |source| RenderError::Write { path: output.to_owned(), source };
    let folder = output.parent().unwrap_or(Path::new("."));
    let part = tempfile::Builder::new().prefix(".song.").suffix(".m4a.part").tempfile_in(folder).map_err(write_error)?;
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i"])
        .arg(song)
        .args(["-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "192k", "-f", "mp4"])
        .arg(part.path())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(RenderError::Spawn)?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(RenderError::Ffmpeg { task, status: out.status, stderr });
    }
    part.persist(output).map(drop).map_err(|e| write_error(e.error))
}
