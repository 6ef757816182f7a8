//! How making a segment or the final file fails. Every variant names the file or the step at
//! fault, so a workflow can report it to the director as is.

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;

use crate::probe::ProbeError;

/// `task` is what was being done, as a gerund: "conforming clip.mp4 to 48 frames".
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// An input (a clip, a still, a segment, the song) cannot be used.
    #[error(transparent)]
    Input(#[from] ProbeError),
    #[error("{task}: {reason}")]
    Refused { task: String, reason: String },
    #[error("could not run ffmpeg ({0}); install ffmpeg (`make bootstrap`)")]
    Spawn(io::Error),
    #[error("ffmpeg failed while {task} ({status}): {stderr}")]
    Ffmpeg {
        task: String,
        status: ExitStatus,
        stderr: String,
    },
    #[error("ffmpeg wrote an unreadable file while {task}: {source}")]
    Output { task: String, source: ProbeError },
    #[error(
        "ffmpeg wrote {} frames instead of {want} while {task}; the output was discarded",
        got.map_or("an unknown number of".into(), |n| n.to_string())
    )]
    FrameCount {
        task: String,
        want: u64,
        got: Option<u64>,
    },
    #[error("cannot write {}: {source}; check that its folder exists and is writable", path.display())]
    Write { path: PathBuf, source: io::Error },
}
