//! Miri's storage: an append-only record store (SQLite, the embedded default) and a
//! content-addressed media store. Nothing stored is ever overwritten: a write that would replace
//! a record fails, and that failure is the optimistic-concurrency signal.

pub mod error;
pub mod media;
pub mod records;
pub mod sqlite;

pub use error::StoreError;
pub use media::{MediaError, MediaStore};
pub use records::{ProviderRequest, Role, TokenRecord};
pub use sqlite::SqliteStore;
