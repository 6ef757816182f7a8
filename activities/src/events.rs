//! Publishes events on a Redis pub/sub channel; every gateway instance subscribes and relays
//! them to its own Socket.IO rooms. The store is the truth: a lost event only delays a client,
//! which re-reads over REST when it reconnects.

use miri_core::RenderProgress;
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
