//! The SQLite backend: one `records` table, WAL so the gateway and workers (separate processes)
//! read while one writes, versioned migrations from `migrations/`, triggers that refuse UPDATE
//! and DELETE. Calls run on the blocking pool; the connection is shared behind a mutex. The
//! change feed tails the table by its sequence number, which also works across processes.

use crate::StoreError;
use crate::backend::Backend;
use crate::entry::{At, Entry, Kind, Place, Under};
use chrono::{DateTime, Utc};
use futures::stream::{self, BoxStream, StreamExt};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};
use std::{
    collections::VecDeque,
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("../migrations/0001_records.sql")),
    (2, include_str!("../migrations/0002_places_and_times.sql")),
];

/// How often the change feed looks for new rows.
const FEED_POLL: Duration = Duration::from_millis(25);

/// The recorded time of a row, in microseconds (rows from before migration 2 have only text).
const RECORDED_US: &str =
    "COALESCE(recorded_us, CAST((julianday(created_at) - 2440587.5) * 86400000000 AS INTEGER))";

const COLUMNS: &str = "kind, entity_id, revision, project_id, scene_id, shot_id, conversation_id, body";

#[derive(Clone)]
pub struct SqliteBackend {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteBackend {
    /// Opens (creating if needed) the database at `path`, checks it and applies pending
    /// migrations. A file that is not a usable Miri database is refused, naming it, and is not
    /// written to.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let unusable = |reason: String| StoreError::Unusable { path: path.display().to_string(), reason };
        let conn = Connection::open(path).map_err(|e| unusable(e.to_string()))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        check(&conn).map_err(unusable)?;
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

    /// Runs `f` on the connection. SQLite answers in microseconds, so handing each call to the
    /// blocking pool cost more than the call (two thread wake-ups, milliseconds under load);
    /// on a multi-threaded runtime the call runs in place, telling tokio this worker blocks.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let run = || {
            let mut guard = self.conn.lock().map_err(|_| StoreError::Task("connection mutex poisoned".into()))?;
            f(&mut guard)
        };
        match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(run),
            _ => run(),
        }
    }

    /// Rows after `seq` under `project`, oldest first, with their sequence numbers.
    async fn after(&self, project: String, seq: i64) -> Result<Vec<(i64, Entry)>, StoreError> {
        self.with(move |c| {
            let sql = format!(
                "SELECT seq, {COLUMNS}, {RECORDED_US} FROM records WHERE seq > ?1 AND project_id = ?2 ORDER BY seq LIMIT 500"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![seq, project], |r| Ok((r.get::<_, i64>(0)?, entry(r, 1)?)))?;
            rows.map(|r| Ok(r?)).collect()
        })
        .await
    }

    async fn last_seq(&self) -> Result<i64, StoreError> {
        self.with(|c| Ok(c.query_row("SELECT COALESCE(MAX(seq), 0) FROM records", [], |r| r.get(0))?)).await
    }
}

impl Backend for SqliteBackend {
    async fn append(&self, entries: Vec<Entry>) -> Result<(), StoreError> {
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for e in &entries {
                insert(&tx, e)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn read(&self, kind: Kind, id: &str, at: At) -> Result<Option<Entry>, StoreError> {
        let id = id.to_string();
        self.with(move |c| {
            let (filter, value) = at_filter(at);
            let sql = format!(
                "SELECT {COLUMNS}, {RECORDED_US} FROM records WHERE kind = ?1 AND entity_id = ?2 AND {filter}
                 ORDER BY revision DESC LIMIT 1"
            );
            Ok(c.prepare_cached(&sql)?.query_row(params![kind.as_str(), id, value], |r| entry(r, 0)).optional()?)
        })
        .await
    }

    async fn list(&self, kind: Kind, under: Under, at: At) -> Result<Vec<Entry>, StoreError> {
        self.with(move |c| {
            // The place's own index, named: left to itself the planner prefers the unique
            // (kind, entity, revision) index for the GROUP BY and scans every record of the kind.
            let (index, column, value) = match under {
                Under::All => ("sqlite_autoindex_records_1", "", None),
                Under::Project(id) => ("records_by_project", "project_id", Some(id)),
                Under::Scene(id) => ("records_by_scene", "scene_id", Some(id)),
                Under::Shot(id) => ("records_by_shot", "shot_id", Some(id)),
                Under::Conversation(id) => ("records_by_conversation", "conversation_id", Some(id)),
            };
            let place = if value.is_some() { format!("{column} = ?2") } else { "?2 IS NULL".into() };
            let (filter, bound) = at_filter(at);
            // One pass over the entities under the place: the newest revision at `at` of each
            // and the position of its first record, for creation order. CROSS JOIN keeps that
            // pass the outer loop (SQLite does not reorder it), so a list costs the place's size.
            let sql = format!(
                "SELECT {COLUMNS}, {RECORDED_US}
                 FROM (SELECT entity_id AS e, MAX(CASE WHEN {filter} THEN revision END) AS rev, MIN(seq) AS first
                       FROM records INDEXED BY {index} WHERE kind = ?1 AND {place} GROUP BY entity_id) n
                 CROSS JOIN records r ON r.kind = ?1 AND r.entity_id = n.e AND r.revision = n.rev
                 ORDER BY n.first, r.entity_id"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![kind.as_str(), value, bound], |r| entry(r, 0))?;
            rows.map(|r| Ok(r?)).collect()
        })
        .await
    }

    async fn history(&self, kind: Kind, id: &str) -> Result<Vec<Entry>, StoreError> {
        let id = id.to_string();
        self.with(move |c| {
            let sql = format!(
                "SELECT {COLUMNS}, {RECORDED_US} FROM records WHERE kind = ?1 AND entity_id = ?2 ORDER BY revision"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![kind.as_str(), id], |r| entry(r, 0))?;
            rows.map(|r| Ok(r?)).collect()
        })
        .await
    }

    async fn feed(&self, project: &str) -> Result<BoxStream<'static, Result<Entry, StoreError>>, StoreError> {
        let start = self.last_seq().await?;
        let state = (self.clone(), project.to_string(), start, VecDeque::new());
        Ok(stream::unfold(state, |(backend, project, mut seq, mut buffer)| async move {
            loop {
                if let Some(entry) = buffer.pop_front() {
                    return Some((Ok(entry), (backend, project, seq, buffer)));
                }
                match backend.after(project.clone(), seq).await {
                    Ok(rows) if rows.is_empty() => tokio::time::sleep(FEED_POLL).await,
                    Ok(rows) => {
                        for (s, entry) in rows {
                            seq = s;
                            buffer.push_back(entry);
                        }
                    }
                    Err(e) => return Some((Err(e), (backend, project, seq, buffer))),
                }
            }
        })
        .boxed())
    }

    fn max_body_bytes(&self) -> Option<usize> {
        None
    }
}

/// The SQL condition and bound value for `at` (parameter ?3).
fn at_filter(at: At) -> (String, Option<i64>) {
    match at {
        At::Newest => ("?3 IS NULL".into(), None),
        At::Revision(n) => ("revision = ?3".into(), Some(n as i64)),
        At::AsOf(t) => (format!("{RECORDED_US} <= ?3"), Some(t.timestamp_micros())),
    }
}

fn entry(r: &Row<'_>, first: usize) -> rusqlite::Result<Entry> {
    let kind_text: String = r.get(first)?;
    let kind = Kind::parse(&kind_text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(first, rusqlite::types::Type::Text, format!("unknown kind {kind_text:?}").into())
    })?;
    let body: String = r.get(first + 7)?;
    let body = serde_json::from_str(&body)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(first + 7, rusqlite::types::Type::Text, e.into()))?;
    let us: i64 = r.get(first + 8)?;
    Ok(Entry {
        kind,
        id: r.get(first + 1)?,
        revision: r.get::<_, i64>(first + 2)? as u64,
        place: Place {
            project: r.get(first + 3)?,
            scene: r.get(first + 4)?,
            shot: r.get(first + 5)?,
            conversation: r.get(first + 6)?,
        },
        recorded_at: DateTime::<Utc>::from_timestamp_micros(us).unwrap_or_default(),
        body,
    })
}

fn insert(tx: &Transaction<'_>, e: &Entry) -> Result<(), StoreError> {
    let result = tx.execute(
        "INSERT INTO records (kind, entity_id, revision, project_id, scene_id, shot_id, conversation_id,
                              created_at, recorded_us, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            e.kind.as_str(),
            e.id,
            e.revision as i64,
            e.place.project,
            e.place.scene,
            e.place.shot,
            e.place.conversation,
            e.recorded_at.to_rfc3339(),
            e.recorded_at.timestamp_micros(),
            e.body.to_string(),
        ],
    );
    match result {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(f, _)) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
            Err(StoreError::Conflict { kind: e.kind, entity_id: e.id.clone(), revision: e.revision })
        }
        Err(err) => Err(err.into()),
    }
}

/// Refuses a file that is not SQLite, is damaged, or holds some other application's tables.
fn check(conn: &Connection) -> Result<(), String> {
    let ok: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|e| e.to_string())?;
    if ok != "ok" {
        return Err(format!("integrity check failed: {ok}"));
    }
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| e.to_string())?;
    let ours = ["records", "schema_migrations"];
    if !tables.is_empty() && !tables.iter().all(|t| ours.contains(&t.as_str())) {
        return Err(format!("it holds tables that are not Miri's ({})", tables.join(", ")));
    }
    Ok(())
}

fn prepare(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    migrate(conn)
}

fn is_locked(e: &StoreError) -> bool {
    let (StoreError::Database(e) | StoreError::Migration { source: e, .. }) = e else { return false };
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
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

    fn row(kind: Kind, id: &str, revision: u64) -> Entry {
        Entry {
            kind,
            id: id.into(),
            revision,
            place: Place { project: Some("p".into()), ..Place::default() },
            recorded_at: Utc::now(),
            body: serde_json::json!({"n": revision}),
        }
    }

    #[tokio::test]
    async fn the_database_itself_refuses_update_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let db = SqliteBackend::open(&dir.path().join("miri.db")).unwrap();
        db.append(vec![row(Kind::Shot, "a", 0)]).await.unwrap();
        let c = db.conn.lock().unwrap();
        let update = c.execute("UPDATE records SET body = '{}'", []).unwrap_err().to_string();
        assert!(update.contains("append-only: UPDATE refused"), "{update}");
        let delete = c.execute("DELETE FROM records", []).unwrap_err().to_string();
        assert!(delete.contains("append-only: DELETE refused"), "{delete}");
    }

    #[test]
    fn a_file_that_is_not_a_miri_database_is_refused_by_name_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("garbage.db");
        let bytes = b"this is not a database, it is a shopping list".repeat(200);
        std::fs::write(&garbage, &bytes).unwrap();
        let err = SqliteBackend::open(&garbage).err().unwrap().to_string();
        assert!(err.starts_with(&format!("{} is not a usable Miri database", garbage.display())), "{err}");
        assert_eq!(std::fs::read(&garbage).unwrap(), bytes, "nothing was written to it");

        let other = dir.path().join("other.db");
        Connection::open(&other).unwrap().execute_batch("CREATE TABLE invoices (id INTEGER)").unwrap();
        let err = SqliteBackend::open(&other).err().unwrap().to_string();
        assert!(err.contains("tables that are not Miri's (invoices)"), "{err}");
    }

    #[test]
    fn a_damaged_database_is_refused_at_start_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("miri.db");
        {
            let db = SqliteBackend::open(&path).unwrap();
            let c = db.conn.lock().unwrap();
            c.pragma_update(None, "journal_mode", "DELETE").unwrap();
        }
        // Overwrite the middle of the file (the table's pages) with noise.
        let mut bytes = std::fs::read(&path).unwrap();
        let len = bytes.len();
        for b in &mut bytes[len / 4..] {
            *b = 0xA5;
        }
        std::fs::write(&path, &bytes).unwrap();
        let err = SqliteBackend::open(&path).err().unwrap().to_string();
        assert!(err.contains("is not a usable Miri database"), "{err}");
    }
}
