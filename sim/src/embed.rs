//! Text embeddings without a model: feature hashing of words, word pairs and character trigrams
//! into a fixed number of dimensions, L2-normalised. Texts that share words and word fragments
//! land near each other, which is all retrieval tests need from a stand-in.

use crate::material::words;

/// Gemini's size when a caller asks for none (ours always truncate to this).
pub const DEFAULT_DIMENSIONS: usize = 768;
/// Refused above this, like the real API's limit on `outputDimensionality`.
pub const MAX_DIMENSIONS: usize = 3072;

/// The unit vector of `text` in `dimensions` dimensions (all zeros for a text with no words).
pub fn embed(text: &str, dimensions: usize) -> Vec<f32> {
    let mut vector = vec![0f32; dimensions.max(1)];
    let words = words(text);
    let mut add = |feature: &str, weight: f32| {
        let hash = fnv1a(feature.as_bytes());
        let slot = (hash % vector.len() as u64) as usize;
        let sign = if hash >> 63 == 0 { 1.0 } else { -1.0 };
        vector[slot] += sign * weight;
    };
    for (i, word) in words.iter().enumerate() {
        add(&format!("w:{word}"), 1.0);
        if let Some(next) = words.get(i + 1) {
            add(&format!("b:{word} {next}"), 0.5);
        }
        let padded: Vec<char> = format!("<{word}>").chars().collect();
        for gram in padded.windows(3) {
            add(&format!("c:{}", gram.iter().collect::<String>()), 0.3);
        }
    }
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
    vector
}

/// Roughly how many tokens `text` is: a token per four bytes, at least one per word.
pub fn token_estimate(text: &str) -> u64 {
    (text.len() as u64)
        .div_ceil(4)
        .max(words(text).len() as u64)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn unit_length_and_deterministic() {
        let v = embed("singer on a neon rooftop", 256);
        assert_eq!(v.len(), 256);
        assert!((cosine(&v, &v) - 1.0).abs() < 1e-5);
        assert_eq!(v, embed("singer on a neon rooftop", 256));
        assert!(embed("", 8).iter().all(|x| *x == 0.0));
    }
}
