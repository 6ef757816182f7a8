//! One request's life after submission: wait in the queue, run for the model's latency, make the
//! media, record the outcome, then (in `Auto` mode) call the webhook.
//!
//! The latency is split in half between IN_QUEUE and IN_PROGRESS so polling clients see both.

use chrono::Utc;
use uuid::Uuid;

use crate::config::WebhookMode;
use crate::contract::{self, ContractError, Job};
use crate::faults::WebhookFate;
use crate::render::{self, Failure};
use crate::state::Sim;
use crate::store::RequestState;
use crate::webhook;

pub async fn run(sim: Sim, id: Uuid) {
    let Some(record) = sim.store().get(id).await else {
        return;
    };
    let job = match contract::validate(&record.endpoint, &record.input) {
        Ok(job) => Ok(job),
        Err(ContractError::Invalid(detail)) => Err(Failure { detail }),
        Err(ContractError::UnknownEndpoint) => {
            Err(Failure::new(None, "Unknown endpoint", "value_error"))
        }
    };
    let latency = match &job {
        Ok(Job::Clip { .. }) => sim.config().clip_latency,
        _ => sim.config().still_latency,
    };
    let queued = latency / 2;

    if record.state == RequestState::Queued {
        tokio::time::sleep(queued).await;
        match sim.store().advance(id, RequestState::Running).await {
            Ok(Some(_)) => {}
            Ok(None) => return,
            Err(err) => {
                tracing::error!(request_id = %id, %err, "could not record that the request started");
                return;
            }
        }
    }
    tokio::time::sleep(latency - queued).await;

    let outcome = match job {
        Ok(job) => render::make(&sim, id, &job).await,
        Err(failure) => Err(failure),
    };
    let finished_at = Utc::now();
    let state = match outcome {
        Ok(output) => RequestState::Completed {
            output,
            finished_at,
        },
        Err(Failure { detail }) => {
            tracing::warn!(request_id = %id, %detail, "request failed");
            RequestState::Failed {
                detail,
                finished_at,
            }
        }
    };
    let finished = sim.store().advance(id, state).await;
    sim.worker_finished(id);

    match finished {
        Ok(Some(record)) => {
            tracing::info!(request_id = %id, endpoint = %record.endpoint, "request finished");
            if sim.config().webhooks == WebhookMode::Auto {
                match sim.roll_webhook() {
                    WebhookFate::Drop => {
                        tracing::info!(request_id = %id, "fault injection: webhook dropped")
                    }
                    WebhookFate::Send { times } => {
                        for _ in 0..times {
                            webhook::deliver(&sim, &record).await;
                        }
                    }
                }
            }
        }
        Ok(None) => {}
        Err(err) => {
            tracing::error!(request_id = %id, %err, "could not record the request's outcome")
        }
    }
}
