//! The one encoder setting every segment is made with. Segments are joined by stream copy, which
//! is only a valid H.264 stream when every part was encoded alike; a single function owning the
//! flags keeps them from drifting apart between clips, stills and title cards.

use std::ffi::OsString;

use crate::format::VideoFormat;

/// The fixed part: no audio, subtitle or data streams; x264 at one preset and quality; yuv420p;
/// no B-frames (no reordering delay, so the first frame shown is the first frame coded, a
/// keyframe, at time 0); every frame kept at a constant rate.
pub(crate) const SETTING: &str = "-an -sn -dn -fps_mode cfr -c:v libx264 -preset veryfast -crf 20 \
                     -profile:v high -pix_fmt yuv420p -bf 0";

/// Output options for an H.264 segment of exactly `frames` frames in `format`.
pub(crate) fn segment_args(format: &VideoFormat, frames: u64) -> Vec<OsString> {
    let mut args: Vec<OsString> = SETTING.split_whitespace().map(OsString::from).collect();
    args.extend(["-r".into(), format.fps().to_string().into()]);
    args.extend(["-frames:v".into(), frames.to_string().into()]);
    args
}
