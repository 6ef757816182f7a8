//! The Scenes and Chat services: the story side of the studio over gRPC, each call an adapter
//! over the service layer REST uses ([`crate::scenes`], [`crate::chat`]).

use super::{Studio, proto};
use crate::chat::{self, NewConversation};
use crate::scenes;
use miri_core::{Conversation, Message, Script, Topic};
use proto::{
    AcceptScriptRequest, ApplyProposalRequest, ApplyProposalResponse, BreakdownRef, BreakdownStatus, ConversationRef,
    CreateConversationRequest, ListConversationsRequest, ListConversationsResponse, ListMessagesResponse, ListScenesRequest,
    ListScenesResponse, ListScriptsRequest, ListScriptsResponse, SayRequest, SayResponse, StartBreakdownRequest,
    StartBreakdownResponse,
};
use serde::Serialize;
use serde_json::Value;
use tonic::{Request, Response, Status};

/// A value as the JSON string a proto field carries ("" for none).
fn json_of(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(Value::Null) | Err(_) => String::new(),
        Ok(v) => v.to_string(),
    }
}

/// An enum's serde name (`shot_qa`, `assistant`…).
fn name_of(value: &impl Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// `raw` as an optional id: empty is none.
fn optional(raw: &str) -> Option<String> {
    (!raw.is_empty()).then(|| raw.to_string())
}

#[tonic::async_trait]
impl proto::scenes_server::Scenes for Studio {
    async fn start_breakdown(&self, request: Request<StartBreakdownRequest>) -> Result<Response<StartBreakdownResponse>, Status> {
        let caller = self.caller(&request).await?;
        let r = request.get_ref();
        let started = scenes::start_breakdown(&self.0, &caller, &r.project_id, r.shots).await?;
        Ok(Response::new(StartBreakdownResponse {
            breakdown_id: started.breakdown_id.to_string(),
            workflow_id: started.workflow_id,
            analysis_id: started.analysis_id.to_string(),
        }))
    }

    async fn get_breakdown(&self, request: Request<BreakdownRef>) -> Result<Response<BreakdownStatus>, Status> {
        let caller = self.caller(&request).await?;
        let r = request.get_ref();
        let v = scenes::breakdown_status(&self.0, &caller, &r.project_id, &r.breakdown_id).await?;
        let text = |key: &str| v[key].as_str().unwrap_or_default().to_string();
        let result = match v["status"].as_str() {
            Some("completed") => serde_json::json!({"scenes": v["scenes"], "references": v["references"], "shots": v["shots"]}).to_string(),
            _ => String::new(),
        };
        Ok(Response::new(BreakdownStatus {
            breakdown_id: text("breakdownId"),
            status: text("status"),
            progress_json: json_of(&v["progress"]),
            result_json: result,
            error: text("error"),
        }))
    }

    async fn list_scenes(&self, request: Request<ListScenesRequest>) -> Result<Response<ListScenesResponse>, Status> {
        let caller = self.caller(&request).await?;
        let scenes = scenes::newest_scenes(&self.0, &caller, &request.get_ref().project_id).await?;
        let scenes = scenes
            .into_iter()
            .map(|(s, json)| proto::Scene {
                scene_id: s.scene_id.to_string(),
                index: s.index,
                start_ms: s.timestamps.start_ms,
                end_ms: s.timestamps.end_ms,
                location: s.location,
                seed: s.seed,
                json: json.to_string(),
            })
            .collect();
        Ok(Response::new(ListScenesResponse { scenes }))
    }
}

fn conversation(c: Conversation) -> proto::Conversation {
    proto::Conversation {
        conversation_id: c.conversation_id.to_string(),
        project_id: c.project_id.to_string(),
        topic: name_of(&c.topic),
        shot_id: c.shot_id.map(|s| s.to_string()).unwrap_or_default(),
        title: c.title,
        created_at: c.created_at.to_rfc3339(),
    }
}

fn message(m: &Message) -> proto::Message {
    proto::Message {
        message_id: m.message_id.to_string(),
        speaker: name_of(&m.speaker),
        content: m.content.clone(),
        created_at: m.created_at.to_rfc3339(),
        json: json_of(m),
    }
}

fn script((revision, s): &(u64, Script)) -> proto::Script {
    proto::Script { script_id: s.script_id.to_string(), revision: *revision, accepted: s.is_accepted(), json: json_of(s) }
}

#[tonic::async_trait]
impl proto::chat_server::Chat for Studio {
    async fn create_conversation(&self, request: Request<CreateConversationRequest>) -> Result<Response<proto::Conversation>, Status> {
        let caller = self.caller(&request).await?;
        let r = request.into_inner();
        let topic: Topic = serde_json::from_value(Value::String(r.topic.clone())).map_err(|_| {
            Status::invalid_argument(format!("topic {:?} is none of story, shot_qa, general", r.topic))
        })?;
        let new = NewConversation { topic, title: r.title, shot_id: optional(&r.shot_id) };
        Ok(Response::new(conversation(chat::create_conversation(&self.0, &caller, &r.project_id, new).await?)))
    }

    async fn list_conversations(&self, request: Request<ListConversationsRequest>) -> Result<Response<ListConversationsResponse>, Status> {
        let caller = self.caller(&request).await?;
        let all = chat::conversations(&self.0, &caller, &request.get_ref().project_id).await?;
        Ok(Response::new(ListConversationsResponse { conversations: all.into_iter().map(conversation).collect() }))
    }

    async fn say(&self, request: Request<SayRequest>) -> Result<Response<SayResponse>, Status> {
        let caller = self.caller(&request).await?;
        let r = request.get_ref();
        let client_id = optional(&r.client_message_id);
        let sent = chat::say_message(&self.0, &caller, &r.conversation_id, &r.content, client_id.as_deref()).await?;
        Ok(Response::new(SayResponse {
            message_id: sent.message_id.to_string(),
            workflow_id: sent.workflow_id,
            duplicate: sent.duplicate,
        }))
    }

    async fn list_messages(&self, request: Request<ConversationRef>) -> Result<Response<ListMessagesResponse>, Status> {
        let caller = self.caller(&request).await?;
        let t = chat::transcript(&self.0, &caller, &request.get_ref().conversation_id).await?;
        Ok(Response::new(ListMessagesResponse {
            conversation_id: t.conversation.conversation_id.to_string(),
            state: name_of(&t.state),
            messages: t.messages.iter().map(message).collect(),
            progress_json: json_of(&t.progress),
        }))
    }

    async fn apply_proposal(&self, request: Request<ApplyProposalRequest>) -> Result<Response<ApplyProposalResponse>, Status> {
        let caller = self.caller(&request).await?;
        let r = request.get_ref();
        let done = chat::apply_proposal(&self.0, &caller, &r.conversation_id, &r.message_id).await?;
        Ok(Response::new(ApplyProposalResponse {
            message_id: done.message_id.to_string(),
            shot_id: done.shot_id.to_string(),
            already_applied: done.already_applied,
            applied_json: json_of(&done.applied),
        }))
    }

    async fn list_scripts(&self, request: Request<ListScriptsRequest>) -> Result<Response<ListScriptsResponse>, Status> {
        let caller = self.caller(&request).await?;
        let all = chat::scripts_of(&self.0, &caller, &request.get_ref().project_id).await?;
        Ok(Response::new(ListScriptsResponse { scripts: all.iter().map(script).collect() }))
    }

    async fn accept_script(&self, request: Request<AcceptScriptRequest>) -> Result<Response<proto::Script>, Status> {
        let caller = self.caller(&request).await?;
        let r = request.get_ref();
        let (accepted, _) = chat::accept_script(&self.0, &caller, &r.project_id, &r.script_id).await?;
        Ok(Response::new(script(&accepted)))
    }
}
