//! The words the rules look for. A still is one frozen instant, so a FLUX prompt that describes
//! motion asks for motion blur and anatomy errors; motion words belong to the Kling prompt. The
//! English lexicon is a list of verbs whose every inflection is motion (regular forms are
//! generated, irregular ones listed); the Hebrew one lists the forms a description uses (present
//! tense in four genders/numbers, infinitive, the action noun) and matches after the one-letter
//! prefixes are peeled.

use super::text::{has_phrase, hebrew_stems};

/// English verbs of motion, with their irregular forms, and whether the base is also a common
/// noun in a still ("ocean waves", "a garden swing", "a zoom lens"): then only the -ing and past
/// forms count. A participle that reads as a state ("fallen leaves", "a raised hand") is absent.
const ENGLISH_VERBS: &[(&str, &[&str], bool)] = &[
    ("walk", &[], false),
    ("run", &["ran"], false),
    ("jump", &[], false),
    ("leap", &["leapt"], false),
    ("hop", &[], false),
    ("skip", &[], false),
    ("dance", &[], false),
    ("spin", &["spun"], false),
    ("twirl", &[], false),
    ("whirl", &[], false),
    ("swirl", &[], false),
    ("wave", &[], true),
    ("fly", &["flew"], true),
    ("fall", &["fell"], true),
    ("swing", &["swung"], true),
    ("sway", &[], false),
    ("move", &[], false),
    ("climb", &[], false),
    ("throw", &["threw"], false),
    ("toss", &[], false),
    ("kick", &[], false),
    ("chase", &[], false),
    ("race", &[], true),
    ("rush", &[], false),
    ("dash", &[], true),
    ("sprint", &[], false),
    ("jog", &[], false),
    ("stroll", &[], false),
    ("march", &[], true),
    ("gallop", &[], false),
    ("swim", &["swam"], false),
    ("dive", &["dove"], true),
    ("wander", &[], false),
    ("shake", &["shook"], false),
    ("nod", &[], false),
    ("flutter", &[], false),
    ("flap", &[], true),
    ("blow", &["blew"], false),
    ("flow", &[], true),
    ("drift", &[], true),
    ("roll", &[], true),
    ("slide", &["slid"], true),
    ("glide", &[], false),
    ("bounce", &[], false),
    ("wobble", &[], false),
    ("rotate", &[], false),
    ("stride", &["strode"], false),
    ("step", &[], true),
    ("tumble", &[], false),
    ("crawl", &[], false),
    ("sprinkle", &[], true),
    ("splash", &[], true),
    ("rise", &[], false),
    ("soar", &[], false),
    ("zoom", &[], true),
    ("pan", &[], true),
];

/// Motion words that are not verbs, and phrases that describe motion.
const ENGLISH_OTHER: &[&str] = &[
    "motion", "movement", "mid-air", "midair", "mid-stride", "mid-jump", "mid-step", "mid-spin",
    "in motion", "on the move", "motion blur", "windswept", "airborne",
];

/// Hebrew motion words as a description writes them.
const HEBREW: &[&str] = &[
    // run, jump, dance, walk
    "רץ", "רצה", "רצים", "רצות", "לרוץ", "ריצה",
    "קופץ", "קופצת", "קופצים", "קופצות", "לקפוץ", "קפיצה",
    "רוקד", "רוקדת", "רוקדים", "רוקדות", "לרקוד", "ריקוד",
    "הולך", "הולכת", "הולכים", "הולכות", "ללכת", "הליכה", "צועד", "צועדת", "צועדים", "צועדות",
    // spin, wave, fly, fall, swing
    "מסתובב", "מסתובבת", "מסתובבים", "מסתובבות", "להסתובב", "סיבוב",
    "מנופף", "מנופפת", "מנופפים", "מנופפות", "לנופף", "נפנוף",
    "עף", "עפה", "עפים", "עפות", "לעוף", "מעופף", "מעופפת",
    "נופל", "נופלת", "נופלים", "נופלות", "ליפול", "נפילה",
    "מתנדנד", "מתנדנדת", "מתנדנדים", "מתנדנדות", "להתנדנד",
    // move, climb, throw, swim, roll, slide, flutter, blow, flow
    "זז", "זזה", "זזים", "זזות", "לזוז", "תנועה", "בתנועה", "נע", "נעה", "נעים", "נעות",
    "מטפס", "מטפסת", "מטפסים", "מטפסות", "לטפס",
    "זורק", "זורקת", "זורקים", "זורקות", "לזרוק",
    "שוחה", "שוחים", "שוחות", "לשחות",
    "מתגלגל", "מתגלגלת", "מתגלגלים", "מתגלגלות",
    "מחליק", "מחליקה", "מחליקים", "מחליקות",
    "מתנופף", "מתנופפת", "מתנופפים", "מתנופפות",
    "נושבת", "נושב", "זורם", "זורמת", "זורמים", "זורמות",
    "מרחף", "מרחפת", "מרחפים", "מרחפות",
    "מתרוצץ", "מתרוצצת", "מתרוצצים", "מתרוצצות",
];

/// The regular inflections of an English verb: -s/-es, -ing (dropping a final e, doubling a
/// final consonant after a short vowel), -ed.
fn inflect(base: &str) -> [String; 4] {
    let sibilant = ["s", "sh", "ch", "x", "z"].iter().any(|e| base.ends_with(e));
    let third = if base.ends_with('y') && !ends_vowel_y(base) {
        format!("{}ies", &base[..base.len() - 1])
    } else if sibilant {
        format!("{base}es")
    } else {
        format!("{base}s")
    };
    let stem = if base.ends_with('e') && !base.ends_with("ee") {
        base[..base.len() - 1].to_string()
    } else if doubles_final_consonant(base) {
        format!("{base}{}", &base[base.len() - 1..])
    } else {
        base.to_string()
    };
    let ing = format!("{stem}ing");
    let ed = if base.ends_with('e') {
        format!("{base}d")
    } else if base.ends_with('y') && !ends_vowel_y(base) {
        format!("{}ied", &base[..base.len() - 1])
    } else {
        format!("{stem}ed")
    };
    [base.to_string(), third, ing, ed]
}

fn ends_vowel_y(w: &str) -> bool {
    w.len() >= 2 && matches!(w.as_bytes()[w.len() - 2], b'a' | b'e' | b'o' | b'u')
}

/// Consonant–vowel–consonant at the end of a one-syllable verb (run → running, nod → nodded).
fn doubles_final_consonant(w: &str) -> bool {
    let b = w.as_bytes();
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    let vowels = b.iter().filter(|&&c| vowel(c)).count();
    b.len() >= 3
        && vowels == 1
        && !vowel(b[b.len() - 1])
        && !matches!(b[b.len() - 1], b'w' | b'x' | b'y')
        && vowel(b[b.len() - 2])
        && !vowel(b[b.len() - 3])
}

/// Every English motion word form (lower-case), built once per call site.
fn english_forms() -> impl Iterator<Item = String> {
    ENGLISH_VERBS.iter().flat_map(|&(base, irregular, noun)| {
        let [b, third, ing, ed] = inflect(base);
        let finite = if noun { vec![] } else { vec![b, third] };
        finite.into_iter().chain([ing, ed]).chain(irregular.iter().map(|s| s.to_string()))
    })
}

/// The motion words in a text's normalised words, in the order found, without repeats.
pub fn motion_words(words: &[&str]) -> Vec<String> {
    let forms: Vec<String> = english_forms().collect();
    let mut found: Vec<String> = Vec::new();
    let mut add = |w: &str| {
        if !found.iter().any(|f| f == w) {
            found.push(w.to_string());
        }
    };
    for w in words {
        if forms.iter().any(|f| f == w) || ENGLISH_OTHER.contains(w) {
            add(w);
        } else if hebrew_stems(w).any(|s| HEBREW.contains(&s)) {
            add(w);
        }
    }
    for phrase in ENGLISH_OTHER.iter().filter(|p| p.contains(' ')) {
        if has_phrase(words, phrase) {
            add(phrase);
        }
    }
    found
}

/// Postures a still can hold: a pose must name one of them.
pub const RESTING_POSTURES: &[&str] = &[
    "standing", "stands", "sitting", "sits", "seated", "kneeling", "kneels", "lying", "lies",
    "reclining", "crouching", "leaning", "resting", "still", "perched", "at rest", "posed",
    "עומדת", "עומד", "יושבת", "יושב", "כורעת", "שוכבת", "שוכב", "נשענת", "נחה", "דוממת", "ישובה",
];

pub fn names_a_resting_posture(words: &[&str]) -> bool {
    RESTING_POSTURES.iter().any(|p| if p.contains(' ') { has_phrase(words, p) } else { words.contains(p) })
        || words.iter().any(|w| hebrew_stems(w).skip(1).any(|s| RESTING_POSTURES.contains(&s)))
}

#[cfg(test)]
mod tests {
    use super::super::text::{normalise, words};
    use super::*;

    fn motion(text: &str) -> Vec<String> {
        let n = normalise(text);
        motion_words(&words(&n))
    }

    #[test]
    fn regular_inflections() {
        assert_eq!(inflect("run"), ["run", "runs", "running", "runned"]);
        assert_eq!(inflect("dance"), ["dance", "dances", "dancing", "danced"]);
        assert_eq!(inflect("fly"), ["fly", "flies", "flying", "flied"]);
        assert_eq!(inflect("splash"), ["splash", "splashes", "splashing", "splashed"]);
        assert_eq!(inflect("nod"), ["nod", "nods", "nodding", "nodded"]);
        assert_eq!(inflect("sway"), ["sway", "sways", "swaying", "swayed"]);
        assert_eq!(inflect("flutter"), ["flutter", "flutters", "fluttering", "fluttered"]);
    }

    #[test]
    fn english_motion_in_every_inflection() {
        for text in ["she runs", "running", "ran", "jumped", "twirling skirt", "leapt", "flying", "flew", "waving"] {
            assert!(!motion(text).is_empty(), "{text}");
        }
        assert_eq!(motion("hair blowing in motion"), ["blowing", "motion", "in motion"]);
    }

    #[test]
    fn states_are_not_motion() {
        for text in [
            "fallen leaves", "a raised hand", "standing still", "seated on a bench", "turned head",
            "ocean waves", "sitting on a garden swing", "85mm zoom lens", "a rose garden", "stone steps",
        ] {
            assert!(motion(text).is_empty(), "{text}: {:?}", motion(text));
        }
    }

    #[test]
    fn hebrew_motion_with_prefixes_and_points() {
        assert_eq!(motion("מירי רוקדת בגשם"), ["רוקדת"]);
        assert_eq!(motion("והקופצת"), ["והקופצת"]);
        assert_eq!(motion("רָצָה"), ["רצה"]);
        assert!(motion("מירי עומדת בשקט").is_empty());
    }

    #[test]
    fn resting_postures() {
        let ok = normalise("Standing at rest, arms relaxed");
        assert!(names_a_resting_posture(&words(&ok)));
        let he = normalise("כשהיא יושבת על ספסל");
        assert!(names_a_resting_posture(&words(&he)));
        let no = normalise("arms relaxed");
        assert!(!names_a_resting_posture(&words(&no)));
    }
}
