//! `miri prompt validate FILE [--kind flux|kling|edit]`: the core's prompt rules from the command
//! line, for a director's or an LLM's request before anything is paid for. Prints
//! `{"valid": bool, "violations": [{"rule", "message"}]}`; exits 0 valid, 1 invalid, 2 when the
//! file cannot be read.

use miri_core::prompt::{Check, Violation, edit, flux, kling};
use serde_json::{Value, json};
use std::path::Path;

/// Largest file read: a prompt is kilobytes; anything bigger is not one.
const MAX_BYTES: u64 = 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Flux,
    Kling,
    Edit,
}

/// Why the file could not be judged at all.
#[derive(Debug, thiserror::Error)]
pub enum Unreadable {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} is {size} bytes; a prompt file is at most {MAX_BYTES}")]
    TooLarge { path: String, size: u64 },
    #[error("{path} is not UTF-8 text")]
    NotText { path: String },
}

pub fn read(path: &Path) -> Result<String, Unreadable> {
    let name = path.display().to_string();
    let io = |source| Unreadable::Io { path: name.clone(), source };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_BYTES {
        return Err(Unreadable::TooLarge { path: name, size });
    }
    String::from_utf8(std::fs::read(path).map_err(io)?).map_err(|_| Unreadable::NotText { path: name })
}

/// The kind a file holds when none is named: a JSON object with `resting_state` or `action` is a
/// Kling request, other JSON-looking text a FLUX request, plain text an edit command.
pub fn infer(text: &str) -> Kind {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) if m.contains_key("resting_state") || m.contains_key("action") => Kind::Kling,
        Ok(_) => Kind::Flux,
        Err(_) if text.trim_start().starts_with('{') => Kind::Flux,
        Err(_) => Kind::Edit,
    }
}

pub fn validate(kind: Kind, text: &str) -> Vec<Violation> {
    let json = || {
        serde_json::from_str::<Value>(text)
            .map_err(|e| vec![Violation::new(Check::Shape, format!("the file is not valid JSON: {e}"))])
    };
    match kind {
        Kind::Edit => edit::validate(text),
        Kind::Flux => json().map_or_else(|v| v, |v| flux::validate_json(&v)),
        Kind::Kling => json().map_or_else(|v| v, |v| kling::validate_json(&v)),
    }
}

/// Runs the command; returns the exit code.
pub fn run(file: &Path, kind: Option<Kind>) -> i32 {
    let text = match read(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("miri prompt validate: {e}");
            return 2;
        }
    };
    let violations = validate(kind.unwrap_or_else(|| infer(&text)), &text);
    println!("{}", json!({"valid": violations.is_empty(), "violations": violations}));
    if violations.is_empty() { 0 } else { 1 }
}
