//! The general conversation's activity: one paid question to the ORCHESTRATOR with the project's
//! shots as they stand, whose reply — and the studio actions it proposes as tool calls — is
//! stored under the id the workflow drew and announced with `CHAT_MESSAGE`. Running a proposed
//! call is the director's act, through the same API call as the dashboard's button.

use crate::alive::alive;
use crate::shot::store_failure;
use crate::story::{StoryActivityDeps, created, turn};
use crate::{ask, lookup};
use chrono::Utc;
use miri_core::ask::Refusal;
use miri_core::chat::ReplyIds;
use miri_core::chat::assistant::{self, AssistantAnswer, AssistantContext};
use miri_core::{AgentRole, ChatMessage, Message, Project, Shot, Tool, Topic};
use miri_store::At;
use miri_workflows::contract::{AnswerTurn, Answered, StoryReply, assistant_markers};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

/// Needs what the story interview needs: the store, the models, the budget and the events.
pub struct AssistantWorker {
    deps: StoryActivityDeps,
}

impl AssistantWorker {
    pub fn new(deps: StoryActivityDeps) -> Self {
        Self { deps }
    }
}

#[activities]
impl AssistantWorker {
    #[activity(definition = assistant_markers::AnswerAssistant)]
    pub async fn answer_assistant(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: AnswerTurn,
    ) -> Result<Answered<StoryReply>, ActivityError> {
        alive(&ctx, async move {
            let d = &self.deps;
            if let Some((_, reply)) = d.store.get::<Message>(&input.reply_id.to_string(), At::Newest).await.map_err(store_failure)? {
                self.announce(&input, &reply).await;
                return Ok(Answered::Stored(StoryReply { message_id: reply.message_id, script_id: None }));
            }
            let (_, messages) = turn(&d.store, &input, Topic::General).await?;
            let project: Project = lookup::required(&d.store, "project", input.project_id).await?;
            let shots: Vec<Shot> = d.store.shots(input.project_id).await.map_err(store_failure)?.into_iter().map(|(_, s)| s).collect();
            let model = ask::model(&d.store, AgentRole::Orchestrator).await?;
            let request = assistant::request(&model, &AssistantContext { project: &project, shots: &shots, messages: &messages }, &input.refusals);
            let call = format!("assistant:{}:{}", input.reply_id, input.refusals.len());
            let reply = ask::ask(&d.models, &d.budget, &d.store, ask::Call::new(input.project_id, &call), request).await?;
            let text = match ask::complete(&reply) {
                Ok(text) => text,
                Err(refusal) => return Ok(Answered::Refused(refusal)),
            };
            let ids = ReplyIds { conversation_id: input.conversation_id, reply_id: input.reply_id };
            let message = match AssistantAnswer::parse(&text).and_then(|a| a.into_message(ids, &shots, Utc::now())) {
                Ok(message) => message,
                Err(e) => {
                    tracing::info!(conversation = %input.conversation_id, error = %e, "the ORCHESTRATOR's answer was refused");
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

impl AssistantWorker {
    /// `message` with each proposed edit command's Hebrew beside it. Best effort: a translation
    /// that cannot be had leaves the command as it is.
    async fn in_hebrew(&self, input: &AnswerTurn, mut message: Message) -> Message {
        let d = &self.deps;
        for (i, call) in message.tool_calls.iter_mut().enumerate() {
            if let Tool::Refine { command, hebrew, .. } = call {
                let key = format!("assistant:{}:{}:hebrew:{i}", input.reply_id, input.refusals.len());
                match ask::hebrew(&d.models, &d.budget, &d.store, input.project_id, &key, command).await {
                    Ok((translated, _)) => *hebrew = Some(translated),
                    Err(why) => tracing::warn!(message = %message.message_id, "the edit command has no Hebrew translation: {why:?}"),
                }
            }
        }
        message
    }

    async fn announce(&self, input: &AnswerTurn, message: &Message) {
        self.deps.events.chat_message(&ChatMessage::of(input.project_id, message)).await;
    }
}
