//! `ShotWorkflow` (`shot:{shotId}`): one shot's lifecycle, read top to bottom as the process.
//! DRAFT → VALIDATION → GENERATING_IMAGE → AWAITING_APPROVAL → (approve) GENERATING_VIDEO →
//! COMPLETED; reject → DRAFT with the reason; refine → REFINING (a FLUX.2 edit) → AWAITING_APPROVAL
//! with the edited still; any failure → FAILED with the reason, from where a
//! new `generate` retries. Provider results arrive as signals (from verified webhooks) with a
//! timer beside each wait that falls back to polling. Every paid submission first reserves its
//! estimated cost in the project's ledger; over the cap the shot pauses until `budget_raised`,
//! and a submission that fails gives its reservation back (the saga's compensation).

use crate::ask::{AskFailed, MAX_ANSWERS, model_call_opts, until_valid};
use crate::contract::{
    Advance, AuditActivities, AuditPrompt, Budgeted, Ingest, LearnRule, PreconformClip, PrepareEdit, PreparePrompt, ProviderResult, ReleaseBudget, RenderActivities,
    HEARTBEAT_TIMEOUT, RenderFormat, ReserveBudget, ShotActivities, Submit, TranslatePrompt, failure,
};
use crate::RENDER_TASK_QUEUE;
use crate::provider::{self, Awaiting, Waited};
use crate::search::SHOT_STATUS;
use miri_core::prompt::flux::FluxPrompt;
use miri_core::{MessageId, ProjectId, RuleId, ShotId, ShotStatus, TraceId, VersionId, VersionKind};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, future::Future, time::Duration};
use temporalio_common::{
    RetryPolicy,
    error::{ActivityExecutionError, IncomingError},
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ActivityOptions, CancellableFuture, LocalActivityOptions, SyncWorkflowContext, WorkflowContext, WorkflowContextView,
    WorkflowResult, workflows::select,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShotInput {
    pub project_id: ProjectId,
    pub shot_id: ShotId,
    pub require_human_approval: bool,
    /// How long to wait for a webhook before polling the provider's status URL.
    pub poll_every_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Generate {
    pub by: String,
    /// The trace id of the request that sent this (its log lines and the paid call's join up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approve {
    pub by: String,
    /// The trace id of the request that sent this (its log lines and the paid call's join up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reject {
    pub by: String,
    pub reason: String,
    /// The trace id of the request that sent this (its log lines and the paid call's join up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceId>,
}

/// Refine the still awaiting approval with one short imperative edit command, or towards a
/// whole corrected prompt (`fix`, with `command` saying the change in words). A QA proposal
/// names itself, and is applied once however often its signal arrives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refine {
    pub by: String,
    pub command: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<FluxPrompt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<MessageId>,
    /// The trace id of the request that sent this (its log lines and the paid call's join up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Decision {
    Approved { by: String },
    Rejected { by: String, reason: String },
    Refine { by: String, command: String, fix: Option<FluxPrompt> },
}

/// The project's budget cap was raised (or the ledger changed): paused submissions try again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetRaised {
    pub by: String,
}

/// What the `state` query answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShotView {
    pub status: ShotStatus,
    pub versions: Vec<VersionId>,
    /// A paid submission is paused until the project's budget is raised.
    #[serde(default)]
    pub waiting_for_budget: bool,
}

/// Histories recorded before the ledger existed submit without reserving; new ones reserve.
const BUDGET_PATCH: &str = "budget-ledger";

/// Histories recorded before clips were conformed ahead of the render do not conform them.
const PRECONFORM_PATCH: &str = "preconform-clip";
/// Histories from before prompts were translated replay without the translation step.
const TRANSLATION_PATCH: &str = "prompt-translation";
/// Histories from before the AUDITOR replay without the audit.
const AUDIT_PATCH: &str = "prompt-audit";
/// Histories from before clip prompts were audited replay without that audit.
const CLIP_AUDIT_PATCH: &str = "clip-audit";
/// Histories from before the rulebook replay without learning from rejections.
const RULEBOOK_PATCH: &str = "rulebook";

/// Corrected prompts one VALIDATION tries before the shot fails.
pub const MAX_FIXES: u32 = 2;

/// A paused submission looks at the ledger again this often, in case a `budget_raised` signal
/// was lost between the cap's change and its announcement.
const BUDGET_RECHECK: Duration = Duration::from_secs(300);

/// Bound on buffered provider results, so forged-but-signed noise cannot grow history state.
const MAX_BUFFERED_RESULTS: usize = 32;

#[workflow]
pub struct ShotWorkflow {
    input: ShotInput,
    status: ShotStatus,
    generate_requests: u32,
    /// The director's decision on this attempt's still. The gateway forwards approve/reject only
    /// once the store shows AWAITING_APPROVAL, which the ingest activity writes before this
    /// workflow sees its result — so a decision may arrive first and must be kept.
    decision: Option<Decision>,
    results: BTreeMap<String, ProviderResult>,
    versions: Vec<VersionId>,
    budget_raises: u32,
    waiting_for_budget: bool,
    /// The QA proposals already taken as a decision.
    proposals: Vec<MessageId>,
    /// The trace of the newest request that moved this shot on: the next paid call carries it.
    trace: Option<TraceId>,
}

impl Awaiting for ShotWorkflow {
    fn result_of(&self, request_id: &str) -> Option<ProviderResult> {
        self.results.get(request_id).cloned()
    }
}

/// Why an attempt stopped short of COMPLETED.
enum Stop {
    Rejected,
    Failed(String),
}

#[workflow_methods]
impl ShotWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: ShotInput) -> Self {
        Self {
            input,
            status: ShotStatus::Draft,
            generate_requests: 0,
            decision: None,
            results: BTreeMap::new(),
            versions: Vec::new(),
            budget_raises: 0,
            waiting_for_budget: false,
            proposals: Vec::new(),
            trace: None,
        }
    }

    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<ShotView> {
        loop {
            ctx.wait_condition(|s| s.generate_requests > 0).await?;
            ctx.state_mut(|s| s.generate_requests = 0);
            if ctx.state(|s| s.status) == ShotStatus::Failed {
                advance(ctx, ShotStatus::Draft, Some("retry requested".into())).await?;
            }
            match attempt(ctx).await {
                Ok(()) => return Ok(ctx.state(|s| s.view())),
                Err(Stop::Rejected) => {}
                Err(Stop::Failed(reason)) => {
                    advance(ctx, ShotStatus::Failed, Some(reason)).await?;
                }
            }
        }
    }

    #[signal]
    pub fn generate(&mut self, _ctx: &mut SyncWorkflowContext<Self>, g: Generate) {
        self.generate_requests += 1;
        self.trace = g.trace.or(self.trace);
    }

    #[signal]
    pub fn provider_result(&mut self, _ctx: &mut SyncWorkflowContext<Self>, r: ProviderResult) {
        if self.results.len() < MAX_BUFFERED_RESULTS {
            self.results.entry(r.request_id.clone()).or_insert(r);
        }
    }

    #[signal]
    pub fn approve(&mut self, _ctx: &mut SyncWorkflowContext<Self>, a: Approve) {
        if self.decision.is_none() {
            self.decision = Some(Decision::Approved { by: a.by });
            self.trace = a.trace.or(self.trace);
        }
    }

    #[signal]
    pub fn reject(&mut self, _ctx: &mut SyncWorkflowContext<Self>, r: Reject) {
        if self.decision.is_none() {
            self.decision = Some(Decision::Rejected { by: r.by, reason: r.reason });
            self.trace = r.trace.or(self.trace);
        }
    }

    #[signal]
    pub fn refine(&mut self, _ctx: &mut SyncWorkflowContext<Self>, r: Refine) {
        if self.decision.is_some() || r.proposal.is_some_and(|p| self.proposals.contains(&p)) {
            return;
        }
        self.proposals.extend(r.proposal);
        self.trace = r.trace.or(self.trace);
        self.decision = Some(Decision::Refine { by: r.by, command: r.command, fix: r.fix });
    }

    #[signal]
    pub fn budget_raised(&mut self, _ctx: &mut SyncWorkflowContext<Self>, _b: BudgetRaised) {
        self.budget_raises += 1;
    }

    #[query]
    pub fn state(&self, _ctx: &WorkflowContextView) -> ShotView {
        self.view()
    }
}

impl ShotWorkflow {
    fn view(&self) -> ShotView {
        ShotView { status: self.status, versions: self.versions.clone(), waiting_for_budget: self.waiting_for_budget }
    }
}

type Ctx = WorkflowContext<ShotWorkflow>;

/// One pass from DRAFT: still, approval, clip.
async fn attempt(ctx: &Ctx) -> Result<(), Stop> {
    let input = ctx.state(|s| s.input.clone());
    ctx.state_mut(|s| s.decision = None);
    advance(ctx, ShotStatus::Validation, None).await.map_err(failed)?;

    let still_prompt = new_version(ctx);
    let prepare = PreparePrompt {
        shot_id: input.shot_id,
        version_id: still_prompt,
        target: VersionKind::Image,
        start_frame: None,
    };
    if let Err(e) = ctx.execute_activity(ShotActivities::prepare_prompt, prepare, store_opts()).await {
        if failure_type(&e) != Some(failure::INVALID_PROMPT) {
            return Err(failed(e));
        }
        advance(ctx, ShotStatus::Draft, Some(failure_message(&e))).await.map_err(failed)?;
        return Err(Stop::Rejected);
    }
    translate(ctx, &input, still_prompt).await;
    let still_prompt = audited(ctx, &input, still_prompt, Judged::Still).await?;

    advance(ctx, ShotStatus::GeneratingImage, None).await.map_err(failed)?;
    let still = new_version(ctx);
    generate(ctx, &input, still_prompt, still, VersionKind::Image, ShotStatus::AwaitingApproval)
        .await?;

    let still = decided(ctx, &input, still).await?;

    advance(ctx, ShotStatus::GeneratingVideo, None).await.map_err(failed)?;
    let clip_prompt = new_version(ctx);
    let prepare = PreparePrompt {
        shot_id: input.shot_id,
        version_id: clip_prompt,
        target: VersionKind::Video,
        start_frame: Some(still),
    };
    ctx.execute_activity(ShotActivities::prepare_prompt, prepare, store_opts())
        .await
        .map_err(failed)?;
    translate(ctx, &input, clip_prompt).await;
    let clip_prompt = audited(ctx, &input, clip_prompt, Judged::Clip).await?;
    let clip = new_version(ctx);
    generate(ctx, &input, clip_prompt, clip, VersionKind::Video, ShotStatus::Completed).await?;
    if ctx.patched(PRECONFORM_PATCH) {
        // The shot is done; conforming its clip now makes the film's render a matter of links.
        let ahead = PreconformClip { shot_id: input.shot_id, version_id: clip, format: RenderFormat::FINAL };
        // Best effort: a render conforms whatever is not in the cache.
        let _ = ctx.execute_activity(RenderActivities::preconform_clip, ahead, preconform_opts()).await;
    }
    Ok(())
}

/// Which prompt the AUDITOR judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Judged {
    /// A still prompt: a failure goes back through DRAFT, as VALIDATION does.
    Still,
    /// A clip prompt: the still is approved, so the fix is made where the shot stands.
    Clip,
}

/// The AUDITOR's judgement: it passes the prompt, or fails it with a corrected prompt (its own
/// version), which is audited in turn — at most [`MAX_FIXES`] times, then the shot fails with
/// the findings. Answers the prompt to submit.
async fn audited(ctx: &Ctx, input: &ShotInput, mut prompt: VersionId, judged: Judged) -> Result<VersionId, Stop> {
    let patch = match judged {
        Judged::Still => AUDIT_PATCH,
        Judged::Clip => CLIP_AUDIT_PATCH,
    };
    if !ctx.patched(patch) {
        return Ok(prompt);
    }
    let mut fixes = 0;
    loop {
        let (audit_version, fix_version) = (new_version(ctx), new_version(ctx));
        let asked = until_valid(
            |refusals| {
                let job = AuditPrompt {
                    project_id: input.project_id,
                    shot_id: input.shot_id,
                    prompt_version: prompt,
                    audit_version,
                    fix_version,
                    refusals,
                };
                within_budget(ctx, move || ctx.execute_activity(AuditActivities::audit_prompt, job.clone(), model_call_opts()))
            },
            |_| {},
        )
        .await;
        let audit = match asked {
            Ok(audit) => audit,
            Err(AskFailed::Activity(why)) => return Err(Stop::Failed(format!("the AUDITOR could not be asked: {why}"))),
            Err(AskFailed::Refused(last)) => {
                return Err(Stop::Failed(format!("the AUDITOR's answers were refused {MAX_ANSWERS} times; the last: {last}")));
            }
        };
        let Some(fix) = audit.fix.filter(|_| !audit.passed) else { return Ok(prompt) };
        let what = match judged {
            Judged::Still => "prompt",
            Judged::Clip => "clip prompt",
        };
        if fixes == MAX_FIXES {
            return Err(Stop::Failed(format!("the AUDITOR still fails the {what} after {MAX_FIXES} fixes: {}", audit.findings)));
        }
        fixes += 1;
        if judged == Judged::Still {
            let why = format!("the audit failed ({}); auto-fix {fixes} of {MAX_FIXES}", audit.findings);
            advance(ctx, ShotStatus::Draft, Some(why)).await.map_err(failed)?;
            advance(ctx, ShotStatus::Validation, None).await.map_err(failed)?;
        }
        translate(ctx, input, fix).await;
        prompt = fix;
    }
}

/// AWAITING_APPROVAL: waits for the director's decision on `still`. A refinement edits the
/// still (REFINING) and waits again on the edit; a rejection goes back to DRAFT and teaches the
/// rulebook. Answers the approved still.
async fn decided(ctx: &Ctx, input: &ShotInput, mut still: VersionId) -> Result<VersionId, Stop> {
    loop {
        if !input.require_human_approval {
            ctx.state_mut(|s| {
                s.decision.get_or_insert(Decision::Approved { by: "system".into() });
            });
        }
        ctx.wait_condition(|s| s.decision.is_some()).await.map_err(|_| cancelled())?;
        match ctx.state_mut(|s| s.decision.take()) {
            Some(Decision::Rejected { reason, .. }) => {
                advance(ctx, ShotStatus::Draft, Some(reason.clone())).await.map_err(failed)?;
                learn(ctx, input, still, reason).await;
                return Err(Stop::Rejected);
            }
            Some(Decision::Refine { by, command, fix }) => {
                advance(ctx, ShotStatus::Refining, Some(format!("{by}: {command}"))).await.map_err(failed)?;
                let edit = new_version(ctx);
                let job = PrepareEdit { shot_id: input.shot_id, still, version_id: edit, command, by, fix };
                if let Err(e) = ctx.execute_activity(ShotActivities::prepare_edit, job, store_opts()).await {
                    if failure_type(&e) != Some(failure::INVALID_PROMPT) {
                        return Err(failed(e));
                    }
                    // A refused command costs nothing: the same still waits for a better one.
                    advance(ctx, ShotStatus::AwaitingApproval, Some(failure_message(&e))).await.map_err(failed)?;
                    continue;
                }
                translate(ctx, input, edit).await;
                let edited = new_version(ctx);
                generate(ctx, input, edit, edited, VersionKind::Image, ShotStatus::AwaitingApproval).await?;
                still = edited;
            }
            _ => return Ok(still),
        }
    }
}

/// The rulebook learns from a rejected still: the VISION_ANALYZER writes a rule that every
/// later prompt of the project is checked against. Best effort: a rule that cannot be written
/// leaves the rejection as it is (its reason is recorded on the shot either way).
async fn learn(ctx: &Ctx, input: &ShotInput, still: VersionId, reason: String) {
    if !ctx.patched(RULEBOOK_PATCH) {
        return;
    }
    let rule_id = RuleId::parse("ruleId", &ctx.uuid4()).expect("the SDK's uuid4 is a UUID");
    let _ = until_valid(
        |refusals| {
            let job = LearnRule {
                project_id: input.project_id,
                shot_id: input.shot_id,
                still_version: still,
                reason: reason.clone(),
                rule_id,
                refusals,
            };
            ctx.execute_activity(AuditActivities::learn_rule, job, model_call_opts())
        },
        |_| {},
    )
    .await;
}

/// Submit a recorded prompt, wait for the provider's result, and ingest it as `version`, moving
/// the shot to `then`.
async fn generate(
    ctx: &Ctx,
    input: &ShotInput,
    prompt: VersionId,
    version: VersionId,
    kind: VersionKind,
    then: ShotStatus,
) -> Result<(), Stop> {
    let submit = Submit { shot_id: input.shot_id, prompt_version: prompt, version_id: version, trace: ctx.state(|s| s.trace) };
    let budgeted = ctx.patched(BUDGET_PATCH);
    if budgeted {
        reserve(ctx, input, &submit).await?;
    }
    let submitted = match ctx.execute_activity(ShotActivities::submit, submit.clone(), provider_opts()).await {
        Ok(s) => s,
        Err(e) => {
            let stop = failed(e);
            if budgeted {
                release(ctx, input, version, &stop).await;
            }
            return Err(stop);
        }
    };
    // Once submitted, the provider may bill even if following the request fails: the
    // reservation stays until the result says otherwise.
    let result = await_result(ctx, &submit, &submitted.request_id, input.poll_every_secs).await?;
    if !result.ok {
        let why = result.error.clone().unwrap_or_else(|| "no reason given".into());
        let stop = Stop::Failed(format!("the provider failed request {}: {why}", result.request_id));
        if budgeted {
            release(ctx, input, version, &stop).await;
        }
        return Err(stop);
    }
    let ingest = Ingest {
        project_id: input.project_id,
        submit,
        kind,
        result,
        then: Advance { shot_id: input.shot_id, to: then, reason: None, change_id: ctx.uuid4() },
    };
    // A still is small and the director is waiting for it: ingest it as a local activity, in
    // this worker right away, which spares a round trip through the server's activity queue.
    // A clip can be large, so it goes through the queue with heartbeats.
    let ingested = match kind {
        VersionKind::Image => {
            ctx.execute_local_activity(ShotActivities::ingest, ingest, local_ingest_opts()).await
        }
        _ => ctx.execute_activity(ShotActivities::ingest, ingest, ingest_opts()).await,
    };
    ingested.map_err(failed)?;
    ctx.state_mut(|s| s.versions.push(version));
    entered(ctx, then);
    Ok(())
}

/// The prompt's Hebrew translation, as its own version beside it. Best effort: a translation
/// that cannot be made leaves the prompt untranslated, never the shot stuck.
async fn translate(ctx: &Ctx, input: &ShotInput, prompt: VersionId) {
    if !ctx.patched(TRANSLATION_PATCH) {
        return;
    }
    let job = TranslatePrompt { project_id: input.project_id, shot_id: input.shot_id, prompt_version: prompt, version_id: new_version(ctx) };
    let _ = ctx.execute_activity(ShotActivities::translate_prompt, job, translate_opts()).await;
}

/// Reserves the submission's cost, pausing while the project's cap leaves too little.
async fn reserve(ctx: &Ctx, input: &ShotInput, submit: &Submit) -> Result<(), Stop> {
    loop {
        // Read before asking: a raise that lands while the activity runs must not be missed.
        let seen = ctx.state(|s| s.budget_raises);
        let ask = ReserveBudget { project_id: input.project_id, submit: submit.clone() };
        let decided = ctx.execute_activity(ShotActivities::reserve_budget, ask, store_opts()).await.map_err(failed)?;
        if let Budgeted::Granted { .. } = decided {
            ctx.state_mut(|s| s.waiting_for_budget = false);
            return Ok(());
        }
        wait_for_raise(ctx, seen).await?;
    }
}

/// A model call the shot makes, paused like a submission while the project's cap leaves too
/// little for it (the call fails `OverBudget` without asking), and asked again once it is raised.
async fn within_budget<T, Fut>(ctx: &Ctx, mut call: impl FnMut() -> Fut) -> Result<T, ActivityExecutionError>
where
    Fut: Future<Output = Result<T, ActivityExecutionError>>,
{
    loop {
        let seen = ctx.state(|s| s.budget_raises);
        match call().await {
            Err(e) if failure_type(&e) == Some(failure::OVER_BUDGET) => {
                if wait_for_raise(ctx, seen).await.is_err() {
                    return Err(e);
                }
            }
            other => {
                ctx.state_mut(|s| s.waiting_for_budget = false);
                return other;
            }
        }
    }
}

/// Marks the shot as waiting for money until a `budget_raised` signal after `seen` (or the
/// periodic recheck, in case a signal was lost).
async fn wait_for_raise(ctx: &Ctx, seen: u32) -> Result<(), Stop> {
    ctx.state_mut(|s| s.waiting_for_budget = true);
    let mut recheck = std::pin::pin!(ctx.timer(BUDGET_RECHECK));
    let raised = select! {
        r = ctx.wait_condition(|s| s.budget_raises > seen) => {
            r.map_err(|_| cancelled())?;
            true
        }
        _ = recheck.as_mut() => false,
    };
    if raised {
        recheck.cancel();
    }
    Ok(())
}

/// Gives back the reservation of `version` after its submission failed.
async fn release(ctx: &Ctx, input: &ShotInput, version: VersionId, why: &Stop) {
    let reason = match why {
        Stop::Failed(reason) => reason.clone(),
        Stop::Rejected => "rejected".into(),
    };
    let give_back = ReleaseBudget { project_id: input.project_id, version_id: version, reason };
    // The shot fails either way; a release that cannot land leaves money reserved, never spent.
    let _ = ctx.execute_activity(ShotActivities::release_budget, give_back, store_opts()).await;
}

/// Waits for the result of `request_id` (signal or polling, see [`crate::provider`]).
async fn await_result(
    ctx: &Ctx,
    submit: &Submit,
    request_id: &str,
    poll_every_secs: u64,
) -> Result<ProviderResult, Stop> {
    let poll = || ctx.execute_activity(ShotActivities::poll, submit.clone(), provider_opts());
    provider::await_result(ctx, request_id, Duration::from_secs(poll_every_secs), poll).await.map_err(|e| match e {
        Waited::Cancelled => cancelled(),
        Waited::Polling(e) => failed(*e),
    })
}

/// Records a status change (append + event) and mirrors it into the workflow's state.
async fn advance(
    ctx: &Ctx,
    to: ShotStatus,
    reason: Option<String>,
) -> Result<(), ActivityExecutionError> {
    let shot_id = ctx.state(|s| s.input.shot_id);
    let change = Advance { shot_id, to, reason, change_id: ctx.uuid4() };
    ctx.execute_activity(ShotActivities::advance_shot, change, store_opts()).await?;
    entered(ctx, to);
    Ok(())
}

fn entered(ctx: &Ctx, status: ShotStatus) {
    ctx.state_mut(|s| s.status = status);
    ctx.upsert_search_attributes([SHOT_STATUS.value_set(status.as_str().to_string())]);
}

fn new_version(ctx: &Ctx) -> VersionId {
    let id = ctx.uuid4();
    VersionId::parse("versionId", &id).expect("the SDK's uuid4 is a UUID")
}

fn failure_type(e: &ActivityExecutionError) -> Option<&str> {
    match e.cause() {
        Some(IncomingError::Application(a)) => a.type_name(),
        _ => None,
    }
}

fn failure_message(e: &ActivityExecutionError) -> String {
    match e.cause() {
        Some(IncomingError::Application(a)) => a.to_string(),
        _ => e.to_string(),
    }
}

fn failed(e: ActivityExecutionError) -> Stop {
    Stop::Failed(failure_message(&e))
}

fn cancelled() -> Stop {
    Stop::Failed("the workflow was cancelled".into())
}

fn retry(max_attempts: u32, non_retryable: &[&str]) -> RetryPolicy {
    RetryPolicy::builder()
        .initial_interval(Duration::from_millis(500))
        .backoff_coefficient(2.0)
        .maximum_interval(Duration::from_secs(30))
        .maximum_attempts(max_attempts)
        .non_retryable_error_types(non_retryable.iter().map(|s| s.to_string()))
        .build()
}

/// Store writes: fast, retried through a store outage of a few minutes.
fn store_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(15))
        .retry_policy(retry(
            12,
            &[failure::ILLEGAL_TRANSITION, failure::INVALID_PROMPT, failure::NOT_FOUND, failure::UNPRICED],
        ))
        .build()
}

/// Provider calls: a provider's 4xx is final; 5xx, 429 and timeouts are retried.
fn provider_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(60))
        .retry_policy(retry(8, &[failure::PROVIDER_REJECTED, failure::NOT_FOUND]))
        .build()
}

/// One model call; a few tries, then the shot goes on without it.
fn translate_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(120))
        .heartbeat_timeout(HEARTBEAT_TIMEOUT)
        .retry_policy(retry(3, &[failure::PROVIDER_REJECTED, failure::NOT_FOUND, failure::OVER_BUDGET, failure::UNPRICED]))
        .build()
}

/// A still: seconds at most, retried in the worker.
fn local_ingest_opts() -> LocalActivityOptions {
    LocalActivityOptions::builder()
        .start_to_close_timeout(Duration::from_secs(60))
        .retry_policy(retry(
            8,
            &[failure::PROVIDER_REJECTED, failure::ILLEGAL_TRANSITION, failure::NOT_FOUND],
        ))
        .build()
}

/// Downloading media can take a while; heartbeats show it is alive.
fn ingest_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(300))
        .heartbeat_timeout(Duration::from_secs(30))
        .retry_policy(retry(
            8,
            &[failure::PROVIDER_REJECTED, failure::ILLEGAL_TRANSITION, failure::NOT_FOUND],
        ))
        .build()
}

/// Conforming ahead is an optimisation: it waits a few minutes for a render worker, tries twice,
/// and the shot is done whatever happens.
fn preconform_opts() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(300))
        .task_queue(RENDER_TASK_QUEUE.to_string())
        .schedule_to_start_timeout(Duration::from_secs(300))
        .heartbeat_timeout(Duration::from_secs(30))
        .retry_policy(retry(2, &[failure::NOT_FOUND]))
        .build()
}
