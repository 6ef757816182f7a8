//! The QA activity: one paid question to the VISION_ANALYZER about a shot's still — the still
//! itself, the FLUX request it came from, the scene, the nearest rules and the conversation —
//! whose reply, and the proposal it makes, is stored under the id the workflow drew and
//! announced with `CHAT_MESSAGE`. Applying the proposal is the director's act (the gateway's).

use crate::alive::alive;
use crate::ask;
use crate::audit::scene_case;
use crate::budget::BudgetPolicy;
use crate::events::EventPublisher;
use crate::lookup::{self, required, scene_of};
use crate::rulebook::Rulebook;
use crate::shot::{retryable, store_failure};
use crate::story::{created, turn};
use chrono::Utc;
use miri_core::ask::Refusal;
use miri_core::chat::ReplyIds;
use miri_core::chat::qa::{self, QaAnswer, QaContext};
use miri_core::llm::Blob;
use miri_core::{AgentRole, ChatMessage, Message, Shot, Topic, Version, VersionKind};
use miri_providers::models::Models;
use miri_store::{At, MediaStore, Records};
use miri_workflows::contract::{AnswerTurn, Answered, StoryReply, failure, qa_markers};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

pub struct QaActivityDeps {
    pub store: Records,
    /// Where the stills are read from.
    pub media: MediaStore,
    pub models: Models,
    pub budget: BudgetPolicy,
    pub events: EventPublisher,
    pub rules: Rulebook,
}

pub struct QaWorker {
    deps: QaActivityDeps,
}

impl QaWorker {
    pub fn new(deps: QaActivityDeps) -> Self {
        Self { deps }
    }
}

#[activities]
impl QaWorker {
    #[activity(definition = qa_markers::AnswerShotQa)]
    pub async fn answer_shot_qa(self: Arc<Self>, ctx: ActivityContext, input: AnswerTurn) -> Result<Answered<StoryReply>, ActivityError> {
        alive(&ctx, async move {
            let d = &self.deps;
            if let Some((_, reply)) = d.store.get::<Message>(&input.reply_id.to_string(), At::Newest).await.map_err(store_failure)? {
                self.announce(&input, &reply).await;
                return Ok(Answered::Stored(StoryReply { message_id: reply.message_id, script_id: None }));
            }
            let (talk, messages) = turn(&d.store, &input, Topic::ShotQa).await?;
            let shot_id = talk.shot_id.ok_or_else(|| crate::shot::fail(failure::NOT_FOUND, format!("QA conversation {} names no shot", input.conversation_id)))?;
            let shot: Shot = required(&d.store, "shot", shot_id).await?;
            let still = d.store.versions(shot_id).await.map_err(store_failure)?.into_iter().find(|v| v.kind == VersionKind::Image && v.media.is_some());
            let image = match &still {
                Some(still) => Some(self.image(still).await?),
                None => None,
            };
            // A still whose origin cannot be read is still talked about; only a prompt fix needs it.
            let origin = match &still {
                Some(still) => lookup::origin(&d.store, still).await.ok(),
                None => None,
            };
            let scene = scene_of(&d.store, &shot).await?;
            let rules: Vec<String> = d.rules.nearest(input.project_id, &shot.description).await?.into_iter().map(|r| r.text).collect();
            let context = QaContext {
                shot: &shot,
                still: image,
                prompt: origin.as_ref().map(|o| &o.flux),
                edits: origin.as_ref().map_or(&[], |o| o.edits.as_slice()),
                scene: scene.as_ref().map(scene_case),
                rules: &rules,
                messages: &messages,
            };
            let model = ask::model(&d.store, AgentRole::VisionAnalyzer).await?;
            let request = qa::request(&model, context, &input.refusals);
            let key = format!("qa:{}:{}", input.reply_id, input.refusals.len());
            let reply = ask::ask(&d.models, &d.budget, &d.store, ask::Call::new(input.project_id, &key), request).await?;
            let text = match ask::complete(&reply) {
                Ok(text) => text,
                Err(refusal) => return Ok(Answered::Refused(refusal)),
            };
            let ids = ReplyIds { conversation_id: input.conversation_id, reply_id: input.reply_id };
            let message = match QaAnswer::parse(&text).and_then(|a| a.into_message(ids, origin.as_ref().map(|o| &o.flux), Utc::now())) {
                Ok(message) => message,
                Err(e) => {
                    tracing::info!(conversation = %input.conversation_id, error = %e, "the QA answer was refused");
                    return Ok(Answered::Refused(Refusal::new(&text, e.to_string())));
                }
            };
            let message = self.in_hebrew(&input, message).await;
            created(d.store.append(&message, 0).await)?;
            self.announce(&input, &message).await;
            Ok(Answered::Stored(StoryReply { message_id: message.message_id, script_id: None }))
        })
        .await
    }
}

impl QaWorker {
    async fn image(&self, still: &Version) -> Result<Blob, ActivityError> {
        let media = still.media.as_ref().expect("chosen for its media");
        let bytes = self.deps.media.get(&media.key).await.map_err(|e| retryable(format!("reading still {}: {e}", media.key)))?;
        Ok(miri_core::rule::ask::still(&media.content_type, bytes.to_vec()))
    }

    /// `message` with its proposal in Hebrew beside it, as every prompt a director is shown.
    /// Best effort: a translation that cannot be had leaves the proposal as it is.
    async fn in_hebrew(&self, input: &AnswerTurn, mut message: Message) -> Message {
        let Some(proposal) = message.proposal.take() else { return message };
        let d = &self.deps;
        let key = format!("qa:{}:{}:hebrew", input.reply_id, input.refusals.len());
        let text = proposal.text();
        let asked = ask::hebrew(&d.models, &d.budget, &d.store, input.project_id, &key, &text);
        message.proposal = Some(match asked.await {
            Ok((hebrew, _)) => proposal.with_hebrew(hebrew),
            Err(why) => {
                tracing::warn!(message = %message.message_id, "the proposal has no Hebrew translation: {why:?}");
                proposal
            }
        });
        message
    }

    async fn announce(&self, input: &AnswerTurn, message: &Message) {
        self.deps.events.chat_message(&ChatMessage::of(input.project_id, message)).await;
    }
}
