//! Conversations and scripts over REST. A director's message is stored first, then signalled to
//! the conversation's `StoryWorkflow` (signal-with-start: the first message starts the
//! conversation; the story interview, QA on a shot and a general conversation each have
//! theirs), and answered 202 at once; the reply arrives as `CHAT_MESSAGE` and in `GET …/messages`. A message sent again with
//! the same `clientMessageId` is the same message: stored once, answered once. A QA reply's
//! proposal is applied with `POST …/messages/{messageId}/apply`: the shot's still is refined,
//! and the message's next revision says who applied it to which still. Scripts are the interview's proposals, every version kept (`GET …/scripts/{scriptId}`
//! shows one with its revisions); accepting one appends a revision naming who accepted it, and
//! the newest acceptance is the project's script.

use crate::rest::{Body, awaiting_approval, existing_project, existing_shot, signal};
use crate::{api::Op, auth::{Caller, Member}, error::ApiError, server::AppState};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use chrono::Utc;
use miri_core::chat::{MAX_MESSAGE_CHARS, Proposal};
use miri_core::{
    Conversation, ConversationId, Message, MessageId, ProjectId, Script, ScriptId, ShotId, Speaker, Topic, Validate,
    VersionKind,
};
use miri_store::{At, StoreError, Under};
use miri_workflows::{
    ShotWorkflow, StoryWorkflow, TASK_QUEUE, assistant_workflow_id, qa_workflow_id,
    search::PROJECT_ID,
    shot::Refine,
    story::{Said, StoryInput, StoryState, StoryStatus},
    story_workflow_id,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;
use temporalio_client::{
    WorkflowIdConflictPolicy, WorkflowQueryOptions, WorkflowSignalOptions, WorkflowStartOptions, errors::WorkflowQueryError,
};
use temporalio_common::search_attributes::SearchAttributes;
use uuid::Uuid;

/// How long a GET waits for the interview's state before reading it off the store instead.
const STATE_WITHIN: Duration = Duration::from_secs(3);

pub fn ops() -> Vec<Op> {
    vec![
        Op::post("/api/projects/{id}/conversations", "Open a conversation: the story interview, QA on a shot, or the assistant", create)
            .json::<NewConversation>()
            .answers(&[(201, "The conversation"), (403, "A viewer cannot open conversations")]),
        Op::get("/api/projects/{id}/conversations", "The project's conversations, newest first", list).answers(&[(200, "{conversations: [...]}")]),
        Op::post("/api/conversations/{id}/messages", "Say something; the reply arrives as CHAT_MESSAGE and in the messages", say)
            .json::<Say>()
            .answers(&[(202, "{messageId, workflowId, duplicate}"), (403, "A viewer cannot speak"), (409, "The client id is another message's"), (413, "Too long")]),
        Op::get("/api/conversations/{id}/messages", "The conversation oldest first, with its state (thinking or waiting)", messages)
            .answers(&[(200, "{conversationId, topic, title, state, progress, messages}")]),
        Op::post("/api/conversations/{id}/messages/{message}/apply", "Apply a QA reply's proposal to its shot's still (once)", apply)
            .answers(&[(202, "Applied"), (200, "Applied before: alreadyApplied"), (409, "Nothing to apply, or the shot is not awaiting approval")]),
        Op::get("/api/projects/{id}/scripts", "Every script version the interview proposed, newest first", scripts).answers(&[(200, "{scripts: [...]}")]),
        Op::get("/api/projects/{id}/scripts/{script}", "One script with every revision it has had", one_script).answers(&[(200, "The script with its revisions")]),
        Op::post("/api/projects/{id}/scripts/{script}/accept", "Accept a script version: it becomes the project's script", accept)
            .answers(&[(200, "The accepted script (alreadyAccepted when it was)"), (403, "A viewer cannot accept")]),
        Op::get("/api/projects/{id}/script", "The script the director accepted last", accepted).answers(&[(200, "The script")]),
    ]
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct NewConversation {
    pub(crate) topic: Topic,
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) shot_id: Option<String>,
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(req): Body<NewConversation>,
) -> Result<(StatusCode, Json<Conversation>), ApiError> {
    Ok((StatusCode::CREATED, Json(create_conversation(&st, &caller, &id, req).await?)))
}

/// Opens a conversation in `project` (a QA one names its shot, which must be the project's).
pub(crate) async fn create_conversation(st: &AppState, caller: &Caller, project: &str, req: NewConversation) -> Result<Conversation, ApiError> {
    let (project, member) = existing_project(st, caller, project).await?;
    member.require_editor()?;
    let project_id = project.config.project_id;
    let shot_id = req.shot_id.as_deref().map(|s| ShotId::parse("shotId", s)).transpose()?;
    let conversation = Conversation {
        conversation_id: ConversationId::from_uuid(Uuid::new_v4()),
        project_id,
        topic: req.topic,
        shot_id,
        title: req.title.trim().to_string(),
        created_at: Utc::now(),
    };
    conversation.validate().map_err(|e| ApiError::BadRequest(e.to_string()))?;
    if let Some(shot) = shot_id {
        match st.store.shot(shot).await? {
            Some((_, s)) if s.project_id == project_id => {}
            _ => return Err(ApiError::NotFound(format!("shot {shot} is not a shot of project {project_id}"))),
        }
    }
    st.store.append(&conversation, 0).await?;
    Ok(conversation)
}

async fn list(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"conversations": conversations(&st, &caller, &id).await?})))
}

/// The project's conversations, newest first.
pub(crate) async fn conversations(st: &AppState, caller: &Caller, project: &str) -> Result<Vec<Conversation>, ApiError> {
    let project_id = existing_project(st, caller, project).await?.0.config.project_id;
    let mut all: Vec<Conversation> =
        st.store.list(Under::Project(project_id.to_string()), At::Newest).await?.into_iter().map(|(_, c)| c).collect();
    all.sort_by_key(|c| std::cmp::Reverse(c.created_at));
    Ok(all)
}

/// The conversation with the caller's standing in its project; 404 alike when it does not exist
/// and when the caller does not belong to its project.
async fn existing_conversation(st: &AppState, caller: &Caller, raw: &str) -> Result<(Conversation, Member), ApiError> {
    let id = ConversationId::parse("conversationId", raw)?;
    let missing =
        || ApiError::NotFound(format!("conversation {id} does not exist; POST /api/projects/{{id}}/conversations makes one"));
    let (_, conversation) = st.store.get::<Conversation>(&id.to_string(), At::Newest).await?.ok_or_else(missing)?;
    let member = caller.member_or(st, conversation.project_id, missing).await?;
    Ok((conversation, member))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Say {
    content: String,
    /// The client's own id for the message (a UUID), so sending it again is harmless.
    #[serde(default)]
    client_message_id: Option<String>,
}

async fn say(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(req): Body<Say>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let said = say_message(&st, &caller, &id, &req.content, req.client_message_id.as_deref()).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"messageId": said.message_id, "workflowId": said.workflow_id, "duplicate": said.duplicate}))))
}

/// A director's message as stored and handed to its conversation.
pub(crate) struct Sent {
    pub(crate) message_id: MessageId,
    pub(crate) workflow_id: String,
    /// The same client message id was sent before: the same message, answered once.
    pub(crate) duplicate: bool,
}

/// Stores the director's message, then signals (or starts) the workflow that answers it.
pub(crate) async fn say_message(
    st: &AppState,
    caller: &Caller,
    conversation: &str,
    content: &str,
    client_message_id: Option<&str>,
) -> Result<Sent, ApiError> {
    let (conversation, member) = existing_conversation(st, caller, conversation).await?;
    member.require_editor()?;
    let workflow_id = answered_by(&conversation);
    let length = content.chars().count();
    if length > MAX_MESSAGE_CHARS {
        return Err(ApiError::TooLarge(format!(
            "content is {length} characters; a message has at most {MAX_MESSAGE_CHARS} (split it in two)"
        )));
    }
    let message_id = match client_message_id {
        Some(raw) => MessageId::parse("clientMessageId", raw)?,
        None => MessageId::from_uuid(Uuid::new_v4()),
    };
    let message = Message::new(message_id, conversation.conversation_id, Speaker::User, content.trim(), Utc::now());
    message.validate().map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let duplicate = match st.store.append(&message, 0).await {
        Ok(()) => false,
        Err(StoreError::Conflict { .. }) => {
            let (_, earlier) = st.store.require::<Message>(&message_id.to_string()).await?;
            if earlier.conversation_id != message.conversation_id || earlier.speaker != Speaker::User || earlier.content != message.content {
                return Err(ApiError::Conflict(format!(
                    "clientMessageId {message_id} is already another message; draw a new id for a new message"
                )));
            }
            true
        }
        Err(e) => return Err(e.into()),
    };
    // Signalled again for a duplicate too: the first POST may have stored it and failed to
    // signal, and the workflow answers each id once.
    let opts = WorkflowStartOptions::new(TASK_QUEUE, workflow_id.clone())
        .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
        .search_attributes(SearchAttributes::new([PROJECT_ID.value_set(conversation.project_id.to_string())]))
        .build();
    let input = StoryInput {
        project_id: conversation.project_id,
        conversation_id: conversation.conversation_id,
        topic: conversation.topic,
        carried: Default::default(),
    };
    st.temporal
        .signal_with_start_workflow(StoryWorkflow::run, input, StoryWorkflow::said, Said { message_id }, opts)
        .await
        .map_err(|e| {
            ApiError::Unavailable(format!(
                "message {message_id} is stored but its conversation could not be reached ({e}); send it again with clientMessageId {message_id}"
            ))
        })?;
    Ok(Sent { message_id, workflow_id, duplicate })
}

async fn messages(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let t = transcript(&st, &caller, &id).await?;
    Ok(Json(json!({
        "conversationId": t.conversation.conversation_id,
        "topic": t.conversation.topic,
        "title": t.conversation.title,
        "state": t.state,
        "progress": t.progress,
        "messages": t.messages,
    })))
}

/// A conversation as it stands.
pub(crate) struct Transcript {
    pub(crate) conversation: Conversation,
    pub(crate) state: StoryState,
    pub(crate) progress: Option<StoryStatus>,
    pub(crate) messages: Vec<Message>,
}

/// The conversation oldest first, with the interview's state: `thinking` while the DIRECTOR
/// answers, `waiting` when the director has the word.
pub(crate) async fn transcript(st: &AppState, caller: &Caller, conversation: &str) -> Result<Transcript, ApiError> {
    let (conversation, _) = existing_conversation(st, caller, conversation).await?;
    let all: Vec<Message> = st
        .store
        .list(Under::Conversation(conversation.conversation_id.to_string()), At::Newest)
        .await?
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    let progress = progress(st, answered_by(&conversation)).await;
    // Without the workflow's word, the store's: the director spoke last, so a reply is due.
    let state = match &progress {
        Some(p) => p.state,
        None if all.last().is_some_and(|m| m.speaker == Speaker::User) => StoryState::Thinking,
        None => StoryState::Waiting,
    };
    Ok(Transcript { conversation, state, progress, messages: all })
}

/// The workflow that answers `conversation`.
fn answered_by(conversation: &Conversation) -> String {
    match conversation.topic {
        Topic::Story => story_workflow_id(conversation.conversation_id),
        Topic::ShotQa => qa_workflow_id(conversation.conversation_id),
        Topic::General => assistant_workflow_id(conversation.conversation_id),
    }
}

/// The conversation's own state, when its workflow runs and answers in time.
async fn progress(st: &AppState, workflow_id: String) -> Option<StoryStatus> {
    let handle = st.temporal.get_workflow_handle::<StoryWorkflow>(workflow_id.clone());
    match tokio::time::timeout(STATE_WITHIN, handle.query(StoryWorkflow::progress, (), WorkflowQueryOptions::default())).await {
        Ok(Ok(status)) => Some(status),
        Ok(Err(WorkflowQueryError::NotFound(_))) => None,
        Ok(Err(e)) => {
            tracing::warn!("workflow {workflow_id} did not answer its query: {e}");
            None
        }
        Err(_) => None,
    }
}

/// `POST /api/conversations/{id}/messages/{messageId}/apply`: the QA proposal of that message
/// refines the shot's still awaiting approval (REFINING, a FLUX.2 edit, then a new still to
/// approve). Applied once: again, it answers `alreadyApplied` and nothing more is paid.
async fn apply(
    State(st): State<AppState>,
    caller: Caller,
    Path((id, message)): Path<(String, String)>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let done = apply_proposal(&st, &caller, &id, &message).await?;
    let status = if done.already_applied { StatusCode::OK } else { StatusCode::ACCEPTED };
    let body = json!({"messageId": done.message_id, "shotId": done.shot_id, "applied": done.applied, "alreadyApplied": done.already_applied});
    Ok((status, Json(body)))
}

/// A proposal applied (now, or before).
pub(crate) struct AppliedProposal {
    pub(crate) message_id: MessageId,
    pub(crate) shot_id: ShotId,
    pub(crate) applied: Option<miri_core::chat::Applied>,
    pub(crate) already_applied: bool,
}

/// Refines the shot's still by the proposal of QA reply `message`; once.
pub(crate) async fn apply_proposal(st: &AppState, caller: &Caller, conversation: &str, message: &str) -> Result<AppliedProposal, ApiError> {
    let (conversation, member) = existing_conversation(st, caller, conversation).await?;
    member.require_editor()?;
    let message_id = MessageId::parse("messageId", message)?;
    let (revision, proposed) = match st.store.get::<Message>(&message_id.to_string(), At::Newest).await? {
        Some(found) if found.1.conversation_id == conversation.conversation_id => found,
        _ => return Err(ApiError::NotFound(format!("message {message_id} is not a message of conversation {}", conversation.conversation_id))),
    };
    let (Some(proposal), Some(shot_id)) = (proposed.proposal.clone(), conversation.shot_id) else {
        return Err(ApiError::Conflict(format!(
            "message {message_id} proposes nothing to apply; tell the assistant what is wrong with the still and apply its proposal"
        )));
    };
    let already =
        |applied: &Message| AppliedProposal { message_id, shot_id, applied: applied.applied.clone(), already_applied: true };
    if proposed.applied.is_some() {
        return Ok(already(&proposed));
    }
    let (_, shot, _) = existing_shot(st, caller, shot_id).await?;
    awaiting_approval(&shot, "applying a proposal")?;
    let still = st.store.versions(shot_id).await?.into_iter().find(|v| v.kind == VersionKind::Image).ok_or_else(|| {
        ApiError::Conflict(format!("shot {shot_id} has no still to refine"))
    })?;
    let by = caller.name();
    let refine = Refine {
        by: by.clone(),
        command: proposal.words().to_string(),
        fix: match &proposal {
            Proposal::Prompt { prompt, .. } => Some(prompt.clone()),
            Proposal::Edit { .. } => None,
        },
        proposal: Some(message_id),
        trace: miri_telemetry::trace::current(),
    };
    // Signalled before it is marked: the shot takes a proposal once, so a retry after a lost
    // mark is harmless, while a mark without its signal would never be applied.
    signal(st, shot_id, |h| async move { h.signal(ShotWorkflow::refine, refine, WorkflowSignalOptions::default()).await }).await?;
    let applied = proposed.applied(&by, still.version_id, Utc::now());
    match st.store.append(&applied, revision + 1).await {
        Ok(()) => {}
        Err(StoreError::Conflict { .. }) => {
            let (_, now) = st.store.require::<Message>(&message_id.to_string()).await?;
            return Ok(already(&now));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(AppliedProposal { message_id, shot_id, applied: applied.applied, already_applied: false })
}

/// Every script of the project, newest revision of each, newest first.
async fn project_scripts(st: &AppState, project_id: ProjectId) -> Result<Vec<(u64, Script)>, ApiError> {
    let mut all = st.store.list::<Script>(Under::Project(project_id.to_string()), At::Newest).await?;
    all.sort_by_key(|(_, s)| std::cmp::Reverse(s.created_at));
    Ok(all)
}

fn view((revision, script): &(u64, Script)) -> Value {
    let mut v = serde_json::to_value(script).unwrap_or_default();
    v["revision"] = json!(revision);
    v
}

async fn scripts(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let all = scripts_of(&st, &caller, &id).await?;
    Ok(Json(json!({"scripts": all.iter().map(view).collect::<Vec<_>>()})))
}

/// Every script of the project the caller names, newest first.
pub(crate) async fn scripts_of(st: &AppState, caller: &Caller, project: &str) -> Result<Vec<(u64, Script)>, ApiError> {
    let project_id = existing_project(st, caller, project).await?.0.config.project_id;
    project_scripts(st, project_id).await
}

/// One script as it stands, with every revision it has had (the proposal, then the acceptance).
async fn one_script(
    State(st): State<AppState>,
    caller: Caller,
    Path((id, script)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let project_id = existing_project(&st, &caller, &id).await?.0.config.project_id;
    let script_id = ScriptId::parse("scriptId", &script)?;
    let history = st.store.history::<Script>(&script_id.to_string()).await?;
    match history.last() {
        Some(newest) if newest.1.project_id == project_id => {
            let mut v = view(newest);
            v["revisions"] = json!(history.iter().map(view).collect::<Vec<_>>());
            Ok(Json(v))
        }
        _ => Err(ApiError::NotFound(format!("script {script_id} is not a script of project {project_id}"))),
    }
}

async fn accept(
    State(st): State<AppState>,
    caller: Caller,
    Path((id, script)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (script, already) = accept_script(&st, &caller, &id, &script).await?;
    let mut v = view(&script);
    if already {
        v["alreadyAccepted"] = json!(true);
    }
    Ok(Json(v))
}

/// Accepts a script version (a revision naming who accepted it); answers it, and whether it was
/// accepted already.
pub(crate) async fn accept_script(st: &AppState, caller: &Caller, project: &str, script: &str) -> Result<((u64, Script), bool), ApiError> {
    let (project, member) = existing_project(st, caller, project).await?;
    member.require_editor()?;
    let project_id = project.config.project_id;
    let script_id = ScriptId::parse("scriptId", script)?;
    loop {
        let (revision, current) = match st.store.get::<Script>(&script_id.to_string(), At::Newest).await? {
            Some(found) if found.1.project_id == project_id => found,
            _ => return Err(ApiError::NotFound(format!("script {script_id} is not a script of project {project_id}"))),
        };
        if current.is_accepted() {
            return Ok(((revision, current), true));
        }
        let accepted = current.accepted(&member.name(), Utc::now());
        match st.store.append(&accepted, revision + 1).await {
            Ok(()) => return Ok(((revision + 1, accepted), false)),
            // Someone accepted it meanwhile: read again and answer that.
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// The script the director accepted last.
async fn accepted(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let project_id = existing_project(&st, &caller, &id).await?.0.config.project_id;
    let all = project_scripts(&st, project_id).await?;
    let newest = all.iter().filter(|(_, s)| s.is_accepted()).max_by_key(|(_, s)| s.accepted_at);
    newest.map(|s| Json(view(s))).ok_or_else(|| {
        ApiError::NotFound(format!(
            "project {project_id} has no accepted script yet; talk the story through in a story conversation \
(POST /api/projects/{project_id}/conversations with topic \"story\", then POST /api/conversations/{{id}}/messages) \
and accept a version with POST /api/projects/{project_id}/scripts/{{scriptId}}/accept"
        ))
    })
}
