//! Provider health as the workers see it: every worker leaves its circuit breakers' states in
//! Redis for a few seconds at a time (`{channel}:health:{worker}`); `GET /api/providers/health`
//! merges them per provider, and `GET /metrics` (see `observe`) shows them per worker. A worker
//! that stops reporting drops out when its entry expires.

use crate::{api::Op, auth::Caller, error::ApiError, server::AppState};
use axum::{Json, extract::State};
use miri_telemetry::metrics::Scrape;
use miri_providers::breaker::{BreakerSnapshot, BreakerState, Provider};
use redis::AsyncCommands;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn ops() -> Vec<Op> {
    vec![
        Op::get("/api/providers/health", "Each provider's circuit breaker as the workers report it", health)
            .answers(&[(200, "{providers: [{provider, state, workers}], workers}"), (503, "Redis is unreachable")]),
    ]
}

/// Every reporting worker's breakers, by worker.
async fn reports(st: &AppState) -> Result<BTreeMap<String, Vec<BreakerSnapshot>>, ApiError> {
    let unavailable = |e: redis::RedisError| ApiError::Unavailable(format!("provider health is unavailable (Redis: {e})"));
    let mut conn = st.redis.connection().await.map_err(unavailable)?;
    let prefix = format!("{}:health:", st.events_channel);
    let keys: Vec<String> = {
        let mut iter = conn.scan_match::<_, String>(format!("{prefix}*")).await.map_err(unavailable)?;
        let mut keys = Vec::new();
        while let Some(key) = futures::StreamExt::next(&mut iter).await {
            keys.push(key.map_err(unavailable)?);
        }
        keys
    };
    let mut out = BTreeMap::new();
    for key in keys {
        let Some(raw): Option<String> = conn.get(&key).await.map_err(unavailable)? else { continue };
        match serde_json::from_str::<Vec<BreakerSnapshot>>(&raw) {
            Ok(snapshots) => {
                out.insert(key[prefix.len()..].to_string(), snapshots);
            }
            Err(e) => tracing::warn!("ignoring an unreadable health report under {key}: {e}"),
        }
    }
    Ok(out)
}

/// `{"providers": [{"provider", "state", "workers": [{"worker", ...snapshot}]}], "workers": n}`.
/// A provider's state is the worst any worker reports; `unknown` when no worker reports.
async fn health(State(st): State<AppState>, _c: Caller) -> Result<Json<Value>, ApiError> {
    let reports = reports(&st).await?;
    let providers: Vec<Value> = Provider::ALL
        .into_iter()
        .map(|provider| {
            let seen: Vec<(&String, &BreakerSnapshot)> = reports
                .iter()
                .flat_map(|(worker, snaps)| snaps.iter().filter(move |s| s.provider == provider).map(move |s| (worker, s)))
                .collect();
            let state = seen.iter().map(|(_, s)| severity(s.state)).max().map_or("unknown", |worst| match worst {
                2 => "open",
                1 => "halfOpen",
                _ => "closed",
            });
            let workers: Vec<Value> = seen
                .iter()
                .map(|(worker, s)| {
                    let mut v = json!(s);
                    v["worker"] = json!(worker);
                    v
                })
                .collect();
            json!({"provider": provider, "state": state, "workers": workers})
        })
        .collect();
    Ok(Json(json!({"providers": providers, "workers": reports.len()})))
}

fn severity(state: BreakerState) -> u8 {
    match state {
        BreakerState::Closed => 0,
        BreakerState::HalfOpen => 1,
        BreakerState::Open => 2,
    }
}

/// Every reporting worker's breakers, for the metrics; when Redis cannot answer,
/// `miri_health_reports_up` says so and the rest of the scrape still goes out.
pub(crate) async fn breaker_metrics(st: &AppState, scrape: &mut Scrape) {
    let reports = match reports(st).await {
        Ok(reports) => reports,
        Err(e) => {
            tracing::warn!("the workers' health reports are unreadable: {e}");
            scrape.gauge("miri_health_reports_up", "Whether the workers' health reports could be read", &[], 0.0);
            return;
        }
    };
    scrape.gauge("miri_health_reports_up", "Whether the workers' health reports could be read", &[], 1.0);
    for (worker, snaps) in &reports {
        for s in snaps {
            let labels = [("provider", s.provider.as_str()), ("worker", worker.as_str())];
            let state = f64::from(severity(s.state));
            scrape.gauge("miri_provider_breaker_state", "Circuit breaker state: 0 closed, 1 half-open, 2 open", &labels, state);
            scrape.counter("miri_provider_calls_total", "Provider calls made through the breaker", &labels, s.calls as f64);
            scrape.counter("miri_provider_failures_total", "Provider calls that failed in a way retrying can fix", &labels, s.failures as f64);
            scrape.counter("miri_provider_breaker_opened_total", "Times the breaker opened", &labels, s.opened as f64);
        }
    }
}
