//! The simulated model's answers to Miri's own tasks. Miri names each task by the title of the
//! response schema it sends (`miri.analysis`…) and passes its data as one fenced JSON document;
//! a real model reads both with its ears and judgement, the simulator with a few honest
//! heuristics, so an offline pipeline gets answers with the right shape *and* sensible content
//! (Moments that follow the lyrics, Parts that follow the sections). Any other schema is filled
//! generically ([`crate::schema_fill`]).

mod analysis;
mod assistant;
mod audit;
mod qa;
mod rule;
mod scenes;
mod shots;
mod story;
mod translation;

use serde_json::Value;

/// The answer to the task `title` asks, from the request's whole text; `None` for a task the
/// simulator does not know. `broken` asks for an answer that breaks the task's rules (the
/// `badAnswerRate` fault), as a careless model's would.
pub fn answer(title: &str, text: &str, broken: bool) -> Option<Value> {
    let data = miri_core::llm::read_data_block(text)?;
    match title {
        "miri.analysis" => Some(analysis::answer(&data, broken)),
        "miri.assistant" => Some(assistant::answer(&data, broken)),
        "miri.audit" => Some(audit::answer(&data, broken)),
        "miri.audit.clip" => Some(audit::clip_answer(&data, broken)),
        "miri.qa" => Some(qa::answer(&data, broken)),
        "miri.rule" => Some(rule::answer(&data, broken)),
        "miri.scenes" => Some(scenes::answer(&data, broken)),
        "miri.shots" => Some(shots::answer(&data, broken)),
        "miri.translation" => Some(translation::answer(&data)),
        "miri.story" => Some(story::answer(&data, broken)),
        _ => None,
    }
}

/// The director's newest message in the task's conversation (`data.conversation`), trimmed.
fn newest_said(data: &Value) -> String {
    data["conversation"]
        .as_array()
        .into_iter()
        .flatten()
        .rev()
        .find(|m| m["speaker"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .trim()
        .to_string()
}
