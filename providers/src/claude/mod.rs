//! Anthropic Claude through the Messages API, as a `LanguageModel`. `wire` maps the neutral
//! request to Anthropic's JSON and back; `client` carries it.

mod client;
mod wire;

pub use client::{ClaudeClient, ClaudeConfigError};
