//! SHOT_UPDATED events come from the store's change feed: the first socket to join a project's
//! room starts one feed for the project in this gateway, and every shot revision appended after
//! that reaches the room, whichever process wrote it. An event is derived from the record it
//! announces, so none can say something the store does not hold. The feed ends when its room
//! has stayed empty for a while.

use crate::events::{emit, project_room};
use futures::StreamExt;
use miri_core::{Event, ProjectId, Shot, ShotUpdated};
use miri_store::{Kind, Records, StoreError};
use socketioxide::SocketIo;
use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

/// How long a feed waits between checks that its room still has sockets.
const IDLE_CHECK: Duration = Duration::from_secs(30);

/// The projects whose feeds run in this gateway.
#[derive(Clone, Default)]
pub struct Feeds {
    running: Arc<Mutex<HashSet<ProjectId>>>,
}

impl Feeds {
    /// Starts the project's feed unless it runs already. Returns once the feed is subscribed, so
    /// a socket that joined before this returns sees every later change.
    pub async fn ensure(&self, project: ProjectId, store: &Records, io: SocketIo) -> Result<(), StoreError> {
        if self.running.lock().map(|r| r.contains(&project)).unwrap_or(false) {
            return Ok(());
        }
        let mut feed = store.feed(project).await?;
        if !self.running.lock().map(|mut r| r.insert(project)).unwrap_or(false) {
            return Ok(()); // another join started it meanwhile
        }
        let (store, running) = (store.clone(), self.running.clone());
        tokio::spawn(async move {
            let room = project_room(project);
            loop {
                match tokio::time::timeout(IDLE_CHECK, feed.next()).await {
                    Ok(Some(Ok(entry))) if entry.kind == Kind::Shot => match store.decode::<Shot>(entry).await {
                        Ok((revision, shot)) => emit(&io, &Event::Shot(ShotUpdated::of(&shot, revision))).await,
                        Err(e) => tracing::error!("feed of {project}: {e}"),
                    },
                    Ok(Some(Ok(_))) => {}
                    Ok(Some(Err(e))) => {
                        tracing::warn!("feed of {project} failed: {e}; the next join restarts it");
                        break;
                    }
                    Ok(None) => break,
                    Err(_) => {
                        let empty = io.to(room.clone()).sockets().is_empty();
                        if empty {
                            break;
                        }
                    }
                }
            }
            if let Ok(mut r) = running.lock() {
                r.remove(&project);
            }
        });
        Ok(())
    }
}
