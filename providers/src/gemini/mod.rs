//! Google Gemini, on either of its two doors: the Gemini API (generativelanguage.googleapis.com,
//! API key) and Vertex AI (bearer token). Same JSON body on both; only the URL and the credential
//! differ, so one client serves both and implements `LanguageModel` and `Embedder`.
//!
//! `wire` is the JSON, `client` the generate call, `files` the Files API and the inline-or-upload
//! choice for audio, `embed` the embeddings (`:batchEmbedContents` or Vertex `:predict`).

mod client;
mod embed;
mod files;
mod wire;

pub use client::{GeminiBackend, GeminiClient, GeminiConfigError};
pub use files::{FileError, FileSettings, FileState, GeminiFile};
