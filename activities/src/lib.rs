//! The I/O side of the workflows: every activity declared in `miri_workflows::contract`,
//! implemented against the store, the media store, the fal queue and the event bus. Errors are
//! classified here once: what retrying can fix is retryable, everything else is not.

mod alive;
pub mod analysis;
pub mod assistant;
pub mod ask;
pub mod audit;
pub mod breakdown;
pub mod budget;
pub mod events;
mod lookup;
pub mod qa;
pub mod render;
pub mod rulebook;
pub mod scene;
pub mod shot;
pub mod story;

pub use analysis::{AnalysisActivityDeps, AnalysisWorker};
pub use assistant::AssistantWorker;
pub use audit::{AuditActivityDeps, AuditWorker};
pub use breakdown::{BreakdownActivityDeps, BreakdownWorker};
pub use budget::BudgetPolicy;
pub use events::EventPublisher;
pub use qa::{QaActivityDeps, QaWorker};
pub use render::{RenderActivityDeps, RenderWorker};
pub use rulebook::Rulebook;
pub use scene::{SceneActivityDeps, SceneWorker};
pub use shot::{ShotActivityDeps, ShotWorker};
pub use story::{StoryActivityDeps, StoryWorker};
