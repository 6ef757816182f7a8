//! Every submitted request, kept in memory and mirrored to `requests/{id}.json` so a restarted
//! simulator still answers status and result for it.
//!
//! A record only moves forward (queued → running → completed/failed/cancelled), each move is
//! written to a new file that is then renamed over the old one, and a finished record is never
//! written again. Moves are made under one lock, so a cancel and a completion cannot both win.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::error::SimError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub request_id: Uuid,
    /// The full endpoint id, e.g. `fal-ai/flux-2/edit`.
    pub endpoint: String,
    /// `owner/app`, the prefix of the request's queue URLs.
    pub app: String,
    pub input: Value,
    pub webhook: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub state: RequestState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RequestState {
    Queued,
    Running,
    Completed {
        output: Value,
        finished_at: DateTime<Utc>,
    },
    /// `detail` is fal's validation list explaining the failure.
    Failed {
        detail: Value,
        finished_at: DateTime<Utc>,
    },
    Cancelled {
        finished_at: DateTime<Utc>,
    },
}

impl RequestState {
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            Self::Completed { .. } | Self::Failed { .. } | Self::Cancelled { .. }
        )
    }
}

pub struct Store {
    dir: PathBuf,
    records: Mutex<HashMap<Uuid, RequestRecord>>,
}

impl Store {
    /// Loads the records under `dir`, creating it if needed. Unreadable files are logged and
    /// skipped: they can only be leftovers of an interrupted write.
    pub async fn open(dir: PathBuf) -> Result<Self, SimError> {
        let data_dir_error = |source| SimError::DataDir {
            path: dir.clone(),
            source,
        };
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(data_dir_error)?;
        let mut records = HashMap::new();
        let mut entries = tokio::fs::read_dir(&dir).await.map_err(data_dir_error)?;
        while let Some(entry) = entries.next_entry().await.map_err(data_dir_error)? {
            let path = entry.path();
            if path.extension().is_none_or(|ext| ext != "json") {
                continue;
            }
            match read_record(&path).await {
                Ok(record) => {
                    records.insert(record.request_id, record);
                }
                Err(reason) => {
                    tracing::warn!(path = %path.display(), %reason, "skipping unreadable request record")
                }
            }
        }
        Ok(Self {
            dir,
            records: Mutex::new(records),
        })
    }

    pub async fn insert(&self, record: RequestRecord) -> io::Result<()> {
        let mut records = self.records.lock().await;
        self.persist(&record).await?;
        records.insert(record.request_id, record);
        Ok(())
    }

    pub async fn get(&self, id: Uuid) -> Option<RequestRecord> {
        self.records.lock().await.get(&id).cloned()
    }

    /// All records, oldest submission first.
    pub async fn all(&self) -> Vec<RequestRecord> {
        let mut all: Vec<RequestRecord> = self.records.lock().await.values().cloned().collect();
        all.sort_by_key(|record| (record.submitted_at, record.request_id));
        all
    }

    /// Moves an unfinished request to `next` and returns its updated record; a finished (or
    /// unknown) request is left alone and `None` comes back.
    pub async fn advance(&self, id: Uuid, next: RequestState) -> io::Result<Option<RequestRecord>> {
        let mut records = self.records.lock().await;
        let Some(current) = records.get(&id) else {
            return Ok(None);
        };
        if current.state.is_finished() {
            return Ok(None);
        }
        let updated = RequestRecord {
            state: next,
            ..current.clone()
        };
        self.persist(&updated).await?;
        records.insert(id, updated.clone());
        Ok(Some(updated))
    }

    async fn persist(&self, record: &RequestRecord) -> io::Result<()> {
        let path = self.dir.join(format!("{}.json", record.request_id));
        let staging = self.dir.join(format!("{}.json.partial", record.request_id));
        let bytes = serde_json::to_vec_pretty(record)?;
        tokio::fs::write(&staging, bytes).await?;
        tokio::fs::rename(&staging, &path).await
    }
}

async fn read_record(path: &Path) -> Result<RequestRecord, String> {
    let bytes = tokio::fs::read(path).await.map_err(|err| err.to_string())?;
    serde_json::from_slice(&bytes).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record() -> RequestRecord {
        RequestRecord {
            request_id: Uuid::new_v4(),
            endpoint: "fal-ai/flux-2/edit".into(),
            app: "fal-ai/flux-2".into(),
            input: json!({"prompt": "p"}),
            webhook: Some("http://127.0.0.1:1/hook".into()),
            submitted_at: Utc::now(),
            state: RequestState::Queued,
        }
    }

    #[tokio::test]
    async fn records_survive_a_reopen_and_finished_ones_stay_finished() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().to_owned()).await.unwrap();
        let first = record();
        let id = first.request_id;
        store.insert(first).await.unwrap();
        store
            .advance(id, RequestState::Running)
            .await
            .unwrap()
            .unwrap();
        let done = RequestState::Completed {
            output: json!({"images": []}),
            finished_at: Utc::now(),
        };
        store.advance(id, done.clone()).await.unwrap().unwrap();
        let late_cancel = RequestState::Cancelled {
            finished_at: Utc::now(),
        };
        assert_eq!(store.advance(id, late_cancel).await.unwrap(), None);

        std::fs::write(dir.path().join("garbage.json"), b"{").unwrap();
        let reopened = Store::open(dir.path().to_owned()).await.unwrap();
        assert_eq!(reopened.get(id).await.unwrap().state, done);
        assert_eq!(reopened.all().await.len(), 1);
        assert!(!dir.path().join(format!("{id}.json.partial")).exists());
    }
}
