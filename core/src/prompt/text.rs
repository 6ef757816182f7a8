//! Text as the rules see it. Prompts arrive from an LLM or a director in English, Hebrew or both;
//! before any rule looks at them, invisible characters (bidi marks, zero-width joiners) and Hebrew
//! vowel points are removed and letters are lower-cased, so "r\u{200B}unning" or a pointed Hebrew
//! verb cannot slip past a lexicon.

/// Characters that change nothing a model sees but could split a word: bidi controls, zero-width
/// characters, the BOM, soft hyphen.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Hebrew points and cantillation marks (niqqud), which a lexicon of plain spellings ignores.
fn is_hebrew_point(c: char) -> bool {
    matches!(c, '\u{0591}'..='\u{05BD}' | '\u{05BF}' | '\u{05C1}' | '\u{05C2}' | '\u{05C4}' | '\u{05C5}' | '\u{05C7}')
}

/// The text with invisible characters and points removed, lower-cased.
pub fn normalise(text: &str) -> String {
    text.chars().filter(|&c| !is_invisible(c) && !is_hebrew_point(c)).flat_map(char::to_lowercase).collect()
}

/// The words of normalised text: runs of letters, digits, apostrophes and Hebrew geresh inside a
/// word (so "Miri's" and "בז'" stay whole).
pub fn words(normalised: &str) -> Vec<&str> {
    normalised
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '\'' | '\u{05F3}' | '-')))
        .map(|w| {
            let w = w.trim_start_matches(['\'', '\u{05F3}', '-']).trim_end_matches('-');
            // A trailing apostrophe is a geresh after a Hebrew letter (בז'), a quote otherwise.
            let body = w.trim_end_matches(['\'', '\u{05F3}']);
            let hebrew = body.chars().last().is_some_and(|c| ('\u{05D0}'..='\u{05EA}').contains(&c));
            if hebrew && body.len() < w.len() { &w[..body.len() + w[body.len()..].chars().next().map_or(0, char::len_utf8)] } else { body }
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether the normalised text contains `phrase` (already lower-case, single spaces) as whole
/// words.
pub fn has_phrase(normalised_words: &[&str], phrase: &str) -> bool {
    let needle: Vec<&str> = phrase.split(' ').collect();
    normalised_words.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// The Hebrew one-letter prefixes (and, the, that, in, as, to, from) a word may carry.
pub fn hebrew_stems(word: &str) -> impl Iterator<Item = &str> {
    let mut rest = word;
    let mut out = vec![word];
    for _ in 0..2 {
        match rest.chars().next() {
            Some(c @ ('ו' | 'ה' | 'ש' | 'ב' | 'כ' | 'ל' | 'מ')) if rest.chars().count() > 2 => {
                rest = &rest[c.len_utf8()..];
                out.push(rest);
            }
            _ => break,
        }
    }
    out.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_and_points_are_removed() {
        assert_eq!(normalise("R\u{200B}unning\u{200F}"), "running");
        assert_eq!(normalise("רָץ"), "רץ");
        assert_eq!(normalise("\u{2067}מירי\u{2069} WAVES 👋"), "מירי waves 👋");
    }

    #[test]
    fn words_keep_apostrophes_and_hyphens_inside() {
        assert_eq!(words("miri's mid-calf, (dress)."), ["miri's", "mid-calf", "dress"]);
        assert_eq!(words("שמלה בז' -- ארוכה"), ["שמלה", "בז'", "ארוכה"]);
    }

    #[test]
    fn phrases_match_whole_words_only() {
        let text = normalise("Her mouth, open wide");
        let w = words(&text);
        assert!(has_phrase(&w, "mouth open"));
        assert!(!has_phrase(&w, "mouth ope"));
    }

    #[test]
    fn hebrew_prefixes_are_peeled() {
        let stems: Vec<&str> = hebrew_stems("והרוקדת").collect();
        assert_eq!(stems, ["והרוקדת", "הרוקדת", "רוקדת"]);
        assert_eq!(hebrew_stems("רץ").collect::<Vec<_>>(), ["רץ"]);
    }
}
