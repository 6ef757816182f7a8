//! Precise colours. "Blue" is a hundred blues and FLUX picks a different one per shot, so an
//! outfit or a prop changes colour between shots; a code does not. Colours of clothing and props
//! are written `hex #RRGGBB` (or `color #RRGGBB`), and a colour word without a code beside it is a
//! violation.

use super::text::{hebrew_stems, normalise, words};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A colour as `#RRGGBB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hex(pub [u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a colour code (write #RRGGBB with six hex digits)")]
pub struct BadHex(pub String);

impl Hex {
    pub fn parse(code: &str) -> Result<Self, BadHex> {
        let bad = || BadHex(code.chars().take(16).collect());
        let digits = code.strip_prefix('#').ok_or_else(bad)?;
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let byte = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).map_err(|_| bad());
        Ok(Self([byte(0)?, byte(2)?, byte(4)?]))
    }
}

impl fmt::Display for Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02X}{g:02X}{b:02X}")
    }
}

impl Serialize for Hex {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Hex::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Colour words, English and Hebrew (masculine, feminine and plural forms).
const COLOUR_WORDS: &[&str] = &[
    "red", "blue", "green", "yellow", "white", "black", "pink", "purple", "violet", "orange",
    "brown", "grey", "gray", "gold", "golden", "silver", "beige", "navy", "teal", "turquoise",
    "crimson", "scarlet", "maroon", "burgundy", "lavender", "lilac", "magenta", "cyan", "ivory",
    "cream", "khaki", "olive", "mint", "coral", "peach", "indigo", "azure", "amber", "emerald",
    "אדום", "אדומה", "אדומים", "אדומות", "כחול", "כחולה", "כחולים", "כחולות", "ירוק", "ירוקה",
    "ירוקים", "ירוקות", "צהוב", "צהובה", "צהובים", "צהובות", "לבן", "לבנה", "לבנים", "לבנות",
    "שחור", "שחורה", "שחורים", "שחורות", "ורוד", "ורודה", "ורודים", "ורודות", "סגול", "סגולה",
    "סגולים", "סגולות", "כתום", "כתומה", "כתומים", "כתומות", "חום", "חומים",
    "אפור", "אפורה", "אפורים", "אפורות", "זהוב", "זהובה", "כסוף", "כסופה", "תכלת", "בורדו", "בז'",
];

/// Words that introduce a code.
const CODE_WORDS: [&str; 3] = ["hex", "color", "colour"];

/// One problem with the colours in a clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColourProblem {
    /// A colour word with no `hex #RRGGBB` in its clause.
    Uncoded(String),
    /// Something after `#` that is not six hex digits.
    BadCode(String),
    /// A valid code not introduced by `hex` or `color`.
    Bare(String),
}

/// The colour problems of `text`, clause by clause (clauses end at `,` `;` `.` or a newline): each
/// colour word needs a code in its own clause, every code must be valid and introduced by `hex`
/// or `color`.
pub fn colour_problems(text: &str) -> Vec<ColourProblem> {
    let mut problems = Vec::new();
    for clause in normalise(text).split([',', ';', '.', '\n', '،']) {
        let mut coded = false;
        for (i, _) in clause.match_indices('#') {
            let code: String = clause[i..].chars().take_while(|c| *c == '#' || c.is_alphanumeric()).collect();
            let before = words(&clause[..i]);
            let introduced = before.last().is_some_and(|w| CODE_WORDS.contains(w));
            match Hex::parse(&code) {
                Err(_) => problems.push(ColourProblem::BadCode(code)),
                Ok(_) if !introduced => problems.push(ColourProblem::Bare(code)),
                Ok(_) => coded = true,
            }
        }
        if coded {
            continue;
        }
        // Words with their `#...` codes cut out, so `#ff0000` is not read as a word.
        let plain: String = clause.split('#').enumerate().map(|(n, part)| {
            if n == 0 { part } else { part.trim_start_matches(|c: char| c.is_alphanumeric()) }
        }).collect::<Vec<_>>().join(" ");
        for w in words(&plain) {
            if hebrew_stems(w).any(|s| COLOUR_WORDS.contains(&s)) {
                problems.push(ColourProblem::Uncoded(w.to_string()));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColourProblem::*;

    #[test]
    fn hex_parses_and_prints_upper_case() {
        assert_eq!(Hex::parse("#1b2a4A").unwrap().to_string(), "#1B2A4A");
        for bad in ["1B2A4A", "#1B2A4", "#1B2A4AA", "#GGGGGG", "#", "#١٢٣٤٥٦"] {
            assert!(Hex::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&Hex([255, 0, 16])).unwrap(), "\"#FF0010\"");
        assert!(serde_json::from_str::<Hex>("\"red\"").is_err());
    }

    #[test]
    fn coded_colours_pass() {
        assert!(colour_problems("navy blue dress hex #1B2A4A, wool scarf color #FFD700").is_empty());
        assert!(colour_problems("שמלה כחולה hex #1B2A4A").is_empty());
        assert!(colour_problems("a wooden bench").is_empty());
    }

    #[test]
    fn a_colour_word_needs_a_code_in_its_clause() {
        assert_eq!(colour_problems("red coat, boots hex #000000"), [Uncoded("red".into())]);
        assert_eq!(colour_problems("צעיף אדום"), [Uncoded("אדום".into())]);
        assert_eq!(colour_problems("והאדומה"), [Uncoded("והאדומה".into())]);
    }

    #[test]
    fn codes_must_be_valid_and_introduced() {
        assert_eq!(colour_problems("dress hex #12345"), [BadCode("#12345".into())]);
        assert_eq!(colour_problems("dress hex #GG0000"), [BadCode("#gg0000".into())]);
        assert_eq!(colour_problems("dress #FF0000"), [Bare("#ff0000".into())]);
    }
}
