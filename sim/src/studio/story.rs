//! `miri.story`: the story interview, by a few honest heuristics. The plot and the director's
//! answers are read for who Miri is with and how the story ends (logic), and for fast or dark
//! words against the song's measured energy and valence (atmosphere). Open flaws come with
//! questions; a script — one beat per song Part, from the story's sentences, every flaw named on
//! the way with its resolution — comes when the director asks for it or has answered. Replies are
//! in Hebrew when the director writes Hebrew.

use serde_json::{Value, json};

const COMPANIONS: [&str; 16] = [
    " with ", "mother", "father", "friend", "grandma", "brother", "sister", "family", "אמא", "אבא", "חבר", "סבתא", "סבא",
    "אח ", "אחות", "משפחה",
];
const ENDINGS: [&str; 12] = ["in the end", "ends", "finally", "at last", "falls asleep", "בסוף", "נגמר", "לבסוף", "נרדמת", "נרדם", "מסתיים", "חוזרת הביתה"];
const FAST: [&str; 14] = ["storm", "run", "chase", "fight", "dance", "party", "race", "סערה", "בורחת", "רצה", "מרדף", "רוקדת", "מסיבה", "קרב"];
const CALM: [&str; 14] = ["sleep", "calm", "quiet", "slow", "gentle", "rest", "dream", "נרדם", "ישנה", "שקט", "רגוע", "לאט", "חלום", "מנוחה"];
const DARK: [&str; 14] = ["sad", "cry", "tears", "storm", "dark", "fear", "alone", "עצוב", "בוכה", "דמעות", "סערה", "חושך", "פחד", "לבד"];
const BRIGHT: [&str; 10] = ["happy", "joy", "laugh", "smile", "celebrat", "שמחה", "צוחקת", "מחייכת", "שמש", "חוגגת"];
const ASKS_FOR_SCRIPT: [&str; 6] = ["script", "write it", "תסריט", "כתוב", "תכתוב", "כתבי"];

struct Open {
    kind: &'static str,
    text: String,
    question: Option<String>,
}

pub fn answer(data: &Value, broken: bool) -> Value {
    let plot = data["plot"].as_str().unwrap_or_default();
    let talk: Vec<&Value> = data["conversation"].as_array().into_iter().flatten().collect();
    let said: Vec<&str> = talk.iter().filter(|m| m["speaker"] == "user").filter_map(|m| m["content"].as_str()).collect();
    let last = said.last().copied().unwrap_or_default();
    let he = hebrew(last) || (last.is_empty() && hebrew(plot));
    let answers = said.join(" ");
    let story = format!(" {} {} ", plot.to_lowercase(), answers.to_lowercase());
    let lyrics = data["lyrics"].as_str().unwrap_or_default();
    let open = open_flaws(plot, &answers, &story, lyrics, &data["song"], he);
    let asked_before = talk.iter().any(|m| m["speaker"] == "assistant");
    let wants = has(&last.to_lowercase(), &ASKS_FOR_SCRIPT) || asked_before;

    let mut questions: Vec<String> = open.iter().filter_map(|f| f.question.clone()).collect();
    if !wants && plot.split_whitespace().count() < 12 {
        questions.push(if he { "איפה ומתי זה קורה?" } else { "Where and when does it happen?" }.to_string());
    }
    let flaws: Vec<Value> = open.iter().map(|f| json!({ "kind": f.kind, "text": f.text })).collect();
    let mut answer = if wants {
        let version = data["script"]["version"].as_u64().unwrap_or(0) + 1;
        let script = script(plot, &talk, &open, &data["song"], he);
        let beats = script["beats"].as_array().map_or(0, Vec::len);
        let reply = if he {
            format!("הנה התסריט, גרסה {version}: {beats} פעימות לאורך השיר. כל בעיה שעלתה כתובה בסופו עם הפתרון שלה.")
        } else {
            format!("Here is the script, version {version}: {beats} beats along the song, with every flaw we found and how it was resolved.")
        };
        json!({ "reply": reply, "questions": [], "flaws": flaws, "script": script })
    } else {
        let reply = match (open.is_empty(), he) {
            (true, true) => "העלילה מחזיקה. תגיד לי מתי לכתוב את התסריט.",
            (true, false) => "The story holds together. Tell me when to write the script.",
            (false, true) => "קראתי את העלילה ואת השיר. לפני שאכתוב תסריט, יש כמה חורים שצריך לסגור:",
            (false, false) => "I read the plot against the song. Before I write a script, a few holes need closing:",
        };
        json!({ "reply": reply, "questions": questions, "flaws": flaws })
    };
    if broken {
        answer["reply"] = json!("");
    }
    answer
}

fn hebrew(text: &str) -> bool {
    text.chars().any(|c| ('\u{05D0}'..='\u{05EA}').contains(&c))
}

fn has(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

fn count(text: &str, words: &[&str]) -> usize {
    words.iter().filter(|w| text.contains(*w)).count()
}

/// The flaws the story still has, each with the question that would close it.
fn open_flaws(plot: &str, answers: &str, story: &str, lyrics: &str, song: &Value, he: bool) -> Vec<Open> {
    let mut open = Vec::new();
    if !has(story, &COMPANIONS) {
        open.push(Open {
            kind: "logic",
            text: if he { "העלילה לא אומרת עם מי מירי נמצאת, או שהיא לבד — ולמה." } else { "The plot never says who Miri is with, or whether she is alone, and why." }.into(),
            question: Some(if he { "מי עוד נמצא שם עם מירי?" } else { "Who is there with Miri?" }.into()),
        });
    }
    if !has(story, &ENDINGS) {
        open.push(Open {
            kind: "logic",
            text: if he { "העלילה לא אומרת איך הסיפור נגמר." } else { "The plot never says how the story ends." }.into(),
            question: Some(if he { "איך זה נגמר?" } else { "How does it end?" }.into()),
        });
    }
    let fast = count(&plot.to_lowercase(), &FAST) > count(&plot.to_lowercase(), &CALM);
    let settled = |counter: &[&str]| has(&answers.to_lowercase(), counter);
    // The words set a mood too: a chase over a sung lullaby fights it whatever the drums do.
    let calm_line = lyrics.lines().map(unstamped).find(|l| has(&l.to_lowercase(), &CALM));
    if let Some(line) = calm_line.as_ref().filter(|_| fast && !settled(&CALM)) {
        open.push(Open {
            kind: "atmosphere",
            text: if he {
                format!("העלילה מהירה וסוערת, אבל המילים שקטות, שיר ערש («{line}»).")
            } else {
                format!("The plot is fast and stormy, but the lyrics are a quiet lullaby (“{line}”).")
            },
            question: Some(if he { "האם הסערה יכולה להיות חלום, או להירגע עם המוזיקה?" } else { "Could the storm be a dream, or calm down with the music?" }.into()),
        });
    }
    let parts: Vec<&Value> = song["parts"].as_array().into_iter().flatten().collect();
    if parts.is_empty() {
        return open;
    }
    let weighted = |key: &str| {
        let (mut sum, mut total) = (0.0, 0.0);
        for p in &parts {
            let span = (p["endMs"].as_f64().unwrap_or(0.0) - p["startMs"].as_f64().unwrap_or(0.0)).max(0.0);
            sum += p[key].as_f64().unwrap_or(0.0) * span;
            total += span;
        }
        if total > 0.0 { sum / total } else { 0.0 }
    };
    let (energy, valence) = (weighted("energy"), weighted("valence"));
    let calmest = parts.iter().min_by(|a, b| a["energy"].as_f64().partial_cmp(&b["energy"].as_f64()).unwrap()).map(|p| p["label"].as_str().unwrap_or_default()).unwrap_or_default();
    let plot = plot.to_lowercase();
    let dark = count(&plot, &DARK) > count(&plot, &BRIGHT);
    // The director's answers can settle a mismatch (a storm that turns out to be a dream).
    if fast && energy < 0.6 && calm_line.is_none() && !settled(&CALM) {
        open.push(Open {
            kind: "atmosphere",
            text: if he {
                format!("העלילה מהירה וסוערת, אבל השיר רגוע (אנרגיה {energy:.2} בממוצע, השקט ביותר ב־{calmest}).")
            } else {
                format!("The plot is fast and stormy, but the song is calm (energy {energy:.2} on average, calmest in the {calmest}).")
            },
            question: Some(if he { "האם הסערה יכולה להיות חלום, או להירגע עם המוזיקה?" } else { "Could the storm be a dream, or calm down with the music?" }.into()),
        });
    }
    if !fast && energy > 0.75 && !settled(&FAST) {
        open.push(Open {
            kind: "atmosphere",
            text: if he { format!("העלילה שקטה, אבל השיר סוער (אנרגיה {energy:.2}).") } else { format!("The plot is quiet, but the song is intense (energy {energy:.2}).") },
            question: Some(if he { "מה זז בסיפור כשהמוזיקה מתעצמת?" } else { "What moves in the story when the music drives?" }.into()),
        });
    }
    if dark && valence > 0.0 && !settled(&CALM) && !settled(&BRIGHT) {
        open.push(Open {
            kind: "atmosphere",
            text: if he { format!("העלילה עצובה וחשוכה, אבל השיר חם (ערכיות {valence:.2}).") } else { format!("The plot is sad and dark, but the song is warm (valence {valence:.2}).") },
            question: None,
        });
    }
    open
}

/// A lyric line without its LRC times (`[00:12.00]`, `<00:12.50>`).
fn unstamped(line: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in line.chars() {
        match c {
            '[' | '<' => depth += 1,
            ']' | '>' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One beat per Part from the story's sentences, and every flaw named so far with how it ended.
fn script(plot: &str, talk: &[&Value], open: &[Open], song: &Value, he: bool) -> Value {
    // The director's answers: what they said after the first question.
    let answers: Vec<&str> = talk
        .iter()
        .skip_while(|m| m["speaker"] != "assistant")
        .filter(|m| m["speaker"] == "user")
        .filter_map(|m| m["content"].as_str())
        .collect();
    let sentences: Vec<String> = std::iter::once(plot)
        .chain(answers.iter().copied())
        .flat_map(|s| s.split(['.', '!', '?', '\n']))
        .map(str::trim)
        .filter(|s| !s.is_empty() && !has(&s.to_lowercase(), &ASKS_FOR_SCRIPT))
        .map(str::to_string)
        .collect();
    let sentences = if sentences.is_empty() { vec![plot.trim().to_string()] } else { sentences };
    let labels: Vec<&str> = song["parts"].as_array().into_iter().flatten().filter_map(|p| p["label"].as_str()).collect();
    let beats: Vec<Value> = if labels.is_empty() {
        sentences.iter().map(|s| json!({ "summary": s })).collect()
    } else {
        labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let sentence = &sentences[(i * sentences.len() / labels.len()).min(sentences.len() - 1)];
                json!({ "summary": sentence, "part": label })
            })
            .collect()
    };
    let excerpt: String = answers.join(" ").chars().take(160).collect();
    let named: Vec<(String, String)> = talk
        .iter()
        .filter(|m| m["speaker"] == "assistant")
        .flat_map(|m| m["flaws"].as_array().cloned().unwrap_or_default())
        .map(|f| (f["kind"].as_str().unwrap_or("logic").to_string(), f["text"].as_str().unwrap_or_default().to_string()))
        .chain(open.iter().map(|f| (f.kind.to_string(), f.text.clone())))
        .collect();
    let mut flaws: Vec<Value> = Vec::new();
    for (kind, text) in named {
        if text.is_empty() || flaws.iter().any(|f| f["text"] == text.as_str()) {
            continue;
        }
        let still = open.iter().any(|f| f.text == text);
        let resolution = match (still, he) {
            (true, true) => "נשאר פתוח: הבמאי ביקש את התסריט בלי לענות על זה.".to_string(),
            (true, false) => "Stays open: the director asked for the script without settling it.".to_string(),
            (false, true) => format!("נפתר בדברי הבמאי: «{excerpt}»"),
            (false, false) => format!("Resolved by the director: “{excerpt}”"),
        };
        flaws.push(json!({ "kind": kind, "text": text, "resolution": resolution }));
    }
    let title: String = plot.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
    let logline = match (sentences.first(), sentences.last()) {
        (Some(first), Some(last)) if first != last => format!("{first} — {last}"),
        (Some(first), _) => first.clone(),
        _ => plot.to_string(),
    };
    json!({ "title": if title.is_empty() { "Miri".to_string() } else { title }, "logline": logline, "beats": beats, "flaws": flaws })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn song() -> Value {
        json!({ "durationMs": 30_000, "parts": [
            { "label": "intro", "startMs": 0, "endMs": 10_000, "energy": 0.3, "valence": 0.3 },
            { "label": "chorus", "startMs": 10_000, "endMs": 30_000, "energy": 0.45, "valence": 0.4 },
        ]})
    }

    fn turn(plot: &str, conversation: Value) -> Value {
        answer(&json!({ "plot": plot, "lyrics": "", "song": song(), "conversation": conversation, "script": null }), false)
    }

    #[test]
    fn a_short_stormy_plot_over_a_calm_song_gets_questions_a_logic_flaw_and_an_atmosphere_flaw_in_hebrew() {
        let a = turn("מירי בורחת בסערה בלילה.", json!([{ "speaker": "user", "content": "מה דעתך על העלילה?" }]));
        assert!(a.get("script").is_none(), "{a}");
        assert!(hebrew(a["reply"].as_str().unwrap()));
        let kinds: Vec<&str> = a["flaws"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
        assert!(kinds.contains(&"logic") && kinds.contains(&"atmosphere"), "{a}");
        assert!(a["questions"].as_array().unwrap().iter().any(|q| q == "מי עוד נמצא שם עם מירי?"), "{a}");
    }

    #[test]
    fn answers_settle_the_flaws_and_asking_for_the_script_gets_beats_per_part() {
        let first = turn("Miri runs through a storm at night.", json!([{ "speaker": "user", "content": "Thoughts?" }]));
        let conversation = json!([
            { "speaker": "user", "content": "Thoughts?" },
            { "speaker": "assistant", "content": first["reply"], "flaws": first["flaws"] },
            { "speaker": "user", "content": "Her mother is with her; the storm is a dream, and in the end she falls asleep. Write the script." },
        ]);
        let a = turn("Miri runs through a storm at night.", conversation);
        assert_eq!(a["flaws"], json!([]), "every flaw was answered: {a}");
        let script = &a["script"];
        let parts: Vec<&str> = script["beats"].as_array().unwrap().iter().map(|b| b["part"].as_str().unwrap()).collect();
        assert_eq!(parts, ["intro", "chorus"]);
        let flaws = script["flaws"].as_array().unwrap();
        assert_eq!(flaws.len(), first["flaws"].as_array().unwrap().len());
        assert!(flaws.iter().all(|f| f["resolution"].as_str().unwrap().starts_with("Resolved by the director")), "{script}");
        assert!(a["reply"].as_str().unwrap().contains("version 1"));
    }

    #[test]
    fn a_chase_over_sung_lullaby_words_is_a_mismatch_whatever_the_drums_do() {
        let lyrics = "[00:01.00]<00:01.00>שמור <00:01.50>על <00:02.00>כולנו\n[00:03.00]<00:03.00>ואני <00:03.50>נרדם <00:04.00>בשקט";
        let loud = json!({ "parts": [{ "label": "chorus", "startMs": 0, "endMs": 9000, "energy": 0.9, "valence": 0.0 }] });
        let data = json!({ "plot": "מירי בורחת בסערה", "lyrics": lyrics, "song": loud, "conversation": [{ "speaker": "user", "content": "נו?" }] });
        let a = answer(&data, false);
        let atmosphere: Vec<&str> = a["flaws"].as_array().unwrap().iter().filter(|f| f["kind"] == "atmosphere").map(|f| f["text"].as_str().unwrap()).collect();
        assert_eq!(atmosphere.len(), 1, "{a}");
        assert!(atmosphere[0].contains("«ואני נרדם בשקט»"), "{a}");
    }

    #[test]
    fn a_broken_answer_has_no_reply() {
        let a = answer(&json!({ "plot": "x", "conversation": [] }), true);
        assert_eq!(a["reply"], "");
    }
}
