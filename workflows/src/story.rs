//! `StoryWorkflow` (`story:{conversationId}`, `qa:{conversationId}` for QA on a shot,
//! `assistant:{conversationId}` for a general one): a conversation with a model, one turn per
//! burst of the director's messages. The gateway stores each message, then signals it here
//! (signal-with-start, so the first message starts the conversation); the workflow asks the
//! conversation's model — the DIRECTOR in the story interview, the VISION_ANALYZER in shot QA,
//! the ORCHESTRATOR with the studio's tools in a general conversation — to answer every message that arrived since the
//! last reply, through the refusal loop, and waits for the next.
//! A message id is answered once however often it is signalled, so a repeated POST is harmless.
//! The conversation itself lives in the store: the workflow carries only ids and counts, and
//! continues as new before its history grows long.

use crate::ask::{AskFailed, MAX_ANSWERS, model_call_opts, until_valid};
use crate::contract::{AnswerTurn, AssistantActivities, QaActivities, StoryActivities};
use miri_core::{ConversationId, MessageId, ProjectId, ScriptId, Topic};
use serde::{Deserialize, Serialize};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ContinueAsNewOptions, SyncWorkflowContext, WorkflowContext, WorkflowContextView, WorkflowResult,
};

/// Turns one run answers before it continues as new (unless the server suggests it sooner).
const TURNS_PER_RUN: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoryInput {
    pub project_id: ProjectId,
    pub conversation_id: ConversationId,
    /// Whose conversation: a story interview unless it says otherwise.
    #[serde(default = "story")]
    pub topic: Topic,
    /// What an earlier run of this interview handed on.
    #[serde(default)]
    pub carried: Carried,
}

fn story() -> Topic {
    Topic::Story
}

/// The state that outlives a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Carried {
    /// Every message id signalled so far (a repeat is ignored).
    pub seen: Vec<MessageId>,
    /// Signalled and not answered yet, oldest first.
    pub pending: Vec<MessageId>,
    pub answered: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_script_id: Option<ScriptId>,
}

/// The director said something: message `message_id`, already stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Said {
    pub message_id: MessageId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoryState {
    /// The director has the word.
    Waiting,
    /// The DIRECTOR model is answering.
    Thinking,
}

/// What the `progress` query answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoryStatus {
    pub state: StoryState,
    /// The director's messages received, and the turns answered.
    pub messages: usize,
    pub answered: usize,
    /// Why this turn's earlier answers were refused, oldest first.
    pub refused: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_script_id: Option<ScriptId>,
    /// Why the last turn got no reply (the director may write again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[workflow]
pub struct StoryWorkflow {
    input: StoryInput,
    state: StoryState,
    refused: Vec<String>,
    error: Option<String>,
}

#[workflow_methods]
impl StoryWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: StoryInput) -> Self {
        Self { input, state: StoryState::Waiting, refused: Vec::new(), error: None }
    }

    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<()> {
        let ctx: &Ctx = ctx;
        let (project_id, conversation_id, topic) = ctx.state(|s| (s.input.project_id, s.input.conversation_id, s.input.topic));
        let (model, schema) = match topic {
            Topic::ShotQa => ("VISION_ANALYZER", "QA"),
            Topic::Story => ("DIRECTOR", "story"),
            Topic::General => ("ORCHESTRATOR", "assistant"),
        };
        for _ in 0..TURNS_PER_RUN {
            ctx.wait_condition(|s| !s.input.carried.pending.is_empty()).await?;
            let answering = ctx.state_mut(|s| {
                s.state = StoryState::Thinking;
                s.refused.clear();
                s.error = None;
                std::mem::take(&mut s.input.carried.pending)
            });
            let reply_id = MessageId::parse("messageId", &ctx.uuid4()).expect("the SDK draws valid UUIDs");
            let script_id = ScriptId::parse("scriptId", &ctx.uuid4()).expect("the SDK draws valid UUIDs");
            let asked = until_valid(
                |refusals| {
                    let ask = AnswerTurn {
                        project_id,
                        conversation_id,
                        answering: answering.clone(),
                        reply_id,
                        script_id,
                        refusals,
                    };
                    async move {
                        match topic {
                            Topic::ShotQa => ctx.execute_activity(QaActivities::answer_shot_qa, ask, model_call_opts()).await,
                            Topic::Story => ctx.execute_activity(StoryActivities::answer_director, ask, model_call_opts()).await,
                            Topic::General => {
                                ctx.execute_activity(AssistantActivities::answer_assistant, ask, model_call_opts()).await
                            }
                        }
                    }
                },
                |refusal| ctx.state_mut(|s| s.refused.push(refusal.error.clone())),
            )
            .await;
            ctx.state_mut(|s| {
                s.state = StoryState::Waiting;
                match asked {
                    Ok(reply) => {
                        s.input.carried.answered += 1;
                        s.input.carried.last_script_id = reply.script_id.or(s.input.carried.last_script_id);
                    }
                    Err(AskFailed::Activity(why)) => s.error = Some(format!("the {model} could not be asked: {why}")),
                    Err(AskFailed::Refused(last)) => {
                        s.error = Some(format!("the {model}'s answer broke the {schema} schema {MAX_ANSWERS} times; the last: {last}"))
                    }
                }
            });
            if ctx.continue_as_new_suggested() {
                break;
            }
        }
        // Messages signalled while the last turn ran travel in `carried.pending`.
        let input = ctx.state(|s| s.input.clone());
        ctx.continue_as_new(input, ContinueAsNewOptions::default()).map(|never| match never {})
    }

    #[signal]
    pub fn said(&mut self, _ctx: &mut SyncWorkflowContext<Self>, said: Said) {
        let carried = &mut self.input.carried;
        if !carried.seen.contains(&said.message_id) {
            carried.seen.push(said.message_id);
            carried.pending.push(said.message_id);
        }
    }

    #[query]
    pub fn progress(&self, _ctx: &WorkflowContextView) -> StoryStatus {
        let carried = &self.input.carried;
        StoryStatus {
            state: self.state,
            messages: carried.seen.len(),
            answered: carried.answered,
            refused: self.refused.clone(),
            last_script_id: carried.last_script_id,
            error: self.error.clone(),
        }
    }
}

type Ctx = WorkflowContext<StoryWorkflow>;

