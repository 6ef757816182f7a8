//! A reference to stored media. Media are content-addressed, so the hash is the identity and a
//! stored file is never overwritten.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaRef {
    /// The content-addressed storage key (`sha256/<hex>.<ext>`).
    pub key: String,
    /// Where the object lives (`gs://bucket/sha256/….png`, `file:///…/media/sha256/….png`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
}
