//! The SQLite backend: one `records` table, WAL so the gateway and workers (separate processes)
//! read while one writes, versioned migrations from `migrations/`, and typed accessors for each
//! entity. Calls run on the blocking pool; the connection is shared behind a mutex.

use crate::{ProviderRequest, StoreError, TokenRecord};
use chrono::Utc;
use miri_core::{Project, ProjectId, Shot, ShotId, Version, VersionId};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::{Serialize, de::DeserializeOwned};
use std::{
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

const MIGRATIONS: &[(u32, &str)] = &[(1, include_str!("../migrations/0001_records.sql"))];

const PROJECT: &str = "project";
const SHOT: &str = "shot";
const VERSION: &str = "version";
const PROVIDER_REQUEST: &str = "provider_request";
const TOKEN: &str = "token";

#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

/// Where a record sits: its kind, entity and revision, and the ids it is listed under.
struct Slot<'a> {
    kind: &'static str,
    entity_id: String,
    revision: u64,
    project_id: Option<String>,
    shot_id: Option<String>,
    body: &'a str,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // Processes opening a fresh file at once (gateway, worker, `miri token`) contend for
        // the exclusive lock that switching to WAL takes, and SQLite can answer "locked" without
        // waiting in its busy handler. Every step here is idempotent: retry the whole set-up.
        let mut attempts = 0;
        loop {
            match prepare(&conn) {
                Ok(()) => break,
                Err(e) if attempts < 100 && is_locked(&e) => attempts += 1,
                Err(e) => return Err(e),
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self { conn: Arc::new(Mutex::new(conn)) })
    }

    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let guard = conn.lock().map_err(|_| StoreError::Task("connection mutex poisoned".into()))?;
            f(&guard)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    async fn append<T: Serialize>(
        &self,
        kind: &'static str,
        entity_id: String,
        revision: u64,
        project_id: Option<String>,
        shot_id: Option<String>,
        body: &T,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(body).map_err(|source| StoreError::Corrupt {
            kind,
            entity_id: entity_id.clone(),
            source,
        })?;
        self.with(move |c| {
            insert(c, Slot { kind, entity_id, revision, project_id, shot_id, body: &body })
        })
        .await
    }

    async fn newest<T: DeserializeOwned + Send + 'static>(
        &self,
        kind: &'static str,
        entity_id: String,
    ) -> Result<Option<(u64, T)>, StoreError> {
        self.with(move |c| {
            let row: Option<(i64, String)> = c
                .query_row(
                    "SELECT revision, body FROM records WHERE kind = ?1 AND entity_id = ?2
                     ORDER BY revision DESC LIMIT 1",
                    params![kind, entity_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            row.map(|(rev, body)| Ok((rev as u64, decode(kind, &entity_id, &body)?))).transpose()
        })
        .await
    }

    /// The newest revision of every entity of `kind` listed under a column, in creation order.
    async fn newest_under<T: DeserializeOwned + Send + 'static>(
        &self,
        kind: &'static str,
        column: &'static str,
        value: Option<String>,
    ) -> Result<Vec<(u64, T)>, StoreError> {
        self.with(move |c| {
            let sql = format!(
                "SELECT r.entity_id, r.revision, r.body FROM records r
                 JOIN (SELECT entity_id, MAX(revision) AS rev, MIN(seq) AS first FROM records
                       WHERE kind = ?1 AND (?2 IS NULL OR {column} = ?2) GROUP BY entity_id) n
                   ON r.entity_id = n.entity_id AND r.revision = n.rev
                 WHERE r.kind = ?1 ORDER BY n.first"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![kind, value], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))
            })?;
            rows.map(|row| {
                let (id, rev, body) = row?;
                Ok((rev as u64, decode(kind, &id, &body)?))
            })
            .collect()
        })
        .await
    }

    pub async fn create_project(&self, project: &Project) -> Result<(), StoreError> {
        let id = project.config.project_id.to_string();
        self.append(PROJECT, id.clone(), 0, Some(id), None, project).await
    }

    pub async fn project(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        Ok(self.newest(PROJECT, id.to_string()).await?.map(|(_, p)| p))
    }

    pub async fn projects(&self) -> Result<Vec<Project>, StoreError> {
        Ok(self.newest_under(PROJECT, "project_id", None).await?.into_iter().map(|(_, p)| p).collect())
    }

    /// Appends `shot` as revision `revision` of its entity; revision 0 creates it. A taken
    /// revision is a [`StoreError::Conflict`].
    pub async fn append_shot(&self, shot: &Shot, revision: u64) -> Result<(), StoreError> {
        let id = shot.shot_id.to_string();
        self.append(SHOT, id.clone(), revision, Some(shot.project_id.to_string()), Some(id), shot)
            .await
    }

    /// The newest revision of a shot and its number.
    pub async fn shot(&self, id: ShotId) -> Result<Option<(u64, Shot)>, StoreError> {
        self.newest(SHOT, id.to_string()).await
    }

    /// A given revision of a shot (time travel).
    pub async fn shot_revision(&self, id: ShotId, revision: u64) -> Result<Option<Shot>, StoreError> {
        let entity_id = id.to_string();
        self.with(move |c| {
            let body: Option<String> = c
                .query_row(
                    "SELECT body FROM records WHERE kind = ?1 AND entity_id = ?2 AND revision = ?3",
                    params![SHOT, entity_id, revision as i64],
                    |r| r.get(0),
                )
                .optional()?;
            body.map(|b| decode(SHOT, &entity_id, &b)).transpose()
        })
        .await
    }

    pub async fn shots(&self, project: ProjectId) -> Result<Vec<(u64, Shot)>, StoreError> {
        self.newest_under(SHOT, "project_id", Some(project.to_string())).await
    }

    pub async fn append_version(&self, project: ProjectId, version: &Version) -> Result<(), StoreError> {
        let id = version.version_id.to_string();
        let shot = version.shot_id.to_string();
        self.append(VERSION, id, 0, Some(project.to_string()), Some(shot), version).await
    }

    pub async fn version(&self, id: VersionId) -> Result<Option<Version>, StoreError> {
        Ok(self.newest(VERSION, id.to_string()).await?.map(|(_, v)| v))
    }

    /// Every version of a shot, newest first.
    pub async fn versions(&self, shot: ShotId) -> Result<Vec<Version>, StoreError> {
        let mut all: Vec<Version> =
            self.newest_under(VERSION, "shot_id", Some(shot.to_string())).await?.into_iter().map(|(_, v)| v).collect();
        all.reverse();
        Ok(all)
    }

    pub async fn record_provider_request(&self, req: &ProviderRequest) -> Result<(), StoreError> {
        self.append(
            PROVIDER_REQUEST,
            req.version_id.to_string(),
            0,
            Some(req.project_id.to_string()),
            Some(req.shot_id.to_string()),
            req,
        )
        .await
    }

    pub async fn provider_request(&self, version: VersionId) -> Result<Option<ProviderRequest>, StoreError> {
        Ok(self.newest(PROVIDER_REQUEST, version.to_string()).await?.map(|(_, r)| r))
    }

    pub async fn create_token(&self, token: &TokenRecord) -> Result<(), StoreError> {
        self.append(TOKEN, token.token_sha256.clone(), 0, None, None, token).await
    }

    pub async fn token(&self, token_sha256: &str) -> Result<Option<TokenRecord>, StoreError> {
        Ok(self.newest(TOKEN, token_sha256.to_string()).await?.map(|(_, t)| t))
    }

    pub async fn has_tokens(&self) -> Result<bool, StoreError> {
        self.with(|c| {
            Ok(c.query_row("SELECT EXISTS(SELECT 1 FROM records WHERE kind = ?1)", [TOKEN], |r| r.get(0))?)
        })
        .await
    }
}

fn insert(c: &Connection, slot: Slot<'_>) -> Result<(), StoreError> {
    let result = c.execute(
        "INSERT INTO records (kind, entity_id, revision, project_id, shot_id, created_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            slot.kind,
            slot.entity_id,
            slot.revision as i64,
            slot.project_id,
            slot.shot_id,
            Utc::now().to_rfc3339(),
            slot.body
        ],
    );
    match result {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            Err(StoreError::Conflict { kind: slot.kind, entity_id: slot.entity_id, revision: slot.revision })
        }
        Err(e) => Err(e.into()),
    }
}

fn decode<T: DeserializeOwned>(kind: &'static str, entity_id: &str, body: &str) -> Result<T, StoreError> {
    serde_json::from_str(body).map_err(|source| StoreError::Corrupt { kind, entity_id: entity_id.into(), source })
}

fn prepare(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    migrate(conn)
}

fn is_locked(e: &StoreError) -> bool {
    let (StoreError::Database(e) | StoreError::Migration { source: e, .. }) = e else { return false };
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    for &(version, sql) in MIGRATIONS {
        // IMMEDIATE takes the write lock before the check, so two processes opening a fresh
        // database at once (a gateway and a worker) apply each migration exactly once. A dropped
        // transaction rolls back.
        let apply = || -> rusqlite::Result<()> {
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            let applied: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)",
                [version],
                |r| r.get(0),
            )?;
            if !applied {
                tx.execute_batch(sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                    params![version, Utc::now().to_rfc3339()],
                )?;
            }
            tx.commit()
        };
        apply().map_err(|source| StoreError::Migration { version, source })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use miri_core::{ShotStatus, Timestamps};
    use uuid::Uuid;

    fn shot(status: ShotStatus) -> Shot {
        Shot {
            shot_id: ShotId::from_uuid(Uuid::from_u128(7)),
            project_id: ProjectId::from_uuid(Uuid::from_u128(1)),
            scene_id: None,
            versions: Vec::new(),
            timestamps: Timestamps { start_ms: 0, end_ms: 3000 },
            lyrics_snippet: "שִׁמְרִי עָלַי 🌙 \u{200F}".into(),
            description: "a garden".into(),
            status,
            reason: None,
            change_id: None,
            updated_at: Utc::now(),
        }
    }

    fn open() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("miri.db")).unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn a_taken_revision_is_a_conflict_and_the_original_is_intact() {
        let (_d, store) = open();
        store.append_shot(&shot(ShotStatus::Draft), 0).await.unwrap();
        let err = store.append_shot(&shot(ShotStatus::Failed), 0).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { revision: 0, .. }), "{err}");
        let (rev, newest) = store.shot(ShotId::from_uuid(Uuid::from_u128(7))).await.unwrap().unwrap();
        assert_eq!((rev, newest.status), (0, ShotStatus::Draft));
        assert_eq!(newest.lyrics_snippet, "שִׁמְרִי עָלַי 🌙 \u{200F}");
    }

    #[tokio::test]
    async fn the_database_refuses_update_and_delete() {
        let (_d, store) = open();
        store.append_shot(&shot(ShotStatus::Draft), 0).await.unwrap();
        let conn = store.conn.lock().unwrap();
        for sql in ["UPDATE records SET body = '{}'", "DELETE FROM records"] {
            let err = conn.execute(sql, []).unwrap_err().to_string();
            assert!(err.contains("append-only"), "{sql}: {err}");
        }
    }

    #[tokio::test]
    async fn newest_revision_wins_and_old_ones_stay_readable() {
        let (_d, store) = open();
        let id = ShotId::from_uuid(Uuid::from_u128(7));
        store.append_shot(&shot(ShotStatus::Draft), 0).await.unwrap();
        store.append_shot(&shot(ShotStatus::Validation), 1).await.unwrap();
        assert_eq!(store.shot(id).await.unwrap().unwrap().1.status, ShotStatus::Validation);
        assert_eq!(store.shot_revision(id, 0).await.unwrap().unwrap().status, ShotStatus::Draft);
        let listed = store.shots(ProjectId::from_uuid(Uuid::from_u128(1))).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].0, 1);
    }

    #[test]
    fn processes_opening_a_fresh_database_at_once_migrate_it_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("miri.db");
        let openers: Vec<_> = (0..8)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || SqliteStore::open(&path).map(|_| ()))
            })
            .collect();
        for o in openers {
            o.join().unwrap().unwrap();
        }
    }

    #[tokio::test]
    async fn reopening_keeps_data_and_migrations_run_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("miri.db");
        SqliteStore::open(&path).unwrap().append_shot(&shot(ShotStatus::Draft), 0).await.unwrap();
        let again = SqliteStore::open(&path).unwrap();
        assert!(again.shot(ShotId::from_uuid(Uuid::from_u128(7))).await.unwrap().is_some());
    }
}
