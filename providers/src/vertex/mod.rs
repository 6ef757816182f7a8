//! Vertex AI: the bearer tokens its APIs take, and the Vector Search client (stream upserts,
//! removals, nearest-neighbour queries on a deployed index). Gemini on Vertex lives in `gemini/`
//! and borrows the token source from here.

mod auth;
mod vector_search;
mod wire;

pub use auth::{AccessToken, StaticToken, TokenFuture, TokenSource};
pub use vector_search::{VectorSearchClient, VectorSearchConfig, VectorSearchConfigError};
