//! Miri's storage: an append-only record store over interchangeable backends (SQLite, the
//! embedded default; Firestore in production) and a content-addressed media store. Nothing stored
//! is ever overwritten: a write that would replace a record fails, and that failure is the
//! optimistic-concurrency signal.

pub mod any;
pub mod backend;
pub mod entry;
pub mod error;
pub mod export;
pub mod firestore;
pub mod media;
pub mod record;
pub mod records;
pub mod sqlite;
pub mod store;

pub use any::AnyBackend;
pub use backend::Backend;
pub use entry::{At, Entry, Kind, Place, Under};
pub use error::StoreError;
pub use firestore::FirestoreBackend;
pub use media::{MediaError, MediaStore};
pub use record::Record;
pub use records::{Membership, ProviderRequest, Role, TokenRecord};
pub use sqlite::SqliteBackend;
pub use store::{Revised, Store};

/// The store the services use, on the configured backend.
pub type Records = Store<AnyBackend>;
