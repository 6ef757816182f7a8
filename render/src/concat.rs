//! Joining the segments into one video without re-encoding: ffmpeg's concat demuxer with stream
//! copy. That is only correct when every segment shares the codec, size and rate, which is
//! checked here rather than trusted, since a mismatch plays back as garbage instead of failing.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

use futures::future::try_join_all;

use crate::error::RenderError;
use crate::ffmpeg::{self, Job};
use crate::probe::{frame_count, probe};

/// Writes `output`, the `segments` one after another, frame for frame.
pub async fn concat(segments: &[impl AsRef<Path>], output: &Path) -> Result<(), RenderError> {
    let task = format!(
        "joining {} segments into {}",
        segments.len(),
        output.display()
    );
    let infos = try_join_all(segments.iter().map(|segment| probe(segment.as_ref()))).await?;
    let Some(first) = infos.first() else {
        let reason = "there are no segments".into();
        return Err(RenderError::Refused { task, reason });
    };
    let mut frames = 0;
    for info in &infos {
        if info.shape() != first.shape() {
            let reason = format!(
                "{} is {}, unlike {} ({}); conform both alike",
                info.path.display(),
                info.shape(),
                first.path.display(),
                first.shape(),
            );
            return Err(RenderError::Refused { task, reason });
        }
        frames += frame_count(info, &task)?;
    }

    let list = write_list(segments, output)?;
    let mut args: Vec<OsString> = ["-f", "concat", "-safe", "0", "-i"]
        .map(OsString::from)
        .into();
    args.push(list.path().into());
    args.extend(["-map", "0:v:0", "-c", "copy"].map(OsString::from));
    let job = Job {
        task,
        args,
        output,
        frames,
        cwd: None,
    };
    ffmpeg::make(job, &mut |_| {}).await
}

/// The concat demuxer's list file, beside the output (removed when the returned file drops):
/// `file '<absolute path>'` per segment, a `'` written as `'\''`.
fn write_list(
    segments: &[impl AsRef<Path>],
    output: &Path,
) -> Result<tempfile::NamedTempFile, RenderError> {
    let folder = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let write_error = |source| RenderError::Write {
        path: folder.to_owned(),
        source,
    };
    let mut list = tempfile::Builder::new()
        .prefix(".concat-")
        .suffix(".txt")
        .tempfile_in(folder)
        .map_err(write_error)?;
    for segment in segments {
        let path = std::path::absolute(segment.as_ref()).map_err(write_error)?;
        let Some(text) = path.to_str() else {
            return Err(RenderError::Refused {
                task: format!("listing {} for joining", path.display()),
                reason: "ffmpeg's concat list needs UTF-8 paths".into(),
            });
        };
        writeln!(list, "file '{}'", text.replace('\'', r"'\''")).map_err(write_error)?;
    }
    list.flush().map_err(write_error)?;
    Ok(list)
}
