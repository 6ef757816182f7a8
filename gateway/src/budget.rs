//! The project's budget over REST: `GET /api/projects/{id}/budget` shows the ledger (cap, spent,
//! reserved, what waits for money), `PUT` sets a new cap (owners only) and wakes every shot that
//! paused for money, so paid work resumes without anyone restarting it.

use crate::{api::Op, auth::Caller, error::ApiError, rest::existing_project, server::AppState};
use axum::{
    Json,
    extract::{Path, State, rejection::JsonRejection},
};
use chrono::Utc;
use miri_core::budget::{Ledger, MAX_CAP_USD, Micros};
use miri_core::ShotId;
use miri_workflows::{ShotWorkflow, shot::BudgetRaised, shot_workflow_id};
use serde::Deserialize;
use serde_json::{Value, json};
use temporalio_client::WorkflowSignalOptions;

pub fn ops() -> Vec<Op> {
    vec![
        Op::get("/api/projects/{id}/budget", "The project's budget: cap, spent, reserved, waiting shots", show).answers(&[(200, "The ledger")]),
        Op::put("/api/projects/{id}/budget", "Set the budget cap; shots waiting for money resume when it allows", set_cap)
            .json::<SetCap>()
            .answers(&[(200, "The ledger, with the shots resumed"), (403, "Only an owner sets the budget")]),
    ]
}

async fn show(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let project = existing_project(&st, &caller, &id).await?.0.config.project_id;
    let view = match st.store.ledger(project).await? {
        Some((revision, ledger)) => view(&ledger, Some(revision)),
        // Never used yet: the cap it will open with.
        None => view(&Ledger::open(project, st.default_cap_usd_micros, Utc::now()), None),
    };
    Ok(Json(view))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetCap {
    cap_usd: f64,
}

async fn set_cap(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<SetCap>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let (project, member) = existing_project(&st, &caller, &id).await?;
    member.require_owner("change the budget")?;
    let project = project.config.project_id;
    let Json(SetCap { cap_usd }) = body.map_err(ApiError::from)?;
    if !cap_usd.is_finite() || !(0.0..=MAX_CAP_USD).contains(&cap_usd) {
        return Err(ApiError::BadRequest(format!("capUsd: {cap_usd} is not an amount between 0 and {MAX_CAP_USD} dollars")));
    }
    let cap = (cap_usd * 1e6).round() as Micros;
    let by = caller.name();
    let ((revision, ledger), ()) = st
        .store
        .update_ledger(project, st.default_cap_usd_micros, |l| (Some(l.set_cap(cap, &by, Utc::now())), ()))
        .await?;
    let mut resumed = Vec::new();
    for shot in waiting_shots(&ledger) {
        let handle = st.temporal.get_workflow_handle::<ShotWorkflow>(shot_workflow_id(shot));
        match handle.signal(ShotWorkflow::budget_raised, BudgetRaised { by: by.clone() }, WorkflowSignalOptions::default()).await {
            Ok(()) => resumed.push(shot),
            // A waiting shot re-reads the ledger by itself every few minutes too.
            Err(e) => tracing::warn!(%shot, "could not wake a shot waiting for budget: {e}"),
        }
    }
    let mut answer = view(&ledger, Some(revision));
    answer["resumed"] = json!(resumed);
    Ok(Json(answer))
}

fn waiting_shots(ledger: &Ledger) -> Vec<ShotId> {
    let mut shots: Vec<ShotId> = ledger.waiting.values().filter_map(|w| w.shot_id).collect();
    shots.sort_by_key(|s| s.to_string());
    shots.dedup();
    shots
}


fn view(ledger: &Ledger, revision: Option<u64>) -> Value {
    let reservations: Vec<Value> = ledger
        .reserved
        .iter()
        .map(|(key, r)| json!({"key": key, "shotId": r.shot_id, "model": r.model, "usdMicros": r.usd_micros}))
        .collect();
    let waiting: Vec<Value> = ledger
        .waiting
        .iter()
        .map(|(key, w)| json!({"key": key, "shotId": w.shot_id, "model": w.model, "neededUsdMicros": w.needed_usd_micros}))
        .collect();
    json!({
        "projectId": ledger.project_id,
        "currency": "USD",
        "capUsdMicros": ledger.cap_usd_micros,
        "spentUsdMicros": ledger.spent_usd_micros,
        "reservedUsdMicros": ledger.reserved_usd_micros(),
        "availableUsdMicros": ledger.available_usd_micros(),
        "reservations": reservations,
        "waiting": waiting,
        "lastChange": ledger.change,
        "revision": revision,
        "updatedAt": ledger.updated_at,
    })
}
