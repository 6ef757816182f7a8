//! The judgement activities. The AUDITOR's: one paid question about one still prompt, its
//! verdict stored as an audit version and, when it fails, its corrected prompt as a new prompt
//! version, with the nearest rules from [`crate::rulebook`] in the question. The
//! VISION_ANALYZER's: a rejected still and its reason become a rule, embedded and stored.

use crate::alive::alive;
use crate::ask;
use crate::budget::BudgetPolicy;
use crate::lookup::{required, scene_of};
use crate::rulebook;
use crate::shot::{create_once, fail, retryable, store_failure};
use chrono::Utc;
use miri_core::ask::Refusal;
use miri_core::prompt::audit::{self, AuditAnswer, AuditCase, Auditable, ClipCase, Finding, Verdict, findings_line};
use miri_core::llm::GenerateRequest;
use miri_core::prompt::{FluxRequest, KlingRequest, Tag};
use miri_core::rule::ask::{self as rule_ask, RuleAnswer};
use miri_core::{AgentRole, Author, Rule, RuleId, Scene, Shot, Version, VersionId, VersionKind};
use miri_providers::models::Models;
use miri_store::{At, MediaStore, Records};
use miri_workflows::contract::{Answered, AuditPrompt, Audited, LearnRule, audit_markers, failure};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

pub struct AuditActivityDeps {
    pub store: Records,
    /// Where the rejected stills are read from.
    pub media: MediaStore,
    pub models: Models,
    pub budget: BudgetPolicy,
    pub rules: rulebook::Rulebook,
}

pub struct AuditWorker {
    deps: AuditActivityDeps,
}

impl AuditWorker {
    pub fn new(deps: AuditActivityDeps) -> Self {
        Self { deps }
    }
}

#[activities]
impl AuditWorker {
    #[activity(definition = audit_markers::AuditPrompt)]
    pub async fn audit_prompt(self: Arc<Self>, ctx: ActivityContext, input: AuditPrompt) -> Result<Answered<Audited>, ActivityError> {
        alive(&ctx, async move {
            let d = &self.deps;
            if let Some(done) = d.store.version(input.audit_version).await.map_err(store_failure)? {
                return Ok(Answered::Stored(stored(&done)));
            }
            let prompt: Version = required(&d.store, "version", input.prompt_version).await?;
            let shot: Shot = required(&d.store, "shot", input.shot_id).await?;
            let scene = scene_of(&d.store, &shot).await?.as_ref().map(scene_case);
            let rules = d.rules.nearest(input.project_id, &shot.description).await?;
            let texts: Vec<String> = rules.iter().map(|r| r.text.clone()).collect();
            let model = ask::model(&d.store, AgentRole::Auditor).await?;
            let request = prompt.request.clone().unwrap_or_default();
            let case = Case { input: &input, prompt: &prompt, shot: &shot, rules: &rules, model: &model };
            if let Ok(still) = serde_json::from_value::<FluxRequest>(request.clone()) {
                let question = audit::request(&model, &AuditCase { prompt: &still.prompt, shot: &shot.description, scene, rules: &texts }, &input.refusals);
                return self.judge(case, still, question).await;
            }
            if let Ok(clip) = serde_json::from_value::<KlingRequest>(request) {
                let about = ClipCase { resting_state: &clip.resting_state, action: &clip.action, shot: &shot.description, scene, rules: &texts };
                let question = audit::clip_request(&model, &about, &input.refusals);
                return self.judge(case, clip, question).await;
            }
            Err(fail(failure::INVALID_PROMPT, format!("version {} is neither a still nor a clip prompt", input.prompt_version)))
        })
        .await
    }

    #[activity(definition = audit_markers::LearnRule)]
    pub async fn learn_rule(self: Arc<Self>, ctx: ActivityContext, input: LearnRule) -> Result<Answered<RuleId>, ActivityError> {
        alive(&ctx, async move {
            let d = &self.deps;
            if d.store.get::<Rule>(&input.rule_id.to_string(), At::Newest).await.map_err(store_failure)?.is_some() {
                return Ok(Answered::Stored(input.rule_id));
            }
            let still: Version = required(&d.store, "version", input.still_version).await?;
            let media = still.media.as_ref().ok_or_else(|| fail(failure::NOT_FOUND, format!("version {} has no still", still.version_id)))?;
            let bytes = d.media.get(&media.key).await.map_err(|e| retryable(format!("reading still {}: {e}", media.key)))?;
            let shot: Shot = required(&d.store, "shot", input.shot_id).await?;
            let model = ask::model(&d.store, AgentRole::VisionAnalyzer).await?;
            let image = rule_ask::still(&media.content_type, bytes.to_vec());
            let request = rule_ask::request(&model, image, &input.reason, &shot.description, &input.refusals);
            let key = format!("rule:{}:{}", input.rule_id, input.refusals.len());
            let reply = ask::ask(&d.models, &d.budget, &d.store, ask::Call::new(input.project_id, &key), request).await?;
            let text = match ask::complete(&reply) {
                Ok(text) => text,
                Err(refusal) => return Ok(Answered::Refused(refusal)),
            };
            let rule = match RuleAnswer::parse(&text) {
                Ok(rule) => rule,
                Err(e) => return Ok(Answered::Refused(Refusal::new(&text, e.to_string()))),
            };
            let rule = Rule {
                rule_id: input.rule_id,
                project_id: input.project_id,
                text: rule,
                shot_id: Some(input.shot_id),
                source: Some(input.still_version),
                reason: Some(input.reason),
                author: Author::Llm,
                model: Some(model),
                active: true,
                embedding: None,
                embedding_model: None,
                created_at: Utc::now(),
            };
            let rule = d.rules.indexed(rule).await?;
            create_once(d.store.append(&rule, 0).await)?;
            Ok(Answered::Stored(input.rule_id))
        })
        .await
    }
}

/// One audit's givens, read once for either kind of prompt.
struct Case<'a> {
    input: &'a AuditPrompt,
    prompt: &'a Version,
    shot: &'a Shot,
    rules: &'a [Rule],
    model: &'a str,
}

impl AuditWorker {
    /// Asks `question` about `audited` and stores the outcome: a failed audit's fix first (its
    /// own prompt version, so an audit version that exists always has its fix beside it), then
    /// the audit version with its report.
    async fn judge<R>(&self, case: Case<'_>, audited: R, question: GenerateRequest) -> Result<Answered<Audited>, ActivityError>
    where
        R: Auditable + Serialize,
        R::Fix: DeserializeOwned,
    {
        let d = &self.deps;
        let Case { input, prompt, shot, rules, model } = case;
        let key = format!("audit:{}:{}", input.audit_version, input.refusals.len());
        let call = ask::Call { shot: Some(shot.shot_id), ..ask::Call::new(input.project_id, &key) };
        let reply = ask::ask(&d.models, &d.budget, &d.store, call, question).await?;
        let text = match ask::complete(&reply) {
            Ok(text) => text,
            Err(refusal) => return Ok(Answered::Refused(refusal)),
        };
        let tag: Tag = audited.tag().parse().map_err(|e| fail(failure::INVALID_PROMPT, format!("version {}: {e}", prompt.version_id)))?;
        let fix_tag = Tag::new(shot.shot_id, input.fix_version, tag.code);
        let verdict = match AuditAnswer::<R::Fix>::parse(&text).and_then(|a| a.verdict(&audited, fix_tag)) {
            Ok(verdict) => verdict,
            Err(e) => {
                tracing::info!(shot = %shot.shot_id, error = %e, "the AUDITOR's answer was refused");
                return Ok(Answered::Refused(Refusal::new(&text, e.to_string())));
            }
        };
        let version = |kind, reason: String| Version {
            version_id: input.audit_version,
            shot_id: shot.shot_id,
            kind,
            parent: Some(input.prompt_version),
            model_code: None,
            seed: None,
            cost: None,
            author: Author::Llm,
            reason: Some(reason),
            prompt: None,
            media: None,
            request: None,
            source_url: None,
            provider_request_id: None,
            created_at: Utc::now(),
        };
        let rule_ids: Vec<String> = rules.iter().map(|r| r.rule_id.to_string()).collect();
        let (report, outcome) = match verdict {
            Verdict::Passed => {
                (json!({ "passed": true, "findings": [], "model": model, "rules": rule_ids }), Audited { passed: true, findings: String::new(), fix: None })
            }
            Verdict::Failed { findings, fix } => {
                let line = findings_line(&findings);
                let fixed = Version {
                    version_id: input.fix_version,
                    model_code: prompt.model_code.clone(),
                    seed: fix.seed(),
                    prompt: Some(fix.text()),
                    request: Some(json!(fix)),
                    ..version(VersionKind::Prompt, format!("auto-fix after the audit: {line}"))
                };
                create_once(d.store.append_version(&fixed).await)?;
                let report = json!({ "passed": false, "findings": findings, "fix": input.fix_version, "model": model, "rules": rule_ids });
                (report, Audited { passed: false, findings: line, fix: Some(input.fix_version) })
            }
        };
        let reason = if outcome.passed { "the AUDITOR passed the prompt".to_string() } else { format!("the AUDITOR failed the prompt: {}", outcome.findings) };
        let audit = Version { model_code: Some(model.to_string()), request: Some(report), ..version(VersionKind::Audit, reason) };
        create_once(d.store.append_version(&audit).await)?;
        Ok(Answered::Stored(outcome))
    }
}

/// The scene as the auditor reads it: its place, outfit and props.
pub(crate) fn scene_case(scene: &Scene) -> Value {
    json!({
        "location": scene.location,
        "background": scene.background,
        "outfit": scene.outfit.description,
        "props": scene.props.iter().map(|p| format!("{}: {}", p.name, p.description)).collect::<Vec<_>>(),
    })
}

/// The outcome an earlier attempt stored, read back from its audit version.
fn stored(audit: &Version) -> Audited {
    let report = audit.request.clone().unwrap_or(Value::Null);
    let passed = report["passed"].as_bool().unwrap_or(false);
    let fix = report["fix"].as_str().and_then(|id| VersionId::parse("fix", id).ok());
    let findings: Vec<Finding> = serde_json::from_value(report["findings"].clone()).unwrap_or_default();
    Audited { passed, findings: findings_line(&findings), fix }
}
