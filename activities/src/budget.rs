//! The ledger side of paid calls: estimate a submission from the exact input that will be paid
//! for, reserve it under the project's cap, settle it with the bill read from the output, or give
//! it back. Every step is one ledger revision through the store's read-decide-append loop, and
//! each is idempotent per version id, so a retried activity never counts a call twice.

use chrono::Utc;
use miri_core::budget::{Decision, Micros, PriceError, PriceTable};
use miri_core::{ProjectId, ShotId, VersionId};
use miri_store::{Records, StoreError};
use miri_workflows::contract::Budgeted;
use serde_json::Value;

/// Prices and the cap a project starts with, from configuration.
#[derive(Debug, Clone)]
pub struct BudgetPolicy {
    pub prices: PriceTable,
    pub default_cap_usd_micros: Micros,
}

#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    #[error(transparent)]
    Price(#[from] PriceError),
    #[error("the ledger could not be written: {0}")]
    Store(#[from] StoreError),
}

impl BudgetPolicy {
    /// Reserves what submitting `input` to `endpoint` will cost, under the key `version`.
    pub async fn reserve(
        &self,
        store: &Records,
        project: ProjectId,
        shot: ShotId,
        version: VersionId,
        endpoint: &str,
        input: &Value,
    ) -> Result<Budgeted, BudgetError> {
        let amount = self.prices.cost(endpoint, self.prices.fal_usage(endpoint, input)?)?;
        Ok(self.reserve_amount(store, project, Some(shot), &version.to_string(), endpoint, amount).await?)
    }

    /// Reserves `amount` for a call to `model` under `key` (unique per call, so a retry finds
    /// its own reservation).
    pub async fn reserve_amount(
        &self,
        store: &Records,
        project: ProjectId,
        shot: Option<ShotId>,
        key: &str,
        model: &str,
        amount: Micros,
    ) -> Result<Budgeted, StoreError> {
        let ((_, ledger), granted) = store
            .update_ledger(project, self.default_cap_usd_micros, |ledger| {
                match ledger.reserve(key, amount, model, shot, Utc::now()) {
                    Decision::Granted(next) => (Some(next), true),
                    Decision::Blocked(next) => (Some(next), false),
                    Decision::Unchanged { granted } => (None, granted),
                }
            })
            .await?;
        Ok(if granted {
            Budgeted::Granted { usd_micros: amount }
        } else {
            tracing::info!(%project, key, needed = amount, available = ledger.available_usd_micros(), "paid work paused: over the budget cap");
            Budgeted::Blocked { needed_usd_micros: amount, available_usd_micros: ledger.available_usd_micros() }
        })
    }

    /// What a finished request cost, read from what it made.
    pub fn actual(&self, endpoint: &str, input: &Value, output: &Value) -> Result<Micros, PriceError> {
        self.prices.cost(endpoint, self.prices.fal_actual(endpoint, input, output)?)
    }

    /// Replaces the reservation under `key` by its bill; nothing when already settled.
    pub async fn settle(&self, store: &Records, project: ProjectId, key: &str, actual: Micros) -> Result<(), StoreError> {
        store
            .update_ledger(project, self.default_cap_usd_micros, |ledger| (ledger.settle(key, actual, Utc::now()), ()))
            .await
            .map(drop)
    }

    /// Gives back the reservation under `key`; nothing when none is held.
    pub async fn release(&self, store: &Records, project: ProjectId, key: &str, reason: &str) -> Result<(), StoreError> {
        store
            .update_ledger(project, self.default_cap_usd_micros, |ledger| (ledger.release(key, reason, Utc::now()), ()))
            .await
            .map(drop)
    }
}
