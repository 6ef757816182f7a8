//! Long activities tell Temporal they are alive while they wait (on a model, on a decoder), so a
//! worker killed mid-call has its activity retried on another worker once the heartbeat timeout
//! passes — seconds — instead of once the whole start-to-close timeout does — up to ten minutes.
//! The workflows give these activities `HEARTBEAT_TIMEOUT` (workflows/src/contract.rs).

use std::future::Future;
use std::time::Duration;
use temporalio_sdk::activities::ActivityContext;

/// How often a waiting activity heartbeats (well inside the workflows' heartbeat timeout).
const EVERY: Duration = Duration::from_secs(5);

/// Runs `work`, heartbeating every few seconds until it is done.
pub async fn alive<F: Future>(ctx: &ActivityContext, work: F) -> F::Output {
    tokio::pin!(work);
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = tick.tick() => {
                if let Err(e) = ctx.record_heartbeat(()).await {
                    tracing::warn!("heartbeat not recorded: {e}");
                }
            }
        }
    }
}
