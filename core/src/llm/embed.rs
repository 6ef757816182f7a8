//! Text embeddings: many texts in, one vector each out, in the same order.

use std::future::Future;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbedRequest {
    /// The provider's embedding model id, from configuration.
    pub model: String,
    pub texts: Vec<String>,
    pub task: TaskType,
    /// Truncate vectors to this many dimensions; the provider's default when `None`.
    pub dimensions: Option<u32>,
}

/// What the vectors will be used for; the model tunes them to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskType {
    RetrievalQuery,
    RetrievalDocument,
    SemanticSimilarity,
    Classification,
    Clustering,
    QuestionAnswering,
    FactVerification,
    CodeRetrievalQuery,
}

pub trait Embedder {
    type Error: std::error::Error + Send + Sync + 'static;

    /// One vector per text, in order. Truncated vectors come back L2-normalised.
    fn embed(
        &self,
        request: &EmbedRequest,
    ) -> impl Future<Output = Result<Vec<Vec<f32>>, Self::Error>> + Send;
}

/// Scales `vector` to unit length, so dot product equals cosine similarity. Truncating an
/// embedding breaks its normalisation; a zero vector is left as it is.
pub fn l2_normalise(vector: &mut [f32]) {
    let norm = vector
        .iter()
        .map(|x| f64::from(*x) * f64::from(*x))
        .sum::<f64>()
        .sqrt();
    if norm > 0.0 {
        for x in vector.iter_mut() {
            *x = (f64::from(*x) / norm) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_vectors_have_unit_length_and_keep_direction() {
        let mut v = vec![3.0, 4.0];
        l2_normalise(&mut v);
        assert_eq!(v, vec![0.6, 0.8]);

        let mut zero = vec![0.0, 0.0];
        l2_normalise(&mut zero);
        assert_eq!(zero, vec![0.0, 0.0]);
    }
}
