//! Store errors, split by what the caller can do about them.

use crate::entry::Kind;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The (kind, entity, revision) slot is taken: someone else wrote first. Re-read and decide.
    #[error("{kind} {entity_id} revision {revision} already exists")]
    Conflict { kind: Kind, entity_id: String, revision: u64 },
    /// A record the caller named does not exist.
    #[error("{kind} {entity_id} does not exist")]
    NotFound { kind: Kind, entity_id: String },
    /// The SQLite database refused the statement (append-only triggers, constraints, I/O).
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database file is not a Miri database (or is damaged); nothing was written to it.
    #[error("{path} is not a usable Miri database: {reason}")]
    Unusable { path: String, reason: String },
    /// A remote backend (Firestore) failed; `retryable` says whether trying again may help.
    #[error("{backend}: {message}")]
    Remote { backend: &'static str, message: String, retryable: bool },
    /// A stored body no longer matches its type: a bug or a missing migration.
    #[error("stored {kind} {entity_id} does not decode: {source}")]
    Corrupt { kind: Kind, entity_id: String, source: serde_json::Error },
    /// A record too large for the backend could not be moved to media.
    #[error("{kind} {entity_id}: {message}")]
    Offload { kind: Kind, entity_id: String, message: String },
    #[error("migration {version} failed: {source}")]
    Migration { version: u32, source: rusqlite::Error },
    #[error("store task failed: {0}")]
    Task(String),
}
