//! Live events: Socket.IO connections (authenticated from the CONNECT auth payload, joined to a
//! project's room on request), shot changes from the store's feed ([`crate::feeds`]) and the
//! relay of progress events from the Redis channel to those rooms. Every gateway instance
//! subscribes and emits to its own sockets.

use crate::{auth, feeds::Feeds};
use futures::StreamExt;
use miri_core::{Event, ProjectId};
use miri_store::Records;
use serde::Deserialize;
use serde_json::json;
use socketioxide::{
    SocketIo,
    extract::{AckSender, Extension, SocketRef, State, TryData},
    handler::ConnectHandler,
};
use std::time::Duration;

pub fn project_room(project: ProjectId) -> String {
    format!("project:{project}")
}

#[derive(Deserialize)]
struct ConnectAuth {
    token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JoinRequest {
    project_id: String,
}

#[derive(Debug, thiserror::Error)]
enum ConnectError {
    #[error("missing auth token")]
    MissingToken,
    #[error("invalid token")]
    InvalidToken,
    #[error("token check failed; try again")]
    Store,
}

/// Registers the default namespace with its auth middleware.
pub fn register(io: &SocketIo) {
    io.ns("/", on_connect.with(authenticate));
}

async fn authenticate(
    s: SocketRef,
    State(store): State<Records>,
    TryData(auth): TryData<ConnectAuth>,
) -> Result<(), ConnectError> {
    let auth = auth.map_err(|_| ConnectError::MissingToken)?;
    let caller = auth::resolve(&store, &auth.token)
        .await
        .map_err(|e| {
            tracing::error!("socket auth: {e}");
            ConnectError::Store
        })?
        .ok_or(ConnectError::InvalidToken)?;
    s.extensions.insert(caller);
    Ok(())
}

async fn on_connect(s: SocketRef) {
    s.on("join", on_join);
}

async fn on_join(
    s: SocketRef,
    io: SocketIo,
    Extension(caller): Extension<auth::Caller>,
    State(store): State<Records>,
    State(feeds): State<Feeds>,
    TryData(req): TryData<JoinRequest>,
    ack: AckSender,
) {
    let reply = match req {
        Err(_) => json!({"ok": false, "error": "expected {projectId}"}),
        Ok(r) => match ProjectId::parse("projectId", &r.project_id) {
            Err(e) => json!({"ok": false, "error": e.to_string()}),
            // A project the caller does not belong to "does not exist", as over REST.
            Ok(id) => match visible(&caller, &store, id).await {
                Ok(true) => {
                    let room = project_room(id);
                    s.join(room.clone());
                    match feeds.ensure(id, &store, io).await {
                        Ok(()) => json!({"ok": true, "room": room}),
                        Err(e) => {
                            tracing::error!("join: the feed of {id} did not start: {e}");
                            json!({"ok": false, "error": "store unavailable; try again"})
                        }
                    }
                }
                Ok(false) => json!({"ok": false, "error": format!("project {id} does not exist")}),
                Err(e) => {
                    tracing::error!("join: {e}");
                    json!({"ok": false, "error": "store unavailable; try again"})
                }
            },
        },
    };
    if let Err(e) = ack.send(&reply) {
        tracing::debug!("join ack not sent: {e}");
    }
}

/// Whether project `id` exists and `caller` belongs to it.
async fn visible(caller: &auth::Caller, store: &Records, id: ProjectId) -> Result<bool, miri_store::StoreError> {
    Ok(caller.role_in(store, id).await?.is_some() && store.project(id).await?.is_some())
}

/// Relays the Redis event channel to Socket.IO rooms until the process stops, re-subscribing
/// after a Redis outage (events published meanwhile are lost; clients re-sync on reconnect).
pub async fn relay(redis_url: String, channel: String, io: SocketIo) {
    loop {
        match relay_once(&redis_url, &channel, &io).await {
            Ok(()) => tracing::warn!("event channel closed; re-subscribing"),
            Err(e) => tracing::warn!("event channel: {e}; re-subscribing in 1 s"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn relay_once(redis_url: &str, channel: &str, io: &SocketIo) -> Result<(), redis::RedisError> {
    let client = redis::Client::open(redis_url)?;
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    let mut messages = pubsub.on_message();
    while let Some(msg) = messages.next().await {
        let payload: String = msg.get_payload()?;
        match serde_json::from_str::<Event>(&payload) {
            Ok(event) => emit(io, &event).await,
            Err(e) => tracing::warn!("ignoring a malformed event: {e}"),
        }
    }
    Ok(())
}

pub(crate) async fn emit(io: &SocketIo, event: &Event) {
    let (room, name) = (project_room(event.project_id()), event.name());
    match tokio::time::timeout(Duration::from_secs(2), io.to(room).emit(name, event)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("{name} not delivered to every socket: {e}"),
        Err(_) => tracing::warn!("{name} emit timed out"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_are_per_project() {
        let id = ProjectId::parse("p", "6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a").unwrap();
        assert_eq!(project_room(id), "project:6f1c2a9e-8f0b-4a57-9d55-0d4b5c7b1e2a");
    }
}
