//! `miri.analysis`: Parts from the lyrics' sections, Moments from their words. Lines may carry
//! LRC times (`[01:02.50] words`), which place them exactly; untimed lyrics are spread evenly
//! over the middle of the song, as a model that heard nothing might guess. Energy follows the
//! measured loudness, valence the brightness.

use serde_json::{Value, json};

/// One section of the lyrics (lines between blank lines) with its words and their times.
struct Section {
    text: String,
    words: Vec<(String, u64, u64)>,
}

pub fn answer(data: &Value, broken: bool) -> Value {
    let duration = data["song"]["durationMs"].as_u64().unwrap_or(0).max(1);
    let lyrics = data["lyrics"].as_str().unwrap_or_default();
    let sections = sections(lyrics, duration);
    let mood = |start: u64, end: u64| mood(&data["song"]["bars"], start, end);

    let mut parts: Vec<Value> = Vec::new();
    let mut moments: Vec<Value> = Vec::new();
    let mut cursor = 0;
    let mut verses = 0;
    for (i, section) in sections.iter().enumerate() {
        let Some(&(_, first, _)) = section.words.first() else { continue };
        if first > cursor + 2000 && parts.is_empty() {
            parts.push(part("intro", 0, first, mood(0, first)));
            cursor = first;
        }
        let end = sections[i + 1..].iter().find_map(|s| s.words.first().map(|w| w.1)).unwrap_or(duration);
        // A section that opens like another one is the chorus coming back.
        let opening = section.text.lines().next().unwrap_or_default();
        let label = if sections.iter().filter(|s| s.text.lines().next() == Some(opening)).count() > 1 {
            "chorus".to_string()
        } else {
            verses += 1;
            format!("verse {verses}")
        };
        let last_word_end = section.words.last().map_or(end, |w| w.2);
        let part_end = if i + 1 == sections.len() && duration > last_word_end + 4000 { last_word_end + 500 } else { end };
        let index = parts.len();
        parts.push(part(&label, cursor, part_end, mood(cursor, part_end)));
        for group in groups(&section.words) {
            let (start, stop) = (group[0].1, group[group.len() - 1].2);
            let words: Vec<&str> = group.iter().map(|w| w.0.as_str()).collect();
            let (energy, valence) = mood(start, stop);
            moments.push(json!({ "words": words.join(" "), "startMs": start, "endMs": stop, "part": index, "energy": energy, "valence": valence }));
        }
        cursor = part_end;
    }
    if cursor < duration {
        let label = if parts.is_empty() { "instrumental" } else { "outro" };
        parts.push(part(label, cursor, duration, mood(cursor, duration)));
    }
    if broken {
        if let Some(m) = moments.first_mut() {
            m["words"] = json!("these are far too many words");
        } else {
            parts.clear();
        }
    }
    json!({ "parts": parts, "moments": moments })
}

fn part(label: &str, start: u64, end: u64, (energy, valence): (f64, f64)) -> Value {
    json!({ "label": label, "startMs": start, "endMs": end, "energy": energy, "valence": valence })
}

/// Energy from the loudness of the bars in the span (−40 dBFS calm … −6 dBFS intense), valence
/// from their brightness.
fn mood(bars: &Value, start: u64, end: u64) -> (f64, f64) {
    let inside: Vec<&Value> = bars
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["startMs"].as_u64().unwrap_or(0) < end && b["endMs"].as_u64().unwrap_or(0) > start)
        .collect();
    if inside.is_empty() {
        return (0.5, 0.2);
    }
    let mean = |key: &str| inside.iter().filter_map(|b| b[key].as_f64()).sum::<f64>() / inside.len() as f64;
    let energy = ((mean("loudnessDb") + 40.0) / 34.0).clamp(0.0, 1.0);
    let valence = (mean("brightness") * 2.0 - 1.0).clamp(-1.0, 1.0);
    (round2(energy), round2(valence))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The lyrics as sections of timed words.
fn sections(lyrics: &str, duration: u64) -> Vec<Section> {
    let blocks: Vec<Vec<(Option<u64>, String)>> = lyrics
        .split("\n\n")
        .map(|block| block.lines().filter(|l| !l.trim().is_empty()).map(lrc).collect::<Vec<_>>())
        .filter(|b: &Vec<_>| !b.is_empty())
        .collect();
    let lines: Vec<&(Option<u64>, String)> = blocks.iter().flatten().collect();
    let timed = !lines.is_empty() && lines.iter().all(|(t, _)| t.is_some());
    // Untimed lyrics: every line gets an equal slot between 10 % and 90 % of the song.
    let (from, span) = (duration / 10, duration * 8 / 10);
    let slot = span / lines.len().max(1) as u64;
    let mut n = 0;
    let mut out = Vec::new();
    for block in &blocks {
        let mut words = Vec::new();
        let mut plain = Vec::new();
        for (time, text) in block {
            let start = if timed { time.unwrap_or(0) } else { from + n as u64 * slot };
            let end = if timed {
                lines.get(n + 1).and_then(|(t, _)| *t).unwrap_or(duration).min(start + 6000).min(duration)
            } else {
                start + slot
            };
            n += 1;
            let line = timed_words(text, start, end);
            plain.push(line.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join(" "));
            words.extend(line);
        }
        let text = plain.join("\n");
        out.push(Section { text, words });
    }
    out
}

/// A line's LRC time (`[mm:ss.xx]`) and its text.
fn lrc(line: &str) -> (Option<u64>, String) {
    let line = line.trim();
    let parsed = line.strip_prefix('[').and_then(|rest| {
        let (stamp, text) = rest.split_once(']')?;
        Some((Some(stamp_ms(stamp)?), text.trim().to_string()))
    });
    parsed.unwrap_or((None, line.to_string()))
}

/// `mm:ss.xx` in milliseconds.
fn stamp_ms(stamp: &str) -> Option<u64> {
    let (m, s) = stamp.split_once(':')?;
    Some(m.parse::<u64>().ok()? * 60_000 + (s.parse::<f64>().ok()? * 1000.0).round() as u64)
}

/// The words of a line sung from `start` to `end`: at their own times where the line carries
/// enhanced-LRC word stamps (`<mm:ss.xx> word`), else spread evenly.
fn timed_words(text: &str, start: u64, end: u64) -> Vec<(String, u64, u64)> {
    let mut stamped: Vec<(String, Option<u64>)> = Vec::new();
    let mut next = None;
    for token in text.split_whitespace() {
        match token.strip_prefix('<').and_then(|t| t.strip_suffix('>')).and_then(stamp_ms) {
            Some(ms) => next = Some(ms),
            None => stamped.push((token.to_string(), next.take())),
        }
    }
    let each = end.saturating_sub(start) / stamped.len().max(1) as u64;
    let starts: Vec<u64> = stamped.iter().enumerate().map(|(k, (_, at))| at.unwrap_or(start + k as u64 * each)).collect();
    stamped
        .into_iter()
        .enumerate()
        .map(|(k, (word, _))| (word, starts[k], starts.get(k + 1).copied().unwrap_or(end).max(starts[k] + 1)))
        .collect()
}

/// The words in runs of three, with two runs of two where three does not divide them; a lone
/// word joins its neighbour's run (a Moment is two or three words).
fn groups<T>(words: &[T]) -> Vec<&[T]> {
    let n = words.len();
    let mut sizes = match n {
        0 => vec![],
        1 => vec![1],
        _ if n % 3 == 1 => [vec![3; (n - 4) / 3], vec![2, 2]].concat(),
        _ if n % 3 == 2 => [vec![3; n / 3], vec![2]].concat(),
        _ => vec![3; n / 3],
    };
    sizes.retain(|&s| s > 0);
    let mut out = Vec::new();
    let mut at = 0;
    for s in sizes {
        out.push(&words[at..at + s]);
        at += s;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_go_in_twos_and_threes() {
        let sizes = |n: usize| groups(&vec![0; n]).iter().map(|g| g.len()).collect::<Vec<_>>();
        assert_eq!(sizes(2), [2]);
        assert_eq!(sizes(4), [2, 2]);
        assert_eq!(sizes(7), [3, 2, 2]);
        assert_eq!(sizes(8), [3, 3, 2]);
        assert_eq!(sizes(9), [3, 3, 3]);
    }

    #[test]
    fn timed_lyrics_place_moments_and_repeated_sections_are_choruses() {
        let lyrics = "[00:05.00] אבא שומר עלינו\n[00:09.00] גם בלילה\n\n[00:20.00] כוכב קטן\n\n[00:30.00] אבא שומר עלינו\n[00:34.00] גם בלילה";
        let a = answer(&json!({ "song": { "durationMs": 60_000, "bars": [] }, "lyrics": lyrics }), false);
        let labels: Vec<&str> = a["parts"].as_array().unwrap().iter().map(|p| p["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["intro", "chorus", "verse 1", "chorus", "outro"]);
        assert_eq!(a["moments"][0]["words"], "אבא שומר עלינו");
        assert_eq!(a["moments"][0]["startMs"], 5000);
        assert_eq!(a["moments"][1]["words"], "גם בלילה");
        assert_eq!(a["parts"][1]["startMs"], 5000);
    }

    #[test]
    fn word_stamps_place_each_word() {
        let words = timed_words("<00:01.00> אבא <00:01.60> שומר <00:02.00> עלינו", 1000, 3000);
        assert_eq!(words, [("אבא".into(), 1000, 1600), ("שומר".into(), 1600, 2000), ("עלינו".into(), 2000, 3000)]);
        let even = timed_words("אבא שומר", 1000, 3000);
        assert_eq!(even, [("אבא".into(), 1000, 2000), ("שומר".into(), 2000, 3000)]);
    }

    #[test]
    fn broken_answers_break_the_two_or_three_words_rule() {
        let a = answer(&json!({ "song": { "durationMs": 60_000 }, "lyrics": "one two three" }), true);
        assert_eq!(a["moments"][0]["words"], "these are far too many words");
    }
}
