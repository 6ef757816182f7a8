//! A shot that has only its still, shown for exactly its frames with a slow camera move, so an
//! animatic reads as film rather than a slide show. The move is a pure function of the shot's
//! length and the chosen [`Motion`]: the same still and shot always give the same frames.

use std::ffi::OsString;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::encoder::segment_args;
use crate::error::RenderError;
use crate::ffmpeg::{self, Job, Progress};
use crate::format::VideoFormat;
use crate::overlay::Overlay;
use crate::probe::probe;
use crate::texts::{TextFiles, absolute};

/// The camera move over a still.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Motion {
    Hold,
    ZoomIn,
    ZoomOut,
    PanLeft,
    PanRight,
}

/// How far a move zooms: 12% over the shot, slow enough to read as a camera, not an effect.
const ZOOM: f64 = 0.12;
/// The still is fitted at this many times the output size before the move, so the move's
/// whole-pixel steps are finer than an output pixel.
const OVERSAMPLE: u32 = 2;

impl Motion {
    /// zoompan's zoom, x and y expressions over output frames `on` = 0 ..= `last`.
    fn expressions(self, last: u64) -> (String, String, String) {
        let t = format!("on/{}", last.max(1));
        let centre_x = "(iw-iw/zoom)/2".to_owned();
        let centre_y = "(ih-ih/zoom)/2".to_owned();
        let zoomed = format!("{}", 1.0 + ZOOM);
        match self {
            Self::Hold => ("1".into(), "0".into(), "0".into()),
            Self::ZoomIn => (format!("1+{ZOOM}*{t}"), centre_x, centre_y),
            Self::ZoomOut => (format!("{}-{ZOOM}*{t}", 1.0 + ZOOM), centre_x, centre_y),
            Self::PanLeft => (zoomed, format!("(iw-iw/zoom)*(1-{t})"), centre_y),
            Self::PanRight => (zoomed, format!("(iw-iw/zoom)*{t}"), centre_y),
        }
    }
}

/// Makes `output`, `frames` frames of `still` (any image ffmpeg reads) fitted into `format` with
/// `motion`, under `overlay` if any. An unreadable still is [`RenderError::Input`] naming it.
pub async fn still_segment(
    still: &Path,
    motion: Motion,
    frames: u64,
    format: &VideoFormat,
    overlay: Option<&Overlay>,
    output: &Path,
    mut on_progress: impl FnMut(Progress) + Send,
) -> Result<(), RenderError> {
    let task = format!("making {frames} frames from the still {}", still.display());
    ffmpeg::need_frames(&task, frames)?;
    probe(still).await?;
    let (zoom, x, y) = motion.expressions(frames - 1);
    // One input picture; zoompan makes `frames` output frames from it.
    let mut texts = TextFiles::new()?;
    let band = match overlay {
        Some(overlay) => format!("{},", overlay.filters(format, &mut texts)?),
        None => String::new(),
    };
    let filters = format!(
        "{fit},zoompan=z='{zoom}':x='{x}':y='{y}':d={frames}:s={w}x{h}:fps={fps},{band}format=yuv420p",
        fit = format.fit_filters(OVERSAMPLE),
        w = format.width(),
        h = format.height(),
        fps = format.fps(),
    );
    let mut args: Vec<OsString> = vec!["-i".into(), absolute(still)?.into()];
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
