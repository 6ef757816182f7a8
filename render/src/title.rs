//! A shot with nothing to show yet, as a card that says which shot it is: a plain background with
//! centred lines of text, exactly its frames long (text through [`TextFiles`], so no lyric needs
//! escaping).

use std::ffi::OsString;
use std::path::Path;

use crate::encoder::segment_args;
use crate::error::RenderError;
use crate::ffmpeg::{self, Job, Progress};
use crate::format::VideoFormat;
use crate::overlay::Overlay;
use crate::texts::{FONT, TextFiles};

const BACKGROUND: &str = "0x202830";

/// Makes `output`, a card of `frames` frames in `format` showing `lines`, one under another, in
/// a size that fits the longest (wrap long lyrics into lines before), under `overlay` if any.
pub async fn title_card(
    lines: &[impl AsRef<str>],
    frames: u64,
    format: &VideoFormat,
    overlay: Option<&Overlay>,
    output: &Path,
    mut on_progress: impl FnMut(Progress) + Send,
) -> Result<(), RenderError> {
    let task = format!(
        "making a {frames}-frame title card into {}",
        output.display()
    );
    ffmpeg::need_frames(&task, frames)?;
    let mut texts = TextFiles::new()?;
    // DejaVu Sans averages about 0.6 em a glyph: the longest line gets 90% of the width.
    let longest = lines
        .iter()
        .map(|line| line.as_ref().chars().count())
        .max()
        .unwrap_or(0);
    let fitting = format.width() * 3 / (2 * (longest as u32).max(1));
    let font_size = (format.height() / 14).min(fitting).max(8);
    let line_height = font_size * 3 / 2;
    let top = format
        .height()
        .saturating_sub(line_height * lines.len() as u32)
        / 2;
    let mut filters = Vec::with_capacity(lines.len() + 2);
    for (i, line) in lines.iter().enumerate() {
        let name = texts.add(line.as_ref())?;
        filters.push(format!(
            "drawtext=font='{FONT}':textfile={name}:expansion=none:fontcolor=white:\
             fontsize={font_size}:x=(w-text_w)/2:y={y}",
            y = top + line_height * i as u32,
        ));
    }
    if let Some(overlay) = overlay {
        filters.push(overlay.filters(format, &mut texts)?);
    }
    filters.push("format=yuv420p".into());
    let source = format!(
        "color=c={BACKGROUND}:s={w}x{h}:r={fps}",
        w = format.width(),
        h = format.height(),
        fps = format.fps(),
    );
    let mut args: Vec<OsString> = vec!["-f".into(), "lavfi".into(), "-i".into(), source.into()];
    args.extend(["-vf".into(), filters.join(",").into()]);
    args.extend(segment_args(format, frames));
    let job = Job {
        task,
        args,
        output,
        frames,
        cwd: Some(texts.dir()),
    };
    ffmpeg::make(job, &mut on_progress).await
}
