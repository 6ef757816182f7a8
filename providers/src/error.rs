//! What can go wrong when talking to a generation provider, sorted by what the caller should do
//! next: fix the input (`Rejected`), wait and retry (`RateLimited`, `Unavailable`, `Timeout`,
//! `Transport`), or report a contract break (`Malformed`).
//!
//! The HTTP-status-to-variant mapping lives here so every provider client classifies failures the
//! same way, and workflows can decide on retries from `is_retryable` alone.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest slice of an unrecognised error body kept in a message.
const MAX_RAW_MESSAGE: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ProviderError {
    #[error(
        "the provider rejected the request (HTTP {status}): {message}; fix the input, retrying will not help"
    )]
    Rejected { status: u16, message: String },

    #[error("the provider is rate limiting us{}; retry later or lower concurrency", retry_hint(.retry_after))]
    RateLimited { retry_after: Option<Duration> },

    #[error("the provider is unavailable (HTTP {status}): {message}; retry later")]
    Unavailable { status: u16, message: String },

    #[error("the provider did not answer in time; retry, or raise the client timeout")]
    Timeout,

    #[error(
        "the provider's answer does not have the documented shape: {0}; the API may have changed"
    )]
    Malformed(String),

    #[error("could not reach the provider: {0}; check the network and the configured base URL")]
    Transport(String),
}

impl ProviderError {
    /// Whether sending the same request again can succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. }
            | Self::Unavailable { .. }
            | Self::Timeout
            | Self::Transport(_) => true,
            Self::Rejected { .. } | Self::Malformed(_) => false,
        }
    }

    /// A short name for the failure, for metrics labels.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Rejected { .. } => "rejected",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable { .. } => "unavailable",
            Self::Timeout => "timeout",
            Self::Malformed(_) => "malformed",
            Self::Transport(_) => "transport",
        }
    }

    /// Classifies a non-success HTTP answer. `retry_after` is the raw `Retry-After` header.
    pub(crate) fn from_status(status: u16, retry_after: Option<&str>, body: &[u8]) -> Self {
        match status {
            429 => Self::RateLimited {
                retry_after: retry_after.and_then(parse_retry_after),
            },
            400..=499 => Self::Rejected {
                status,
                message: error_message(body),
            },
            500..=599 => Self::Unavailable {
                status,
                message: error_message(body),
            },
            _ => Self::Malformed(format!("unexpected HTTP status {status}")),
        }
    }

    /// Classifies a failure of the HTTP exchange itself. `what` names the operation; the URL is
    /// left out on purpose because query strings may carry callback secrets.
    pub(crate) fn from_transport(what: &str, err: reqwest::Error) -> Self {
        if err.is_timeout() {
            return Self::Timeout;
        }
        Self::Transport(format!("{what}: {}", error_chain(&err.without_url())))
    }
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(" (retry after {} s)", wait.as_secs()),
        None => String::new(),
    }
}

/// `Retry-After` in its delay-seconds form; the HTTP-date form is not used by fal.
fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The human part of an error body: fal's `{"detail": "..."}`, its validation list
/// `{"detail":[{"loc":[...],"msg":"...","type":"..."}]}`, Google's
/// `{"error":{"code","message","status"}}`, Anthropic's `{"type":"error","error":{"type","message"}}`,
/// or a short slice of whatever came back.
fn error_message(body: &[u8]) -> String {
    if let Ok(json) = serde_json::from_slice::<Value>(body)
        && let Some(message) = detail_message(&json).or_else(|| nested_error_message(&json))
    {
        return message;
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "no error message in the response".to_owned();
    }
    cut(text, MAX_RAW_MESSAGE)
}

/// `text` up to `max` characters, marked when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Google and Anthropic both nest `{"message"}` under `error`, with the machine code beside it as
/// `status` (Google) or `type` (Anthropic). Some Google front ends wrap the object in a list.
fn nested_error_message(json: &Value) -> Option<String> {
    let json = match json {
        Value::Array(items) => items.first()?,
        other => other,
    };
    let error = json.get("error")?;
    let message = error.get("message")?.as_str()?;
    let code = error
        .get("status")
        .or_else(|| error.get("type"))
        .and_then(Value::as_str);
    Some(match code {
        Some(code) => format!("{message} ({code})"),
        None => message.to_owned(),
    })
}

/// Longest slice of an unexpected success body kept in a `Malformed` message.
const MAX_MALFORMED_SNIPPET: usize = 200;

/// Parses a success body, or says what did not fit and shows the start of what came back.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    what: &str,
    body: &[u8],
) -> Result<T, ProviderError> {
    serde_json::from_slice(body).map_err(|err| {
        let raw = String::from_utf8_lossy(body);
        ProviderError::Malformed(format!(
            "{what}: {err} in {:?}",
            cut(raw.trim(), MAX_MALFORMED_SNIPPET)
        ))
    })
}

/// A 2xx answer's headers and body.
pub(crate) struct Answer {
    pub headers: reqwest::header::HeaderMap,
    pub body: bytes::Bytes,
}

/// Sends `request` and returns a 2xx answer; anything else becomes the matching `ProviderError`.
/// `what` names the operation in messages; no URL is ever included.
pub(crate) async fn exchange(
    what: &str,
    request: reqwest::RequestBuilder,
) -> Result<Answer, ProviderError> {
    let response = request
        .send()
        .await
        .map_err(|err| ProviderError::from_transport(what, err))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|err| ProviderError::from_transport(what, err))?;
    if status.is_success() {
        return Ok(Answer { headers, body });
    }
    let retry_after = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok());
    Err(ProviderError::from_status(
        status.as_u16(),
        retry_after,
        &body,
    ))
}

fn detail_message(json: &Value) -> Option<String> {
    match json.get("detail")? {
        Value::String(detail) => Some(detail.clone()),
        Value::Array(items) => {
            let messages: Vec<String> = items.iter().filter_map(validation_message).collect();
            (!messages.is_empty()).then(|| messages.join("; "))
        }
        _ => None,
    }
}

/// One validation entry as `msg (at body.duration)`.
fn validation_message(item: &Value) -> Option<String> {
    let msg = item.get("msg")?.as_str()?;
    let location: Vec<String> = item
        .get("loc")
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .map(|part| match part {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    if location.is_empty() {
        Some(msg.to_owned())
    } else {
        Some(format!("{msg} (at {})", location.join(".")))
    }
}

/// reqwest hides the interesting cause (connection refused, DNS) behind "error sending request".
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_detail_lists_every_message_with_its_location() {
        let body = br#"{"detail":[{"loc":["body","duration"],"msg":"Input should be a valid string","type":"string_type"},{"loc":["body","prompt"],"msg":"Field required","type":"missing"}]}"#;
        let err = ProviderError::from_status(422, None, body);
        assert_eq!(
            err,
            ProviderError::Rejected {
                status: 422,
                message: "Input should be a valid string (at body.duration); Field required (at body.prompt)".into()
            }
        );
        assert!(!err.is_retryable());
    }

    #[test]
    fn string_detail_and_plain_text_bodies_are_surfaced() {
        let err =
            ProviderError::from_status(400, None, br#"{"detail":"Request is still in progress"}"#);
        assert!(err.to_string().contains("Request is still in progress"));

        let err = ProviderError::from_status(502, None, b"<html>bad gateway</html>");
        assert_eq!(
            err,
            ProviderError::Unavailable {
                status: 502,
                message: "<html>bad gateway</html>".into()
            }
        );
        assert!(err.is_retryable());
    }

    #[test]
    fn rate_limit_reads_retry_after_seconds_only() {
        assert_eq!(
            ProviderError::from_status(429, Some(" 7 "), b""),
            ProviderError::RateLimited {
                retry_after: Some(Duration::from_secs(7))
            }
        );
        assert_eq!(
            ProviderError::from_status(429, Some("Wed, 21 Oct 2015 07:28:00 GMT"), b""),
            ProviderError::RateLimited { retry_after: None }
        );
    }

    #[test]
    fn google_and_anthropic_error_bodies_are_surfaced_with_their_code() {
        let google =
            br#"{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT"}}"#;
        assert_eq!(
            ProviderError::from_status(400, None, google),
            ProviderError::Rejected {
                status: 400,
                message: "API key not valid. (INVALID_ARGUMENT)".into()
            }
        );
        let wrapped = br#"[{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}]"#;
        assert_eq!(
            ProviderError::from_status(503, None, wrapped),
            ProviderError::Unavailable {
                status: 503,
                message: "The model is overloaded. (UNAVAILABLE)".into()
            }
        );
        let anthropic =
            br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        let err = ProviderError::from_status(529, None, anthropic);
        assert_eq!(
            err,
            ProviderError::Unavailable {
                status: 529,
                message: "Overloaded (overloaded_error)".into()
            }
        );
        assert!(err.is_retryable());
    }

    #[test]
    fn undecodable_bodies_are_malformed_with_a_short_snippet() {
        let body = format!("<html>{}</html>", "y".repeat(1000));
        let err = decode::<Value>("generate", body.as_bytes()).unwrap_err();
        let ProviderError::Malformed(reason) = err else {
            panic!("expected Malformed");
        };
        assert!(reason.starts_with("generate: "), "{reason}");
        assert!(reason.contains("<html>yyy"), "{reason}");
        assert!(reason.len() < 400, "{reason}");
    }

    #[test]
    fn long_raw_bodies_are_cut() {
        let body = "x".repeat(2 * MAX_RAW_MESSAGE);
        let ProviderError::Rejected { message, .. } =
            ProviderError::from_status(418, None, body.as_bytes())
        else {
            panic!("4xx must be Rejected");
        };
        assert_eq!(message.chars().count(), MAX_RAW_MESSAGE + 1);
    }
}
