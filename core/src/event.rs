//! Events published to a project's Socket.IO room. The store is the truth; an event only says
//! that something new was appended, so a client that missed one re-reads over REST.

use crate::{ProjectId, RenderId, Shot, ShotId, ShotStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShotUpdated {
    pub project_id: ProjectId,
    pub shot_id: ShotId,
    pub status: ShotStatus,
    /// The shot record's revision: clients drop an event older than what they show.
    pub revision: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl ShotUpdated {
    pub const NAME: &'static str = "SHOT_UPDATED";

    /// The event announcing `revision` of `shot`.
    pub fn of(shot: &Shot, revision: u64) -> Self {
        Self {
            project_id: shot.project_id,
            shot_id: shot.shot_id,
            status: shot.status,
            revision,
            reason: shot.reason.clone(),
            updated_at: shot.updated_at,
        }
    }
}

/// How far a render has got: `done` of `total` in `stage` (segments while conforming).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderProgress {
    pub project_id: ProjectId,
    pub render_id: RenderId,
    pub done: u64,
    pub total: u64,
    pub stage: RenderStage,
}

impl RenderProgress {
    pub const NAME: &'static str = "RENDER_PROGRESS";
}

/// The steps of a render, in order; `Failed` ends it early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderStage {
    Planning,
    Conforming,
    Joining,
    Muxing,
    Done,
    Failed,
}

/// Any event a worker publishes for a project's room; told apart by its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Event {
    Shot(ShotUpdated),
    Render(RenderProgress),
}

impl Event {
    /// The Socket.IO event name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Shot(_) => ShotUpdated::NAME,
            Self::Render(_) => RenderProgress::NAME,
        }
    }

    pub fn project_id(&self) -> ProjectId {
        match self {
            Self::Shot(e) => e.project_id,
            Self::Render(e) => e.project_id,
        }
    }
}
