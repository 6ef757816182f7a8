//! Miri's domain: the records every other crate reads and writes, the shot state machine, and
//! the prompt rules. Pure code — no I/O, no clocks, no randomness — so the deterministic workflow
//! crate, the activities, the gateway and the CLI all share one definition of each rule.

pub mod event;
pub mod id;
pub mod media;
pub mod project;
pub mod prompt;
pub mod shot;
pub mod status;
pub mod version;

pub use event::ShotUpdated;
pub use id::{Id, IdError, ProjectId, ShotId, VersionId};
pub use media::MediaRef;
pub use project::{GlobalSettings, Project};
pub use shot::{NewShot, Shot, ShotError, Timestamps};
pub use status::{IllegalTransition, ShotStatus};
pub use version::{Author, Version, VersionKind};
