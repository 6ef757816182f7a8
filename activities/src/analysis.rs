//! The analysis activities: measure the song with `miri-audio`, ask the ORCHESTRATOR for Parts
//! and Moments, and store the table. The model call is paid: it reserves its estimate under the
//! project's cap first and settles what the provider reports it used.

use crate::budget::BudgetPolicy;
use crate::shot::{fail, retryable, store_failure};
use chrono::Utc;
use miri_core::agent::model_for;
use miri_core::analysis::ask::{self, AnalysisAnswer};
use miri_core::ask::Refusal;
use miri_core::analysis::features::{Loudness, brightness_of};
use miri_core::budget::Usage;
use miri_core::llm::{Blob, BlobData, FinishReason, GenerateError, LanguageModel};
use miri_core::{AgentConfig, AgentRole, Analysis, Project, ProjectId, SongFeatures};
use miri_providers::models::Models;
use miri_store::{At, MediaStore, Records, StoreError, Under};
use miri_workflows::contract::{AnalyseSong, Analysed, Budgeted, ExtractFeatures, analysis_markers, failure};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

/// The answer budget of one analysis call, in tokens (also what its reservation assumes).
const MAX_OUTPUT_TOKENS: u32 = 32_768;

pub struct AnalysisActivityDeps {
    pub store: Records,
    pub media: MediaStore,
    pub models: Models,
    pub budget: BudgetPolicy,
}

pub struct AnalysisWorker {
    deps: AnalysisActivityDeps,
}

impl AnalysisWorker {
    pub fn new(deps: AnalysisActivityDeps) -> Self {
        Self { deps }
    }
}

#[activities]
impl AnalysisWorker {
    #[activity(definition = analysis_markers::ExtractFeatures)]
    pub async fn extract_features(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: ExtractFeatures,
    ) -> Result<SongFeatures, ActivityError> {
        let project = self.project(input.project_id).await?;
        let bytes = self.song(&project).await?;
        let sha = project.song.sha256.clone();
        tokio::task::spawn_blocking(move || measure(&bytes, sha))
            .await
            .map_err(|e| retryable(format!("the analysis thread stopped: {e}")))?
    }

    #[activity(definition = analysis_markers::AnalyseSong)]
    pub async fn analyse_song(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: AnalyseSong,
    ) -> Result<Analysed, ActivityError> {
        let d = &self.deps;
        let key = input.analysis_id.to_string();
        if let Some((_, stored)) = d.store.get::<Analysis>(&key, At::Newest).await.map_err(store_failure)? {
            return Ok(Analysed::Stored(stored));
        }
        let project = self.project(input.project_id).await?;
        let configs: Vec<AgentConfig> =
            d.store.list::<AgentConfig>(Under::All, At::Newest).await.map_err(store_failure)?.into_iter().map(|(_, c)| c).collect();
        let model = model_for(&configs, AgentRole::Orchestrator).to_string();
        let song = Blob { mime_type: project.song.content_type.clone(), data: BlobData::Bytes(self.song(&project).await?.to_vec()) };
        let mut request = ask::request(&model, &input.features, &project.lyrics, Some(song), &input.refusals);
        request.max_output_tokens = Some(MAX_OUTPUT_TOKENS);

        // One reservation per attempt: the n-th answer is its own paid call.
        let call = format!("analysis:{}:{}", input.analysis_id, input.refusals.len());
        let estimate = Usage::Tokens { input: input_tokens(&request, input.features.duration_ms), output: u64::from(MAX_OUTPUT_TOKENS) };
        let amount = d.budget.prices.cost(&model, estimate).map_err(|e| fail(failure::UNPRICED, e.to_string()))?;
        match d.budget.reserve_amount(&d.store, input.project_id, None, &call, &model, amount).await.map_err(store_failure)? {
            Budgeted::Granted { .. } => {}
            Budgeted::Blocked { needed_usd_micros, available_usd_micros } => {
                return Err(fail(
                    failure::OVER_BUDGET,
                    format!(
                        "analysing the song needs up to {needed_usd_micros} µ$ and {available_usd_micros} µ$ are left under the project's cap; raise the cap and analyse again"
                    ),
                ));
            }
        }
        let reply = match d.models.generate(&request).await {
            Ok(reply) => reply,
            Err(e) => {
                d.budget.release(&d.store, input.project_id, &call, &e.to_string()).await.map_err(store_failure)?;
                return Err(match e {
                    GenerateError::Provider(e) if e.is_retryable() => retryable(e.to_string()),
                    e => fail(failure::PROVIDER_REJECTED, e.to_string()),
                });
            }
        };
        let used = Usage::Tokens { input: reply.usage.input_tokens, output: reply.usage.output_tokens + reply.usage.thinking_tokens };
        let bill = d.budget.prices.cost(&model, used).unwrap_or(amount);
        d.budget.settle(&d.store, input.project_id, &call, bill).await.map_err(store_failure)?;

        let text = reply.text();
        let refuse = |error: String| {
            tracing::info!(analysis = %input.analysis_id, %error, "the ORCHESTRATOR's answer was refused");
            Ok(Analysed::Refused(Refusal::new(&text, error)))
        };
        if !matches!(reply.finish, FinishReason::Stop) {
            return refuse(format!("the answer stopped early ({:?}); answer completely and more briefly", reply.finish));
        }
        let table = AnalysisAnswer::parse(&text)
            .and_then(|answer| answer.into_analysis(&input.features, input.analysis_id, input.project_id, Utc::now()));
        let analysis = match table {
            Ok(analysis) => analysis,
            Err(e) => return refuse(e.to_string()),
        };
        match d.store.append(&analysis, 0).await {
            Ok(()) => Ok(Analysed::Stored(analysis)),
            // A retry after the write landed: the stored table is the answer.
            Err(StoreError::Conflict { .. }) => match d.store.get::<Analysis>(&key, At::Newest).await.map_err(store_failure)? {
                Some((_, stored)) => Ok(Analysed::Stored(stored)),
                None => Err(retryable(format!("analysis {key} conflicted but cannot be read"))),
            },
            Err(e) => Err(store_failure(e)),
        }
    }
}

impl AnalysisWorker {
    async fn project(&self, id: ProjectId) -> Result<Project, ActivityError> {
        self.deps
            .store
            .project(id)
            .await
            .map_err(store_failure)?
            .ok_or_else(|| fail(failure::NOT_FOUND, format!("project {id} does not exist")))
    }

    async fn song(&self, project: &Project) -> Result<bytes::Bytes, ActivityError> {
        self.deps.media.get(&project.song.key).await.map_err(|e| retryable(format!("reading the song: {e}")))
    }
}

/// Roughly what the request's input will count: text at four bytes a token, audio at 32 tokens a
/// second (Gemini's rate), rounded up.
fn input_tokens(request: &miri_core::llm::GenerateRequest, song_ms: u64) -> u64 {
    let text: usize = request
        .system
        .iter()
        .map(String::len)
        .chain(request.turns.iter().flat_map(|t| &t.parts).map(|p| match p {
            miri_core::llm::Part::Text { text, .. } => text.len(),
            _ => 0,
        }))
        .sum();
    (text as u64).div_ceil(4) + song_ms.div_ceil(1000) * 32
}

/// Decodes and measures the song (CPU work: run it off the async threads).
fn measure(bytes: &[u8], sha256: String) -> Result<SongFeatures, ActivityError> {
    let dir = tempfile::tempdir().map_err(|e| retryable(format!("a scratch dir for the song: {e}")))?;
    let path = dir.path().join("song");
    std::fs::write(&path, bytes).map_err(|e| retryable(format!("writing the song to scratch: {e}")))?;
    let analysis = miri_audio::analyze_file(&path).map_err(|e| match e {
        miri_audio::AudioError::Unreadable { .. } => retryable(e.to_string()),
        e => fail(failure::BAD_SONG, e.to_string().replace(&path.display().to_string(), "the song")),
    })?;
    if analysis.no_beat == Some(miri_audio::NoBeat::Silent) {
        return Err(fail(failure::BAD_SONG, "the song is silent: there is nothing to cut a video to; upload the song itself".into()));
    }
    let beats = analysis.beats;
    Ok(SongFeatures {
        song_sha256: sha256,
        duration_ms: beats.duration_ms,
        tempo_bpm: beats.tempo_bpm,
        beats_ms: beats.beats_ms,
        onsets_ms: beats.onsets_ms,
        segments: analysis
            .segments
            .iter()
            .map(|s| Loudness { start_ms: s.start_ms, end_ms: s.end_ms, loudness_db: s.rms_dbfs.min(0.0), brightness: brightness_of(s.centroid_hz) })
            .collect(),
        no_beat: analysis.no_beat.map(|n| n.to_string()),
    })
}
