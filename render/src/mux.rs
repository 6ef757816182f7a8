//! The song under the picture. The video is copied; the MP3 is decoded and encoded as AAC, because
//! decoding honours the MP3's encoder delay (so the song's first sample lands on the first
//! frame) and the MP4 records AAC's own priming exactly, which copied MP3 in MP4 does not.

use std::ffi::OsString;
use std::path::Path;

use crate::error::RenderError;
use crate::ffmpeg::{self, Job};
use crate::probe::{frame_count, probe};

/// Both inputs' streams, the video copied and the song made AAC, the index at the front so the
/// file plays while it downloads.
const OPTIONS: &str = "-map 0:v:0 -map 1:a:0 -c:v copy -c:a aac -b:a 192k -movflags +faststart";

/// Writes `output`: the video stream of `video` under the first audio stream of `song`.
pub async fn mux(video: &Path, song: &Path, output: &Path) -> Result<(), RenderError> {
    let task = format!("putting {} under {}", song.display(), video.display());
    let info = probe(video).await?;
    let frames = frame_count(&info, &task)?;
    let mut args: Vec<OsString> = vec!["-i".into(), video.into(), "-i".into(), song.into()];
    args.extend(OPTIONS.split_whitespace().map(OsString::from));
    let job = Job {
        task,
        args,
        output,
        frames,
        cwd: None,
    };
    ffmpeg::make(job, &mut |_| {}).await
}
