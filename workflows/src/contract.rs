//! The activity contract between the shot workflow and the worker: names, inputs and outputs.
//! The implementations live in `miri-activities` and are checked against these declarations at
//! compile time (`#[activity(definition = …)]`).

use miri_core::{ProjectId, ShotId, ShotStatus, VersionId, VersionKind};
use serde::{Deserialize, Serialize};
use temporalio_macros::activity_definitions;
use temporalio_sdk::activities::ActivityError;

/// Failure type names the workflow branches on (`ApplicationFailure::type_name`).
pub mod failure {
    /// The change is not allowed by the shot state machine: retrying cannot help.
    pub const ILLEGAL_TRANSITION: &str = "IllegalTransition";
    /// The shot's input cannot make a valid prompt.
    pub const INVALID_PROMPT: &str = "InvalidPrompt";
    /// The provider refused the request (4xx): retrying cannot help.
    pub const PROVIDER_REJECTED: &str = "ProviderRejected";
    /// Something the activity needs is missing from the store.
    pub const NOT_FOUND: &str = "NotFound";
}

/// Move a shot to `to`, appending a new revision and publishing `SHOT_UPDATED`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Advance {
    pub shot_id: ShotId,
    pub to: ShotStatus,
    #[serde(default)]
    pub reason: Option<String>,
    /// Unique per change (drawn by the workflow), so a retried activity recognises its own write.
    pub change_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Advanced {
    pub revision: u64,
}

/// Build and record the prompt of a still or clip (validating it), as version `version_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreparePrompt {
    pub shot_id: ShotId,
    pub version_id: VersionId,
    /// What the prompt is for: `Image` (FLUX.2 still) or `Video` (Kling clip).
    pub target: VersionKind,
    /// The still a clip animates.
    #[serde(default)]
    pub start_frame: Option<VersionId>,
}

/// Submit the recorded prompt `prompt_version` to its provider; the result becomes
/// `version_id`. Idempotent per `version_id`: a retry returns the request already paid for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Submit {
    pub shot_id: ShotId,
    pub prompt_version: VersionId,
    pub version_id: VersionId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Submitted {
    pub request_id: String,
}

/// A provider's answer to one request: from a verified webhook (a signal) or from polling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderResult {
    pub request_id: String,
    pub ok: bool,
    #[serde(default)]
    pub payload: Option<serde_json::Value>,
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Polled {
    Pending,
    Done(ProviderResult),
}

/// Copy the provider's media into Miri's storage as version `version_id`, then move the shot
/// to `then` — one activity, so the artefact and the status that announces it land together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ingest {
    pub project_id: ProjectId,
    pub submit: Submit,
    pub kind: VersionKind,
    pub result: ProviderResult,
    pub then: Advance,
}

pub struct ShotActivities;

#[activity_definitions]
impl ShotActivities {
    #[activity(name = "advance_shot")]
    pub fn advance_shot(input: Advance) -> Result<Advanced, ActivityError> {
        unimplemented!()
    }

    #[activity(name = "prepare_prompt")]
    pub fn prepare_prompt(input: PreparePrompt) -> Result<(), ActivityError> {
        unimplemented!()
    }

    #[activity(name = "submit")]
    pub fn submit(input: Submit) -> Result<Submitted, ActivityError> {
        unimplemented!()
    }

    #[activity(name = "poll")]
    pub fn poll(input: Submit) -> Result<Polled, ActivityError> {
        unimplemented!()
    }

    #[activity(name = "ingest")]
    pub fn ingest(input: Ingest) -> Result<Advanced, ActivityError> {
        unimplemented!()
    }
}

/// The activity marker types, for `#[activity(definition = …)]` in the worker crate.
pub mod markers {
    pub use super::shot_activities::*;
}
