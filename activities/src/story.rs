//! The story activities: ask the DIRECTOR to answer the director's newest messages (a paid call,
//! through [`crate::ask`]), store its reply — and the script version it proposes — under the ids
//! the workflow drew, and announce the reply with `CHAT_MESSAGE`.

use crate::alive::alive;
use crate::{ask, lookup};
use crate::budget::BudgetPolicy;
use crate::events::EventPublisher;
use crate::shot::{fail, store_failure};
use chrono::Utc;
use miri_core::ask::Refusal;
use miri_core::script::ask::{self as story_ask, StoryAnswer, StoryContext, TurnIds};
use miri_core::{AgentRole, ChatMessage, Conversation, Message, Project, Script, Topic};
use miri_providers::models::Models;
use miri_store::{At, Records, StoreError, Under};
use miri_workflows::contract::{AnswerTurn, Answered, StoryReply, failure, story_markers};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

pub struct StoryActivityDeps {
    pub store: Records,
    pub models: Models,
    pub budget: BudgetPolicy,
    pub events: EventPublisher,
}

pub struct StoryWorker {
    deps: StoryActivityDeps,
}

impl StoryWorker {
    pub fn new(deps: StoryActivityDeps) -> Self {
        Self { deps }
    }
}

#[activities]
impl StoryWorker {
    #[activity(definition = story_markers::AnswerDirector)]
    pub async fn answer_director(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: AnswerTurn,
    ) -> Result<Answered<StoryReply>, ActivityError> {
        alive(&ctx, async move {
            let d = &self.deps;
            // A retry after an earlier attempt stored the reply: that reply.
            if let Some((_, reply)) = d.store.get::<Message>(&input.reply_id.to_string(), At::Newest).await.map_err(store_failure)? {
                self.announce(&input, &reply).await;
                return Ok(Answered::Stored(StoryReply { message_id: reply.message_id, script_id: reply.script_id }));
            }
            let (_, messages) = turn(&d.store, &input, Topic::Story).await?;
            let project: Project = lookup::required(&d.store, "project", input.project_id).await?;
            let under = || Under::Conversation(input.conversation_id.to_string());
            let scripts = d.store.list::<Script>(under(), At::Newest).await.map_err(store_failure)?;
            let script = scripts.iter().map(|(_, s)| s).max_by_key(|s| s.version);
            let analysis = lookup::newest_analysis(&d.store, input.project_id).await?;
            let model = ask::model(&d.store, AgentRole::Director).await?;
            let context = StoryContext { project: &project, analysis: analysis.as_ref(), messages: &messages, script };
            let request = story_ask::request(&model, &context, &input.refusals);
            let call = format!("story:{}:{}", input.reply_id, input.refusals.len());
            let reply = ask::ask(&d.models, &d.budget, &d.store, ask::Call::new(input.project_id, &call), request).await?;
            let text = match ask::complete(&reply) {
                Ok(text) => text,
                Err(refusal) => return Ok(Answered::Refused(refusal)),
            };
            let ids = TurnIds {
                project_id: input.project_id,
                conversation_id: input.conversation_id,
                reply_id: input.reply_id,
                script_id: input.script_id,
                version: script.map_or(1, |s| s.version + 1),
            };
            let (message, script) =
                match StoryAnswer::parse(&text).and_then(|answer| answer.into_records(ids, analysis.as_ref(), Utc::now())) {
                    Ok(records) => records,
                    Err(e) => {
                        tracing::info!(conversation = %input.conversation_id, error = %e, "the DIRECTOR's answer was refused");
                        return Ok(Answered::Refused(Refusal::new(&text, e.to_string())));
                    }
                };
            // Together, so the message never names a script that is not there, nor a retry pairs a
            // new reply with an earlier attempt's script.
            created(match &script {
                Some(script) => d.store.append_both((script, 0), (&message, 0)).await,
                None => d.store.append(&message, 0).await,
            })?;
            self.announce(&input, &message).await;
            Ok(Answered::Stored(StoryReply { message_id: message.message_id, script_id: message.script_id }))
        })
        .await
    }
}

impl StoryWorker {
    async fn announce(&self, input: &AnswerTurn, message: &Message) {
        self.deps.events.chat_message(&ChatMessage::of(input.project_id, message)).await;
    }
}

/// The conversation a turn answers in (it must be a `topic` conversation of the turn's project)
/// and its messages, oldest first, up to the turn's newest: later ones are the next turn's.
pub(crate) async fn turn(store: &Records, input: &AnswerTurn, topic: Topic) -> Result<(Conversation, Vec<Message>), ActivityError> {
    let missing = |what: String| fail(failure::NOT_FOUND, what);
    let conversation = input.conversation_id.to_string();
    let talk: Conversation = lookup::required(store, "conversation", &conversation).await?;
    if talk.topic != topic || talk.project_id != input.project_id {
        return Err(missing(format!("conversation {conversation} is no {topic:?} conversation of project {}", input.project_id)));
    }
    let mut messages: Vec<Message> =
        store.list::<Message>(Under::Conversation(conversation.clone()), At::Newest).await.map_err(store_failure)?.into_iter().map(|(_, m)| m).collect();
    let newest = input.answering.last().copied();
    match messages.iter().position(|m| Some(m.message_id) == newest) {
        Some(i) => messages.truncate(i + 1),
        None => return Err(missing(format!("message {newest:?} is not in conversation {conversation}"))),
    }
    Ok((talk, messages))
}

/// A create-only append; a retry that finds its own earlier write has nothing left to do.
pub(crate) fn created(result: Result<(), StoreError>) -> Result<(), ActivityError> {
    match result {
        Ok(()) | Err(StoreError::Conflict { .. }) => Ok(()),
        Err(e) => Err(store_failure(e)),
    }
}
