//! The request's trace id, in scope for everything the request's handler awaits: the gateway
//! sets it once per request (from the caller's `traceparent`, else fresh), and the service
//! layer reads it where it hands work to a workflow, so REST and gRPC need not thread it
//! through every call.

use miri_core::TraceId;
use std::future::Future;

tokio::task_local! {
    static CURRENT: TraceId;
}

/// A fresh random trace id.
pub fn fresh() -> TraceId {
    // A v4 UUID has its version bits set, so it is never the invalid all-zero id.
    TraceId::from_bytes(*uuid::Uuid::new_v4().as_bytes()).unwrap_or_else(|| unreachable!("a v4 UUID is never zero"))
}

/// Runs `work` with `id` as the current trace id.
pub async fn scope<F: Future>(id: TraceId, work: F) -> F::Output {
    CURRENT.scope(id, work).await
}

/// The trace id of the request being served, if any.
pub fn current() -> Option<TraceId> {
    CURRENT.try_with(|id| *id).ok()
}

/// A span that puts `trace` (when known) on every line logged in it: for work done on behalf
/// of a request outside that request, such as an activity or the provider's webhook.
pub fn span(trace: Option<TraceId>) -> tracing::Span {
    match trace {
        Some(trace) => tracing::info_span!("trace", trace_id = %trace),
        None => tracing::Span::none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_current_id_is_the_scopes_and_none_outside() {
        assert_eq!(current(), None);
        let id = fresh();
        let seen = scope(id, async {
            tokio::task::yield_now().await;
            current()
        })
        .await;
        assert_eq!(seen, Some(id));
        assert_ne!(fresh(), fresh());
    }
}
