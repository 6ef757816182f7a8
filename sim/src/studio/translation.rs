//! `miri.translation`: the prompt word by word through a small English–Hebrew glossary of the
//! words Miri's prompts use; tags, codes and words the glossary lacks stay as they are. A real
//! model translates; this keeps the offline pipeline's translations Hebrew and traceable.

use serde_json::{Value, json};

const GLOSSARY: &[(&str, &str)] = &[
    ("miri", "מירי"), ("girl", "ילדה"), ("young", "צעירה"), ("child", "ילד"), ("physique", "מבנה גוף"),
    ("loose", "רפוי"), ("fit", "גזרה"), ("heavy", "כבד"), ("fabric", "בד"), ("mouth", "פה"),
    ("closed", "סגור"), ("standing", "עומדת"), ("sitting", "יושבת"), ("at", "ב"), ("rest", "מנוחה"),
    ("in", "ב"), ("a", ""), ("the", ""), ("and", "ו"), ("with", "עם"), ("of", "של"), ("by", "ליד"),
    ("small", "קטן"), ("bedroom", "חדר שינה"), ("night", "לילה"), ("garden", "גן"), ("dusk", "בין ערביים"),
    ("sea", "ים"), ("seashore", "חוף הים"), ("moon", "ירח"), ("kitchen", "מטבח"), ("morning", "בוקר"),
    ("window", "חלון"), ("stars", "כוכבים"), ("bed", "מיטה"), ("wooden", "מעץ"), ("table", "שולחן"),
    ("dress", "שמלה"), ("long", "ארוכה"), ("sleeved", "שרוולים"), ("nightgown", "כתונת לילה"),
    ("skirt", "חצאית"), ("sweater", "סוודר"), ("cardigan", "קרדיגן"), ("lamp", "מנורה"), ("lantern", "פנס"),
    ("wide", "רחב"), ("shot", "שוט"), ("medium", "בינוני"), ("close", "קרוב"), ("up", ""), ("eye", "עין"),
    ("level", "גובה"), ("lens", "עדשה"), ("camera", "מצלמה"), ("soft", "רך"), ("light", "אור"),
    ("natural", "טבעי"), ("colour", "צבע"), ("color", "צבע"), ("cinematic", "קולנועי"), ("film", "סרט"),
    ("still", "תמונה"), ("key", "מפתח"), ("background", "רקע"), ("shallow", "רדוד"), ("depth", "עומק"),
    ("field", "שדה"), ("center", "מרכז"), ("third", "שליש"), ("she", "היא"), ("turns", "מסובבת"),
    ("her", "את"), ("head", "ראש"), ("toward", "אל"), ("slowly", "לאט"), ("hand", "יד"), ("hair", "שיער"),
    ("breeze", "משב רוח"), ("pushes", "מתקרבת"), ("scene", "סצנה"), ("prop", "אביזר"), ("placed", "מונח"),
    ("remove", "הסר"), ("change", "שנה"), ("add", "הוסף"), ("bench", "ספסל"), ("sky", "שמיים"),
    ("brighten", "הבהר"), ("darken", "החשך"), ("face", "פנים"), ("warm", "חם"), ("evenly", "באופן אחיד"),
    ("lit", "מואר"), ("dim", "עמום"), ("moonlight", "אור ירח"), ("gentle", "עדינים"), ("shadows", "צללים"),
    ("around", "סביב"), ("on", "על"), ("orange", "כתום"),
];

pub fn answer(data: &Value) -> Value {
    let prompt = data["prompt"].as_str().unwrap_or_default();
    let mut out = String::with_capacity(prompt.len() * 2);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            let lower = word.to_lowercase();
            match GLOSSARY.iter().find(|(en, _)| *en == lower) {
                Some((_, he)) => out.push_str(he),
                None => out.push_str(word),
            }
            word.clear();
        }
    };
    // Inside brackets (the tag) and after `#` (a colour code) nothing is translated.
    let mut verbatim = false;
    for c in prompt.chars() {
        match c {
            '[' | '#' => verbatim = true,
            ']' => verbatim = false,
            _ if !c.is_alphanumeric() => verbatim = verbatim && c != ' ' && c != '"' && c != ',',
            _ => {}
        }
        if c.is_alphabetic() && !verbatim {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    json!({ "hebrew": out })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_goes_into_hebrew_and_codes_stay() {
        let a = answer(&json!({ "prompt": "[x]_[y]_[FLUX2] {\"scene\": \"Miri in a small bedroom at night\", \"outfit\": \"dress hex #A7C7E7\"}" }));
        let he = a["hebrew"].as_str().unwrap();
        assert!(he.contains("מירי") && he.contains("חדר שינה") && he.contains("לילה"), "{he}");
        assert!(he.contains("#A7C7E7") && he.starts_with("[x]_[y]_[FLUX2]"), "{he}");
    }
}
