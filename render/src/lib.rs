//! The final render's frame-accurate ffmpeg work, apart from any workflow: plan the song's
//! timeline in frames, make each shot's segment of exactly its frame count at one output format
//! and one encoder setting, join the segments without re-encoding, and put the original song
//! under them. Every cut is decided once, in whole frames, by [`plan`]; everything after it only
//! has to produce the frame counts it was given, and checks that it did.
//!
//! Shots are named by a caller's label type (`T: Clone + Display`), so this crate needs nothing
//! from the domain crate. Every file is written under a temporary name and renamed when complete,
//! so an existing output is a finished one: a resumed render can skip it.
//!
//! ```no_run
//! # async fn render() -> Result<(), Box<dyn std::error::Error>> {
//! use std::path::PathBuf;
//! use miri_render::{FrameRate, Shot, VideoFormat, concat, conform, encode_song, mux_encoded, plan};
//!
//! let format = VideoFormat::new(1280, 720, FrameRate::new(24, 1)?)?;
//! let shots = vec![
//!     Shot { label: "s1", start_ms: 0, end_ms: 4000, media: Some(PathBuf::from("s1.mp4")) },
//!     Shot { label: "s2", start_ms: 4000, end_ms: 9500, media: Some(PathBuf::from("s2.mp4")) },
//! ];
//! let list = plan(shots, 9500, format.fps())?;
//! let mut parts = Vec::new();
//! for segment in &list.segments {
//!     let part = PathBuf::from(format!("{}.seg.mp4", segment.label));
//!     conform(&segment.media, segment.frames, &format, None, &part, |p| {
//!         println!("{}: {:.0}%", segment.label, 100.0 * p.fraction());
//!     })
//!     .await?;
//!     parts.push(part);
//! }
//! concat(&parts, "video.mp4".as_ref()).await?;
//! encode_song("song.mp3".as_ref(), "song.m4a".as_ref()).await?;
//! mux_encoded("video.mp4".as_ref(), "song.m4a".as_ref(), "final.mp4".as_ref()).await?;
//! # Ok(())
//! # }
//! ```

mod cache;
mod concat;
mod conform;
mod encoder;
mod error;
mod ffmpeg;
mod format;
mod mux;
mod overlay;
mod plan;
mod probe;
mod rate;
mod still;
mod texts;
mod title;

pub use cache::SegmentCache;
pub use concat::concat;
pub use conform::conform;
pub use error::RenderError;
pub use ffmpeg::Progress;
pub use format::{BadFormat, VideoFormat};
pub use mux::{encode_song, mux_encoded};
pub use overlay::Overlay;
pub use plan::{EditList, Fault, PlanError, Problem, Segment, Shot, plan, plan_covering};
pub use probe::{ProbeError, VideoInfo, probe, song_duration};
pub use rate::{BadFrameRate, FrameRate};
pub use still::{Motion, still_segment};
pub use title::title_card;
