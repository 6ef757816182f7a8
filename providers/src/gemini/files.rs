//! The Gemini Files API, for media too large to send inline: a resumable upload, a wait until
//! Google has processed the file, and deletion. Only the Gemini API has it; Vertex AI reads
//! `gs://` objects instead.
//!
//! The upload session URL returned by the start call is itself the credential, so the chunks go
//! without the API key — and only to the configured origin.

use std::time::Duration;

use bytes::Bytes;
use miri_core::llm::{Blob, BlobData, Part};
use serde::{Deserialize, Serialize};
use url::Url;

use super::client::GeminiClient;
use crate::error::{ProviderError, decode, exchange};

const UPLOAD_URL_HEADER: &str = "x-goog-upload-url";
const UPLOAD_STATUS_HEADER: &str = "x-goog-upload-status";
/// Google accepts non-final resumable chunks only in multiples of this.
const CHUNK_GRANULARITY: usize = 256 * 1024;

/// Tuning of the Files API use; the defaults suit real songs.
#[derive(Debug, Clone)]
pub struct FileSettings {
    /// Media whose base64 form is at least this many bytes is uploaded rather than sent inline
    /// (Google's older, stricter 20 MB request limit).
    pub inline_limit: usize,
    /// Bytes per upload request, rounded down to a multiple of 256 KiB (at least one).
    pub chunk_size: usize,
    /// How often to ask whether an uploaded file is ready, and for how long in all.
    pub poll_interval: Duration,
    pub poll_limit: Duration,
}

impl Default for FileSettings {
    fn default() -> Self {
        Self {
            inline_limit: 20_000_000,
            chunk_size: 8 * 1024 * 1024,
            poll_interval: Duration::from_secs(2),
            poll_limit: Duration::from_secs(300),
        }
    }
}

impl FileSettings {
    fn chunk_size(&self) -> usize {
        (self.chunk_size / CHUNK_GRANULARITY).max(1) * CHUNK_GRANULARITY
    }
}

/// A file held by the Files API for 48 hours.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GeminiFile {
    /// `files/{id}`: what `file`, `wait_until_active` and `delete_file` take.
    pub name: String,
    /// What a `Part::FileRef` carries.
    pub uri: String,
    #[serde(alias = "mime_type", default)]
    pub mime_type: String,
    #[serde(default)]
    pub state: FileState,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FileState {
    #[default]
    Processing,
    Active,
    Failed,
    #[serde(other)]
    Unrecognised,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileError {
    #[error(
        "Google could not process the uploaded file {name}; check that it is a supported, uncorrupted media file and upload it again"
    )]
    Failed { name: String },

    #[error(
        "the uploaded file {name} was still not ready after {} s; retry later, or raise the file poll limit",
        .waited.as_secs()
    )]
    StillProcessing { name: String, waited: Duration },

    #[error(
        "Vertex AI has no Files API; send the media inline (smaller than the inline limit) or as a gs:// file reference"
    )]
    NoFilesApi,

    #[error(transparent)]
    Provider(#[from] ProviderError),
}

#[derive(Serialize)]
struct CreateBody<'a> {
    file: CreateFile<'a>,
}

#[derive(Serialize)]
struct CreateFile<'a> {
    display_name: &'a str,
}

#[derive(Deserialize)]
struct UploadAnswer {
    file: GeminiFile,
}

impl GeminiClient {
    /// A part carrying `data`: inline when small enough, else uploaded through the Files API and
    /// waited on until it is ready.
    pub async fn media_part(
        &self,
        mime_type: &str,
        data: Bytes,
        display_name: &str,
    ) -> Result<Part, FileError> {
        if data.len().div_ceil(3) * 4 < self.files.inline_limit {
            return Ok(Part::InlineData(Blob {
                mime_type: mime_type.to_owned(),
                data: BlobData::Bytes(data.to_vec()),
            }));
        }
        let file = self.upload_file(mime_type, data, display_name).await?;
        let file = self.wait_until_active(&file.name).await?;
        Ok(Part::FileRef {
            mime_type: mime_type.to_owned(),
            uri: file.uri,
        })
    }

    /// Uploads `data` in resumable chunks and returns the file as Google first describes it
    /// (usually still `Processing`).
    pub async fn upload_file(
        &self,
        mime_type: &str,
        data: Bytes,
        display_name: &str,
    ) -> Result<GeminiFile, FileError> {
        self.files_api()?;
        let start = self
            .http
            .post(self.url(["upload", "v1beta", "files"]))
            .header("x-goog-upload-protocol", "resumable")
            .header("x-goog-upload-command", "start")
            .header("x-goog-upload-header-content-length", data.len())
            .header("x-goog-upload-header-content-type", mime_type)
            .json(&CreateBody {
                file: CreateFile { display_name },
            });
        let started = exchange("start file upload", self.authed(start).await?).await?;
        let session = self.session_url(&started.headers)?;

        let chunk = self.files.chunk_size();
        let mut offset = 0;
        loop {
            let end = (offset + chunk).min(data.len());
            let last = end == data.len();
            let command = if last { "upload, finalize" } else { "upload" };
            // No API key here: the session URL is the credential.
            let request = self
                .http
                .post(session.clone())
                .header("x-goog-upload-command", command)
                .header("x-goog-upload-offset", offset)
                .body(data.slice(offset..end));
            let answer = exchange("upload file chunk", request).await?;
            let status = answer
                .headers
                .get(UPLOAD_STATUS_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let expected = if last { "final" } else { "active" };
            if status != expected {
                return Err(ProviderError::Malformed(format!(
                    "upload file chunk: X-Goog-Upload-Status is {status:?}, expected {expected:?}"
                ))
                .into());
            }
            if last {
                let uploaded: UploadAnswer = decode("finish file upload", &answer.body)?;
                return Ok(uploaded.file);
            }
            offset = end;
        }
    }

    /// The file's current description.
    pub async fn file(&self, name: &str) -> Result<GeminiFile, FileError> {
        self.files_api()?;
        let request = self.authed(self.http.get(self.file_url(name)?)).await?;
        let answer = exchange("get file", request).await?;
        Ok(decode("get file", &answer.body)?)
    }

    /// Polls the file until it is `ACTIVE`; `FAILED` and running out of time are errors.
    pub async fn wait_until_active(&self, name: &str) -> Result<GeminiFile, FileError> {
        let started = tokio::time::Instant::now();
        loop {
            let file = self.file(name).await?;
            match file.state {
                FileState::Active => return Ok(file),
                FileState::Failed => return Err(FileError::Failed { name: file.name }),
                FileState::Processing | FileState::Unrecognised => {}
            }
            let waited = started.elapsed();
            if waited >= self.files.poll_limit {
                return Err(FileError::StillProcessing {
                    name: file.name,
                    waited,
                });
            }
            tokio::time::sleep(self.files.poll_interval).await;
        }
    }

    /// Deletes the file; Google would drop it after 48 hours anyway.
    pub async fn delete_file(&self, name: &str) -> Result<(), FileError> {
        self.files_api()?;
        let request = self.authed(self.http.delete(self.file_url(name)?)).await?;
        exchange("delete file", request).await?;
        Ok(())
    }

    fn files_api(&self) -> Result<(), FileError> {
        if self.is_vertex() {
            Err(FileError::NoFilesApi)
        } else {
            Ok(())
        }
    }

    /// `v1beta/files/{id}` for a name of the form `files/{id}`.
    fn file_url(&self, name: &str) -> Result<Url, ProviderError> {
        match name.strip_prefix("files/") {
            Some(id) if !id.is_empty() && !id.contains('/') => {
                Ok(self.url(["v1beta", "files", id]))
            }
            _ => Err(ProviderError::Malformed(format!(
                "file name {name:?} is not of the form files/{{id}}"
            ))),
        }
    }

    /// The upload session from the start answer, which must stay on the configured origin.
    fn session_url(&self, headers: &reqwest::header::HeaderMap) -> Result<Url, ProviderError> {
        let raw = headers
            .get(UPLOAD_URL_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ProviderError::Malformed(
                    "start file upload: no X-Goog-Upload-URL header in the answer".to_owned(),
                )
            })?;
        let url = Url::parse(raw).map_err(|err| {
            ProviderError::Malformed(format!("start file upload: upload URL: {err}"))
        })?;
        if url.origin() != self.base_url.origin() {
            return Err(ProviderError::Malformed(format!(
                "start file upload: the upload URL is not on {}; refusing to send the file there",
                self.base_url.origin().ascii_serialization()
            )));
        }
        Ok(url)
    }
}
