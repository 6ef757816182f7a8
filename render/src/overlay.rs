//! A review copy's burned-in overlay: a dark band along the bottom of every frame with the
//! segment's lines (which shot, its status, what is sung) and the song's running time code, so a
//! note written against a review copy names the shot and the moment without a lookup. The clean
//! export has none: an overlay is an input of the segment like its media, so the two copies of
//! one shot are different segments in the cache.

use serde::{Deserialize, Serialize};

use crate::error::RenderError;
use crate::format::VideoFormat;
use crate::texts::{FONT, TextFiles};

/// What a segment's band shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Overlay {
    /// Top to bottom; a line in a right-to-left script is set against the right edge.
    pub lines: Vec<String>,
    /// Where the segment starts on the song: its time code counts on from here.
    pub start_ms: u64,
}

/// Changes whenever the band's layout does, so a cached segment with an older band is not reused.
const LAYOUT: &str = "band v1";

impl Overlay {
    /// What decides the overlay's pixels, for the segment cache's key.
    pub fn key(&self) -> String {
        let lines = serde_json::to_string(&self.lines).unwrap_or_default();
        format!("{LAYOUT}|{}|{lines}", self.start_ms)
    }

    /// The filters that draw the band over a picture already at `format`'s size, writing their
    /// text into `texts`.
    pub(crate) fn filters(&self, format: &VideoFormat, texts: &mut TextFiles) -> Result<String, RenderError> {
        let size = (format.height() / 40).max(8);
        let line = size * 3 / 2;
        let margin = size / 2;
        let band = line * self.lines.len().max(1) as u32 + 2 * margin;
        let top = format!("h-{band}+{margin}");
        let mut filters = vec![format!("drawbox=x=0:y=ih-{band}:w=iw:h={band}:color=black@0.6:t=fill")];
        let text = |name: &str, expansion: &str, x: &str, y: String| {
            format!(
                "drawtext=font='{FONT}':textfile={name}:expansion={expansion}:fontcolor=white:\
                 fontsize={size}:x={x}:y={y}"
            )
        };
        for (i, words) in self.lines.iter().enumerate() {
            // One row each: a newline or tab inside a line would run into the next row.
            let words: String = words.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            let name = texts.add(&words)?;
            let x = if right_to_left(&words) { format!("w-text_w-{margin}") } else { margin.to_string() };
            filters.push(text(&name, "none", &x, format!("{top}+{}", line * i as u32)));
        }
        // drawtext's own expansion: the frame's time plus the segment's start, as H:MM:SS.mmm.
        let clock = texts.add(&format!("%{{pts:hms:{:.3}}}", self.start_ms as f64 / 1000.0))?;
        let x = format!("w-text_w-{margin}");
        // The time code shares the first line, which the caller keeps left-to-right and short.
        filters.push(text(&clock, "normal", &x, top));
        Ok(filters.join(","))
    }
}

/// Whether the line's first strong letter is Hebrew or Arabic.
fn right_to_left(line: &str) -> bool {
    line.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(|c| matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hebrew_lines_are_set_from_the_right() {
        assert!(right_to_left("12 אבא שלי"));
        assert!(!right_to_left("Shot 3 · Scene 2"));
        assert!(!right_to_left("42"));
    }

    #[test]
    fn the_key_changes_with_every_input() {
        let a = Overlay { lines: vec!["Shot 1".into(), "AWAITING_APPROVAL".into()], start_ms: 0 };
        let moved = Overlay { start_ms: 40, ..a.clone() };
        let status = Overlay { lines: vec!["Shot 1".into(), "COMPLETED".into()], ..a.clone() };
        let joined = Overlay { lines: vec!["Shot 1\nAWAITING_APPROVAL".into()], ..a.clone() };
        assert_ne!(a.key(), moved.key());
        assert_ne!(a.key(), status.key());
        assert_ne!(a.key(), joined.key());
    }
}
