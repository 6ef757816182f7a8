//! The crate against the real ffmpeg and ffprobe: inputs are generated here, outputs are decoded
//! and checked frame by frame. One test binary, so the fixtures are compiled once.

mod fixtures;
mod segments;
mod timeline;
