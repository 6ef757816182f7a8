//! Spans on the song's timeline, as models propose them: edges moved onto the nearest anchor
//! (a beat, a Part's edge) within a tolerance, and a sequence of spans closed into a cover of the
//! whole song. Models round; a seam of a few milliseconds is theirs to be forgiven, a gap of
//! seconds is an answer to refuse.

use crate::Timestamps;
use crate::schema::FieldError;

/// The element of sorted `grid` nearest to `ms`.
pub fn nearest(grid: &[u64], ms: u64) -> Option<u64> {
    let i = grid.partition_point(|&g| g < ms);
    [i.checked_sub(1), Some(i)]
        .into_iter()
        .flatten()
        .filter_map(|j| grid.get(j).copied())
        .min_by_key(|&g| g.abs_diff(ms))
}

/// `ms` on the nearest of sorted `anchors` within `tolerance_ms`, else unchanged.
pub fn snap(anchors: &[u64], ms: u64, tolerance_ms: u64) -> u64 {
    nearest(anchors, ms).filter(|a| a.abs_diff(ms) <= tolerance_ms).unwrap_or(ms)
}

/// Proposed `(start, end)` edges moved onto the nearest of `anchors` within `tolerance_ms`, then
/// closed into a cover of `whole` ([`cover`]).
pub fn fit(
    edges: impl IntoIterator<Item = (u64, u64)>,
    anchors: impl IntoIterator<Item = u64>,
    whole: Timestamps,
    tolerance_ms: u64,
    what: &str,
) -> Result<Vec<Timestamps>, FieldError> {
    let mut anchors: Vec<u64> = anchors.into_iter().chain([whole.start_ms, whole.end_ms]).collect();
    anchors.sort_unstable();
    anchors.dedup();
    let mut spans: Vec<Timestamps> = edges
        .into_iter()
        .map(|(start, end)| Timestamps { start_ms: snap(&anchors, start, tolerance_ms), end_ms: snap(&anchors, end, tolerance_ms) })
        .collect();
    cover(&mut spans, whole, tolerance_ms, what)?;
    Ok(spans)
}

/// Makes `spans` (in order) cover `whole` exactly (the song, a scene): a seam or an overhang
/// within `tolerance_ms` is closed; a wider gap, an overlap or a short end is refused, naming
/// `{what}[i]` (`parts`, `scenes`, `shots`).
pub fn cover(spans: &mut [Timestamps], whole: Timestamps, tolerance_ms: u64, what: &str) -> Result<(), FieldError> {
    let duration_ms = whole.end_ms;
    let mut expected = whole.start_ms;
    for (i, t) in spans.iter_mut().enumerate() {
        let field = || format!("{what}[{i}].startMs");
        if t.start_ms + tolerance_ms < expected {
            return Err(FieldError::new(field(), format!("{} ms overlaps the previous one, which ends at {expected} ms", t.start_ms)));
        }
        if t.start_ms > expected + tolerance_ms {
            return Err(FieldError::new(
                field(),
                format!("leaves a gap from {expected} ms to {} ms; together they cover the whole song", t.start_ms),
            ));
        }
        t.start_ms = expected;
        if t.end_ms <= t.start_ms {
            return Err(FieldError::new(format!("{what}[{i}].endMs"), format!("{} ms is not after its start ({} ms)", t.end_ms, t.start_ms)));
        }
        expected = t.end_ms;
    }
    if expected.abs_diff(duration_ms) > tolerance_ms {
        return Err(FieldError::new(
            format!("{what}[{}].endMs", spans.len().saturating_sub(1)),
            format!("the last one ends at {expected} ms; it must end at {duration_ms} ms"),
        ));
    }
    if let Some(last) = spans.last_mut() {
        last.end_ms = duration_ms;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(edges: &[(u64, u64)]) -> Vec<Timestamps> {
        edges.iter().map(|&(start_ms, end_ms)| Timestamps { start_ms, end_ms }).collect()
    }

    fn song(end_ms: u64) -> Timestamps {
        Timestamps { start_ms: 0, end_ms }
    }

    #[test]
    fn a_scene_is_covered_from_its_own_start() {
        let mut s = spans(&[(10_100, 12_000), (12_000, 14_950)]);
        cover(&mut s, Timestamps { start_ms: 10_000, end_ms: 15_000 }, 150, "shots").unwrap();
        assert_eq!(s, spans(&[(10_000, 12_000), (12_000, 15_000)]));
    }

    #[test]
    fn small_seams_close_and_wide_ones_are_refused() {
        let mut s = spans(&[(40, 1000), (1100, 1990)]);
        cover(&mut s, song(2000), 150, "parts").unwrap();
        assert_eq!(s, spans(&[(0, 1000), (1000, 2000)]));
        let err = cover(&mut spans(&[(0, 1000), (1500, 2000)]), song(2000), 150, "scenes").unwrap_err();
        assert_eq!(err.field, "scenes[1].startMs");
        assert!(err.message.contains("gap from 1000 ms to 1500 ms"));
        assert!(cover(&mut spans(&[(0, 1000), (600, 2000)]), song(2000), 150, "parts").unwrap_err().message.contains("overlaps"));
        assert!(cover(&mut spans(&[(0, 1000)]), song(2000), 150, "parts").unwrap_err().message.contains("must end at 2000 ms"));
    }

    #[test]
    fn edges_snap_within_the_tolerance_only() {
        assert_eq!(snap(&[0, 500, 1000], 530, 50), 500);
        assert_eq!(snap(&[0, 500, 1000], 700, 50), 700);
        assert_eq!(nearest(&[], 7), None);
    }
}

/// `m:ss.s`, the song's time as a director reads it.
pub fn clock(ms: u64) -> String {
    format!("{}:{:04.1}", ms / 60_000, (ms % 60_000) as f64 / 1000.0)
}
