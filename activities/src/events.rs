//! Publishes events on a Redis pub/sub channel; every gateway instance subscribes and relays
//! them to its own Socket.IO rooms. The store is the truth: a lost event only delays a client,
//! which re-reads over REST when it reconnects.

use miri_core::{ChatMessage, RenderProgress};
use miri_providers::breaker::BreakerSnapshot;
use redis::{AsyncCommands, aio::ConnectionManager};

#[derive(Clone)]
pub struct EventPublisher {
    conn: ConnectionManager,
    channel: String,
}

impl EventPublisher {
    pub async fn connect(redis_url: &str, channel: String) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(redis_url)?;
        let conn = ConnectionManager::new(client).await?;
        Ok(Self { conn, channel })
    }

    /// Publishes a render's progress; lost like any event, the workflow's query stays the truth.
    pub async fn render_progress(&self, event: &RenderProgress) {
        self.publish(RenderProgress::NAME, event).await;
    }

    /// Announces a conversation's new message (the store keeps it; a lost event only delays it).
    pub async fn chat_message(&self, event: &ChatMessage) {
        self.publish(ChatMessage::NAME, event).await;
    }

    /// Leaves this worker's breaker states where every gateway reads them (`{channel}:health:
    /// {worker}`), for `ttl_secs`: a worker that stops reporting drops out of the health view.
    pub async fn report_health(&self, worker: &str, breakers: &[BreakerSnapshot], ttl_secs: u64) {
        let Ok(payload) = serde_json::to_string(breakers) else { return };
        let mut conn = self.conn.clone();
        let key = health_key(&self.channel, worker);
        if let Err(e) = conn.set_ex::<_, _, ()>(&key, payload, ttl_secs).await {
            tracing::warn!("provider health not reported: {e}");
        }
    }

    async fn publish(&self, name: &str, event: &impl serde::Serialize) {
        let payload = match serde_json::to_string(event) {
            Ok(p) => p,
            Err(e) => return tracing::error!("{name} does not serialise: {e}"),
        };
        let mut conn = self.conn.clone();
        if let Err(e) = conn.publish::<_, _, i64>(&self.channel, payload).await {
            tracing::warn!("{name} not published: {e}");
        }
    }
}

/// Where a worker's breaker states live in Redis.
pub fn health_key(channel: &str, worker: &str) -> String {
    format!("{channel}:health:{worker}")
}
