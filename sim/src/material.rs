//! What a simulated language model "says" is made from what it was told: the words of the request
//! and a pseudo-random stream seeded by the request's whole text. The same prompt therefore always
//! gets the same answer, a different prompt a different one, and every string in an answer can be
//! traced back to the input.

use sha2::{Digest, Sha256};

/// Used when a request carries no words at all (audio only, say).
const FALLBACK_WORDS: [&str; 4] = ["untitled", "sketch", "draft", "take"];

/// Words too common to carry a request's meaning; phrases prefer the others.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on",
    "or", "that", "the", "this", "to", "with", "you", "your",
];

pub struct Material {
    /// The request's content words in order (all its words when it has only stopwords).
    words: Vec<String>,
    state: u64,
}

impl Material {
    pub fn from_text(text: &str) -> Self {
        let all = words(text);
        let content: Vec<String> = all
            .iter()
            .filter(|word| !STOPWORDS.contains(&word.as_str()))
            .cloned()
            .collect();
        let words = match (content.is_empty(), all.is_empty()) {
            (false, _) => content,
            (true, false) => all,
            (true, true) => FALLBACK_WORDS.iter().map(|w| (*w).to_owned()).collect(),
        };
        let digest = Sha256::digest(text.as_bytes());
        let seed = u64::from_le_bytes(digest[..8].try_into().expect("a digest has 32 bytes"));
        Self { words, state: seed }
    }

    /// The next value of a splitmix64 stream: tiny, and stable across platforms and crate updates.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }

    /// One word of the input.
    pub fn word(&mut self) -> &str {
        let at = self.below(self.words.len() as u64) as usize;
        &self.words[at]
    }

    /// `min..=max` consecutive input words (wrapping around the end), joined by spaces.
    pub fn phrase(&mut self, min: usize, max: usize) -> String {
        let count = min + self.below((max.saturating_sub(min) + 1) as u64) as usize;
        let start = self.below(self.words.len() as u64) as usize;
        (0..count.max(1))
            .map(|i| self.words[(start + i) % self.words.len()].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A few sentences of input words, for answers with no schema.
    pub fn prose(&mut self) -> String {
        let sentences = 2 + self.below(2) as usize;
        (0..sentences)
            .map(|_| {
                let mut sentence = self.phrase(5, 12);
                if let Some(first) = sentence.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                sentence + "."
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Lower-case alphanumeric words of `text`.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_same_stream_different_text_different_stream() {
        let mut a = Material::from_text("neon rooftop at dusk");
        let mut b = Material::from_text("neon rooftop at dusk");
        let mut c = Material::from_text("quiet forest at dawn");
        assert_eq!(a.phrase(2, 4), b.phrase(2, 4));
        assert_ne!(a.next_u64(), c.next_u64());
    }

    #[test]
    fn phrases_use_content_words_of_the_input() {
        let mut m = Material::from_text("The singer in a red coat");
        for _ in 0..20 {
            for word in m.phrase(1, 3).split(' ') {
                assert!(["singer", "red", "coat"].contains(&word), "{word}");
            }
        }
    }
}
