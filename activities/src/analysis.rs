//! The analysis activities: measure the song with `miri-audio`, ask the ORCHESTRATOR for Parts
//! and Moments (a paid call, through [`crate::ask`]), and store the table.

use crate::alive::alive;
use crate::ask;
use crate::lookup::required;
use crate::budget::BudgetPolicy;
use crate::shot::{fail, retryable, store_failure};
use chrono::Utc;
use miri_core::analysis::ask::{self as analysis_ask, AnalysisAnswer};
use miri_core::analysis::features::{Loudness, brightness_of};
use miri_core::ask::Refusal;
use miri_core::llm::{Blob, BlobData};
use miri_core::{AgentRole, Analysis, Project, SongFeatures};
use miri_providers::models::Models;
use miri_store::{At, MediaStore, Records, StoreError};
use miri_workflows::contract::{AnalyseSong, Analysed, ExtractFeatures, analysis_markers, failure};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

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
        ctx: ActivityContext,
        input: ExtractFeatures,
    ) -> Result<SongFeatures, ActivityError> {
        alive(&ctx, async move {
            let project: Project = required(&self.deps.store, "project", input.project_id).await?;
            let bytes = self.song(&project).await?;
            let sha = project.song.sha256.clone();
            tokio::task::spawn_blocking(move || measure(&bytes, sha))
                .await
                .map_err(|e| retryable(format!("the analysis thread stopped: {e}")))?
        })
        .await
    }

    #[activity(definition = analysis_markers::AnalyseSong)]
    pub async fn analyse_song(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: AnalyseSong,
    ) -> Result<Analysed, ActivityError> {
        alive(&ctx, async move {
            let d = &self.deps;
            let key = input.analysis_id.to_string();
            if let Some((_, stored)) = d.store.get::<Analysis>(&key, At::Newest).await.map_err(store_failure)? {
                return Ok(Analysed::Stored(stored));
            }
            let project: Project = required(&self.deps.store, "project", input.project_id).await?;
            let model = ask::model(&d.store, AgentRole::Orchestrator).await?;
            let song = Blob { mime_type: project.song.content_type.clone(), data: BlobData::Bytes(self.song(&project).await?.to_vec()) };
            let request = analysis_ask::request(&model, &input.features, &project.lyrics, Some(song), &input.refusals);
            // One paid call per attempt: the n-th answer is its own reservation.
            let call = format!("analysis:{}:{}", input.analysis_id, input.refusals.len());
            let reply = ask::ask(&d.models, &d.budget, &d.store, ask::Call { audio_ms: input.features.duration_ms, ..ask::Call::new(input.project_id, &call) }, request).await?;

            let text = match ask::complete(&reply) {
                Ok(text) => text,
                Err(refusal) => return Ok(Analysed::Refused(refusal)),
            };
            let refuse = |error: String| {
                tracing::info!(analysis = %input.analysis_id, %error, "the ORCHESTRATOR's answer was refused");
                Ok(Analysed::Refused(Refusal::new(&text, error)))
            };
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
        })
        .await
    }
}

impl AnalysisWorker {
    async fn song(&self, project: &Project) -> Result<bytes::Bytes, ActivityError> {
        self.deps.media.get(&project.song.key).await.map_err(|e| retryable(format!("reading the song: {e}")))
    }
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
