//! Log lines go to stderr (stdout carries what a command answers: a token, JSON). The format is
//! chosen by `MIRI_LOG_FORMAT`: `text` (the default, for a terminal) or `json` (one object a
//! line, the event's fields flattened beside `message`, with the spans it happened in — so the
//! trace id a request span carries is on every line it causes). `RUST_LOG` filters both.

use tracing_subscriber::EnvFilter;

/// The variable that picks the format.
pub const FORMAT_VAR: &str = "MIRI_LOG_FORMAT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

impl Format {
    /// Reads `MIRI_LOG_FORMAT`; unset or empty is text.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var(FORMAT_VAR).unwrap_or_default().trim() {
            "" | "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("{FORMAT_VAR}={other:?} is not a log format; use text or json")),
        }
    }
}

/// Installs the process's subscriber (once, at start).
pub fn init(format: Format) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,temporalio_sdk_core=warn".into());
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter);
    match format {
        Format::Text => builder.init(),
        Format::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(true).init(),
    }
}
