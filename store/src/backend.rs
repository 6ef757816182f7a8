//! The contract every storage backend keeps (SQLite, Firestore), checked by one conformance suite
//! (`store/tests/conformance.rs`). Backends store [`Entry`]s and never replace one: an append to a
//! taken (kind, id, revision) is [`StoreError::Conflict`] and leaves the original intact.

use crate::StoreError;
use crate::entry::{At, Entry, Kind, Under};
use futures::stream::BoxStream;
use std::future::Future;

pub trait Backend: Clone + Send + Sync + 'static {
    /// Appends every entry or none (one transaction). Each must be a new (kind, id, revision).
    fn append(&self, entries: Vec<Entry>) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// One revision of one entity, or `None` when there is no such entity (or none at `at`).
    fn read(&self, kind: Kind, id: &str, at: At) -> impl Future<Output = Result<Option<Entry>, StoreError>> + Send;

    /// For every entity of `kind` under `under`: its revision at `at` (entities with none are
    /// left out). Ordered by when each entity was first recorded, then by id.
    fn list(&self, kind: Kind, under: Under, at: At) -> impl Future<Output = Result<Vec<Entry>, StoreError>> + Send;

    /// Every revision of one entity, oldest first.
    fn history(&self, kind: Kind, id: &str) -> impl Future<Output = Result<Vec<Entry>, StoreError>> + Send;

    /// Every entry appended under `project` from now on, in the order they were appended.
    fn feed(&self, project: &str) -> impl Future<Output = Result<BoxStream<'static, Result<Entry, StoreError>>, StoreError>> + Send;

    /// Largest body the backend stores inline (Firestore: a document is at most 1 MiB); larger
    /// bodies are moved to media by the typed layer.
    fn max_body_bytes(&self) -> Option<usize>;
}
