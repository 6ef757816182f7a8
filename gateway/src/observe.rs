//! What operators see of the gateway. Every request is served inside a span that carries its
//! trace id — the caller's W3C `traceparent`, else a fresh one — and is answered with that id in
//! `x-trace-id`, so a director reporting a failure hands operators the key to every log line it
//! caused; the id is in scope for the service layer, which passes it on to the workflows it
//! signals (and they to the provider's webhook). Each answer is counted by route and status.
//!
//! `GET /metrics` is the Prometheus text exposition: this process's counters plus what is true
//! of the studio when scraped (shots by status, budgets, Temporal workflows by status, every
//! worker's circuit breakers). It names every project, so only the studio's owner token reads it.

use crate::{api::Op, auth::Caller, error::ApiError, health, server::AppState};
use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use miri_core::{ShotStatus, TraceId};
use miri_telemetry::{metrics, trace};
use std::collections::BTreeMap;
use std::time::Instant;
use temporalio_client::WorkflowCountOptions;
use tracing::Instrument;

/// The response header that names the request's trace id.
pub const TRACE_HEADER: &str = "x-trace-id";

/// The workflow types counted by status.
const WORKFLOW_TYPES: [&str; 6] =
    ["ShotWorkflow", "SceneWorkflow", "AnalysisWorkflow", "BreakdownWorkflow", "StoryWorkflow", "RenderWorkflow"];

pub fn ops() -> Vec<Op> {
    vec![Op::get("/metrics", "Prometheus metrics (the studio owner's token)", scrape).answers(&[
        (200, "The text exposition format"),
        (403, "Only the studio's owner reads the metrics"),
    ])]
}

/// The middleware: trace span, `x-trace-id`, request metrics, one log line per change or error.
pub async fn observe(req: Request, next: Next) -> Response {
    let trace = req
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .and_then(TraceId::from_traceparent)
        .unwrap_or_else(trace::fresh);
    let method = req.method().clone();
    // The route's pattern, never the raw path: ids would make a label per shot.
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let span = tracing::info_span!("request", trace_id = %trace, method = %method, route = %route);
    let started = Instant::now();
    let mut response = trace::scope(trace, next.run(req)).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status();
    let m = metrics::global();
    m.http_requests.with_label_values(&[method.as_str(), &route, status.as_str()]).inc();
    m.http_seconds.with_label_values(&[method.as_str(), &route]).observe(elapsed.as_secs_f64());
    span.in_scope(|| {
        let ms = elapsed.as_millis() as u64;
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), ms, "answered");
        } else if method != Method::GET || status.is_client_error() {
            tracing::info!(status = status.as_u16(), ms, "answered");
        } else {
            tracing::debug!(status = status.as_u16(), ms, "answered");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&trace.to_string()) {
        response.headers_mut().insert(TRACE_HEADER, value);
    }
    response
}

async fn scrape(State(st): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    if !caller.is_admin() {
        return Err(ApiError::Forbidden("only the studio's owner token reads the metrics".into()));
    }
    let mut scrape = metrics::Scrape::default();
    for project in st.store.projects().await? {
        let id = project.config.project_id.to_string();
        let mut by_status: BTreeMap<&str, u64> = ShotStatus::ALL.into_iter().map(|s| (s.as_str(), 0)).collect();
        for (_, shot) in st.store.shots(project.config.project_id).await? {
            *by_status.entry(shot.status.as_str()).or_default() += 1;
        }
        for (status, n) in by_status {
            scrape.gauge("miri_shots", "Shots by project and status", &[("project", &id), ("status", status)], n as f64);
        }
        if let Some((_, ledger)) = st.store.ledger(project.config.project_id).await? {
            let usd = |micros: u64| micros as f64 / 1e6;
            scrape.gauge("miri_budget_spent_usd", "Settled provider bills", &[("project", &id)], usd(ledger.spent_usd_micros));
            scrape.gauge("miri_budget_reserved_usd", "Paid calls not yet billed", &[("project", &id)], usd(ledger.reserved_usd_micros()));
            scrape.gauge("miri_budget_cap_usd", "The project's budget cap", &[("project", &id)], usd(ledger.cap_usd_micros));
        }
    }
    workflow_counts(&st, &mut scrape).await;
    health::breaker_metrics(&st, &mut scrape).await;
    Ok(([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], metrics::render(&scrape)).into_response())
}

/// Temporal's count of each workflow type by execution status; when Temporal cannot answer,
/// `miri_temporal_up` says so and the rest of the scrape still goes out.
async fn workflow_counts(st: &AppState, scrape: &mut metrics::Scrape) {
    let mut up = 1.0;
    for kind in WORKFLOW_TYPES {
        let query = format!("WorkflowType = '{kind}' GROUP BY ExecutionStatus");
        match st.temporal.count_workflows(query, WorkflowCountOptions::default()).await {
            Ok(count) => {
                for group in count.groups() {
                    let status = group.get::<String>(0).unwrap_or_else(|| "unknown".into());
                    scrape.gauge(
                        "miri_workflows",
                        "Temporal workflows by type and execution status",
                        &[("type", kind), ("status", &status)],
                        group.count() as f64,
                    );
                }
            }
            Err(e) => {
                tracing::warn!("Temporal did not count {kind} workflows: {e}");
                up = 0.0;
            }
        }
    }
    scrape.gauge("miri_temporal_up", "Whether Temporal answered the workflow counts", &[], up);
}
