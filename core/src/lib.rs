//! Miri's domain: the records every other crate reads and writes, the shot state machine, and
//! the prompt rules. Pure code — no I/O, no clocks, no randomness — so the deterministic workflow
//! crate, the activities, the gateway and the CLI all share one definition of each rule.

pub mod agent;
pub mod analysis;
pub mod ask;
pub mod budget;
pub mod chat;
pub mod event;
pub mod id;
pub mod llm;
pub mod media;
pub mod project;
pub mod prompt;
pub mod render;
pub mod rule;
pub mod scene;
pub mod schema;
pub mod script;
pub mod shot;
pub mod status;
pub mod timeline;
pub mod trace;
pub mod version;

pub use event::{ChatMessage, Event, RenderProgress, RenderStage, ShotUpdated};
pub use agent::{AgentConfig, AgentRole};
pub use analysis::{Analysis, Atmosphere, Moment, Part, Rhythm, SongFeatures};
pub use chat::{Conversation, Message, Speaker, Topic, tool::Tool};
pub use id::{
    AnalysisId, AssetId, ConfigId, ConversationId, Id, IdError, MessageId, ProjectId, RenderId, RuleId, SceneId,
    ScriptId, ShotId, VersionId,
};
pub use media::MediaRef;
pub use project::{GlobalSettings, Project, ProjectConfig};
pub use render::{CameraMove, Render, RenderMode, RenderShot};
pub use rule::Rule;
pub use scene::{Colour, Outfit, Prop, Scene, asset::{AssetRole, SceneAsset}};
pub use schema::{FieldError, Validate};
pub use script::{Beat, Flaw, FlawKind, Script};
pub use shot::{NewShot, Shot, ShotError, Timestamps};
pub use status::{IllegalTransition, ShotStatus};
pub use trace::TraceId;
pub use version::{Author, Cost, Version, VersionKind};
