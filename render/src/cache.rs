//! Conformed segments kept by what they were made from, so the same clip at the same length and
//! format is encoded once: a render after one shot changed re-makes only that shot's segment, and
//! a clip conformed when it arrived (ahead of any render) costs the render only a link.
//!
//! A segment is named by the hash of everything that decides its bytes — the source's content
//! hash, its frame count, the output format, the encoder setting and the ffmpeg build — so a
//! stale entry is never found, only left behind. Entries are written whole (the conform's own
//! write-then-rename) and linked into place, never modified.

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::process::Command;
use tokio::sync::OnceCell;

use crate::encoder;
use crate::format::VideoFormat;

#[derive(Debug, Clone)]
pub struct SegmentCache {
    dir: PathBuf,
}

impl SegmentCache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Where the segment of `frames` frames of the media whose SHA-256 is `source_sha256`, in
    /// `format`, is kept.
    pub async fn entry(&self, source_sha256: &str, frames: u64, format: &VideoFormat) -> PathBuf {
        self.made_by("conform", source_sha256, frames, format).await
    }

    /// Where a segment made by `recipe` (a clip's conform, a still's camera move, a title
    /// card) from `source` (the media's SHA-256, or the card's text) is kept.
    pub async fn made_by(&self, recipe: &str, source: &str, frames: u64, format: &VideoFormat) -> PathBuf {
        let inputs = format!(
            "{recipe}|{}|{}|{source}|{frames}|{}x{}|{}",
            encoder::SETTING,
            ffmpeg_build().await,
            format.width(),
            format.height(),
            format.fps(),
        );
        self.dir.join(format!("{}.mp4", hex(&Sha256::digest(inputs.as_bytes()))))
    }

    /// Where the song whose SHA-256 is `song_sha256` is kept encoded for muxing.
    pub async fn song_entry(&self, song_sha256: &str) -> PathBuf {
        let inputs = format!("song|aac 192k|{}|{song_sha256}", ffmpeg_build().await);
        self.dir.join(format!("{}.m4a", hex(&Sha256::digest(inputs.as_bytes()))))
    }

    /// The encoded song for `song`, encoding it into the cache the first time.
    pub async fn encoded_song(&self, song: &Path, song_sha256: &str) -> Result<PathBuf, crate::RenderError> {
        let entry = self.song_entry(song_sha256).await;
        if !entry.exists() {
            std::fs::create_dir_all(&self.dir).map_err(|source| crate::RenderError::Write { path: entry.clone(), source })?;
            crate::encode_song(song, &entry).await?;
        }
        Ok(entry)
    }

    /// Puts the cached `entry` at `output`; `false` when there is none yet.
    pub fn take(&self, entry: &Path, output: &Path) -> io::Result<bool> {
        if !entry.exists() {
            return Ok(false);
        }
        link_or_copy(entry, output)?;
        Ok(true)
    }

    /// Keeps a finished segment as `entry` for later renders.
    pub fn keep(&self, made: &Path, entry: &Path) -> io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        link_or_copy(made, entry)
    }
}

/// A hard link where the file system allows one, else a copy under a temporary name renamed into
/// place; an `output` already there is a finished file and is left alone.
fn link_or_copy(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(_) => {
            let dir = to.parent().unwrap_or(Path::new("."));
            let part = tempfile::Builder::new().prefix(".cache-").suffix(".part").tempfile_in(dir)?;
            std::fs::copy(from, part.path())?;
            part.persist_noclobber(to).map(drop).or_else(|e| match e.error.kind() {
                io::ErrorKind::AlreadyExists => Ok(()),
                _ => Err(e.error),
            })
        }
    }
}

/// ffmpeg's first `-version` line: a different build may encode different bytes.
async fn ffmpeg_build() -> &'static str {
    static BUILD: OnceCell<String> = OnceCell::const_new();
    BUILD
        .get_or_init(|| async {
            match Command::new("ffmpeg").arg("-version").output().await {
                Ok(out) => String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().to_string(),
                Err(_) => String::new(),
            }
        })
        .await
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate::FrameRate;

    fn format(w: u32) -> VideoFormat {
        VideoFormat::new(w, 720, FrameRate::new(24, 1).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn entries_differ_by_every_input_and_are_stable() {
        let cache = SegmentCache::new("/c");
        let base = cache.entry("aa", 120, &format(1280)).await;
        assert_eq!(base, cache.entry("aa", 120, &format(1280)).await);
        assert_ne!(base, cache.entry("ab", 120, &format(1280)).await);
        assert_ne!(base, cache.entry("aa", 121, &format(1280)).await);
        assert_ne!(base, cache.entry("aa", 120, &format(1920)).await);
        assert!(base.starts_with("/c") && base.extension().unwrap() == "mp4");
    }

    #[tokio::test]
    async fn a_kept_segment_is_taken_whole_and_keeping_twice_is_harmless() {
        let dir = tempfile::tempdir().unwrap();
        let cache = SegmentCache::new(dir.path().join("cache"));
        let entry = cache.entry("aa", 24, &format(1280)).await;
        let out = dir.path().join("seg.mp4");
        assert!(!cache.take(&entry, &out).unwrap(), "nothing cached yet");
        assert!(!out.exists());

        let made = dir.path().join("made.mp4");
        std::fs::write(&made, b"segment bytes").unwrap();
        cache.keep(&made, &entry).unwrap();
        cache.keep(&made, &entry).unwrap();
        assert!(cache.take(&entry, &out).unwrap());
        assert_eq!(std::fs::read(&out).unwrap(), b"segment bytes");
        // An output already in place is a finished file: taking again leaves it.
        assert!(cache.take(&entry, &out).unwrap());
    }
}
