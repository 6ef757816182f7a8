//! The song as an MP3, encoded by ffmpeg from raw PCM on its stdin: the file a director would
//! upload. Metadata and encoder tags are left out so the same build writes the same bytes.

use crate::{SAMPLE_RATE, synthesise};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("ffmpeg is not on PATH; install it (apt-get install ffmpeg) to write the demo song")]
    FfmpegMissing,
    #[error("could not run ffmpeg: {0}")]
    Ffmpeg(std::io::Error),
    #[error("ffmpeg could not write {}: {message}", path.display())]
    Encode { path: PathBuf, message: String },
}

/// Synthesises the song and writes it to `path` as a 192 kb/s stereo MP3.
pub fn write_mp3(path: &Path) -> Result<(), DemoError> {
    let pcm: Vec<u8> = synthesise().iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut child = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "f32le",
            "-ar",
            &SAMPLE_RATE.to_string(),
            "-ac",
            "2",
            "-i",
            "pipe:0",
        ])
        .args([
            "-codec:a",
            "libmp3lame",
            "-b:a",
            "192k",
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-f",
            "mp3",
        ])
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                DemoError::FfmpegMissing
            } else {
                DemoError::Ffmpeg(e)
            }
        })?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // Fed from a thread while ffmpeg's stderr is read here, so neither pipe can fill and stall.
    let feeder = std::thread::spawn(move || stdin.write_all(&pcm));
    let out = child.wait_with_output().map_err(DemoError::Ffmpeg)?;
    let fed = feeder.join().expect("the PCM writer does not panic");
    if !out.status.success() {
        let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(DemoError::Encode {
            path: path.to_path_buf(),
            message: if message.is_empty() {
                out.status.to_string()
            } else {
                message
            },
        });
    }
    fed.map_err(DemoError::Ffmpeg)
}
