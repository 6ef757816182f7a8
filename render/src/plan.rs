//! The edit list: where every cut falls, in whole frames. Each shot's start is rounded to the
//! nearest frame exactly once and that frame is both the end of the shot before and the start
//! of the shot itself, so segments share boundaries, never drift, and add up to the song's frame
//! count. Shots that do not tile the song are refused with every fault listed, never patched
//! into a plan that silently shows the wrong picture.

use std::fmt::{self, Debug, Display};

use serde::{Deserialize, Serialize};

use crate::rate::FrameRate;

/// One shot on the song's timeline, with the media that will fill it (`None`: it has none yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shot<T, M> {
    pub label: T,
    pub start_ms: u64,
    pub end_ms: u64,
    pub media: Option<M>,
}

/// One shot's part of the output: `frames` frames from frame `start_frame`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment<T, M> {
    pub label: T,
    pub media: M,
    pub start_frame: u64,
    pub frames: u64,
}

/// Segments in timeline order; their frame counts add up to `total_frames`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditList<T, M> {
    pub fps: FrameRate,
    pub total_frames: u64,
    pub segments: Vec<Segment<T, M>>,
}

/// What is wrong with one shot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Problem<T> {
    /// Ends at or before it starts.
    NotPositive { start_ms: u64, end_ms: u64 },
    /// Positive, but shorter than one frame once its cuts are rounded to frames.
    ShorterThanFrame { start_ms: u64, end_ms: u64 },
    /// Nothing covers the song from `from_ms` until this shot starts at `to_ms`.
    GapBefore { from_ms: u64, to_ms: u64 },
    /// Starts `overlap_ms` before `other` ends.
    Overlaps { other: T, overlap_ms: u64 },
    /// Ends after the song does.
    PastSongEnd { end_ms: u64, song_ms: u64 },
    /// The last shot, and nothing covers the song after it ends.
    EndsBeforeSong { end_ms: u64, song_ms: u64 },
    /// Has no media to cut in.
    NoVideo,
}

/// A shot at fault and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault<T> {
    pub shot: T,
    pub problem: Problem<T>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError<T: Debug + Display> {
    #[error("there are no shots to render; add shots covering the song")]
    NoShots,
    #[error("the song lasts {song_ms} ms, less than one frame at {fps} fps; check the song file")]
    EmptySong { song_ms: u64, fps: FrameRate },
    #[error("the shots do not cover the song exactly: {}; fix these shots' timestamps or media", list(.0))]
    Shots(Vec<Fault<T>>),
}

impl<T: Debug + Display> PlanError<T> {
    /// Every shot at fault, in timeline order (empty for the song-level errors).
    pub fn faults(&self) -> &[Fault<T>] {
        match self {
            Self::Shots(faults) => faults,
            Self::NoShots | Self::EmptySong { .. } => &[],
        }
    }
}

/// Cuts `shots` on a song of `song_ms` at `fps`. The shots may come in any order; they must
/// cover the song from 0 to its end without gaps or overlaps longer than half a frame, and each
/// must have media and last at least a frame.
pub fn plan<T, M>(
    mut shots: Vec<Shot<T, M>>,
    song_ms: u64,
    fps: FrameRate,
) -> Result<EditList<T, M>, PlanError<T>>
where
    T: Clone + Debug + Display,
{
    if shots.is_empty() {
        return Err(PlanError::NoShots);
    }
    let total_frames = fps.frame_at(song_ms);
    if total_frames == 0 {
        return Err(PlanError::EmptySong { song_ms, fps });
    }
    shots.sort_by_key(|shot| (shot.start_ms, shot.end_ms));
    let mut faults = Faults(Vec::new());
    check_coverage(&shots, song_ms, fps, &mut faults);
    let segments = cut(shots, total_frames, fps, &mut faults);
    if faults.0.is_empty() {
        Ok(EditList {
            fps,
            total_frames,
            segments,
        })
    } else {
        Err(PlanError::Shots(faults.in_order()))
    }
}

/// What [`plan_covering`] answers: the edit list and the shots it does not show.
pub type Covering<T, M> = (EditList<T, M>, Vec<T>);

/// An edit list that shows every frame of the song whatever the shots leave, and the shots it
/// could not show. For an animatic, which is for seeing what is missing: a stretch longer than
/// half a frame that no shot covers gets a segment of `fill(from_ms, to_ms)`; a shot that starts
/// inside an earlier one cuts it short (the later start wins); a shot that lasts nothing, starts
/// after the song ends or keeps no frame once cut is not shown and is returned.
pub fn plan_covering<T, M>(
    mut shots: Vec<Shot<T, M>>,
    song_ms: u64,
    fps: FrameRate,
    mut fill: impl FnMut(u64, u64) -> (T, M),
) -> Result<Covering<T, M>, PlanError<T>>
where
    T: Clone + Debug + Display,
{
    let total_frames = fps.frame_at(song_ms);
    if total_frames == 0 {
        return Err(PlanError::EmptySong { song_ms, fps });
    }
    shots.sort_by_key(|shot| (shot.start_ms, shot.end_ms));
    let mut hidden = Vec::new();
    let mut covering = Vec::with_capacity(shots.len() + 1);
    let mut reach = 0;
    let mut gap = |from_ms: u64, to_ms: u64, covering: &mut Vec<Shot<T, M>>| {
        let (label, media) = fill(from_ms, to_ms);
        covering.push(Shot { label, start_ms: from_ms, end_ms: to_ms, media: Some(media) });
    };
    for shot in shots {
        let shown = shot.media.is_some() && shot.end_ms > shot.start_ms && shot.start_ms < song_ms;
        if !shown || fps.within_half_frame(shot.start_ms, song_ms) {
            hidden.push(shot.label);
            continue;
        }
        if shot.start_ms > reach && !fps.within_half_frame(shot.start_ms, reach) {
            gap(reach, shot.start_ms, &mut covering);
        }
        reach = reach.max(shot.end_ms);
        covering.push(shot);
    }
    if reach < song_ms && !fps.within_half_frame(reach, song_ms) {
        gap(reach, song_ms, &mut covering);
    }
    let mut faults = Faults(Vec::new());
    let mut segments = cut(covering, total_frames, fps, &mut faults);
    segments.retain(|s| {
        let kept = s.frames > 0;
        if !kept {
            hidden.push(s.label.clone());
        }
        kept
    });
    Ok((EditList { fps, total_frames, segments }, hidden))
}

/// Faults with the position of their shot, to list them in timeline order.
struct Faults<T>(Vec<(usize, Fault<T>)>);

impl<T: Clone> Faults<T> {
    fn add(&mut self, at: usize, shot: &T, problem: Problem<T>) {
        self.0.push((
            at,
            Fault {
                shot: shot.clone(),
                problem,
            },
        ));
    }

    fn in_order(mut self) -> Vec<Fault<T>> {
        self.0.sort_by_key(|(at, _)| *at);
        self.0.into_iter().map(|(_, fault)| fault).collect()
    }
}

/// Finds every shot that is empty, has no media, leaves a gap before it, overlaps an earlier
/// shot, or runs past the song; and a last shot that ends too early. `shots` are sorted by start.
fn check_coverage<T: Clone, M>(
    shots: &[Shot<T, M>],
    song_ms: u64,
    fps: FrameRate,
    faults: &mut Faults<T>,
) {
    // How far the shots so far reach, and which shot (position, label) reaches that far.
    let mut reach: (u64, Option<(usize, &T)>) = (0, None);
    for (at, shot) in shots.iter().enumerate() {
        let (start_ms, end_ms) = (shot.start_ms, shot.end_ms);
        if shot.media.is_none() {
            faults.add(at, &shot.label, Problem::NoVideo);
        }
        if end_ms <= start_ms {
            faults.add(at, &shot.label, Problem::NotPositive { start_ms, end_ms });
            continue;
        }
        if !fps.within_half_frame(start_ms, reach.0) {
            if start_ms > reach.0 {
                let gap = Problem::GapBefore {
                    from_ms: reach.0,
                    to_ms: start_ms,
                };
                faults.add(at, &shot.label, gap);
            } else if let Some((_, other)) = reach.1 {
                let overlap_ms = reach.0.min(end_ms) - start_ms;
                let overlap = Problem::Overlaps {
                    other: other.clone(),
                    overlap_ms,
                };
                faults.add(at, &shot.label, overlap);
            }
        }
        if end_ms > song_ms && !fps.within_half_frame(end_ms, song_ms) {
            faults.add(at, &shot.label, Problem::PastSongEnd { end_ms, song_ms });
        }
        if end_ms > reach.0 {
            reach = (end_ms, Some((at, &shot.label)));
        }
    }
    if let (end_ms, Some((at, last))) = reach
        && end_ms < song_ms
        && !fps.within_half_frame(end_ms, song_ms)
    {
        faults.add(at, last, Problem::EndsBeforeSong { end_ms, song_ms });
    }
}

/// Cuts the non-empty `shots` (sorted by start) at their starts' nearest frames: each segment
/// runs to the next one's first frame, the last to the song's end. A shot that gets no frame
/// is a fault.
fn cut<T: Clone, M>(
    shots: Vec<Shot<T, M>>,
    total_frames: u64,
    fps: FrameRate,
    faults: &mut Faults<T>,
) -> Vec<Segment<T, M>> {
    let mut segments = Vec::with_capacity(shots.len());
    let mut shots = shots
        .into_iter()
        .enumerate()
        .filter(|(_, shot)| shot.end_ms > shot.start_ms)
        .peekable();
    let mut start_frame = 0;
    while let Some((at, shot)) = shots.next() {
        let end_frame = match shots.peek() {
            Some((_, next)) => fps.frame_at(next.start_ms).min(total_frames),
            None => total_frames,
        };
        let frames = end_frame.saturating_sub(start_frame);
        if frames == 0 {
            let (start_ms, end_ms) = (shot.start_ms, shot.end_ms);
            faults.add(
                at,
                &shot.label,
                Problem::ShorterThanFrame { start_ms, end_ms },
            );
        }
        if let Some(media) = shot.media {
            segments.push(Segment {
                label: shot.label,
                media,
                start_frame,
                frames,
            });
        }
        start_frame = start_frame.max(end_frame);
    }
    segments
}

impl<T: Display> Display for Fault<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "shot {} ", self.shot)?;
        match &self.problem {
            Problem::NotPositive { start_ms, end_ms } => {
                write!(
                    f,
                    "ends ({end_ms} ms) at or before it starts ({start_ms} ms)"
                )
            }
            Problem::ShorterThanFrame { start_ms, end_ms } => {
                write!(f, "({start_ms}–{end_ms} ms) is shorter than one frame")
            }
            Problem::GapBefore { from_ms, to_ms } => {
                write!(f, "starts at {to_ms} ms, leaving a gap from {from_ms} ms")
            }
            Problem::Overlaps { other, overlap_ms } => {
                write!(f, "overlaps shot {other} by {overlap_ms} ms")
            }
            Problem::PastSongEnd { end_ms, song_ms } => {
                write!(
                    f,
                    "ends at {end_ms} ms, after the song ends at {song_ms} ms"
                )
            }
            Problem::EndsBeforeSong { end_ms, song_ms } => write!(
                f,
                "is the last and ends at {end_ms} ms; nothing covers the song until {song_ms} ms"
            ),
            Problem::NoVideo => write!(f, "has no video"),
        }
    }
}

fn list<T: Display>(faults: &[Fault<T>]) -> String {
    faults
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fps(num: u32) -> FrameRate {
        FrameRate::new(num, 1).unwrap()
    }

    fn shot(label: &'static str, start_ms: u64, end_ms: u64) -> Shot<&'static str, ()> {
        Shot {
            label,
            start_ms,
            end_ms,
            media: Some(()),
        }
    }

    fn problems(err: &PlanError<&'static str>) -> Vec<(&'static str, Problem<&'static str>)> {
        err.faults()
            .iter()
            .map(|f| (f.shot, f.problem.clone()))
            .collect()
    }

    fn frames(list: &EditList<&'static str, ()>) -> Vec<(&'static str, u64, u64)> {
        list.segments
            .iter()
            .map(|s| (s.label, s.start_frame, s.frames))
            .collect()
    }

    #[test]
    fn covering_fills_gaps_cuts_overlaps_short_and_hides_what_keeps_no_frame() {
        // 25 fps (40 ms frames) on a 10 s song: nothing until 1 s, a gap 4–5 s, "c" inside
        // "b", "d" at the same start as "c" but longer, "e" empty, "f" past the end, the
        // last second uncovered.
        let shots = vec![
            shot("a", 1000, 4000),
            shot("b", 5000, 8000),
            shot("c", 6000, 6500),
            shot("d", 6000, 7000),
            shot("e", 7500, 7500),
            shot("f", 10_000, 11_000),
        ];
        let (list, mut hidden) = plan_covering(shots, 10_000, fps(25), |_, _| ("gap", ())).unwrap();
        hidden.sort();
        assert_eq!(
            frames(&list),
            [("gap", 0, 25), ("a", 25, 75), ("gap", 100, 25), ("b", 125, 25), ("d", 150, 50), ("gap", 200, 50)],
            "c keeps no frame: d starts with it"
        );
        assert_eq!(hidden, ["c", "e", "f"]);
        assert_eq!(list.segments.iter().map(|s| s.frames).sum::<u64>(), list.total_frames);
    }

    #[test]
    fn covering_tiles_a_song_with_no_shot_by_one_gap() {
        let (list, hidden) = plan_covering(Vec::<Shot<&str, ()>>::new(), 2000, fps(24), |_, _| ("gap", ())).unwrap();
        assert_eq!(frames(&list), [("gap", 0, 48)]);
        assert!(hidden.is_empty());
    }

    #[test]
    fn boundaries_round_once_and_segments_sum_to_the_song() {
        // 24 fps: 1010 ms is 24.24 → 24, 2030 ms is 48.72 → 49, 3003 ms is 72.07 → 72.
        let shots = vec![
            shot("c", 2030, 3003),
            shot("a", 0, 1010),
            shot("b", 1010, 2030),
        ];
        let list = plan(shots, 3003, fps(24)).unwrap();
        assert_eq!(list.total_frames, 72);
        assert_eq!(frames(&list), [("a", 0, 24), ("b", 24, 25), ("c", 49, 23)]);
        assert_eq!(list.segments.iter().map(|s| s.frames).sum::<u64>(), 72);
    }

    #[test]
    fn many_short_shots_do_not_drift() {
        // 40 shots of 5001 ms at 24 fps: the rounding of each cut is independent of the others.
        let shots: Vec<_> = (0..40u64)
            .map(|i| Shot {
                label: i,
                start_ms: i * 5001,
                end_ms: (i + 1) * 5001,
                media: Some(()),
            })
            .collect();
        let fps24 = fps(24);
        let list = plan(shots, 40 * 5001, fps24).unwrap();
        assert_eq!(list.total_frames, fps24.frame_at(40 * 5001));
        for (i, segment) in list.segments.iter().enumerate() {
            assert_eq!(segment.start_frame, fps24.frame_at(i as u64 * 5001));
        }
        assert_eq!(
            list.segments.iter().map(|s| s.frames).sum::<u64>(),
            list.total_frames
        );
    }

    #[test]
    fn differences_within_half_a_frame_are_tolerated() {
        // 25 fps: half a frame is 20 ms.
        let shots = vec![
            shot("a", 15, 1020),
            shot("b", 1000, 1990),
            shot("c", 2010, 2980),
        ];
        let list = plan(shots, 3000, fps(25)).unwrap();
        assert_eq!(frames(&list), [("a", 0, 25), ("b", 25, 25), ("c", 50, 25)]);
    }

    #[test]
    fn gaps_and_overlaps_name_every_shot_at_fault() {
        let shots = vec![
            shot("a", 100, 1000),
            shot("b", 1000, 2000),
            shot("c", 2500, 3000),
            shot("d", 2800, 4000),
            shot("e", 4000, 4500),
        ];
        let err = plan(shots, 5000, fps(24)).unwrap_err();
        assert_eq!(
            problems(&err),
            [
                (
                    "a",
                    Problem::GapBefore {
                        from_ms: 0,
                        to_ms: 100
                    }
                ),
                (
                    "c",
                    Problem::GapBefore {
                        from_ms: 2000,
                        to_ms: 2500
                    }
                ),
                (
                    "d",
                    Problem::Overlaps {
                        other: "c",
                        overlap_ms: 200
                    }
                ),
                (
                    "e",
                    Problem::EndsBeforeSong {
                        end_ms: 4500,
                        song_ms: 5000
                    }
                ),
            ]
        );
        let json = serde_json::to_value(&err.faults()[2]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"shot": "d", "problem": {"kind": "overlaps", "other": "c", "overlapMs": 200}})
        );
        let message = err.to_string();
        for needle in [
            "shot a ",
            "shot c starts at 2500 ms",
            "shot d overlaps shot c by 200 ms",
        ] {
            assert!(message.contains(needle), "{message}");
        }
    }

    #[test]
    fn a_shot_inside_another_overlaps_it() {
        let shots = vec![shot("a", 0, 3000), shot("b", 1000, 2000)];
        let err = plan(shots, 3000, fps(24)).unwrap_err();
        assert_eq!(
            problems(&err),
            [(
                "b",
                Problem::Overlaps {
                    other: "a",
                    overlap_ms: 1000
                }
            )]
        );
    }

    #[test]
    fn bad_lengths_missing_video_and_overruns_are_each_listed() {
        let shots = vec![
            shot("a", 0, 1000),
            Shot {
                label: "b",
                start_ms: 1000,
                end_ms: 2000,
                media: None,
            },
            shot("c", 2000, 2000),
            shot("d", 2000, 2010),
            shot("e", 2010, 3500),
        ];
        let err = plan(shots, 3000, fps(24)).unwrap_err();
        assert_eq!(
            problems(&err),
            [
                ("b", Problem::NoVideo),
                (
                    "c",
                    Problem::NotPositive {
                        start_ms: 2000,
                        end_ms: 2000
                    }
                ),
                (
                    "d",
                    Problem::ShorterThanFrame {
                        start_ms: 2000,
                        end_ms: 2010
                    }
                ),
                (
                    "e",
                    Problem::PastSongEnd {
                        end_ms: 3500,
                        song_ms: 3000
                    }
                ),
            ]
        );
    }

    #[test]
    fn song_level_errors() {
        assert_eq!(
            plan::<&str, ()>(vec![], 3000, fps(24)),
            Err(PlanError::NoShots)
        );
        assert_eq!(
            plan(vec![shot("a", 0, 10)], 10, fps(24)),
            Err(PlanError::EmptySong {
                song_ms: 10,
                fps: fps(24)
            })
        );
    }
}
