//! Where Google bearer tokens come from. Vertex AI (Gemini on Vertex, Vector Search) takes an
//! OAuth2 access token with the `cloud-platform` scope; minting one (ADC, a metadata server, a
//! service-account key) is a `TokenSource` of its own, so the clients never depend on how.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use reqwest::header::HeaderValue;

use crate::error::ProviderError;

/// A token request in flight. Boxed so clients can hold any source as `Arc<dyn TokenSource>`.
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<AccessToken, ProviderError>> + Send + 'a>>;

/// Hands out a currently valid access token for each request; refreshing is the source's job.
pub trait TokenSource: Send + Sync {
    fn token(&self) -> TokenFuture<'_>;
}

/// An OAuth2 access token. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The `Authorization` header value, marked sensitive so it is never logged.
    pub(crate) fn bearer(&self) -> Result<HeaderValue, ProviderError> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.0)).map_err(|_| {
            ProviderError::Malformed(
                "the access token contains characters an HTTP header cannot carry".to_owned(),
            )
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// One fixed token, e.g. from `gcloud auth print-access-token` or the simulator; it is not
/// refreshed, so it stops working when it expires (about an hour for user tokens).
#[derive(Debug, Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(AccessToken::new(token))
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }
}
