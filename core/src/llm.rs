//! What Miri asks of a language model, an embedding model and a vector index, in words that
//! belong to no provider.
//!
//! Activities are written against these traits; `miri-providers` implements them for Gemini
//! (Gemini API and Vertex AI), Claude and Vertex Vector Search. The model id travels in every
//! request because it comes from the role's `AgentConfig`, never from the client. Pure types: the
//! traits return futures, the I/O lives in the implementations.

mod embed;
mod reply;
mod request;
mod vector;

pub use embed::{EmbedRequest, Embedder, TaskType, l2_normalise};
pub use reply::{BlockReason, FinishReason, GenerateError, Reply, Usage};
pub use request::{
    Blob, BlobData, FunctionCall, FunctionResponse, GenerateRequest, Part, Role, ThoughtSignature,
    ToolChoice, ToolDeclaration, Turn,
};
pub use vector::{Datapoint, Neighbor, Restrict, VectorIndex};

use std::future::Future;

/// A model that answers a conversation with text or function calls.
pub trait LanguageModel {
    /// The provider's own failure (transport, HTTP, contract).
    type Error: std::error::Error + Send + Sync + 'static;

    fn generate(
        &self,
        request: &GenerateRequest,
    ) -> impl Future<Output = Result<Reply, GenerateError<Self::Error>>> + Send;
}
