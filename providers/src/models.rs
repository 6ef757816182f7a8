//! The language models one worker can call, as one [`LanguageModel`]: the model id in each
//! request (from the role's `AgentConfig`) picks the provider, and every call goes through that
//! provider's breaker. A refused prompt or an unsupported input is the model's answer, not the
//! provider failing, so it passes the breaker as a success.

use crate::breaker::{Breakers, Provider, Refused};
use crate::claude::ClaudeClient;
use crate::error::ProviderError;
use crate::gemini::GeminiClient;
use miri_core::llm::{GenerateError, GenerateRequest, LanguageModel, Reply};

pub struct Models {
    pub gemini: Option<GeminiClient>,
    pub claude: Option<ClaudeClient>,
    pub breakers: Breakers,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("no provider is configured for model {0:?}; set GEMINI_API_KEY on the worker for gemini-* models, ANTHROPIC_API_KEY for claude-* models")]
    Unrouted(String),
    #[error(transparent)]
    Refused(#[from] Refused),
}

impl ModelError {
    /// Whether asking again later can succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unrouted(_) => false,
            Self::Refused(Refused::Open { .. }) => true,
            Self::Refused(Refused::Provider(e)) => e.is_retryable(),
        }
    }
}

/// The provider that serves `model`, by its family prefix.
pub fn provider_of(model: &str) -> Option<Provider> {
    let model = model.strip_prefix("models/").unwrap_or(model);
    if model.starts_with("gemini-") {
        Some(Provider::Gemini)
    } else if model.starts_with("claude-") {
        Some(Provider::Claude)
    } else {
        None
    }
}

impl LanguageModel for Models {
    type Error = ModelError;

    async fn generate(&self, request: &GenerateRequest) -> Result<Reply, GenerateError<ModelError>> {
        let unrouted = || GenerateError::Provider(ModelError::Unrouted(request.model.clone()));
        let provider = provider_of(&request.model).ok_or_else(unrouted)?;
        let breaker = self.breakers.get(provider);
        let answer = match provider {
            Provider::Gemini => {
                let client = self.gemini.as_ref().ok_or_else(unrouted)?;
                breaker.call(split(client.generate(request))).await
            }
            _ => {
                let client = self.claude.as_ref().ok_or_else(unrouted)?;
                breaker.call(split(client.generate(request))).await
            }
        };
        match answer {
            Ok(answer) => answer.map_err(|e| match e {
                GenerateError::Blocked { reason, message } => GenerateError::Blocked { reason, message },
                GenerateError::Unsupported(what) => GenerateError::Unsupported(what),
                GenerateError::Provider(never) => GenerateError::Provider(ModelError::Refused(Refused::Provider(never))),
            }),
            Err(refused) => Err(GenerateError::Provider(ModelError::Refused(refused))),
        }
    }
}

/// The provider's failures out for the breaker to count; the model's own refusals kept inside.
async fn split(
    call: impl Future<Output = Result<Reply, GenerateError<ProviderError>>>,
) -> Result<Result<Reply, GenerateError<ProviderError>>, ProviderError> {
    match call.await {
        Err(GenerateError::Provider(e)) => Err(e),
        other => Ok(other),
    }
}
