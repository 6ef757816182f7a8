//! What a media file holds, from ffprobe's JSON: the first video stream's size, rate, codec and
//! length. Used to refuse an unreadable clip by name before any work is spent on it, and to check
//! that every file this crate writes has the frames it was asked for.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use tokio::process::Command;

use crate::error::RenderError;
use crate::rate::FrameRate;

/// The first video stream of a file (a cover picture in an audio file does not count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoInfo {
    pub path: PathBuf,
    pub codec: String,
    pub width: u32,
    pub height: u32,
    /// `None` when the container does not state one.
    pub frame_rate: Option<FrameRate>,
    /// The video stream's duration, else the file's; `None` for a single picture.
    pub duration: Option<Duration>,
    /// The frame count the container states (MP4 does; Matroska does not).
    pub frames: Option<u64>,
    pub has_audio: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("could not run ffprobe ({0}); install ffmpeg (`make bootstrap`)")]
    Spawn(io::Error),
    #[error("{} is not a readable media file (corrupt or truncated?): {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error("{} has no video stream", path.display())]
    NoVideo { path: PathBuf },
    #[error("ffprobe described {} in an unexpected way: {reason}", path.display())]
    Output { path: PathBuf, reason: String },
}

impl ProbeError {
    /// The file at fault, when there is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Spawn(_) => None,
            Self::Unreadable { path, .. } | Self::NoVideo { path } | Self::Output { path, .. } => {
                Some(path)
            }
        }
    }
}

impl VideoInfo {
    /// Codec, size and rate: what segments joined by stream copy must share.
    pub fn shape(&self) -> String {
        let rate = self
            .frame_rate
            .map_or("an unknown rate".into(), |fps| format!("{fps} fps"));
        format!("{} {}x{} at {rate}", self.codec, self.width, self.height)
    }
}

/// The frame count `info` states, which this crate's own MP4 files always do.
pub(crate) fn frame_count(info: &VideoInfo, task: &str) -> Result<u64, RenderError> {
    info.frames.ok_or_else(|| RenderError::Refused {
        task: task.to_owned(),
        reason: format!(
            "{} does not state its frame count (not an MP4?)",
            info.path.display()
        ),
    })
}

/// Runs ffprobe on `path`, unless the same file was probed before (see [`Seen`]).
pub async fn probe(path: &Path) -> Result<VideoInfo, ProbeError> {
    let identity = Identity::of(path);
    if let Some(info) = identity.as_ref().and_then(Seen::get) {
        return Ok(VideoInfo { path: path.to_owned(), ..info });
    }
    let info = describe(path, report(path).await?)?;
    if let Some(identity) = identity {
        Seen::put(identity, &info);
    }
    Ok(info)
}

/// What names a file's bytes on this machine: this crate writes every file under a temporary
/// name and renames it into place (the cache hard-links it on), never changing it after, so the
/// same device, inode, length and modification time is the same content.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Identity {
    device: u64,
    inode: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Identity {
    fn of(path: &Path) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some(Self { device: meta.dev(), inode: meta.ino(), len: meta.len(), modified: meta.modified().ok() })
    }
}

/// The files probed in this process. A render probes every segment when it is made and again
/// when the segments are joined (40 ffprobe runs, ~2 s of a 200-second animatic); the join then
/// asks ffprobe only about files it has not seen. Forgotten wholesale past [`Seen::MAX`].
struct Seen;

impl Seen {
    const MAX: usize = 20_000;

    fn map() -> std::sync::MutexGuard<'static, std::collections::HashMap<Identity, VideoInfo>> {
        static SEEN: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<Identity, VideoInfo>>> =
            std::sync::LazyLock::new(Default::default);
        SEEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(identity: &Identity) -> Option<VideoInfo> {
        Self::map().get(identity).cloned()
    }

    fn put(identity: Identity, info: &VideoInfo) {
        let mut seen = Self::map();
        if seen.len() >= Self::MAX {
            seen.clear();
        }
        seen.insert(identity, info.clone());
    }
}

/// How long a song plays: the file's duration as ffprobe reads it (MP3 encoder delay and padding
/// already removed). A file with no audio stream, or no positive duration, is refused naming it.
pub async fn song_duration(path: &Path) -> Result<Duration, ProbeError> {
    let report = report(path).await?;
    let unreadable = |reason: &str| ProbeError::Unreadable { path: path.to_owned(), reason: reason.into() };
    if !report.streams.iter().any(|s| s.codec_type.as_deref() == Some("audio")) {
        return Err(unreadable("it has no audio stream"));
    }
    report
        .format
        .duration
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| unreadable("it states no duration"))
}

/// ffprobe's JSON report of `path`'s format and streams.
async fn report(path: &Path) -> Result<Report, ProbeError> {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
        ])
        .arg(path)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(ProbeError::Spawn)?;
    if !output.status.success() {
        let reason = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        return Err(ProbeError::Unreadable {
            path: path.to_owned(),
            reason,
        });
    }
    serde_json::from_slice(&output.stdout).map_err(|err| ProbeError::Output {
        path: path.to_owned(),
        reason: err.to_string(),
    })
}

fn describe(path: &Path, report: Report) -> Result<VideoInfo, ProbeError> {
    let has_audio = report
        .streams
        .iter()
        .any(|s| s.codec_type.as_deref() == Some("audio"));
    let video = report
        .streams
        .into_iter()
        .find(|s| s.codec_type.as_deref() == Some("video") && s.disposition.attached_pic == 0)
        .ok_or_else(|| ProbeError::NoVideo {
            path: path.to_owned(),
        })?;
    let (Some(width @ 1..), Some(height @ 1..)) = (video.width, video.height) else {
        return Err(ProbeError::Unreadable {
            path: path.to_owned(),
            reason: "the video stream has no picture size".into(),
        });
    };
    let duration = match video.duration.or(report.format.duration) {
        None => None,
        Some(seconds) => match seconds
            .parse()
            .ok()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
        {
            Some(duration) => Some(duration),
            None => {
                let reason = format!("duration {seconds:?} is not a number of seconds");
                return Err(ProbeError::Output {
                    path: path.to_owned(),
                    reason,
                });
            }
        },
    };
    Ok(VideoInfo {
        path: path.to_owned(),
        codec: video.codec_name.unwrap_or_default(),
        width,
        height,
        frame_rate: video
            .r_frame_rate
            .as_deref()
            .and_then(FrameRate::parse_ratio),
        duration,
        frames: video.nb_frames.and_then(|n| n.parse().ok()),
        has_audio,
    })
}

/// The parts of `ffprobe -show_format -show_streams` JSON read here; ffprobe writes most
/// numbers as strings.
#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    streams: Vec<Stream>,
    #[serde(default)]
    format: Format,
}

#[derive(Deserialize)]
struct Stream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    r_frame_rate: Option<String>,
    duration: Option<String>,
    nb_frames: Option<String>,
    #[serde(default)]
    disposition: Disposition,
}

#[derive(Deserialize, Default)]
struct Disposition {
    #[serde(default)]
    attached_pic: u8,
}

#[derive(Deserialize, Default)]
struct Format {
    duration: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(json: &str) -> Report {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn reads_the_first_video_stream() {
        let info = describe(
            Path::new("clip.mp4"),
            report(
                r#"{"streams":[
                    {"codec_type":"audio","codec_name":"aac","duration":"3.1"},
                    {"codec_type":"video","codec_name":"h264","width":320,"height":180,
                     "r_frame_rate":"24/1","duration":"3.000000","nb_frames":"72"}],
                   "format":{"duration":"3.1"}}"#,
            ),
        )
        .unwrap();
        assert_eq!(info.codec, "h264");
        assert_eq!((info.width, info.height), (320, 180));
        assert_eq!(info.frame_rate, FrameRate::new(24, 1).ok());
        assert_eq!(info.duration, Some(Duration::from_secs(3)));
        assert_eq!(info.frames, Some(72));
        assert!(info.has_audio);
    }

    #[test]
    fn falls_back_to_the_file_duration_and_ignores_cover_art() {
        let path = Path::new("song.mp3");
        let cover = r#"{"streams":[{"codec_type":"video","codec_name":"mjpeg","width":500,
            "height":500,"disposition":{"attached_pic":1}}],"format":{"duration":"200.0"}}"#;
        assert!(matches!(
            describe(path, report(cover)),
            Err(ProbeError::NoVideo { .. })
        ));
        let mkv = r#"{"streams":[{"codec_type":"video","width":640,"height":360,
            "r_frame_rate":"0/0"}],"format":{"duration":"1.5"}}"#;
        let info = describe(Path::new("clip.mkv"), report(mkv)).unwrap();
        assert_eq!(info.duration, Some(Duration::from_millis(1500)));
        assert_eq!((info.frame_rate, info.frames), (None, None));
    }
}
