//! Waiting for a provider's answer to one request: the verified webhook's signal, or — when
//! none came within the poll interval — the provider's status URL, read by an activity. Shots
//! and scene references wait the same way.

use crate::contract::{Polled, ProviderResult};
use std::future::Future;
use std::time::Duration;
use temporalio_common::error::ActivityExecutionError;
use temporalio_sdk::{CancellableFuture, WorkflowContext, workflows::select};

/// A workflow whose signals buffer provider results by request id.
pub trait Awaiting {
    fn result_of(&self, request_id: &str) -> Option<ProviderResult>;
}

#[derive(Debug)]
pub enum Waited {
    Cancelled,
    /// Polling the provider failed.
    Polling(Box<ActivityExecutionError>),
}

pub async fn await_result<W: Awaiting, Fut>(
    ctx: &WorkflowContext<W>,
    request_id: &str,
    poll_every: Duration,
    mut poll: impl FnMut() -> Fut,
) -> Result<ProviderResult, Waited>
where
    Fut: Future<Output = Result<Polled, ActivityExecutionError>>,
{
    loop {
        if let Some(r) = ctx.state(|s| s.result_of(request_id)) {
            return Ok(r);
        }
        let mut timer = std::pin::pin!(ctx.timer(poll_every.max(Duration::from_secs(1))));
        let signalled = select! {
            r = ctx.wait_condition(|s| s.result_of(request_id).is_some()) => {
                r.map_err(|_| Waited::Cancelled)?;
                true
            }
            _ = timer.as_mut() => false,
        };
        if signalled {
            timer.cancel();
            continue;
        }
        if let Polled::Done(r) = poll().await.map_err(|e| Waited::Polling(Box::new(e)))? {
            return Ok(r);
        }
    }
}
