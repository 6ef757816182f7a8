//! The final render's frame-accurate ffmpeg work, apart from any workflow: plan the song's
//! timeline in frames, make each shot's segment of exactly its frame count at one output format
//! and one encoder setting, join the segments without re-encoding, and put the original song
//! under them. Every cut is decided once, in whole frames, by [`plan`]; everything after it only
//! has to produce the frame counts it was given, and checks that it did.
//!
//! Shots are named by a caller's label type (`T: Clone + Display`), so this crate needs nothing
//! from the domain crate.

mod concat;
mod conform;
mod encoder;
mod error;
mod ffmpeg;
mod format;
mod mux;
mod plan;
mod probe;
mod rate;
mod still;
mod title;

pub use concat::concat;
pub use conform::conform;
pub use error::RenderError;
pub use ffmpeg::Progress;
pub use format::{BadFormat, VideoFormat};
pub use mux::mux;
pub use plan::{EditList, Fault, PlanError, Problem, Segment, Shot, plan};
pub use probe::{ProbeError, VideoInfo, probe};
pub use rate::{BadFrameRate, FrameRate};
pub use still::{Motion, still_segment};
pub use title::title_card;
