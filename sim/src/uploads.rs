//! Files uploaded through Gemini's resumable Files API: open upload sessions and finished files,
//! kept in memory only (a restarted simulator has none, as files on the real service expire).
//!
//! A finished file reports `PROCESSING` until it has been looked at once, so clients exercise
//! the "poll until ACTIVE" step the real service requires for audio.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How long the real service keeps a file.
const FILE_LIFETIME_HOURS: i64 = 48;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UploadError {
    #[error("upload session {0} does not exist or has already been finalized; start a new upload")]
    UnknownSession(String),
    #[error(
        "X-Goog-Upload-Offset is {got} but {expected} bytes have been received; resume from {expected}"
    )]
    WrongOffset { expected: u64, got: u64 },
    #[error(
        "the upload was declared as {declared} bytes but {received} arrived; send the rest before finalizing"
    )]
    WrongLength { declared: u64, received: u64 },
}

/// What an upload start declared about the file.
#[derive(Debug, Clone)]
pub struct Declared {
    pub display_name: Option<String>,
    pub mime_type: String,
    pub size_bytes: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    Processing,
    Active,
}

impl FileState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Processing => "PROCESSING",
            Self::Active => "ACTIVE",
        }
    }
}

#[derive(Debug, Clone)]
pub struct StoredFile {
    pub id: String,
    pub display_name: Option<String>,
    pub mime_type: String,
    pub bytes: Arc<Vec<u8>>,
    pub sha256_hex: String,
    pub created_at: DateTime<Utc>,
    pub state: FileState,
}

impl StoredFile {
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.created_at + Duration::hours(FILE_LIFETIME_HOURS)
    }
}

/// The outcome of one chunk.
#[derive(Debug)]
pub enum Chunk {
    /// More may follow; this many bytes are in.
    Active {
        received: u64,
    },
    Final(StoredFile),
}

struct Session {
    declared: Declared,
    received: Vec<u8>,
}

#[derive(Default)]
pub struct Uploads {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<String, Session>,
    files: HashMap<String, StoredFile>,
}

impl Uploads {
    /// Opens a session; its id is the credential for the chunks.
    pub fn start(&self, declared: Declared) -> String {
        let id = Uuid::new_v4().simple().to_string();
        self.lock().sessions.insert(
            id.clone(),
            Session {
                declared,
                received: Vec::new(),
            },
        );
        id
    }

    /// Appends `bytes` at `offset` (which must be where the previous chunk ended) and, when
    /// `finalize`, turns the session into a file.
    pub fn chunk(
        &self,
        session: &str,
        offset: Option<u64>,
        bytes: &[u8],
        finalize: bool,
    ) -> Result<Chunk, UploadError> {
        let mut inner = self.lock();
        let open = inner
            .sessions
            .get_mut(session)
            .ok_or_else(|| UploadError::UnknownSession(session.to_owned()))?;
        let expected = open.received.len() as u64;
        if !bytes.is_empty() || offset.is_some() {
            let got = offset.unwrap_or(expected);
            if got != expected {
                return Err(UploadError::WrongOffset { expected, got });
            }
            open.received.extend_from_slice(bytes);
        }
        let received = open.received.len() as u64;
        if !finalize {
            return Ok(Chunk::Active { received });
        }
        if let Some(declared) = open.declared.size_bytes
            && declared != received
        {
            return Err(UploadError::WrongLength { declared, received });
        }
        let open = inner
            .sessions
            .remove(session)
            .expect("the session was just found");
        let id: String = Uuid::new_v4().simple().to_string()[..12].to_owned();
        let file = StoredFile {
            id: id.clone(),
            display_name: open.declared.display_name,
            mime_type: open.declared.mime_type,
            sha256_hex: hex::encode(Sha256::digest(&open.received)),
            bytes: Arc::new(open.received),
            created_at: Utc::now(),
            state: FileState::Processing,
        };
        inner.files.insert(id, file.clone());
        Ok(Chunk::Final(file))
    }

    /// How many bytes a session holds, for `X-Goog-Upload-Command: query`.
    pub fn received(&self, session: &str) -> Result<u64, UploadError> {
        self.lock()
            .sessions
            .get(session)
            .map(|open| open.received.len() as u64)
            .ok_or_else(|| UploadError::UnknownSession(session.to_owned()))
    }

    /// The file as a `GET` sees it; the first look finds it still processing, later ones active.
    pub fn look(&self, id: &str) -> Option<StoredFile> {
        let mut inner = self.lock();
        let file = inner.files.get_mut(id)?;
        let seen = file.clone();
        file.state = FileState::Active;
        Some(seen)
    }

    /// The file without moving its state, for `fileData` references.
    pub fn get(&self, id: &str) -> Option<StoredFile> {
        self.lock().files.get(id).cloned()
    }

    pub fn delete(&self, id: &str) -> bool {
        self.lock().files.remove(id).is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("uploads lock poisoned")
    }
}
