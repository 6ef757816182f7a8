//! The render activities: the I/O half of `RenderWorkflow`, over `miri-render`'s ffmpeg steps.
//! Every file lives in one work dir per render (`{data}/renders/{renderId}`), and every step
//! skips work whose output already exists — `miri-render` only ever leaves complete files under
//! their final names — so a render worker killed mid-render resumes without redoing a finished
//! segment. The work dir goes once the film is stored and recorded.

use crate::alive::alive;
use crate::EventPublisher;
use crate::lookup::newest_analysis;
use crate::shot::{create_once, fail, retryable, store_failure};
use bytes::Bytes;
use chrono::Utc;
use crate::budget::BudgetPolicy;
use miri_core::budget::Ledger;
use miri_core::timeline::clock;
use miri_core::render::report::{Footage, RenderReport, ShotUse, Shown};
use miri_core::{
    CameraMove, MediaRef, Moment, ProjectId, Render, RenderId, RenderMode, RenderProgress, RenderShot, RenderStage, Scene,
    SceneId, ShotId, Timestamps, Version, VersionId, VersionKind,
};
use miri_render::{
    FrameRate, Motion, Overlay, ProbeError, Progress, RenderError, SegmentCache, Shot, VideoFormat, concat, conform, mux_encoded, plan,
    plan_covering, song_duration, still_segment, title_card,
};
use std::collections::HashMap;
use std::fmt;
use miri_store::{At, Records, Under};
use miri_workflows::contract::{
    ConformSegment, FinishRender, Material, PlanRender, PlannedSegment, PreconformClip, PrepareSong, RenderFormat, RenderPlan, failure,
    render_markers as render_activities,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tokio::sync::watch;

/// What the render activities talk to.
pub struct RenderActivityDeps {
    pub store: Records,
    pub events: EventPublisher,
    /// Where each render's work dir is made (`{data}/renders`).
    pub work_dir: PathBuf,
    /// Prices and the default cap, for the report's cost of the clips still to make.
    pub budget: BudgetPolicy,
}

/// What a segment of the edit list stands for: a shot, or (in an animatic) a stretch of the song
/// no shot covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Shot(ShotId),
    Gap,
}

impl Slot {
    fn shot(self) -> Option<ShotId> {
        match self {
            Self::Shot(id) => Some(id),
            Self::Gap => None,
        }
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shot(id) => id.fmt(f),
            Self::Gap => f.write_str("(no shot)"),
        }
    }
}

/// What fills a slot's segment.
struct Fill {
    version_id: Option<VersionId>,
    media: Option<MediaRef>,
    material: Material,
    card: Vec<String>,
    overlay: Vec<String>,
    timestamps: Timestamps,
}

/// The registered render activity implementations (one instance per render worker).
pub struct RenderWorker {
    deps: RenderActivityDeps,
    /// Conformed segments by what they were made from (`{data}/renders/segments`).
    cache: SegmentCache,
}

impl RenderWorker {
    pub fn new(deps: RenderActivityDeps) -> Self {
        let cache = SegmentCache::new(deps.work_dir.join("segments"));
        Self { deps, cache }
    }
}

#[activities]
impl RenderWorker {
    #[activity(definition = render_activities::PlanRender)]
    pub async fn plan_render(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: PlanRender,
    ) -> Result<RenderPlan, ActivityError> {
        alive(&ctx, async move {
            let d = &self.deps;
            self.progress(
                input.project_id,
                input.render_id,
                RenderStage::Planning,
                0,
                0,
            )
            .await;
            let project = d
                .store
                .project(input.project_id)
                .await
                .map_err(store_failure)?
                .ok_or_else(|| {
                    fail(
                        failure::NOT_FOUND,
                        format!("project {} does not exist", input.project_id),
                    )
                })?;
            let song = self
                .fetch(&project.song, &self.dir(input.render_id).join("song.mp3"))
                .await?;
            let probed_ms = song_ms(&song).await?;
            // The shots were cut on the analysis' timeline: the decoded samples, without the MP3
            // encoder's delay and padding that ffprobe counts in (tens of milliseconds). When the
            // project's song has been analysed, that is the song's length.
            let analysis = newest_analysis(&d.store, input.project_id)
                .await?
                .filter(|a| a.song_sha256 == project.song.sha256);
            let song_ms = analysis
                .as_ref()
                .map(|a| a.duration_ms)
                .filter(|a| a.abs_diff(probed_ms) <= CODEC_SLACK_MS)
                .unwrap_or(probed_ms);

            let animatic = input.mode == RenderMode::Animatic;
            let scenes: Vec<Scene> = d
                .store
                .list::<Scene>(Under::Project(input.project_id.to_string()), At::Newest)
                .await
                .map_err(store_failure)?
                .into_iter()
                .map(|(_, s)| s)
                .collect();
            let scene_numbers: HashMap<SceneId, u32> = scenes.iter().map(|s| (s.scene_id, s.index + 1)).collect();
            let mut listed: Vec<miri_core::Shot> = d.store.shots(input.project_id).await.map_err(store_failure)?.into_iter().map(|(_, s)| s).collect();
            listed.sort_by_key(|s| (s.timestamps.start_ms, s.timestamps.end_ms));
            let mut shots = Vec::new();
            let mut uses = Vec::new();
            for (number, shot) in listed.into_iter().enumerate() {
                let versions = d.store.versions(shot.shot_id).await.map_err(store_failure)?;
                let newest = |kind: VersionKind| versions.iter().find(|v| v.kind == kind && v.media.is_some());
                let scene = shot.scene_id.and_then(|id| scene_numbers.get(&id).copied());
                let card = if animatic { title_lines(number + 1, scene, &shot) } else { Vec::new() };
                let overlay = if input.overlay { overlay_lines(number + 1, scene, &shot) } else { Vec::new() };
                let fill = |version: Option<&Version>, material, card| Fill {
                    version_id: version.map(|v| v.version_id),
                    media: version.and_then(|v| v.media.clone()),
                    material,
                    card,
                    overlay: overlay.clone(),
                    timestamps: shot.timestamps,
                };
                let (fill, shown) = match (newest(VersionKind::Video), animatic) {
                    (Some(clip), _) => (Some(fill(Some(clip), Material::Clip, card)), Shown::Clip { model: clip.model_code.clone() }),
                    (None, false) => (None, Shown::Hidden),
                    (None, true) => match newest(VersionKind::Image) {
                        Some(still) => {
                            let motion = CameraMove::of(shot.camera.as_deref(), shot.shot_id);
                            (Some(fill(Some(still), Material::Still { motion }, card)), Shown::Still)
                        }
                        None => (Some(fill(None, Material::Title { lines: card }, Vec::new())), Shown::TitleCard),
                    },
                };
                uses.push(ShotUse { shot_id: shot.shot_id, scene_id: shot.scene_id, timestamps: shot.timestamps, shown });
                shots.push(Shot {
                    label: Slot::Shot(shot.shot_id),
                    start_ms: shot.timestamps.start_ms,
                    end_ms: shot.timestamps.end_ms,
                    media: fill,
                });
            }
            let fps = frame_rate(input.format)?;
            let planned = if animatic {
                let moments = analysis.as_ref().map(|a| a.moments.as_slice()).unwrap_or_default();
                let fill = |from, to| (Slot::Gap, gap_fill(from, to, moments, input.overlay));
                plan_covering(shots, song_ms, fps, fill).map(|(list, hidden)| {
                    for use_ in uses.iter_mut().filter(|u| hidden.contains(&Slot::Shot(u.shot_id))) {
                        use_.shown = Shown::Hidden;
                    }
                    list
                })
            } else {
                plan(shots, song_ms, fps)
            };
            let list = match planned {
                Ok(list) => list,
                Err(e) => {
                    self.progress(input.project_id, input.render_id, RenderStage::Failed, 0, 0)
                        .await;
                    return Err(fail(failure::BAD_SHOTS, e.to_string()));
                }
            };
            let segments: Vec<PlannedSegment> = list
                .segments
                .into_iter()
                .map(|s| PlannedSegment {
                    shot_id: s.label.shot(),
                    version_id: s.media.version_id,
                    media: s.media.media,
                    material: s.media.material,
                    card: s.media.card,
                    overlay: s.media.overlay,
                    timestamps: s.media.timestamps,
                    start_frame: s.start_frame,
                    frames: s.frames,
                })
                .collect();

            let ledger = match d.store.ledger(input.project_id).await.map_err(store_failure)? {
                Some((_, ledger)) => ledger,
                None => Ledger::open(input.project_id, d.budget.default_cap_usd_micros, Utc::now()),
            };
            let cut_frames: Vec<u64> = segments.iter().skip(1).map(|s| s.start_frame).collect();
            let gap_cards = segments.iter().filter(|s| s.shot_id.is_none()).count();
            let report = RenderReport::of(Footage {
                song_ms,
                fps: input.format.fps,
                shots: &uses,
                cut_frames: &cut_frames,
                analysis: analysis.as_ref(),
                scenes: &scenes,
                gap_cards,
                ledger: Some(&ledger),
                video_model: &project.config.global_settings.video_model,
                prices: &d.budget.prices,
            });
            Ok(RenderPlan {
                song: project.song,
                total_frames: list.total_frames,
                segments,
                mode: input.mode,
                overlay: input.overlay,
                report: Some(report),
            })
        })
        .await
    }

    #[activity(definition = render_activities::ConformSegment)]
    pub async fn conform_segment(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: ConformSegment,
    ) -> Result<Option<String>, ActivityError> {
        let dir = self.dir(input.render_id);
        let output = segment_path(&dir, input.index);
        // Why a card stands in for the segment's media, kept beside it for a resumed render.
        let why_path = output.with_extension("why");
        if output.exists() {
            tracing::info!(render = %input.render_id, index = input.index, "segment already conformed; skipped");
        } else {
            let shot = input.segment.what();
            let format = video_format(input.format)?;
            let segment = &input.segment;
            let frames = segment.frames;
            let media = || segment.media.clone().ok_or_else(|| fail(failure::BAD_SHOTS, format!("{shot}: its segment names no media")));
            let overlay = (!segment.overlay.is_empty()).then(|| Overlay {
                lines: segment.overlay.clone(),
                start_ms: segment.start_frame * 1000 / u64::from(input.format.fps.max(1)),
            });
            let overlay = overlay.as_ref();
            let band = overlay.map(|o| format!(" under {}", o.key())).unwrap_or_default();
            let entry = match &segment.material {
                // With no band this is `SegmentCache::entry`'s key, which clips conformed ahead use.
                Material::Clip => self.cache.made_by(&format!("conform{band}"), &media()?.sha256, frames, &format).await,
                Material::Still { motion } => self.cache.made_by(&format!("still {motion:?}{band}"), &media()?.sha256, frames, &format).await,
                Material::Title { lines } => self.cache.made_by(&format!("title{band}"), &lines.join("\n"), frames, &format).await,
            };
            if self.cache.take(&entry, &output).map_err(|e| retryable(format!("reading the segment cache: {e}")))? {
                tracing::info!(render = %input.render_id, index = input.index, %shot, "segment taken from the cache");
            } else {
                tracing::info!(render = %input.render_id, index = input.index, %shot, "making segment");
                let made = match &segment.material {
                    Material::Clip => {
                        let clip = self.fetch(&media()?, &dir.join(format!("clip-{:04}.mp4", input.index))).await?;
                        let made = self.heartbeating(&ctx, frames, |tick| conform(&clip, frames, &format, overlay, &output, tick)).await;
                        remove(&clip);
                        made
                    }
                    Material::Still { motion } => {
                        let media = media()?;
                        let ext = if media.content_type.contains("jpeg") { "jpg" } else { "png" };
                        let still = self.fetch(&media, &dir.join(format!("still-{:04}.{ext}", input.index))).await?;
                        let made = self.heartbeating(&ctx, frames, |tick| still_segment(&still, motion_of(*motion), frames, &format, overlay, &output, tick)).await;
                        remove(&still);
                        made
                    }
                    Material::Title { lines } => self.heartbeating(&ctx, frames, |tick| title_card(lines, frames, &format, overlay, &output, tick)).await,
                };
                // In an animatic, media that cannot be read is shown as its shot's card, saying why.
                let made = match made {
                    Err(e) if is_final(&e) && !segment.card.is_empty() => {
                        tracing::warn!(render = %input.render_id, %shot, "the segment's media is unreadable; a title card stands in: {e}");
                        let unreadable = match segment.material {
                            Material::Clip => "its clip cannot be read",
                            _ => "its still cannot be read",
                        };
                        let why: String = format!("{unreadable}: {e}").chars().take(400).collect();
                        std::fs::write(&why_path, &why).map_err(|e| retryable(format!("writing {}: {e}", why_path.display())))?;
                        let mut lines = segment.card.clone();
                        lines.push(unreadable.to_string());
                        let card = self.heartbeating(&ctx, frames, |tick| title_card(&lines, frames, &format, overlay, &output, tick)).await;
                        // Not kept under the media's entry: the card is not what that media makes.
                        if card.is_ok() {
                            self.conformed(&input, &dir).await;
                            return Ok(Some(why));
                        }
                        card
                    }
                    made => made,
                };
                if let Err(e) = made {
                    if is_final(&e) {
                        // The render stops here: say so to the room, which has no other news of it.
                        let done = count_segments(&dir, input.total);
                        let total = input.total as u64;
                        self.progress(input.project_id, input.render_id, RenderStage::Failed, done, total).await;
                    }
                    return Err(render_failure(e));
                }
                if let Err(e) = self.cache.keep(&output, &entry) {
                    tracing::warn!("segment not cached: {e}");
                }
            }
        }
        self.conformed(&input, &dir).await;
        Ok(std::fs::read_to_string(&why_path).ok())
    }

    #[activity(definition = render_activities::PreconformClip)]
    pub async fn preconform_clip(self: Arc<Self>, ctx: ActivityContext, input: PreconformClip) -> Result<(), ActivityError> {
        let d = &self.deps;
        let missing = |what: String| fail(failure::NOT_FOUND, what);
        let (_, shot) = d.store.shot(input.shot_id).await.map_err(store_failure)?.ok_or_else(|| missing(format!("shot {} does not exist", input.shot_id)))?;
        let version = d.store.version(input.version_id).await.map_err(store_failure)?;
        let media = version.and_then(|v| v.media).ok_or_else(|| missing(format!("clip {} has no media", input.version_id)))?;
        let format = video_format(input.format)?;
        let fps = format.fps();
        // The frames the render's plan gives a shot on a gap-free timeline.
        let frames = fps.frame_at(shot.timestamps.end_ms).saturating_sub(fps.frame_at(shot.timestamps.start_ms));
        let entry = self.cache.entry(&media.sha256, frames, &format).await;
        if entry.exists() {
            return Ok(());
        }
        let work = d.work_dir.join(format!("preconform-{}", input.version_id));
        std::fs::create_dir_all(&work).map_err(|e| retryable(format!("creating {}: {e}", work.display())))?;
        let clip = self.fetch(&media, &work.join("clip.mp4")).await?;
        let made = work.join("segment.mp4");
        let result = self.heartbeating(&ctx, frames, |tick| conform(&clip, frames, &format, None, &made, tick)).await;
        let kept = result.map_err(render_failure).and_then(|()| {
            self.cache.keep(&made, &entry).map_err(|e| retryable(format!("caching the segment: {e}")))
        });
        // The song is encoded for muxing once, ahead too.
        let song_ready = match (&kept, d.store.project(shot.project_id).await) {
            (Ok(()), Ok(Some(project))) => self.song_ready(&project.song, &work).await,
            _ => Ok(()),
        };
        if let Err(e) = song_ready {
            tracing::warn!("the song was not encoded ahead: {e:?}");
        }
        let _ = std::fs::remove_dir_all(&work);
        if kept.is_ok() {
            tracing::info!(shot = %input.shot_id, clip = %input.version_id, frames, "clip conformed ahead of the render");
        }
        kept
    }

    #[activity(definition = render_activities::PrepareSong)]
    pub async fn prepare_song(self: Arc<Self>, ctx: ActivityContext, input: PrepareSong) -> Result<(), ActivityError> {
        alive(&ctx, async move {
            let d = &self.deps;
            let project = d.store.project(input.project_id).await.map_err(store_failure)?;
            let project = project.ok_or_else(|| fail(failure::NOT_FOUND, format!("project {} does not exist", input.project_id)))?;
            let work = d.work_dir.join(format!("song-{}", input.project_id));
            let ready = self.song_ready(&project.song, &work).await;
            let _ = std::fs::remove_dir_all(&work);
            if ready.is_ok() {
                tracing::info!(project = %input.project_id, "song encoded for muxing ahead of any render");
            }
            ready
        })
        .await
    }

    #[activity(definition = render_activities::JoinSegments)]
    pub async fn join_segments(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: FinishRender,
    ) -> Result<(), ActivityError> {
        alive(&ctx, async move {
            let dir = self.dir(input.render_id);
            let total = input.plan.segments.len();
            let video = dir.join("video.mp4");
            if !video.exists() {
                self.progress(
                    input.project_id,
                    input.render_id,
                    RenderStage::Joining,
                    0,
                    1,
                )
                .await;
                let segments: Vec<PathBuf> = (0..total).map(|i| segment_path(&dir, i)).collect();
                concat(&segments, &video).await.map_err(render_failure)?;
            }
            Ok(())
        })
        .await
    }

    #[activity(definition = render_activities::FinishRender)]
    pub async fn finish_render(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: FinishRender,
    ) -> Result<Render, ActivityError> {
        alive(&ctx, async move {
            let d = &self.deps;
            let dir = self.dir(input.render_id);
            let stored = d
                .store
                .get::<Render>(&input.render_id.to_string(), At::Newest)
                .await
                .map_err(store_failure)?;
            let render = match stored {
                Some((_, render)) => render,
                None => {
                    self.progress(input.project_id, input.render_id, RenderStage::Muxing, 0, 1)
                        .await;
                    let film = dir.join("final.mp4");
                    if !film.exists() {
                        let song = self.fetch(&input.plan.song, &dir.join("song.mp3")).await?;
                        let encoded = self.cache.encoded_song(&song, &input.plan.song.sha256).await.map_err(render_failure)?;
                        mux_encoded(&dir.join("video.mp4"), &encoded, &film).await.map_err(render_failure)?;
                    }
                    let bytes = tokio::fs::read(&film)
                        .await
                        .map_err(|e| retryable(format!("reading {}: {e}", film.display())))?;
                    let media = d
                        .store
                        .media()
                        .put(Bytes::from(bytes), "video/mp4")
                        .await
                        .map_err(|e| retryable(format!("storing the film: {e}")))?;
                    let render = record(&input, media);
                    create_once(d.store.append(&render, 0).await)?;
                    render
                }
            };
            if let Err(e) = std::fs::remove_dir_all(&dir)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!("render work dir {} not removed: {e}", dir.display());
            }
            let total = input.plan.segments.len() as u64;
            self.progress(
                input.project_id,
                input.render_id,
                RenderStage::Done,
                total,
                total,
            )
            .await;
            Ok(render)
        })
        .await
    }
}

impl RenderWorker {
    /// Conforms `clip` into `output`, sending ffmpeg's progress as heartbeats (throttled by the
    /// SDK), which also tell Temporal this worker is alive while the segment is made.
    /// Runs one ffmpeg step made by `make` (given the callback its progress goes to), and
    /// heartbeats that progress, so a killed worker's step is retried elsewhere.
    async fn heartbeating<F, Fut>(&self, ctx: &ActivityContext, frames: u64, make: F) -> Result<(), RenderError>
    where
        F: FnOnce(Box<dyn FnMut(Progress) + Send>) -> Fut,
        Fut: Future<Output = Result<(), RenderError>>,
    {
        let (tx, mut rx) = watch::channel(Progress { frames_done: 0, frames_total: frames });
        let work = make(Box::new(move |p| {
            let _ = tx.send(p);
        }));
        tokio::pin!(work);
        loop {
            tokio::select! {
                made = &mut work => return made,
                changed = rx.changed() => {
                    if changed.is_err() {
                        return (&mut work).await;
                    }
                    let progress = *rx.borrow_and_update();
                    if let Err(e) = ctx.record_heartbeat(progress).await {
                        tracing::warn!("heartbeat not recorded: {e}");
                    }
                }
            }
        }
    }

    /// Tells the room one more segment is done.
    async fn conformed(&self, input: &ConformSegment, dir: &Path) {
        let done = count_segments(dir, input.total);
        self.progress(input.project_id, input.render_id, RenderStage::Conforming, done, input.total as u64).await;
    }

    fn dir(&self, render: RenderId) -> PathBuf {
        self.deps.work_dir.join(render.to_string())
    }

    async fn progress(
        &self,
        project_id: ProjectId,
        render_id: RenderId,
        stage: RenderStage,
        done: u64,
        total: u64,
    ) {
        let metrics = miri_telemetry::metrics::global();
        let ratio = match stage {
            RenderStage::Done => 1.0,
            _ if total == 0 => 0.0,
            _ => done as f64 / total as f64,
        };
        metrics.render_progress.with_label_values(&[&project_id.to_string()]).set(ratio);
        match stage {
            RenderStage::Done => metrics.renders.with_label_values(&["done"]).inc(),
            RenderStage::Failed => metrics.renders.with_label_values(&["failed"]).inc(),
            _ => {}
        }
        let event = RenderProgress {
            project_id,
            render_id,
            done,
            total,
            stage,
        };
        self.deps.events.render_progress(&event).await;
    }

    /// Encodes `song` into the cache for muxing, fetching it into `work`, unless it is there.
    async fn song_ready(&self, song: &MediaRef, work: &Path) -> Result<(), ActivityError> {
        if self.cache.song_entry(&song.sha256).await.exists() {
            return Ok(());
        }
        let file = self.fetch(song, &work.join("song.mp3")).await?;
        self.cache.encoded_song(&file, &song.sha256).await.map(drop).map_err(render_failure)
    }

    /// Copies stored media to `path` unless an earlier attempt did (written aside, then renamed).
    async fn fetch(&self, media: &MediaRef, path: &Path) -> Result<PathBuf, ActivityError> {
        if path.exists() {
            return Ok(path.to_owned());
        }
        let write = |e: std::io::Error| retryable(format!("writing {}: {e}", path.display()));
        let folder = path.parent().unwrap_or(Path::new("."));
        tokio::fs::create_dir_all(folder).await.map_err(write)?;
        let bytes = self
            .deps
            .store
            .media()
            .get(&media.key)
            .await
            .map_err(|e| match e {
                miri_store::MediaError::NotFound(key) => {
                    fail(failure::NOT_FOUND, format!("media {key} is missing"))
                }
                other => retryable(format!("reading media {}: {other}", media.key)),
            })?;
        let part = path.with_extension("part");
        tokio::fs::write(&part, &bytes).await.map_err(write)?;
        tokio::fs::rename(&part, path).await.map_err(write)?;
        Ok(path.to_owned())
    }
}

/// The render record: the versions used, in timeline order.
fn record(input: &FinishRender, media: MediaRef) -> Render {
    let shots = input
        .plan
        .segments
        .iter()
        .filter_map(|s| {
            Some(RenderShot {
                shot_id: s.shot_id?,
                timestamps: s.timestamps,
                version_id: s.version_id,
            })
        })
        .collect();
    let report = input.plan.report.clone().map(|mut report| {
        for u in &input.unreadable {
            report.unreadable(u.shot_id, u.why.clone());
        }
        report
    });
    Render {
        render_id: input.render_id,
        project_id: input.project_id,
        mode: input.plan.mode,
        shots,
        fps: input.format.fps,
        width: input.format.width,
        height: input.format.height,
        media: Some(media),
        report,
        overlay: input.plan.overlay,
        created_at: Utc::now(),
    }
}

/// A title card's lines: which shot (and scene) it stands for, what is sung over it and how far
/// it has got.
fn title_lines(number: usize, scene: Option<u32>, shot: &miri_core::Shot) -> Vec<String> {
    let mut lines = vec![heading(number, scene)];
    lines.extend(lyric(shot));
    lines.push(shot.status.to_string());
    lines
}

/// A review copy's band: which shot and how far it has got (beside the time code), its id to
/// quote in a note, and what is sung over it.
fn overlay_lines(number: usize, scene: Option<u32>, shot: &miri_core::Shot) -> Vec<String> {
    let mut lines = vec![format!("{} · {}", heading(number, scene), shot.status), shot.shot_id.to_string()];
    lines.extend(lyric(shot));
    lines
}

/// `Shot 3 · Scene 2`.
fn heading(number: usize, scene: Option<u32>) -> String {
    match scene {
        Some(scene) => format!("Shot {number} · Scene {scene}"),
        None => format!("Shot {number}"),
    }
}

/// The shot's lyric on one line, cut to what a card or band holds.
fn lyric(shot: &miri_core::Shot) -> Option<String> {
    let lyric: String = shot.lyrics_snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    (!lyric.is_empty()).then(|| lyric.chars().take(60).collect())
}

/// The card shown where no shot covers the song from `from_ms` to `to_ms`: when, and what is
/// sung there (with the time code running in a review copy).
fn gap_fill(from_ms: u64, to_ms: u64, moments: &[Moment], overlay: bool) -> Fill {
    let sung: Vec<&str> = moments
        .iter()
        .filter(|m| m.timestamps.start_ms < to_ms && m.timestamps.end_ms > from_ms)
        .map(|m| m.words.trim())
        .filter(|w| !w.is_empty())
        .collect();
    let mut lines = vec!["No shot".to_string(), format!("{} – {}", clock(from_ms), clock(to_ms))];
    let sung = sung.join(" ");
    if !sung.is_empty() {
        lines.push(sung.chars().take(60).collect());
    }
    Fill {
        version_id: None,
        media: None,
        material: Material::Title { lines },
        card: Vec::new(),
        overlay: if overlay { vec!["No shot".to_string()] } else { Vec::new() },
        timestamps: Timestamps { start_ms: from_ms, end_ms: to_ms },
    }
}

fn motion_of(m: CameraMove) -> Motion {
    match m {
        CameraMove::Hold => Motion::Hold,
        CameraMove::ZoomIn => Motion::ZoomIn,
        CameraMove::ZoomOut => Motion::ZoomOut,
        CameraMove::PanLeft => Motion::PanLeft,
        CameraMove::PanRight => Motion::PanRight,
    }
}

fn segment_path(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("seg-{index:04}.mp4"))
}

/// Segments finished so far: their files exist only once complete.
fn count_segments(dir: &Path, total: usize) -> u64 {
    (0..total)
        .filter(|&i| segment_path(dir, i).exists())
        .count() as u64
}

fn remove(path: &Path) {
    if let Err(e) = std::fs::remove_file(path) {
        tracing::debug!("{} not removed: {e}", path.display());
    }
}

fn frame_rate(format: RenderFormat) -> Result<FrameRate, ActivityError> {
    FrameRate::new(format.fps, 1).map_err(|e| fail(failure::BAD_SHOTS, e.to_string()))
}

fn video_format(format: RenderFormat) -> Result<VideoFormat, ActivityError> {
    VideoFormat::new(format.width, format.height, frame_rate(format)?)
        .map_err(|e| fail(failure::BAD_SHOTS, e.to_string()))
}

/// An input at fault (an unreadable clip) cannot be fixed by retrying; the workflow names the
/// shot. Anything else (ffmpeg killed, a full disk) may pass.
fn render_failure(e: RenderError) -> ActivityError {
    if is_final(&e) {
        fail(failure::BAD_SHOTS, e.to_string())
    } else {
        retryable(e.to_string())
    }
}

fn is_final(e: &RenderError) -> bool {
    matches!(e, RenderError::Input(_) | RenderError::Refused { .. })
}

/// How far an analysed song's length may differ from what ffprobe reads (encoder delay and
/// padding: a couple of MP3 frames) and still be the same song.
const CODEC_SLACK_MS: u64 = 100;

/// The song's length in milliseconds, as ffprobe reads it.
async fn song_ms(song: &Path) -> Result<u64, ActivityError> {
    match song_duration(song).await {
        Ok(d) => Ok((d.as_secs_f64() * 1000.0).round() as u64),
        Err(ProbeError::Spawn(e)) => Err(retryable(format!("could not run ffprobe ({e}); install ffmpeg"))),
        Err(e) => Err(fail(failure::BAD_SHOTS, format!("the project's song is not readable audio: {e}"))),
    }
}
