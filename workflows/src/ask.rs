//! The refusal loop every model-made record goes through: ask, and while the answer is refused,
//! ask again with every refusal so far, at most [`MAX_ANSWERS`] times.

use crate::contract::{Answered, HEARTBEAT_TIMEOUT, failure};
use miri_core::ask::Refusal;
use std::future::Future;
use std::time::Duration;
use temporalio_common::RetryPolicy;
use temporalio_common::error::{ActivityExecutionError, IncomingError};
use temporalio_sdk::ActivityOptions;

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

/// One model call and the store's reads and writes around it: a provider's refusal, a missing
/// record and the budget are final; the rest is retried.
pub fn model_call_opts() -> ActivityOptions {
    let retry = RetryPolicy::builder()
        .initial_interval(Duration::from_secs(1))
        .backoff_coefficient(2.0)
        .maximum_interval(Duration::from_secs(60))
        .maximum_attempts(6)
        .non_retryable_error_types(
            [failure::NOT_FOUND, failure::PROVIDER_REJECTED, failure::OVER_BUDGET, failure::UNPRICED].map(String::from),
        )
        .build();
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(600))
        .heartbeat_timeout(HEARTBEAT_TIMEOUT)
        .retry_policy(retry)
        .build()
}
