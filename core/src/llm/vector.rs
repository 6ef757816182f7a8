//! A nearest-neighbour index over embeddings: shots, scenes and rules are found by meaning, and
//! restricts keep one project's vectors out of another's answers.

use std::future::Future;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Datapoint {
    pub id: String,
    pub vector: Vec<f32>,
    pub restricts: Vec<Restrict>,
}

/// A token filter: a datapoint matches a query's restrict in the same namespace when they share an
/// allowed token and no denied one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restrict {
    pub namespace: String,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

impl Restrict {
    pub fn allow(namespace: impl Into<String>, tokens: &[&str]) -> Self {
        Self {
            namespace: namespace.into(),
            allow: tokens.iter().map(|t| (*t).to_owned()).collect(),
            deny: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbor {
    pub id: String,
    /// As the index's distance measure defines it; for dot product, higher is closer.
    pub distance: f64,
}

pub trait VectorIndex {
    type Error: std::error::Error + Send + Sync + 'static;

    /// Inserts or replaces datapoints by id.
    fn upsert(
        &self,
        datapoints: &[Datapoint],
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Removes datapoints by id; unknown ids are not an error.
    fn remove(&self, ids: &[String]) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// The `k` nearest datapoints to `vector` that pass `restricts`, nearest first.
    fn find_neighbors(
        &self,
        vector: &[f32],
        k: u32,
        restricts: &[Restrict],
    ) -> impl Future<Output = Result<Vec<Neighbor>, Self::Error>> + Send;
}
