//! What can go wrong turning a file into an analysis, each case worded for the person who gave
//! the file: what is wrong and what to do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("cannot read {path}: {source}; check the path and its permissions")]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("{path} is not audio Miri can decode ({reason}); give it an MP3 file of the song")]
    NotAudio { path: PathBuf, reason: String },
    #[error("{path} holds no audio samples; export the song again")]
    Empty { path: PathBuf },
    #[error("the song is longer than {max_minutes} minutes, the most Miri analyses; cut it into parts first")]
    TooLong { max_minutes: u64 },
}
