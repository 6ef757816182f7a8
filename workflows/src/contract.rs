//! The activity contract between the workflows and the workers: names, inputs and outputs.
//! The implementations live in `miri-activities` and are checked against these declarations at
//! compile time (`#[activity(definition = …)]`).

use miri_core::analysis::SongFeatures;
use miri_core::ask::Refusal;
use miri_core::prompt::flux::FluxPrompt;
use miri_core::render::report::{RenderReport, Unreadable};
use miri_core::scene::ask::SceneDraw;
use miri_core::{
    Analysis, AnalysisId, AssetId, CameraMove, ConversationId, MediaRef, MessageId, ProjectId, Render, RenderId, RenderMode, RuleId, Scene, SceneAsset,
    SceneId, ScriptId, Shot, ShotId, ShotStatus, Timestamps, TraceId, VersionId, VersionKind,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use temporalio_macros::activity_definitions;
use temporalio_sdk::activities::ActivityError;

/// Failure type names the workflow branches on (`ApplicationFailure::type_name`).
/// The heartbeat timeout of the activities that wait long on one call (a model, the decoder):
/// they heartbeat every 5 s (activities/src/alive.rs), so a worker killed mid-call costs this
/// long before the call is retried elsewhere, not the call's whole start-to-close timeout.
pub const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(30);

pub mod failure {
    /// The change is not allowed by the shot state machine: retrying cannot help.
    pub const ILLEGAL_TRANSITION: &str = "IllegalTransition";
    /// The shot's input cannot make a valid prompt.
    pub const INVALID_PROMPT: &str = "InvalidPrompt";
    /// The provider refused the request (4xx): retrying cannot help.
    pub const PROVIDER_REJECTED: &str = "ProviderRejected";
    /// Something the activity needs is missing from the store.
    pub const NOT_FOUND: &str = "NotFound";
    /// The shots cannot make a render (gaps, overlaps, no clip, an unreadable clip): the
    /// director has to fix them; the message lists every shot at fault.
    pub const BAD_SHOTS: &str = "BadShots";
    /// The call cannot be priced (no price for its model, or its size cannot be read): paying
    /// blind is refused until the price table covers it.
    pub const UNPRICED: &str = "Unpriced";
    /// The song cannot be analysed (not audio, silent, too long): the director has to bring
    /// another file.
    pub const BAD_SONG: &str = "BadSong";
    /// The paid call would pass the project's budget cap.
    pub const OVER_BUDGET: &str = "OverBudget";
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

/// Record the edit of still `still` as version `version_id`, a request for the FLUX.2 edit
/// endpoint with the scene's seed and references: by the director's `command` (validated; a
/// vague command is refused `InvalidPrompt` with the reason), or, with `fix`, towards that whole
/// corrected prompt (`command` then says the change in words).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepareEdit {
    pub shot_id: ShotId,
    pub still: VersionId,
    pub version_id: VersionId,
    pub command: String,
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<FluxPrompt>,
}

/// Submit the recorded prompt `prompt_version` to its provider; the result becomes
/// `version_id`. Idempotent per `version_id`: a retry returns the request already paid for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Submit {
    pub shot_id: ShotId,
    pub prompt_version: VersionId,
    pub version_id: VersionId,
    /// The request this call is paid for: its trace id goes into the webhook URL and the logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceId>,
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

/// Set money aside for the submission `submit` before it is paid for, keyed by its version id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReserveBudget {
    pub project_id: ProjectId,
    pub submit: Submit,
}

/// What the ledger decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Budgeted {
    #[serde(rename_all = "camelCase")]
    Granted { usd_micros: u64 },
    /// Too little is left under the project's cap: the workflow pauses until `budget_raised`.
    #[serde(rename_all = "camelCase")]
    Blocked { needed_usd_micros: u64, available_usd_micros: u64 },
}

/// Give back the reservation of a submission that failed (the saga's compensation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseBudget {
    pub project_id: ProjectId,
    pub version_id: VersionId,
    pub reason: String,
}

/// Translate prompt `prompt_version` into Hebrew, as version `version_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranslatePrompt {
    pub project_id: ProjectId,
    pub shot_id: ShotId,
    pub prompt_version: VersionId,
    pub version_id: VersionId,
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

    #[activity(name = "prepare_edit")]
    pub fn prepare_edit(input: PrepareEdit) -> Result<(), ActivityError> {
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

    #[activity(name = "reserve_budget")]
    pub fn reserve_budget(input: ReserveBudget) -> Result<Budgeted, ActivityError> {
        unimplemented!()
    }

    #[activity(name = "release_budget")]
    pub fn release_budget(input: ReleaseBudget) -> Result<(), ActivityError> {
        unimplemented!()
    }

    #[activity(name = "translate_prompt")]
    pub fn translate_prompt(input: TranslatePrompt) -> Result<(), ActivityError> {
        unimplemented!()
    }
}

/// The activity marker types, for `#[activity(definition = …)]` in the worker crate.
pub mod markers {
    pub use super::shot_activities::*;
}

/// The picture every segment of a render is made in (one size and rate, so segments join by
/// stream copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderFormat {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl RenderFormat {
    /// What a final render is made in: 720p at 24 fps.
    pub const FINAL: Self = Self { width: 1280, height: 720, fps: 24 };
}

/// Gather the project's shots with their newest clips (in an animatic, whatever each has) and
/// cut the song's timeline into frames.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanRender {
    pub project_id: ProjectId,
    pub render_id: RenderId,
    pub format: RenderFormat,
    #[serde(default = "RenderMode::final_cut")]
    pub mode: RenderMode,
    /// A review copy: every segment burns in which shot it is, its status, its lyric and the
    /// song's time code.
    #[serde(default)]
    pub overlay: bool,
}

/// What fills a segment: the shot's clip; in an animatic, else its still with a slow camera
/// move, else a card that says which shot it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Material {
    #[default]
    Clip,
    Still { motion: CameraMove },
    Title { lines: Vec<String> },
}

/// One shot's part of the render: `frames` frames of `material` from frame `start_frame`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedSegment {
    /// None for the card an animatic shows where no shot covers the song.
    pub shot_id: Option<ShotId>,
    /// The version shown (a clip or a still); none for a title card.
    #[serde(default)]
    pub version_id: Option<VersionId>,
    /// That version's media.
    #[serde(default, alias = "clip")]
    pub media: Option<MediaRef>,
    #[serde(default)]
    pub material: Material,
    /// In an animatic, the title card's lines shown instead when the material cannot be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub card: Vec<String>,
    /// In a review copy, the lines burned into the segment's band (empty in a clean one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overlay: Vec<String>,
    /// The shot's span on the song, as the director set it.
    pub timestamps: Timestamps,
    pub start_frame: u64,
    pub frames: u64,
}

impl PlannedSegment {
    /// The segment as a director names it in an error.
    pub fn what(&self) -> String {
        match self.shot_id {
            Some(shot) => format!("shot {shot}"),
            None => format!("the gap from {} ms to {} ms", self.timestamps.start_ms, self.timestamps.end_ms),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderPlan {
    pub song: MediaRef,
    pub total_frames: u64,
    /// In timeline order; segment `i` is written as the render's `i`th file.
    pub segments: Vec<PlannedSegment>,
    #[serde(default = "RenderMode::final_cut")]
    pub mode: RenderMode,
    /// Whether the segments carry a burned-in overlay (a review copy).
    #[serde(default)]
    pub overlay: bool,
    /// What the render shows of the song, as planned (unreadable media is added as found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<RenderReport>,
}

/// Make segment `index` of `total`. Skipped when its file already exists (a resumed render).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConformSegment {
    pub project_id: ProjectId,
    pub render_id: RenderId,
    pub format: RenderFormat,
    pub index: usize,
    pub total: usize,
    pub segment: PlannedSegment,
}

/// Join the render's `count` segments, then put the song under them, store the film and append
/// the `Render` record naming the versions used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FinishRender {
    pub project_id: ProjectId,
    pub render_id: RenderId,
    pub format: RenderFormat,
    pub plan: RenderPlan,
    /// Shots whose media could not be read and showed their card instead, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<Unreadable>,
}

/// Conform a newly ingested clip to its shot's length in `format` ahead of any render, into the
/// render workers' segment cache, so the render only links it. Best effort: a render conforms
/// whatever is not cached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreconformClip {
    pub shot_id: ShotId,
    pub version_id: VersionId,
    pub format: RenderFormat,
}

/// Make the project's song ready to mux (encoded once into the render worker's cache), so the
/// first render of a project — an animatic of stills above all — does not wait for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepareSong {
    pub project_id: ProjectId,
}

pub struct RenderActivities;

#[activity_definitions]
impl RenderActivities {
    #[activity(name = "plan_render")]
    pub fn plan_render(input: PlanRender) -> Result<RenderPlan, ActivityError> {
        unimplemented!()
    }

    #[activity(name = "conform_segment")]
    /// Answers why the segment's media could not be read when a title card stood in for it.
    pub fn conform_segment(input: ConformSegment) -> Result<Option<String>, ActivityError> {
        unimplemented!()
    }

    #[activity(name = "preconform_clip")]
    pub fn preconform_clip(input: PreconformClip) -> Result<(), ActivityError> {
        unimplemented!()
    }

    #[activity(name = "prepare_song")]
    pub fn prepare_song(input: PrepareSong) -> Result<(), ActivityError> {
        unimplemented!()
    }

    #[activity(name = "join_segments")]
    pub fn join_segments(input: FinishRender) -> Result<(), ActivityError> {
        unimplemented!()
    }

    #[activity(name = "finish_render")]
    pub fn finish_render(input: FinishRender) -> Result<Render, ActivityError> {
        unimplemented!()
    }
}

/// The render activity marker types, for `#[activity(definition = …)]` in the worker crate.
pub mod render_markers {
    pub use super::render_activities::*;
}

/// Measure the project's song locally: beats, onsets, loudness and brightness per beat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtractFeatures {
    pub project_id: ProjectId,
}

/// Ask the ORCHESTRATOR for Parts and Moments (one paid attempt, the earlier refused answers
/// sent back with their reasons); a valid table is stored as analysis `analysis_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyseSong {
    pub project_id: ProjectId,
    pub analysis_id: AnalysisId,
    pub features: SongFeatures,
    #[serde(default)]
    pub refusals: Vec<Refusal>,
}

/// A model's answer to one attempt: the record it made, stored, or why it was refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Answered<T> {
    Stored(T),
    /// The answer could not make a valid record; the workflow asks again with this refusal.
    Refused(Refusal),
}

pub type Analysed = Answered<Analysis>;

pub struct AnalysisActivities;

#[activity_definitions]
impl AnalysisActivities {
    #[activity(name = "extract_features")]
    pub fn extract_features(input: ExtractFeatures) -> Result<SongFeatures, ActivityError> {
        unimplemented!()
    }

    #[activity(name = "analyse_song")]
    pub fn analyse_song(input: AnalyseSong) -> Result<Analysed, ActivityError> {
        unimplemented!()
    }
}

/// The analysis activity marker types, for `#[activity(definition = …)]` in the worker crate.
pub mod analysis_markers {
    pub use super::analysis_activities::*;
}

/// Ask the ORCHESTRATOR to break the song into scenes from analysis `analysis_id` and the plot;
/// valid scenes are stored under the ids and seeds the workflow drew.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanScenes {
    pub project_id: ProjectId,
    pub analysis_id: AnalysisId,
    /// One per possible scene position (`scene::ask::MAX_SCENES`), drawn once by the workflow.
    pub draws: Vec<SceneDraw>,
    #[serde(default)]
    pub refusals: Vec<Refusal>,
}

/// Ask the ORCHESTRATOR to cut scene `scene_id` into shots, aligned to the Moments of analysis
/// `analysis_id`; valid shots are stored (DRAFT) under the ids the workflow drew.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanShots {
    pub project_id: ProjectId,
    pub scene_id: SceneId,
    pub analysis_id: AnalysisId,
    /// One per possible shot position (`shot::plan::MAX_SHOTS`), drawn once by the workflow.
    pub shot_ids: Vec<ShotId>,
    /// The most shots wanted for the scene (raised to what its clips need).
    #[serde(default)]
    pub most_shots: Option<usize>,
    #[serde(default)]
    pub refusals: Vec<Refusal>,
}

pub struct BreakdownActivities;

#[activity_definitions]
impl BreakdownActivities {
    #[activity(name = "plan_scenes")]
    pub fn plan_scenes(input: PlanScenes) -> Result<Answered<Vec<Scene>>, ActivityError> {
        unimplemented!()
    }

    #[activity(name = "plan_shots")]
    pub fn plan_shots(input: PlanShots) -> Result<Answered<Vec<Shot>>, ActivityError> {
        unimplemented!()
    }
}

/// The breakdown activity marker types, for `#[activity(definition = …)]` in the worker crate.
pub mod breakdown_markers {
    pub use super::breakdown_activities::*;
}

/// Reference `index` of scene `scene_id` (`scene::asset::wanted` order) as asset `asset_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetJob {
    pub project_id: ProjectId,
    pub scene_id: SceneId,
    pub asset_id: AssetId,
    pub index: usize,
    /// The request that asked for the breakdown: its trace id goes into the webhook URL and logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceId>,
}

/// The provider's answer for a submitted reference, to be stored with its media.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestAsset {
    pub job: AssetJob,
    pub result: ProviderResult,
}

pub struct SceneActivities;

#[activity_definitions]
impl SceneActivities {
    /// Builds the reference's FLUX request from the scene, reserves its cost, submits it (the
    /// webhook names scene and asset) and records the request. Idempotent per asset id.
    #[activity(name = "submit_asset")]
    pub fn submit_asset(input: AssetJob) -> Result<Submitted, ActivityError> {
        unimplemented!()
    }

    #[activity(name = "poll_asset")]
    pub fn poll_asset(input: AssetJob) -> Result<Polled, ActivityError> {
        unimplemented!()
    }

    /// Stores the image and settles the bill (or releases the reservation when the provider
    /// failed, then fails naming why).
    #[activity(name = "ingest_asset")]
    pub fn ingest_asset(input: IngestAsset) -> Result<SceneAsset, ActivityError> {
        unimplemented!()
    }
}

/// The scene activity marker types, for `#[activity(definition = …)]` in the worker crate.
pub mod scene_markers {
    pub use super::scene_activities::*;
}

/// Answer the director's messages `answering` (newest last) in conversation `conversation_id`
/// (the DIRECTOR in a story interview, the VISION_ANALYZER in shot QA); a valid answer is stored
/// as message `reply_id` and, when it proposes a script, as script `script_id`. Idempotent per
/// `reply_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerTurn {
    pub project_id: ProjectId,
    pub conversation_id: ConversationId,
    pub answering: Vec<MessageId>,
    pub reply_id: MessageId,
    pub script_id: ScriptId,
    #[serde(default)]
    pub refusals: Vec<Refusal>,
}

/// The stored reply: its message and the script version it proposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoryReply {
    pub message_id: MessageId,
    #[serde(default)]
    pub script_id: Option<ScriptId>,
}

pub struct StoryActivities;

#[activity_definitions]
impl StoryActivities {
    #[activity(name = "answer_director")]
    pub fn answer_director(input: AnswerTurn) -> Result<Answered<StoryReply>, ActivityError> {
        unimplemented!()
    }
}

/// The story activity marker types, for `#[activity(definition = …)]` in the worker crate.
pub mod story_markers {
    pub use super::story_activities::*;
}

pub struct QaActivities;

#[activity_definitions]
impl QaActivities {
    /// A QA turn: the reply, and the change it proposes for the shot's still.
    #[activity(name = "answer_shot_qa")]
    pub fn answer_shot_qa(input: AnswerTurn) -> Result<Answered<StoryReply>, ActivityError> {
        unimplemented!()
    }
}

/// The QA activity marker types, for `#[activity(definition = …)]` in the worker crate.
pub mod qa_markers {
    pub use super::qa_activities::*;
}

pub struct AssistantActivities;

#[activity_definitions]
impl AssistantActivities {
    /// A general turn: the reply, and the studio actions it proposes as tool calls.
    #[activity(name = "answer_assistant")]
    pub fn answer_assistant(input: AnswerTurn) -> Result<Answered<StoryReply>, ActivityError> {
        unimplemented!()
    }
}

/// The assistant activity marker types, for `#[activity(definition = …)]` in the worker crate.
pub mod assistant_markers {
    pub use super::assistant_activities::*;
}

/// Ask the AUDITOR about still prompt `prompt_version`: the verdict is stored as version
/// `audit_version`, and a failed audit's corrected prompt as version `fix_version` (a prompt
/// whose parent is the audited one). Idempotent per `audit_version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditPrompt {
    pub project_id: ProjectId,
    pub shot_id: ShotId,
    pub prompt_version: VersionId,
    pub audit_version: VersionId,
    pub fix_version: VersionId,
    #[serde(default)]
    pub refusals: Vec<Refusal>,
}

/// A stored audit: passed, or failed with its findings and the version of the fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Audited {
    pub passed: bool,
    /// The findings as one line (empty when passed).
    #[serde(default)]
    pub findings: String,
    #[serde(default)]
    pub fix: Option<VersionId>,
}

/// Ask the VISION_ANALYZER what the rejection of still `still_version` (for `reason`) teaches;
/// the rule is stored, embedded, as rule `rule_id`. Idempotent per `rule_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LearnRule {
    pub project_id: ProjectId,
    pub shot_id: ShotId,
    pub still_version: VersionId,
    pub reason: String,
    pub rule_id: RuleId,
    #[serde(default)]
    pub refusals: Vec<Refusal>,
}

/// The judgement activities: the AUDITOR's audit of a prompt and the VISION_ANALYZER's rule
/// from a rejected still (both read and feed the rulebook).
pub struct AuditActivities;

#[activity_definitions]
impl AuditActivities {
    #[activity(name = "audit_prompt")]
    pub fn audit_prompt(input: AuditPrompt) -> Result<Answered<Audited>, ActivityError> {
        unimplemented!()
    }

    #[activity(name = "learn_rule")]
    pub fn learn_rule(input: LearnRule) -> Result<Answered<RuleId>, ActivityError> {
        unimplemented!()
    }
}

/// The audit activity marker types, for `#[activity(definition = …)]` in the worker crate.
pub mod audit_markers {
    pub use super::audit_activities::*;
}
