//! A generated clip made into its shot's segment: exactly the planned frames, at the output size
//! and rate. A long clip is cut at the end, a short one holds its last frame, any size is fitted
//! inside the frame with black bars, and any codec or frame rate is re-encoded alike.

use std::ffi::OsString;
use std::path::Path;

use crate::encoder::segment_args;
use crate::error::RenderError;
use crate::ffmpeg::{self, Job, Progress};
use crate::format::VideoFormat;
use crate::overlay::Overlay;
use crate::probe::probe;
use crate::texts::{TextFiles, absolute};

/// Makes `output`, `frames` frames of `clip` in `format` under `overlay` if any, reporting
/// progress as it goes. An unreadable clip is [`RenderError::Input`] naming it.
pub async fn conform(
    clip: &Path,
    frames: u64,
    format: &VideoFormat,
    overlay: Option<&Overlay>,
    output: &Path,
    mut on_progress: impl FnMut(Progress) + Send,
) -> Result<(), RenderError> {
    let task = format!("conforming {} to {frames} frames", clip.display());
    ffmpeg::need_frames(&task, frames)?;
    probe(clip).await?;
    let mut texts = TextFiles::new()?;
    // After the held frames are added, so the time code runs on over them.
    let band = match overlay {
        Some(overlay) => format!(",{}", overlay.filters(format, &mut texts)?),
        None => String::new(),
    };
    let filters = format!(
        "setpts=PTS-STARTPTS,fps={fps},{fit},format=yuv420p,tpad=stop_mode=clone:stop={frames}{band}",
        fps = format.fps(),
        fit = format.fit_filters(1),
    );
    let mut args: Vec<OsString> = vec!["-i".into(), absolute(clip)?.into(), "-map".into(), "0:v:0".into()];
    args.extend(["-vf".into(), filters.into()]);
    args.extend(segment_args(format, frames));
    ffmpeg::make(
        Job {
            task,
            args,
            output,
            frames,
            cwd: Some(texts.dir()),
        },
        &mut on_progress,
    )
    .await
}
