//! Events published to a project's Socket.IO room. The store is the truth; an event only says
//! that something new was appended, so a client that missed one re-reads over REST.

use crate::{ProjectId, ShotId, ShotStatus};
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
}
