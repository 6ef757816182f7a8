//! How making a segment or the final file fails. Every variant names the file or the step at
//! fault, so a workflow can report it to the director as is.

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;

use crate::probe::ProbeError;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// An input (a clip, a still, a segment, the song) cannot be used.
    #[error(transparent)]
    Input(#[from] ProbeError),
    #[error("cannot {task}: {reason}")]
    Refused { task: String, reason: String },
    #[error("could not run ffmpeg ({0}); install ffmpeg (`make bootstrap`)")]
    Spawn(io::Error),
    #[error("ffmpeg failed {task} ({status}): {stderr}")]
    Ffmpeg {
        task: String,
        status: ExitStatus,
        stderr: String,
    },
    #[error("ffmpeg wrote an unreadable file {task}: {source}")]
    Output { task: String, source: ProbeError },
    #[error("ffmpeg wrote {got:?} frames instead of {want} {task}; the output was discarded")]
    FrameCount {
        task: String,
        want: u64,
        got: Option<u64>,
    },
    #[error("cannot write {}: {source}; check that its folder exists and is writable", path.display())]
    Write { path: PathBuf, source: io::Error },
}
