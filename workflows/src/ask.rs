//! The refusal loop every model-made record goes through: ask, and while the answer is refused,
//! ask again with every refusal so far, at most [`MAX_ANSWERS`] times.

use crate::contract::Answered;
use miri_core::ask::Refusal;
use std::future::Future;
use temporalio_common::error::{ActivityExecutionError, IncomingError};

/// Answers a model may give before the step fails.
pub const MAX_ANSWERS: usize = 3;

#[derive(Debug)]
pub enum AskFailed {
    /// The activity itself failed (the provider, the store, the budget), with its message.
    Activity(String),
    /// Every answer was refused; the last reason.
    Refused(String),
}

/// Asks through `ask` (which gets the refusals so far) until an answer is stored; `refused` hears
/// of each refusal as it comes.
pub async fn until_valid<T, Fut>(
    mut ask: impl FnMut(Vec<Refusal>) -> Fut,
    mut refused: impl FnMut(&Refusal),
) -> Result<T, AskFailed>
where
    Fut: Future<Output = Result<Answered<T>, ActivityExecutionError>>,
{
    let mut refusals: Vec<Refusal> = Vec::new();
    while refusals.len() < MAX_ANSWERS {
        match ask(refusals.clone()).await {
            Ok(Answered::Stored(record)) => return Ok(record),
            Ok(Answered::Refused(refusal)) => {
                refused(&refusal);
                refusals.push(refusal);
            }
            Err(e) => return Err(AskFailed::Activity(message(&e))),
        }
    }
    Err(AskFailed::Refused(refusals.pop().map(|r| r.error).unwrap_or_default()))
}

/// An activity failure's own message (the application failure's, not the wrapper's).
pub fn message(e: &ActivityExecutionError) -> String {
    match e.cause() {
        Some(IncomingError::Application(a)) => a.to_string(),
        _ => e.to_string(),
    }
}
