//! The Gemini client: where each call goes on each backend, which credential it carries, and
//! `generateContent`.
//!
//! The API key goes out only as a sensitive `x-goog-api-key` header added per request (never as a
//! default header: Files API upload chunks must go without it), and never appears in `Debug`
//! output or error messages. Redirects are not followed.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use miri_core::llm::{GenerateError, GenerateRequest, LanguageModel, Reply};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{RequestBuilder, redirect};
use url::Url;

use super::files::FileSettings;
use super::wire::{GenerateAnswer, GenerateBody};
use crate::error::{ProviderError, decode, exchange};
use crate::vertex::TokenSource;

const API_KEY_HEADER: &str = "x-goog-api-key";
/// The Gemini API version; `responseJsonSchema` and the Files API are on v1beta.
const GEMINI_API_VERSION: &str = "v1beta";
const VERTEX_API_VERSION: &str = "v1";

/// Which door to Gemini, and its credential.
pub enum GeminiBackend {
    /// The Gemini API, authenticated by an API key (`GEMINI_API_KEY`).
    GeminiApi { key: String },
    /// Vertex AI in `project` and `location` (`global` for Gemini 3 previews), authenticated by
    /// bearer tokens from `tokens`.
    Vertex {
        project: String,
        location: String,
        tokens: Arc<dyn TokenSource>,
    },
}

/// Why a `GeminiClient` could not be built; all are configuration mistakes.
#[derive(Debug, thiserror::Error)]
pub enum GeminiConfigError {
    #[error("the Gemini API key is empty; set GEMINI_API_KEY")]
    EmptyKey,
    #[error(
        "the Gemini API key contains characters an HTTP header cannot carry; check GEMINI_API_KEY for stray whitespace or newlines"
    )]
    InvalidKey,
    #[error("the Vertex AI project or location is empty; set both in the configuration")]
    MissingVertexLocation,
    #[error(
        "the Gemini base URL {0} is not an http(s) URL; use https://generativelanguage.googleapis.com or https://{{LOC}}-aiplatform.googleapis.com"
    )]
    BaseUrl(Url),
    #[error("could not set up the HTTP client ({0}); check the TLS setup of this machine")]
    HttpClient(String),
}

/// How requests are authenticated, resolved once at construction.
pub(super) enum Auth {
    Key(HeaderValue),
    Vertex {
        project: String,
        location: String,
        tokens: Arc<dyn TokenSource>,
    },
}

pub struct GeminiClient {
    pub(super) http: reqwest::Client,
    pub(super) base_url: Url,
    pub(super) auth: Auth,
    pub(super) files: FileSettings,
}

impl fmt::Debug for GeminiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match &self.auth {
            Auth::Key(_) => "Gemini API (key <redacted>)".to_owned(),
            Auth::Vertex {
                project, location, ..
            } => format!("Vertex AI {project}/{location} (token <redacted>)"),
        };
        f.debug_struct("GeminiClient")
            .field("base_url", &self.base_url.as_str())
            .field("backend", &backend)
            .field("files", &self.files)
            .finish()
    }
}

impl GeminiClient {
    /// `timeout` bounds each HTTP exchange as a whole (one upload chunk is one exchange).
    pub fn new(
        base_url: Url,
        backend: GeminiBackend,
        timeout: Duration,
    ) -> Result<Self, GeminiConfigError> {
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(GeminiConfigError::BaseUrl(base_url));
        }
        let auth = match backend {
            GeminiBackend::GeminiApi { key } => {
                if key.is_empty() {
                    return Err(GeminiConfigError::EmptyKey);
                }
                let mut value =
                    HeaderValue::from_str(&key).map_err(|_| GeminiConfigError::InvalidKey)?;
                value.set_sensitive(true);
                Auth::Key(value)
            }
            GeminiBackend::Vertex {
                project,
                location,
                tokens,
            } => {
                if project.is_empty() || location.is_empty() {
                    return Err(GeminiConfigError::MissingVertexLocation);
                }
                Auth::Vertex {
                    project,
                    location,
                    tokens,
                }
            }
        };
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // Google never redirects these calls; following one could carry the key elsewhere.
            .redirect(redirect::Policy::none())
            .build()
            .map_err(|err| GeminiConfigError::HttpClient(err.to_string()))?;
        Ok(Self {
            http,
            base_url,
            auth,
            files: FileSettings::default(),
        })
    }

    /// Replaces the Files API settings (inline limit, chunk size, polling).
    pub fn with_file_settings(mut self, settings: FileSettings) -> Self {
        self.files = settings;
        self
    }

    /// `{base}/{segments…}` with each segment percent-encoded as needed.
    pub(super) fn url<'a>(&self, segments: impl IntoIterator<Item = &'a str>) -> Url {
        let mut url = self.base_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// The URL of `method` on `model`: `v1beta/models/{model}:{method}` on the Gemini API,
    /// `v1/projects/{P}/locations/{LOC}/publishers/google/models/{model}:{method}` on Vertex.
    pub(super) fn model_url(&self, model: &str, method: &str) -> Url {
        let model = model.strip_prefix("models/").unwrap_or(model);
        let last = format!("{model}:{method}");
        match &self.auth {
            Auth::Key(_) => self.url([GEMINI_API_VERSION, "models", &last]),
            Auth::Vertex {
                project, location, ..
            } => self.url([
                VERTEX_API_VERSION,
                "projects",
                project,
                "locations",
                location,
                "publishers",
                "google",
                "models",
                &last,
            ]),
        }
    }

    pub(super) fn is_vertex(&self) -> bool {
        matches!(self.auth, Auth::Vertex { .. })
    }

    /// Adds this backend's credential to `request`.
    pub(super) async fn authed(
        &self,
        request: RequestBuilder,
    ) -> Result<RequestBuilder, ProviderError> {
        Ok(match &self.auth {
            Auth::Key(key) => request.header(API_KEY_HEADER, key.clone()),
            Auth::Vertex { tokens, .. } => {
                request.header(AUTHORIZATION, tokens.token().await?.bearer()?)
            }
        })
    }
}

impl LanguageModel for GeminiClient {
    type Error = ProviderError;

    async fn generate(
        &self,
        request: &GenerateRequest,
    ) -> Result<Reply, GenerateError<ProviderError>> {
        let body = GenerateBody::from_request(request);
        let url = self.model_url(&request.model, "generateContent");
        let http = self
            .authed(self.http.post(url))
            .await
            .map_err(GenerateError::Provider)?
            .json(&body);
        let answer = exchange("generate content", http)
            .await
            .map_err(GenerateError::Provider)?;
        let answer: GenerateAnswer =
            decode("generate content", &answer.body).map_err(GenerateError::Provider)?;
        answer.into_reply()
    }
}
