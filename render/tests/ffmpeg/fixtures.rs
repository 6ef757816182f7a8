//! Test fixtures made on the spot with the real ffmpeg (solid-colour clips, a sine-tone MP3), and
//! readers that decode what the crate wrote: frame counts, per-frame colours, raw pixels.

use std::path::{Path, PathBuf};
use std::process::Command;

use miri_render::{FrameRate, VideoFormat};

pub const RED: [u8; 3] = [255, 0, 0];
pub const LIME: [u8; 3] = [0, 255, 0];
pub const BLUE: [u8; 3] = [0, 0, 255];
pub const YELLOW: [u8; 3] = [255, 255, 0];

pub fn format(width: u32, height: u32, fps: u32) -> VideoFormat {
    VideoFormat::new(width, height, FrameRate::new(fps, 1).unwrap()).unwrap()
}

/// Runs ffmpeg quietly and returns its stdout; panics with its stderr on failure.
pub fn ffmpeg(args: &[&str]) -> Vec<u8> {
    let output = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is installed (make bootstrap)");
    assert!(
        output.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("0x{r:02X}{g:02X}{b:02X}")
}

/// A clip of one colour: `size` like "640x360", `encoder` "libx264" or "mpeg4"; the container
/// follows `name`'s extension.
pub fn solid_clip(
    dir: &Path,
    name: &str,
    colour: [u8; 3],
    size: &str,
    fps: u32,
    secs: f64,
    encoder: &str,
) -> PathBuf {
    let path = dir.join(name);
    let source = format!("color=c={}:s={size}:r={fps}:d={secs}", hex(colour));
    let mut args = vec![
        "-f", "lavfi", "-i", &source, "-c:v", encoder, "-pix_fmt", "yuv420p",
    ];
    if encoder == "mpeg4" {
        args.extend(["-q:v", "2"]);
    }
    args.push(path.to_str().unwrap());
    ffmpeg(&args);
    path
}

/// `clip` with a tone of its own added, as generated clips may have (`name` is the new file).
pub fn with_tone(clip: &Path, name: &str) -> PathBuf {
    let path = clip.with_file_name(name);
    ffmpeg(&[
        "-i",
        clip.to_str().unwrap(),
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=880",
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-c:v",
        "copy",
        "-c:a",
        "aac",
        "-shortest",
        path.to_str().unwrap(),
    ]);
    path
}

/// A sine tone of `secs` seconds as MP3 (LAME, so it carries an encoder delay to undo).
pub fn sine_mp3(dir: &Path, secs: f64) -> PathBuf {
    let path = dir.join("song.mp3");
    let source = format!("sine=frequency=440:sample_rate=44100:duration={secs}");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &source,
        "-c:a",
        "libmp3lame",
        "-b:a",
        "128k",
        path.to_str().unwrap(),
    ]);
    path
}

/// A still of ffmpeg's test pattern (detailed, so any camera move changes the picture).
pub fn pattern_png(dir: &Path, size: &str) -> PathBuf {
    let path = dir.join("still.png");
    let source = format!("testsrc2=s={size}");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &source,
        "-frames:v",
        "1",
        path.to_str().unwrap(),
    ]);
    path
}

/// Every decoded frame, `width`x`height` pixels of `pix_fmt` bytes each, after `filters`.
pub fn raw_frames(
    path: &Path,
    filters: &str,
    pix_fmt: &str,
    bytes_per_frame: usize,
) -> Vec<Vec<u8>> {
    let raw = ffmpeg(&[
        "-i",
        path.to_str().unwrap(),
        "-map",
        "0:v:0",
        "-vf",
        filters,
        "-fps_mode",
        "passthrough",
        "-f",
        "rawvideo",
        "-pix_fmt",
        pix_fmt,
        "-",
    ]);
    assert_eq!(raw.len() % bytes_per_frame, 0);
    raw.chunks(bytes_per_frame).map(<[u8]>::to_vec).collect()
}

/// The average colour of the middle quarter of every frame (away from any black bars).
pub fn centre_colours(path: &Path) -> Vec<[u8; 3]> {
    raw_frames(path, "crop=iw/2:ih/2,scale=1:1", "rgb24", 3)
        .into_iter()
        .map(|rgb| [rgb[0], rgb[1], rgb[2]])
        .collect()
}

/// Which of `palette` `colour` is nearest to (encoding moves solid colours a little).
pub fn nearest(colour: [u8; 3], palette: &[[u8; 3]]) -> [u8; 3] {
    let distance = |p: &[u8; 3]| -> i32 {
        (0..3)
            .map(|i| (i32::from(colour[i]) - i32::from(p[i])).pow(2))
            .sum()
    };
    *palette.iter().min_by_key(|p| distance(p)).unwrap()
}

/// Frames counted by decoding the whole stream, not read from the container's header.
pub fn decoded_frames(path: &Path) -> u64 {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// The positions of the keyframes among the decoded frames.
pub fn key_frames(path: &Path) -> Vec<u64> {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "frame=key_frame",
            "-of",
            "default=noprint_wrappers=1",
        ])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let frames = text
        .lines()
        .filter_map(|line| line.strip_prefix("key_frame="));
    (0..)
        .zip(frames)
        .filter(|(_, key)| *key == "1")
        .map(|(i, _)| i)
        .collect()
}

/// When the first video stream's timestamps start, in seconds.
pub fn video_start(path: &Path) -> f64 {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=start_time", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    // MPEG-TS lists the stream again under its program: the first line is enough.
    let text = String::from_utf8(output.stdout).unwrap();
    text.lines().next().unwrap().parse().unwrap()
}

/// `(start_time, duration)` in seconds of the first stream of `kind` ("v" or "a").
pub fn stream_times(path: &Path, kind: &str) -> (f64, f64) {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", &format!("{kind}:0")])
        .args([
            "-show_entries",
            "stream=start_time,duration",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let (start, duration) = text.trim().split_once(',').unwrap();
    (start.parse().unwrap(), duration.parse().unwrap())
}

/// How many streams a file has.
pub fn stream_count(path: &Path) -> usize {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=index",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

/// The file names in `dir`, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The ids of running processes with an argument naming a file in `dir`.
pub fn processes_using(dir: &Path) -> Vec<String> {
    let prefix = dir.as_os_str().as_encoded_bytes();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let uses = cmdline
                .split(|&b| b == 0)
                .any(|arg| arg.starts_with(prefix));
            uses.then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect()
}
