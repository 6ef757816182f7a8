//! Running one ffmpeg command that makes one MP4 file, the same way for every step: progress read
//! from `-progress pipe:1`, ffmpeg killed when the caller gives up (the future is dropped), the
//! file written under a temporary name and renamed only once it has the frames it should. A
//! killed or failed run therefore never leaves a half file under the final name.

use std::ffi::OsString;
use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;

use serde::{Deserialize, Serialize};
use tempfile::{NamedTempFile, TempPath};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

use crate::error::RenderError;
use crate::probe::probe;

/// How far one ffmpeg run has got, in output frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub frames_done: u64,
    pub frames_total: u64,
}

impl Progress {
    /// Done as a share of the total, from 0.0 to 1.0.
    pub fn fraction(&self) -> f64 {
        if self.frames_total == 0 {
            return 1.0;
        }
        self.frames_done as f64 / self.frames_total as f64
    }
}

/// One ffmpeg run: the arguments between the global options and the output file.
/// Refuses a segment of no frames before anything runs.
pub(crate) fn need_frames(task: &str, frames: u64) -> Result<(), RenderError> {
    if frames == 0 {
        return Err(RenderError::Refused { task: task.to_owned(), reason: "a segment needs at least one frame".into() });
    }
    Ok(())
}

pub(crate) struct Job<'a> {
    /// What the run does, for errors: "conforming clip.mp4 to 48 frames".
    pub task: String,
    pub args: Vec<OsString>,
    pub output: &'a Path,
    /// The frames the output must have.
    pub frames: u64,
    /// The working directory, when arguments name files relative to it.
    pub cwd: Option<&'a Path>,
}

/// Runs `job` and moves its output into place once it is checked.
pub(crate) async fn make(
    job: Job<'_>,
    on_progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<(), RenderError> {
    let write_error = |source| RenderError::Write {
        path: job.output.to_owned(),
        source,
    };
    let output = std::path::absolute(job.output).map_err(write_error)?;
    // Declared before the child, so dropped after it: ffmpeg is killed, then its file removed.
    let part = part_file(&output)?;
    let mut command = Command::new("ffmpeg");
    command
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(&job.args)
        .args(["-f", "mp4", "-progress", "pipe:1", "-nostats"])
        .arg(&part)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(cwd) = job.cwd {
        command.current_dir(cwd);
    }
    let mut child = command.spawn().map_err(RenderError::Spawn)?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        unreachable!("both pipes were requested")
    };

    let frames_total = job.frames;
    let read_progress = async {
        let mut lines = BufReader::new(stdout).lines();
        let mut frames_done = 0;
        while let Some(line) = lines.next_line().await? {
            if let Some(frame) = line.strip_prefix("frame=") {
                frames_done = frame
                    .trim()
                    .parse()
                    .unwrap_or(frames_done)
                    .min(frames_total);
            } else if line.starts_with("progress=") {
                on_progress(Progress {
                    frames_done,
                    frames_total,
                });
            }
        }
        Ok(())
    };
    let read_errors = async {
        let mut text = String::new();
        BufReader::new(stderr).read_to_string(&mut text).await?;
        Ok(text)
    };
    let ((), errors) = tokio::try_join!(read_progress, read_errors).map_err(RenderError::Spawn)?;
    let status = child.wait().await.map_err(RenderError::Spawn)?;
    if !status.success() {
        return Err(RenderError::Ffmpeg {
            task: job.task,
            status,
            stderr: last_lines(&errors),
        });
    }

    let written = probe(&part).await.map_err(|source| RenderError::Output {
        task: job.task.clone(),
        source,
    })?;
    if written.frames != Some(job.frames) {
        return Err(RenderError::FrameCount {
            task: job.task,
            want: job.frames,
            got: written.frames,
        });
    }
    part.persist(&output).map_err(|err| RenderError::Write {
        path: output,
        source: err.error,
    })
}

/// A new, uniquely named `.name.*.part` file beside `output` (so the rename stays on one file
/// system, and two runs for one output never write one file), deleted when dropped.
fn part_file(output: &Path) -> Result<TempPath, RenderError> {
    let name = output.file_name().unwrap_or_default().to_string_lossy();
    let folder = output.parent().unwrap_or(Path::new("/"));
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".part")
        // What ffmpeg would give a file it made itself, rather than tempfile's owner-only mode.
        .permissions(Permissions::from_mode(0o644))
        .tempfile_in(folder)
        .map(NamedTempFile::into_temp_path)
        .map_err(|source| RenderError::Write {
            path: output.to_owned(),
            source,
        })
}

/// The end of ffmpeg's error output: its last lines say what went wrong.
fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text.trim().lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}
