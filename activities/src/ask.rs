//! One paid question to a model: reserve its estimate under the project's cap, ask, settle what
//! the provider reports it used (or give the reservation back when the call failed). Every role's
//! activity asks through here, so no model call goes unbudgeted.

use crate::budget::BudgetPolicy;
use crate::shot::{fail, retryable, store_failure};
use miri_core::budget::Usage;
use miri_core::ask::Refusal;
use miri_core::prompt::translate::{self, Translation};
use miri_core::llm::{FinishReason, GenerateError, GenerateRequest, LanguageModel, Part, Reply};
use miri_core::{AgentConfig, AgentRole, ProjectId, ShotId, agent::model_for};
use miri_providers::models::Models;
use miri_store::{At, Records, Under};
use miri_workflows::contract::{Budgeted, failure};
use temporalio_sdk::activities::ActivityError;

/// The answer budget of one structured call, in tokens (also what its reservation assumes).
pub const MAX_OUTPUT_TOKENS: u32 = 32_768;

/// The model the project's configuration gives `role`.
pub async fn model(store: &Records, role: AgentRole) -> Result<String, ActivityError> {
    let configs: Vec<AgentConfig> =
        store.list::<AgentConfig>(Under::All, At::Newest).await.map_err(store_failure)?.into_iter().map(|(_, c)| c).collect();
    Ok(model_for(&configs, role).to_string())
}

/// One paid call: whose budget pays, under which ledger key (unique per attempt), and for whom.
pub struct Call<'a> {
    pub project: ProjectId,
    pub key: &'a str,
    /// The shot that waits when the cap leaves too little: its wait stays in the ledger, so
    /// raising the cap resumes it. Without one, an over-the-cap call is simply not made.
    pub shot: Option<ShotId>,
    /// Milliseconds of attached audio, which count towards the estimate.
    pub audio_ms: u64,
}

impl<'a> Call<'a> {
    pub fn new(project: ProjectId, key: &'a str) -> Self {
        Self { project, key, shot: None, audio_ms: 0 }
    }
}

/// Asks `request` as the paid `call`.
pub async fn ask(
    models: &Models,
    budget: &BudgetPolicy,
    store: &Records,
    call: Call<'_>,
    mut request: GenerateRequest,
) -> Result<Reply, ActivityError> {
    let Call { project, key, shot, audio_ms } = call;
    request.max_output_tokens = Some(request.max_output_tokens.unwrap_or(MAX_OUTPUT_TOKENS));
    let model = request.model.clone();
    let estimate = Usage::Tokens {
        input: input_tokens(&request, audio_ms),
        output: u64::from(request.max_output_tokens.unwrap_or(MAX_OUTPUT_TOKENS)),
    };
    let amount = budget.prices.cost(&model, estimate).map_err(|e| fail(failure::UNPRICED, e.to_string()))?;
    if let Budgeted::Blocked { needed_usd_micros, available_usd_micros } =
        budget.reserve_amount(store, project, shot, key, &model, amount).await.map_err(store_failure)?
    {
        if shot.is_none() {
            // Nobody waits for this call: forget the wait.
            budget.release(store, project, key, "over the cap; not asked").await.map_err(store_failure)?;
        }
        return Err(fail(
            failure::OVER_BUDGET,
            format!(
                "asking {model} needs up to {needed_usd_micros} µ$ and {available_usd_micros} µ$ are left under the project's cap; raise the cap and try again"
            ),
        ));
    }
    let reply = match models.generate(&request).await {
        Ok(reply) => reply,
        Err(e) => {
            budget.release(store, project, key, &e.to_string()).await.map_err(store_failure)?;
            return Err(match e {
                GenerateError::Provider(e) if e.is_retryable() => retryable(e.to_string()),
                e => fail(failure::PROVIDER_REJECTED, e.to_string()),
            });
        }
    };
    let used = Usage::Tokens { input: reply.usage.input_tokens, output: reply.usage.output_tokens + reply.usage.thinking_tokens };
    let bill = budget.prices.cost(&model, used).unwrap_or(amount);
    budget.settle(store, project, key, bill).await.map_err(store_failure)?;
    Ok(reply)
}

/// `text` (a prompt) in Hebrew, as every prompt a director is shown, with the model that wrote
/// it: one paid call of the ORCHESTRATOR's translation task under ledger key `key`. An answer
/// cut short or without Hebrew is a retryable failure.
pub async fn hebrew(models: &Models, budget: &BudgetPolicy, store: &Records, project: ProjectId, key: &str, text: &str) -> Result<(String, String), ActivityError> {
    let model = self::model(store, AgentRole::Orchestrator).await?;
    let reply = ask(models, budget, store, Call::new(project, key), translate::request(&model, text)).await?;
    let answer = complete(&reply).map_err(|r| retryable(r.error))?;
    let hebrew = Translation::parse(&answer).map_err(|e| retryable(format!("the translation was refused: {e}")))?.hebrew;
    Ok((hebrew, model))
}

/// The answer's text, or — when the model stopped before finishing — the refusal to send back.
pub fn complete(reply: &Reply) -> Result<String, Refusal> {
    let text = reply.text();
    match reply.finish {
        FinishReason::Stop => Ok(text),
        ref other => Err(Refusal::new(&text, format!("the answer stopped early ({other:?}); answer completely and more briefly"))),
    }
}

/// Roughly what the request's input will count: text at four bytes a token, audio at 32 tokens a
/// second (Gemini's rate), rounded up.
fn input_tokens(request: &GenerateRequest, audio_ms: u64) -> u64 {
    let text: usize = request
        .system
        .iter()
        .map(String::len)
        .chain(request.turns.iter().flat_map(|t| &t.parts).map(|p| match p {
            Part::Text { text, .. } => text.len(),
            _ => 0,
        }))
        .sum();
    (text as u64).div_ceil(4) + audio_ms.div_ceil(1000) * 32
}
