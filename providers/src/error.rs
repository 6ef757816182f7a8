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
/// `{"detail":[{"loc":[...],"msg":"...","type":"..."}]}`, or a short slice of whatever came back.
fn error_message(body: &[u8]) -> String {
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        if let Some(message) = detail_message(&json) {
            return message;
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "no error message in the response".to_owned();
    }
    match text.char_indices().nth(MAX_RAW_MESSAGE) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
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
