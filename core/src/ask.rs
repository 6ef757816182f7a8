//! Asking a model for a record. Miri validates every structured answer; one that cannot make a
//! valid record is refused with the field at fault, and the next attempt carries the refused
//! answer and the reason, so the model corrects itself instead of guessing again.

use crate::llm::{GenerateRequest, Part, Turn};
use serde::{Deserialize, Serialize};

/// The most of a refused answer sent back (the model sees its own words and the reason).
pub const MAX_REFUSED_ANSWER_CHARS: usize = 20_000;

/// A refused answer and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    pub answer: String,
    pub error: String,
}

impl Refusal {
    pub fn new(answer: &str, error: impl Into<String>) -> Self {
        Self { answer: answer.chars().take(MAX_REFUSED_ANSWER_CHARS).collect(), error: error.into() }
    }
}

/// The turns that follow the question: each refused answer, then why it was refused.
pub fn refusal_turns(refusals: &[Refusal]) -> Vec<Turn> {
    refusals
        .iter()
        .flat_map(|r| {
            [
                Turn::model(vec![Part::text(r.answer.clone())]),
                Turn::user(vec![Part::text(format!(
                    "That answer was refused: {}. Answer again with the whole answer, fixing that.",
                    r.error
                ))]),
            ]
        })
        .collect()
}

/// A structured question: `system` as the instruction, `question` as the first user turn, then
/// every refusal so far; the answer must match `schema`.
pub fn structured_request(
    model: &str,
    system: &str,
    question: Vec<Part>,
    schema: serde_json::Value,
    refusals: &[Refusal],
    temperature: f32,
) -> GenerateRequest {
    let mut turns = vec![Turn::user(question)];
    turns.extend(refusal_turns(refusals));
    let mut request = GenerateRequest::new(model, turns);
    request.system = Some(system.into());
    request.response_schema = Some(schema);
    request.temperature = Some(temperature);
    request
}
