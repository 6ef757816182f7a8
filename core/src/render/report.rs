//! The render report: what a render (animatic or final) shows of the song, read off what it was
//! made of, so the director judges the cut as a whole before paying for the clips still missing.
//! Coverage and lyrics are measured on the shots' timestamps as the director set them; cut sync
//! on the frames the render actually cuts on.

use crate::analysis::Analysis;
use crate::budget::{Ledger, Micros, Price, PriceTable};
use crate::prompt::KlingModel;
use crate::timeline::{clock, nearest};
use crate::{Scene, SceneId, ShotId, Timestamps};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What one shot shows in the render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shown {
    /// Its clip, made by `model` (when the version names it).
    Clip { model: Option<String> },
    Still,
    TitleCard,
    /// Nothing: it lasts no frame on the timeline (covered by a later shot, or empty).
    Hidden,
}

/// One of the project's shots as the render used it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShotUse {
    pub shot_id: ShotId,
    pub scene_id: Option<SceneId>,
    pub timestamps: Timestamps,
    pub shown: Shown,
}

/// Everything a report is computed from.
#[derive(Debug, Clone, Copy)]
pub struct Footage<'a> {
    pub song_ms: u64,
    pub fps: u32,
    /// Every shot of the project, in timeline order.
    pub shots: &'a [ShotUse],
    /// The first frame of every segment after the first: where the film cuts.
    pub cut_frames: &'a [u64],
    /// The song's analysis (its beats, onsets and lyric Moments), when it has one.
    pub analysis: Option<&'a Analysis>,
    pub scenes: &'a [Scene],
    /// Title cards standing in for stretches no shot covers.
    pub gap_cards: usize,
    pub ledger: Option<&'a Ledger>,
    /// The project's clip model and what it costs, for the clips not yet made.
    pub video_model: &'a str,
    pub prices: &'a PriceTable,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderReport {
    pub song_ms: u64,
    pub fps: u32,
    pub coverage: Coverage,
    pub cuts: CutSync,
    /// Every lyric Moment of the analysis and the shots over it.
    pub lyrics: Vec<LyricCover>,
    pub uncovered_lyrics: usize,
    pub scenes: Vec<SceneUse>,
    /// Shots that belong to no scene (added by hand).
    pub shots_without_scene: usize,
    pub segments: Segments,
    pub clips_per_model: BTreeMap<String, usize>,
    pub cost: CostSoFar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Span {
    pub start_ms: u64,
    pub end_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// Milliseconds of the song some shot covers.
    pub covered_ms: u64,
    /// `covered_ms` of the song's length, 0–1.
    pub share: f64,
    /// Stretches longer than half a frame no shot covers.
    pub gaps: Vec<Span>,
    /// Stretches longer than half a frame two shots both claim.
    pub overlaps: Vec<Overlap>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Overlap {
    pub first: ShotId,
    pub second: ShotId,
    pub start_ms: u64,
    pub end_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CutSync {
    pub cuts: usize,
    /// Cuts within one frame of a beat or onset.
    pub on_beat: usize,
    /// `on_beat` of `cuts`; none when there is no cut or the analysis has no beats or onsets.
    pub share: Option<f64>,
    /// Why there is no share, when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_grid: Option<String>,
    /// The cuts that miss, with the nearest beat or onset.
    pub off_beat: Vec<OffBeat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OffBeat {
    pub frame: u64,
    pub at_ms: u64,
    pub nearest_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LyricCover {
    pub words: String,
    pub timestamps: Timestamps,
    /// The shots on screen while it is sung, in order.
    pub shots: Vec<ShotId>,
    /// How much of it no shot covers.
    pub uncovered_ms: u64,
    /// False when more than half a frame of it is uncovered: flagged.
    pub covered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SceneUse {
    pub scene_id: SceneId,
    /// 1-based, as the director reads it.
    pub number: u32,
    pub seed: u64,
    pub shots: usize,
}

/// Which shots show what; every shot is in exactly one list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Segments {
    pub clips: Vec<ShotId>,
    pub stills: Vec<ShotId>,
    pub title_cards: Vec<ShotId>,
    /// Shots whose clip or still could not be read, shown as their card (also in `title_cards`).
    pub unreadable: Vec<Unreadable>,
    pub hidden: Vec<ShotId>,
    /// Title cards standing in for stretches no shot covers.
    pub gap_cards: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unreadable {
    pub shot_id: ShotId,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CostSoFar {
    /// Settled bills.
    pub spent_usd_micros: Micros,
    /// Paid for, not yet billed.
    pub reserved_usd_micros: Micros,
    pub cap_usd_micros: Micros,
    pub video_model: String,
    /// Shots the render showed without a clip: the clips still to pay for.
    pub clips_to_make: usize,
    /// The seconds of clip they take (each rounded up to what the model makes).
    pub clip_secs_to_make: u64,
    /// What those clips are estimated to cost; none when the model has no price per second.
    pub estimate_usd_micros: Option<Micros>,
    /// Whether spent, reserved and the estimate together stay within the cap.
    pub within_cap: Option<bool>,
    /// Why there is no estimate, or what it leaves out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl RenderReport {
    pub fn of(f: Footage<'_>) -> Self {
        let half_frame_ms = 500 / u64::from(f.fps.max(1));
        let spans: Vec<(ShotId, Span)> = f
            .shots
            .iter()
            .filter(|s| s.timestamps.end_ms > s.timestamps.start_ms)
            .map(|s| (s.shot_id, Span { start_ms: s.timestamps.start_ms, end_ms: s.timestamps.end_ms }))
            .collect();
        let lyrics = lyrics(&spans, f.analysis, half_frame_ms);
        Self {
            song_ms: f.song_ms,
            fps: f.fps,
            coverage: coverage(&spans, f.song_ms, half_frame_ms),
            cuts: cut_sync(f.cut_frames, f.fps, f.analysis),
            uncovered_lyrics: lyrics.iter().filter(|l| !l.covered).count(),
            lyrics,
            scenes: scenes(f.shots, f.scenes),
            shots_without_scene: f.shots.iter().filter(|s| s.scene_id.is_none()).count(),
            segments: Segments { gap_cards: f.gap_cards, ..segments(f.shots) },
            clips_per_model: clips_per_model(f.shots),
            cost: cost(&f),
        }
    }

    /// Notes that `shot`'s material could not be read and a card stood in for it.
    pub fn unreadable(&mut self, shot_id: ShotId, why: String) {
        let s = &mut self.segments;
        s.clips.retain(|&id| id != shot_id);
        s.stills.retain(|&id| id != shot_id);
        if !s.title_cards.contains(&shot_id) {
            s.title_cards.push(shot_id);
        }
        s.unreadable.push(Unreadable { shot_id, why });
    }

    /// The report as a few lines of text, what a director checks first (the CLI prints them).
    pub fn summary(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let c = &self.coverage;
        let mut line = format!("coverage {:.1}% of {}", c.share * 100.0, clock(self.song_ms));
        let spans = |spans: Vec<(u64, u64)>| listed(spans.iter().map(|(a, b)| format!("{}–{}", clock(*a), clock(*b))), ", ");
        if !c.gaps.is_empty() {
            let gaps = spans(c.gaps.iter().map(|g| (g.start_ms, g.end_ms)).collect());
            line.push_str(&format!(" · {} ({gaps})", counted(c.gaps.len(), "gap")));
        }
        if !c.overlaps.is_empty() {
            let overlaps = spans(c.overlaps.iter().map(|o| (o.start_ms, o.end_ms)).collect());
            line.push_str(&format!(" · {} ({overlaps})", counted(c.overlaps.len(), "overlap")));
        }
        lines.push(line);
        let s = &self.cuts;
        lines.push(match (s.share, &s.no_grid) {
            (Some(share), _) => format!("cuts on a beat or onset: {} of {} ({:.1}%)", s.on_beat, s.cuts, share * 100.0),
            (None, Some(why)) => format!("cuts: {}, not checked: {why}", s.cuts),
            (None, None) => format!("cuts: {}", s.cuts),
        });
        let uncovered: Vec<&str> = self.lyrics.iter().filter(|l| !l.covered).map(|l| l.words.as_str()).collect();
        lines.push(match uncovered.len() {
            0 => format!("lyrics: all {} covered", self.lyrics.len()),
            n => format!("lyrics: {n} of {} not covered: {}", self.lyrics.len(), listed(uncovered.into_iter().map(str::to_owned), " · ")),
        });
        let g = &self.segments;
        lines.push(format!(
            "segments: {} · {} · {} · {} hidden · {}",
            counted(g.clips.len(), "clip"),
            counted(g.stills.len(), "still"),
            counted(g.title_cards.len(), "title card"),
            g.hidden.len(),
            counted(g.gap_cards, "gap card"),
        ));
        lines.extend(g.unreadable.iter().map(|u| format!("unreadable: shot {}: {}", u.shot_id, u.why)));
        let mut scenes: Vec<String> =
            self.scenes.iter().map(|s| format!("{} (seed {}, {})", s.number, s.seed, counted(s.shots, "shot"))).collect();
        if self.shots_without_scene > 0 {
            scenes.push(format!("{} without a scene", counted(self.shots_without_scene, "shot")));
        }
        if !scenes.is_empty() {
            lines.push(format!("scenes: {}", scenes.join(" · ")));
        }
        let m = &self.cost;
        let mut cost = format!(
            "cost: {} spent + {} reserved of {} · {} to make ({} s)",
            usd(m.spent_usd_micros),
            usd(m.reserved_usd_micros),
            usd(m.cap_usd_micros),
            counted(m.clips_to_make, "clip"),
            m.clip_secs_to_make,
        );
        if let Some(estimate) = m.estimate_usd_micros {
            cost.push_str(&format!(" ≈ {}", usd(estimate)));
        }
        match m.within_cap {
            Some(true) => cost.push_str(" · within the cap"),
            Some(false) => cost.push_str(" · OVER THE CAP"),
            None => {}
        }
        if let Some(note) = &m.note {
            cost.push_str(&format!(" ({note})"));
        }
        lines.push(cost);
        lines
    }
}

/// `3 gaps`, `1 gap`.
fn counted(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

/// The first few of `items` joined by `sep`, and how many more.
fn listed(items: impl Iterator<Item = String>, sep: &str) -> String {
    const SHOWN: usize = 5;
    let items: Vec<String> = items.collect();
    let mut text = items.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(sep);
    if items.len() > SHOWN {
        text.push_str(&format!("{sep}and {} more", items.len() - SHOWN));
    }
    text
}

/// `$1.23` from micro-dollars, rounded to the cent.
fn usd(micros: Micros) -> String {
    let cents = (micros + 5_000) / 10_000;
    format!("${}.{:02}", cents / 100, cents % 100)
}

/// The union of the shots' spans within the song, what it leaves out and where spans collide.
fn coverage(spans: &[(ShotId, Span)], song_ms: u64, slack_ms: u64) -> Coverage {
    let mut sorted = spans.to_vec();
    sorted.sort_by_key(|(_, s)| (s.start_ms, s.end_ms));
    let mut gaps = Vec::new();
    let mut overlaps = Vec::new();
    let mut covered_ms = 0;
    // How far the shots so far reach, and which reaches that far.
    let mut reach: (u64, Option<ShotId>) = (0, None);
    for &(id, span) in &sorted {
        let (start, end) = (span.start_ms.min(song_ms), span.end_ms.min(song_ms));
        if start > reach.0 + slack_ms {
            gaps.push(Span { start_ms: reach.0, end_ms: start });
        }
        if let Some(other) = reach.1
            && reach.0.min(end) > start + slack_ms
        {
            overlaps.push(Overlap { first: other, second: id, start_ms: start, end_ms: reach.0.min(end) });
        }
        covered_ms += end.saturating_sub(start.max(reach.0));
        if end > reach.0 {
            reach = (end, Some(id));
        }
    }
    if song_ms > reach.0 + slack_ms {
        gaps.push(Span { start_ms: reach.0, end_ms: song_ms });
    }
    let share = if song_ms == 0 { 0.0 } else { covered_ms as f64 / song_ms as f64 };
    Coverage { covered_ms, share, gaps, overlaps }
}

/// How many cuts land within one frame of a beat or onset of the song.
fn cut_sync(cut_frames: &[u64], fps: u32, analysis: Option<&Analysis>) -> CutSync {
    let frame_ms = 1000.0 / f64::from(fps.max(1));
    let mut grid: Vec<u64> = analysis.map(|a| a.beats_ms.iter().chain(&a.onsets_ms).copied().collect()).unwrap_or_default();
    grid.sort_unstable();
    grid.dedup();
    let mut sync = CutSync { cuts: cut_frames.len(), on_beat: 0, share: None, no_grid: None, off_beat: Vec::new() };
    if grid.is_empty() {
        sync.no_grid = Some(match analysis {
            None => "the song has no analysis".into(),
            Some(_) => "the song's analysis has no beats or onsets".into(),
        });
        return sync;
    }
    for &frame in cut_frames {
        let at = frame as f64 * frame_ms;
        let at_ms = at.round() as u64;
        let Some(nearest_ms) = nearest(&grid, at_ms) else { continue };
        if (nearest_ms as f64 - at).abs() <= frame_ms {
            sync.on_beat += 1;
        } else {
            sync.off_beat.push(OffBeat { frame, at_ms, nearest_ms });
        }
    }
    if sync.cuts > 0 {
        sync.share = Some(sync.on_beat as f64 / sync.cuts as f64);
    }
    sync
}

/// Every lyric Moment with the shots over it and how much of it none covers.
fn lyrics(spans: &[(ShotId, Span)], analysis: Option<&Analysis>, slack_ms: u64) -> Vec<LyricCover> {
    let Some(analysis) = analysis else { return Vec::new() };
    analysis
        .moments
        .iter()
        .filter(|m| !m.words.trim().is_empty())
        .map(|m| {
            let (start, end) = (m.timestamps.start_ms, m.timestamps.end_ms);
            let mut over: Vec<(ShotId, Span)> =
                spans.iter().filter(|(_, s)| s.start_ms < end && s.end_ms > start).copied().collect();
            over.sort_by_key(|(_, s)| s.start_ms);
            let mut reach = start;
            let mut uncovered_ms = 0;
            for (_, s) in &over {
                uncovered_ms += s.start_ms.saturating_sub(reach).min(end.saturating_sub(reach));
                reach = reach.max(s.end_ms);
            }
            uncovered_ms += end.saturating_sub(reach);
            LyricCover {
                words: m.words.clone(),
                timestamps: m.timestamps,
                shots: over.into_iter().map(|(id, _)| id).collect(),
                uncovered_ms,
                covered: uncovered_ms <= slack_ms,
            }
        })
        .collect()
}

fn scenes(shots: &[ShotUse], scenes: &[Scene]) -> Vec<SceneUse> {
    let mut used: Vec<SceneUse> = scenes
        .iter()
        .map(|s| SceneUse {
            scene_id: s.scene_id,
            number: s.index + 1,
            seed: s.seed,
            shots: shots.iter().filter(|u| u.scene_id == Some(s.scene_id)).count(),
        })
        .collect();
    used.sort_by_key(|s| s.number);
    used
}

fn segments(shots: &[ShotUse]) -> Segments {
    let mut s = Segments::default();
    for u in shots {
        let list = match u.shown {
            Shown::Clip { .. } => &mut s.clips,
            Shown::Still => &mut s.stills,
            Shown::TitleCard => &mut s.title_cards,
            Shown::Hidden => &mut s.hidden,
        };
        list.push(u.shot_id);
    }
    s
}

fn clips_per_model(shots: &[ShotUse]) -> BTreeMap<String, usize> {
    let mut per = BTreeMap::new();
    for u in shots {
        if let Shown::Clip { model } = &u.shown {
            *per.entry(model.clone().unwrap_or_else(|| "unknown".into())).or_insert(0) += 1;
        }
    }
    per
}

/// The money so far and what the missing clips would add, at the project's clip model.
fn cost(f: &Footage<'_>) -> CostSoFar {
    let missing: Vec<&ShotUse> = f
        .shots
        .iter()
        .filter(|u| !matches!(u.shown, Shown::Clip { .. }) && u.timestamps.end_ms > u.timestamps.start_ms)
        .collect();
    let (spent, reserved, cap) = f
        .ledger
        .map(|l| (l.spent_usd_micros, l.reserved_usd_micros(), l.cap_usd_micros))
        .unwrap_or_default();
    let mut cost = CostSoFar {
        spent_usd_micros: spent,
        reserved_usd_micros: reserved,
        cap_usd_micros: cap,
        video_model: f.video_model.to_string(),
        clips_to_make: missing.len(),
        clip_secs_to_make: 0,
        estimate_usd_micros: None,
        within_cap: None,
        note: None,
    };
    let Some(model) = KlingModel::of(f.video_model) else {
        cost.note = Some(format!("{} is not a clip model Miri knows", f.video_model));
        return cost;
    };
    let mut too_long = Vec::new();
    for u in &missing {
        match model.clip_secs(u.timestamps.end_ms - u.timestamps.start_ms) {
            Ok(secs) => cost.clip_secs_to_make += u64::from(secs),
            Err(longest) => {
                too_long.push(u.shot_id.to_string());
                cost.clip_secs_to_make += u64::from(longest);
            }
        }
    }
    match f.prices.price(f.video_model) {
        Some(Price::Second { usd_micros }) => {
            let estimate = usd_micros.saturating_mul(cost.clip_secs_to_make);
            cost.estimate_usd_micros = Some(estimate);
            if f.ledger.is_some() {
                cost.within_cap = Some(spent.saturating_add(reserved).saturating_add(estimate) <= cap);
            }
        }
        Some(_) => cost.note = Some(format!("{} is not priced per second of clip", f.video_model)),
        None => cost.note = Some(format!("no price is configured for {}", f.video_model)),
    }
    if !too_long.is_empty() && cost.note.is_none() {
        cost.note = Some(format!(
            "a lower bound: shots {} are longer than one clip of {}",
            too_long.join(", "),
            f.video_model
        ));
    }
    cost
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Atmosphere, Moment, Rhythm};
    use crate::prompt::color::Hex;
    use crate::{AnalysisId, Colour, Outfit, ProjectId};
    use chrono::Utc;
    use uuid::Uuid;

    const KLING: &str = "fal-ai/kling-video/v3/standard/image-to-video";

    fn id(n: u128) -> ShotId {
        ShotId::from_uuid(Uuid::from_u128(n))
    }

    fn scene(n: u128, index: u32, seed: u64) -> Scene {
        Scene {
            scene_id: SceneId::from_uuid(Uuid::from_u128(100 + n)),
            project_id: ProjectId::from_uuid(Uuid::nil()),
            index,
            timestamps: Timestamps { start_ms: 0, end_ms: 10_000 },
            location: "a garden".into(),
            background: "lemon trees".into(),
            outfit: Outfit { description: "a dress in hex #C4725A".into(), colours: vec![Colour { name: "dress".into(), hex: Hex::parse("#C4725A").unwrap() }] },
            props: vec![],
            seed,
            created_at: Utc::now(),
        }
    }

    fn used(n: u128, scene: Option<&Scene>, start_ms: u64, end_ms: u64, shown: Shown) -> ShotUse {
        ShotUse { shot_id: id(n), scene_id: scene.map(|s| s.scene_id), timestamps: Timestamps { start_ms, end_ms }, shown }
    }

    fn analysis(moments: &[(&str, u64, u64)]) -> Analysis {
        let rhythm = Rhythm { tempo_bpm: 120.0, beat_strength: 1.0, onset_density: 2.0 };
        let atmosphere = Atmosphere { energy: 0.5, valence: 0.5, brightness: 0.5, loudness_db: -12.0 };
        Analysis {
            analysis_id: AnalysisId::from_uuid(Uuid::from_u128(7)),
            project_id: ProjectId::from_uuid(Uuid::nil()),
            song_sha256: "x".into(),
            duration_ms: 20_000,
            parts: vec![],
            moments: moments
                .iter()
                .map(|&(w, s, e)| Moment { words: w.into(), timestamps: Timestamps { start_ms: s, end_ms: e }, part: 0, rhythm, atmosphere })
                .collect(),
            // 120 bpm: a beat every 500 ms; one onset off the grid.
            beats_ms: (0..40).map(|k| k * 500).collect(),
            onsets_ms: vec![7_730],
            created_at: Utc::now(),
        }
    }

    fn ledger(cap: Micros, spent: Micros) -> Ledger {
        let mut l = Ledger::open(ProjectId::from_uuid(Uuid::nil()), cap, Utc::now());
        l.spent_usd_micros = spent;
        l
    }

    /// A 20 s song at 25 fps (40 ms frames): four shots in two scenes and one by hand, with a
    /// gap at 10–12 s, an overlap at 14–15 s and the last second uncovered.
    /// A 20 s song, 4 shots in 2 scenes with a gap and an overlap, 7 cuts, 3 lyrics.
    fn hand_made() -> (RenderReport, Scene, Scene) {
        let (a, b) = (scene(1, 0, 11), scene(2, 1, 22));
        let shots = vec![
            used(1, Some(&a), 0, 5_000, Shown::Clip { model: Some(KLING.into()) }),
            used(2, Some(&a), 5_000, 10_000, Shown::Still),
            used(3, Some(&b), 12_000, 15_000, Shown::TitleCard),
            used(4, None, 14_000, 19_000, Shown::Clip { model: None }),
        ];
        // Cuts on the beats at 5, 10 (the gap's card), 12, 14 and 19 s (the trailing gap's card);
        // one at 7.72 s, off the beat but within a frame of the onset at 7.73 s; one at 8.2 s
        // that misses both.
        let cut_frames = [125, 250, 300, 350, 475, 193, 205];
        let analysis = analysis(&[("תודה לך", 1_000, 3_000), ("על היום", 9_000, 11_000), ("הזה", 10_200, 11_800), ("  ", 0, 1)]);
        let scenes = [b.clone(), a.clone()];
        let ledger = ledger(5_000_000, 1_200_000);
        let prices = PriceTable::default();
        let report = RenderReport::of(Footage {
            song_ms: 20_000,
            fps: 25,
            shots: &shots,
            cut_frames: &cut_frames,
            analysis: Some(&analysis),
            scenes: &scenes,
            gap_cards: 2,
            ledger: Some(&ledger),
            video_model: KLING,
            prices: &prices,
        });
        (report, a, b)
    }

    #[test]
    fn a_hand_made_project_is_reported_as_counted_by_hand() {
        let (report, a, b) = hand_made();
        let c = &report.coverage;
        assert_eq!(c.covered_ms, 5_000 + 5_000 + 3_000 + 4_000);
        assert!((c.share - 0.85).abs() < 1e-9);
        assert_eq!(c.gaps, vec![Span { start_ms: 10_000, end_ms: 12_000 }, Span { start_ms: 19_000, end_ms: 20_000 }]);
        assert_eq!(c.overlaps, vec![Overlap { first: id(3), second: id(4), start_ms: 14_000, end_ms: 15_000 }]);

        let s = &report.cuts;
        assert_eq!((s.cuts, s.on_beat), (7, 6));
        assert_eq!(s.share, Some(6.0 / 7.0));
        assert_eq!(s.off_beat, vec![OffBeat { frame: 205, at_ms: 8_200, nearest_ms: 8_000 }]);

        let l: Vec<(&str, Vec<ShotId>, u64, bool)> =
            report.lyrics.iter().map(|l| (l.words.as_str(), l.shots.clone(), l.uncovered_ms, l.covered)).collect();
        assert_eq!(
            l,
            vec![
                ("תודה לך", vec![id(1)], 0, true),
                ("על היום", vec![id(2)], 1_000, false),
                ("הזה", vec![], 1_600, false),
            ],
            "blank Moments are not lyrics"
        );
        assert_eq!(report.uncovered_lyrics, 2);

        assert_eq!(
            report.scenes,
            vec![
                SceneUse { scene_id: a.scene_id, number: 1, seed: 11, shots: 2 },
                SceneUse { scene_id: b.scene_id, number: 2, seed: 22, shots: 1 },
            ]
        );
        assert_eq!(report.shots_without_scene, 1);
        assert_eq!(report.segments.clips, vec![id(1), id(4)]);
        assert_eq!(report.segments.stills, vec![id(2)]);
        assert_eq!(report.segments.title_cards, vec![id(3)]);
        assert_eq!(report.segments.gap_cards, 2);
        assert_eq!(report.clips_per_model, BTreeMap::from([(KLING.to_string(), 1), ("unknown".to_string(), 1)]));

        // Two clips to make: 5 s and 3 s at v3 standard's $0.112 a second.
        let cost = &report.cost;
        assert_eq!((cost.clips_to_make, cost.clip_secs_to_make), (2, 8));
        assert_eq!(cost.estimate_usd_micros, Some(8 * 112_000));
        assert_eq!((cost.spent_usd_micros, cost.cap_usd_micros, cost.within_cap), (1_200_000, 5_000_000, Some(true)));
        assert_eq!(cost.note, None);
    }

    #[test]
    fn the_summary_says_what_a_director_checks_first() {
        let (mut report, _, _) = hand_made();
        report.unreadable(id(2), "its still cannot be read: bad PNG".into());
        assert_eq!(
            report.summary(),
            vec![
                "coverage 85.0% of 0:20.0 · 2 gaps (0:10.0–0:12.0, 0:19.0–0:20.0) · 1 overlap (0:14.0–0:15.0)",
                "cuts on a beat or onset: 6 of 7 (85.7%)",
                "lyrics: 2 of 3 not covered: על היום · הזה",
                "segments: 2 clips · 0 stills · 2 title cards · 0 hidden · 2 gap cards",
                "unreadable: shot 00000000-0000-0000-0000-000000000002: its still cannot be read: bad PNG",
                "scenes: 1 (seed 11, 2 shots) · 2 (seed 22, 1 shot) · 1 shot without a scene",
                "cost: $1.20 spent + $0.00 reserved of $5.00 · 2 clips to make (8 s) ≈ $0.90 · within the cap",
            ]
        );
    }

    #[test]
    fn an_unreadable_still_moves_to_the_cards_and_is_listed() {
        let shots = vec![used(1, None, 0, 4_000, Shown::Still), used(2, None, 4_000, 8_000, Shown::Clip { model: None })];
        let prices = PriceTable::default();
        let mut report = RenderReport::of(Footage {
            song_ms: 8_000,
            fps: 24,
            shots: &shots,
            cut_frames: &[96],
            analysis: None,
            scenes: &[],
            gap_cards: 0,
            ledger: None,
            video_model: KLING,
            prices: &prices,
        });
        report.unreadable(id(1), "its still cannot be read".into());
        assert_eq!(report.segments.stills, Vec::<ShotId>::new());
        assert_eq!(report.segments.title_cards, vec![id(1)]);
        assert_eq!(report.segments.unreadable, vec![Unreadable { shot_id: id(1), why: "its still cannot be read".into() }]);
        assert_eq!(report.cuts.share, None);
        assert_eq!(report.cuts.no_grid.as_deref(), Some("the song has no analysis"));
        assert!(report.lyrics.is_empty());
        assert_eq!(report.cost.within_cap, None, "no ledger, no cap to compare with");
        assert_eq!(report.cost.clips_to_make, 1);
    }

    #[test]
    fn a_shot_longer_than_any_clip_makes_the_estimate_a_lower_bound() {
        let shots = vec![used(1, None, 0, 40_000, Shown::Still)];
        let prices = PriceTable::default();
        let report = RenderReport::of(Footage {
            song_ms: 40_000,
            fps: 24,
            shots: &shots,
            cut_frames: &[],
            analysis: None,
            scenes: &[],
            gap_cards: 0,
            ledger: Some(&ledger(1_000_000, 0)),
            video_model: KLING,
            prices: &prices,
        });
        assert_eq!(report.cost.clip_secs_to_make, 15);
        assert_eq!(report.cost.within_cap, Some(false));
        assert!(report.cost.note.as_deref().unwrap().contains("lower bound"), "{:?}", report.cost.note);
    }
}
