//! The backend chosen by configuration (`MIRI_STORE=sqlite|firestore`): one type the services
//! hold, whichever backend is behind it.

use crate::backend::Backend;
use crate::entry::{At, Entry, Kind, Under};
use crate::{FirestoreBackend, SqliteBackend, StoreError};
use futures::stream::BoxStream;

#[derive(Clone)]
pub enum AnyBackend {
    Sqlite(SqliteBackend),
    Firestore(FirestoreBackend),
}

impl From<SqliteBackend> for AnyBackend {
    fn from(b: SqliteBackend) -> Self {
        Self::Sqlite(b)
    }
}

impl From<FirestoreBackend> for AnyBackend {
    fn from(b: FirestoreBackend) -> Self {
        Self::Firestore(b)
    }
}

impl Backend for AnyBackend {
    async fn append(&self, entries: Vec<Entry>) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(b) => b.append(entries).await,
            Self::Firestore(b) => b.append(entries).await,
        }
    }

    async fn read(&self, kind: Kind, id: &str, at: At) -> Result<Option<Entry>, StoreError> {
        match self {
            Self::Sqlite(b) => b.read(kind, id, at).await,
            Self::Firestore(b) => b.read(kind, id, at).await,
        }
    }

    async fn list(&self, kind: Kind, under: Under, at: At) -> Result<Vec<Entry>, StoreError> {
        match self {
            Self::Sqlite(b) => b.list(kind, under, at).await,
            Self::Firestore(b) => b.list(kind, under, at).await,
        }
    }

    async fn history(&self, kind: Kind, id: &str) -> Result<Vec<Entry>, StoreError> {
        match self {
            Self::Sqlite(b) => b.history(kind, id).await,
            Self::Firestore(b) => b.history(kind, id).await,
        }
    }

    async fn feed(&self, project: &str) -> Result<BoxStream<'static, Result<Entry, StoreError>>, StoreError> {
        match self {
            Self::Sqlite(b) => b.feed(project).await,
            Self::Firestore(b) => b.feed(project).await,
        }
    }

    fn max_body_bytes(&self) -> Option<usize> {
        match self {
            Self::Sqlite(b) => b.max_body_bytes(),
            Self::Firestore(b) => b.max_body_bytes(),
        }
    }
}
