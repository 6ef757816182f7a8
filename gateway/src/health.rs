//! Provider health as the workers see it: every worker leaves its circuit breakers' states in
//! Redis for a few seconds at a time (`{channel}:health:{worker}`); `GET /api/providers/health`
//! merges them per provider and `GET /metrics` shows them to Prometheus. A worker that stops
//! reporting drops out when its entry expires.

use crate::{api::Op, auth::Caller, error::ApiError, server::AppState};
use axum::{Json, extract::State, http::header, response::IntoResponse};
use miri_providers::breaker::{BreakerSnapshot, BreakerState, Provider};
use redis::AsyncCommands;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn ops() -> Vec<Op> {
    vec![
        Op::get("/api/providers/health", "Each provider's circuit breaker as the workers report it", health)
            .answers(&[(200, "{providers: [{provider, state, workers}], workers}"), (503, "Redis is unreachable")]),
        Op::get("/metrics", "Prometheus metrics: breaker states per provider and worker", metrics)
            .public()
            .answers(&[(200, "Prometheus text exposition format")]),
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

/// Prometheus text exposition of the breakers.
async fn metrics(State(st): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let reports = reports(&st).await?;
    let mut text = String::new();
    let families: [(&str, &str, &str, fn(&BreakerSnapshot) -> f64); 4] = [
        ("miri_provider_breaker_state", "gauge", "Circuit breaker state: 0 closed, 1 half-open, 2 open.", |s| f64::from(severity(s.state))),
        ("miri_provider_calls_total", "counter", "Provider calls made through the breaker.", |s| s.calls as f64),
        ("miri_provider_failures_total", "counter", "Provider calls that failed in a way retrying can fix.", |s| s.failures as f64),
        ("miri_provider_breaker_opened_total", "counter", "Times the breaker opened.", |s| s.opened as f64),
    ];
    for (name, kind, help, value) in families {
        let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (worker, snaps) in &reports {
            for s in snaps {
                let _ = writeln!(text, "{name}{{provider=\"{}\",worker=\"{}\"}} {}", s.provider.as_str(), escape(worker), value(s));
            }
        }
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text))
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
