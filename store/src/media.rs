//! Content-addressed media (stills, clips, songs) behind `object_store`: a local directory by
//! default, a Google Cloud Storage bucket in production. The key is the SHA-256 of the bytes, so
//! a stored object is never overwritten and the same bytes are stored once.

use bytes::Bytes;
use miri_core::MediaRef;
use object_store::{
    ObjectStore, PutMode, PutOptions, PutPayload, gcp::GoogleCloudStorageBuilder, local::LocalFileSystem, path::Path,
};
use sha2::{Digest, Sha256};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("not a media key: {0:?}")]
    BadKey(String),
    #[error("no media under {0}")]
    NotFound(String),
    #[error("media storage failed: {0}")]
    Storage(#[from] object_store::Error),
}

#[derive(Clone)]
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
    /// The URL of the store's root, ending in `/`; a key appended to it is the object's URL.
    base: String,
}

impl MediaStore {
    /// A media store in a local directory (created if missing).
    pub fn local(dir: &std::path::Path) -> Result<Self, MediaError> {
        std::fs::create_dir_all(dir).map_err(|e| object_store::Error::Generic { store: "local", source: e.into() })?;
        let store = LocalFileSystem::new_with_prefix(dir)?;
        let root = std::fs::canonicalize(dir).map_err(|e| object_store::Error::Generic { store: "local", source: e.into() })?;
        Ok(Self { store: Arc::new(store), base: format!("file://{}/", root.display()) })
    }

    /// A media store in a Google Cloud Storage bucket (production). Credentials come from
    /// `service_account_key` (a service account's JSON key) when given, else from the
    /// environment (`GOOGLE_APPLICATION_CREDENTIALS`, the metadata server on Cloud Run).
    pub fn gcs(bucket: &str, service_account_key: Option<&str>) -> Result<Self, MediaError> {
        let mut builder = GoogleCloudStorageBuilder::from_env().with_bucket_name(bucket);
        if let Some(key) = service_account_key {
            builder = builder.with_service_account_key(key);
        }
        Ok(Self { store: Arc::new(builder.build()?), base: format!("gs://{bucket}/") })
    }

    /// Stores `bytes` under their hash; storing the same bytes again is a no-op.
    pub async fn put(&self, bytes: Bytes, content_type: &str) -> Result<MediaRef, MediaError> {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let key = format!("sha256/{sha256}.{}", extension(content_type));
        let size = bytes.len() as u64;
        let opts = PutOptions { mode: PutMode::Create, ..Default::default() };
        match self.store.put_opts(&Path::from(key.as_str()), PutPayload::from(bytes), opts).await {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        let url = format!("{}{key}", self.base);
        Ok(MediaRef { key, url, sha256, size, content_type: content_type.to_string() })
    }

    /// Stores `bytes` under a key that already names their hash (an import); a key that is not
    /// a media key is refused, an existing object is left as it is.
    pub async fn put_at(&self, key: &str, bytes: Bytes) -> Result<(), MediaError> {
        if !is_media_key(key) {
            return Err(MediaError::BadKey(key.chars().take(100).collect()));
        }
        let opts = PutOptions { mode: PutMode::Create, ..Default::default() };
        match self.store.put_opts(&Path::from(key), PutPayload::from(bytes), opts).await {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, MediaError> {
        if !is_media_key(key) {
            return Err(MediaError::BadKey(key.chars().take(100).collect()));
        }
        match self.store.get(&Path::from(key)).await {
            Ok(r) => Ok(r.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(MediaError::NotFound(key.into())),
            Err(e) => Err(e.into()),
        }
    }
}

/// `sha256/<64 hex>.<ext>`: the only shape a key has, so no name from outside can reach a path.
pub fn is_media_key(key: &str) -> bool {
    let Some(rest) = key.strip_prefix("sha256/") else { return false };
    let Some((hash, ext)) = rest.split_once('.') else { return false };
    hash.len() == 64
        && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && (1..=5).contains(&ext.len())
        && ext.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        "video/mp4" => "mp4",
        "audio/mpeg" => "mp3",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_bytes_one_object_and_keys_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaStore::local(dir.path()).unwrap();
        let a = media.put(Bytes::from_static(b"frame"), "image/png").await.unwrap();
        let b = media.put(Bytes::from_static(b"frame"), "image/png").await.unwrap();
        assert_eq!(a, b);
        assert_eq!(a.size, 5);
        assert!(a.key.starts_with("sha256/") && a.key.ends_with(".png"));
        let on_disk = std::fs::canonicalize(dir.path()).unwrap().join(&a.key);
        assert_eq!(a.url, format!("file://{}", on_disk.display()), "the record says where the object is");
        assert_eq!(std::fs::read(&on_disk).unwrap(), b"frame");
        assert_eq!(media.get(&a.key).await.unwrap(), Bytes::from_static(b"frame"));
        assert!(matches!(media.get("../../etc/passwd").await, Err(MediaError::BadKey(_))));
        let missing = format!("sha256/{}.png", "0".repeat(64));
        assert!(matches!(media.get(&missing).await, Err(MediaError::NotFound(_))));
    }
}
