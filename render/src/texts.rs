//! Text that drawtext draws reaches it through files in a scratch dir ffmpeg runs in, never
//! through the filter string: any lyric (quotes, colons, percent signs, Hebrew) needs no
//! escaping, and the filter names each file by a short relative name.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::error::RenderError;

/// Fontconfig's name for every drawn text: DejaVu Sans has Latin and Hebrew, and Debian installs
/// it with ffmpeg's own dependencies. Hebrew is laid out right to left by drawtext's FriBiDi
/// shaping.
pub(crate) const FONT: &str = "DejaVu Sans";

/// The scratch dir of one ffmpeg run's text files (removed when dropped).
pub(crate) struct TextFiles {
    dir: TempDir,
    count: usize,
}

impl TextFiles {
    pub(crate) fn new() -> Result<Self, RenderError> {
        let dir = tempfile::tempdir().map_err(|source| RenderError::Write { path: std::env::temp_dir(), source })?;
        Ok(Self { dir, count: 0 })
    }

    /// Writes `text` to a new file and answers its name relative to [`Self::dir`].
    pub(crate) fn add(&mut self, text: &str) -> Result<String, RenderError> {
        let name = format!("text{}.txt", self.count);
        self.count += 1;
        let path = self.dir.path().join(&name);
        std::fs::write(&path, text).map_err(|source| RenderError::Write { path, source })?;
        Ok(name)
    }

    /// Where ffmpeg must run for the names to resolve.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// `path` made absolute, for an input named to an ffmpeg run in a [`TextFiles`] dir.
pub(crate) fn absolute(path: &Path) -> Result<PathBuf, RenderError> {
    std::path::absolute(path).map_err(|source| RenderError::Write { path: path.to_owned(), source })
}
