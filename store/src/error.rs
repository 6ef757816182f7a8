//! Store errors, split by what the caller can do about them.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The (kind, entity, revision) slot is taken: someone else wrote first. Re-read and decide.
    #[error("{kind} {entity_id} revision {revision} already exists")]
    Conflict { kind: &'static str, entity_id: String, revision: u64 },
    /// The database refused the statement (append-only triggers, constraints, I/O).
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// A stored body no longer matches its type: a bug or a missing migration.
    #[error("stored {kind} {entity_id} does not decode: {source}")]
    Corrupt { kind: &'static str, entity_id: String, source: serde_json::Error },
    #[error("migration {version} failed: {source}")]
    Migration { version: u32, source: rusqlite::Error },
    #[error("store task failed: {0}")]
    Task(String),
}
