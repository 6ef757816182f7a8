//! The Firestore backend: the production store, laid out in the seed's hierarchy so the data reads
//! naturally in the console, and append-only because every revision is a document that is only
//! ever created (`exists: false` preconditions), never updated.
//!
//! # Layout
//!
//! Each entity has a document path in the hierarchy (the document itself is never written; its
//! revisions live below it):
//!
//! | kind | entity path |
//! |---|---|
//! | project | `projects/{p}` |
//! | scene | `projects/{p}/scenes/{s}` |
//! | shot | `projects/{p}/scenes/{s}/shots/{sh}`; a shot with no scene uses the scene id `_unscened` |
//! | version | `{its shot's path}/versions/{v}` |
//! | conversation | `projects/{p}/conversations/{c}` |
//! | message | `{its conversation's path}/messages/{m}` |
//! | rule, render, analysis, provider request | `projects/{p}/rules/{id}`, `…/renders/{id}`, `…/analyses/{id}`, `…/providerRequests/{id}` |
//! | token, agent config | `tokens/{id}`, `agentConfigs/{id}` (no project) |
//!
//! (A project-scoped kind whose place has no project falls back to the top-level collection.)
//! Revision `n` of an entity is `{entity path}/revisions/r{n:010}`: zero-padded, so document-id
//! order is revision order. It holds `kind`, `entityId`, `revision`, the entry's own place
//! (`project`, `scene`, `shot`, `conversation`), `recordedAt` (a timestamp, microseconds) and
//! `body`, the JSON text of the entry's body (stored as text so any JSON — numbers beyond i64,
//! empty or `__reserved__` keys — comes back exactly).
//!
//! # Finding an entity without its parents
//!
//! A flat index: `index/{kind}/entities/{id}` is created, create-only, in the same transaction as
//! the entity's first revision. It holds the entity path and `firstRecordedAt`. Because an entity's path is fixed by that document, a shot that later gets a
//! scene keeps its revisions (and versions) where they started, and two writers can never put
//! the same revision of one entity under two paths. The index is immutable, so the path is cached
//! in-process for good. `read`/`history` are one lookup plus one query of the entity's
//! `revisions`. `list` goes by each revision's own place, as SQLite does: the entities with a
//! revision under the place come from a projected collection-group query on `revisions` (kind and
//! place field; the whole index of the kind for `Under::All`), their index documents from one
//! batch get, ordered by (`firstRecordedAt`, id); then each entity's newest revision under the
//! place at `at` is read, several at a time.
//!
//! # Writes
//!
//! `append` resolves every entity path first, then writes all documents in one transaction
//! (`BeginTransaction` + `Commit`, no reads, so no retry loop): all appear or none. A single
//! revision of a known entity, the common case, is one `CreateDocument` instead. A taken slot
//! fails the commit with `AlreadyExists`, reported as [`StoreError::Conflict`] for the entry
//! whose revision exists. A commit whose outcome is unknown (unavailable, aborted, timed out) is
//! tried again; if the retry then finds the slots taken, they are read back and compared, so a
//! commit that did land the first time is a success rather than a conflict with itself.
//!
//! # Feed
//!
//! A Firestore listen on the `revisions` collection group from the database root, filtered on
//! `project` (the emulator refuses filtered group queries below the root). The initial snapshot
//! only marks what already exists; after it, new documents are collected and handed out, oldest
//! commit first, at each consistent point (`CURRENT` or `NO_CHANGE`). Documents are deduplicated
//! by name, since Firestore may resend a result set (the emulator does after every change).
//!
//! # Indexes the real service needs (the emulator needs none)
//!
//! Collection-group scope on `revisions`: single-field `project` (the feed), and `kind` with each
//! place field (`project`, `scene`, `shot`, `conversation`) for lists. Single-collection
//! composites on `revisions`: each place field with `revision` descending (lists of the newest)
//! and with `recordedAt` (lists as of a time). The rest
//! (`revision` order, one equality, `recordedAt` alone) is indexed automatically.
//! `revisions.body` can be exempted from indexing. None of this is verified here: the emulator
//! needs no indexes.

use crate::StoreError;
use crate::backend::Backend;
use crate::entry::{At, Entry, Kind, Place, Under};
use chrono::{DateTime, Utc};
use firestore::errors::FirestoreError;
use firestore::gcloud_sdk::google::firestore::v1::Document;
use firestore::gcloud_sdk::google_cloud_auth::credentials::{
    CacheableResource, Credentials, CredentialsProvider, EntityTag,
};
use firestore::gcloud_sdk::google_cloud_auth::errors::CredentialsError;
use firestore::{
    FirestoreDb, FirestoreDbOptions, FirestoreInstant, FirestoreListenEvent, FirestoreListenerParams,
    FirestoreListenerTarget, FirestoreListenerTargetChangeType, FirestoreMemListenStateStorage, FirestoreTimestamp,
    FirestoreWritePrecondition,
};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use http::header::{AUTHORIZATION, HeaderValue};
use http::{Extensions, HeaderMap};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

const BACKEND: &str = "firestore";
const REVISIONS: &str = "revisions";
const ENTITIES: &str = "entities";
/// The scene id standing in for "no scene" in a shot's path. Scene ids are UUIDs, so it cannot
/// collide with a real one.
const UNSCENED: &str = "_unscened";
/// A document is at most 1 MiB (1,048,576 bytes) including its name and field names; the body
/// is one field beside a few short ones, and 64 KiB covers them with room to spare.
const MAX_BODY_BYTES: usize = 1024 * 1024 - 64 * 1024;
/// Longest a single request may take before it counts as failed (and retryable).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How many entities a list reads at once.
const LIST_CONCURRENCY: usize = 16;
/// Commits tried before an unknown outcome is reported (each attempt after the first waits).
const COMMIT_ATTEMPTS: u32 = 3;
/// The feed's listen target; each feed has its own listener, so one fixed id serves all.
const FEED_TARGET: u32 = 1;
/// How long `feed` waits for the initial snapshot before giving up.
const FEED_READY: Duration = Duration::from_secs(30);
/// Entity paths kept in memory; beyond this the cache starts over (paths never change).
const PATH_CACHE_LIMIT: usize = 100_000;

#[derive(Clone)]
pub struct FirestoreBackend {
    db: FirestoreDb,
    /// (kind, id) → entity path, learned from the immutable index.
    paths: Arc<Mutex<HashMap<(Kind, String), String>>>,
}

/// `index/{kind}/entities/{id}`: where an entity lives and when it began.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IndexDoc {
    kind: Kind,
    entity_id: String,
    /// The entity's document path below the database's `documents` root.
    path: String,
    #[serde(with = "firestore::serialize_as_timestamp")]
    first_recorded_at: FirestoreInstant,
}

/// `{entity path}/revisions/r{n:010}`: one entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevisionDoc {
    kind: Kind,
    entity_id: String,
    revision: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scene: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    conversation: Option<String>,
    #[serde(with = "firestore::serialize_as_timestamp")]
    recorded_at: FirestoreInstant,
    body: String,
}

/// The one field a listing's collection-group query asks for.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntityId {
    entity_id: String,
}

/// One entry of an append, with where it goes.
struct Planned {
    entry: Entry,
    path: String,
    /// The index document to create: the entity's first append.
    index: Option<IndexDoc>,
    doc: RevisionDoc,
}

impl FirestoreBackend {
    /// Connects to the Firestore database `(default)` of `project_id`: the emulator named by
    /// `FIRESTORE_EMULATOR_HOST` when that is set (the convention of Google's tools), else the
    /// real service with the Application Default Credentials.
    pub async fn connect(project_id: &str) -> Result<Self, StoreError> {
        let db = FirestoreDb::with_options(options(project_id))
            .await
            .map_err(|e| remote(&format!("connecting to project {project_id}"), e))?;
        Ok(Self { db, paths: Arc::default() })
    }

    /// Connects to the emulator at `host` (`127.0.0.1:8686`), whatever the environment says:
    /// configuration names the emulator explicitly, and nothing has to set a process-wide
    /// variable. The emulator checks no credentials; it is sent its conventional stub token.
    pub async fn connect_emulator(project_id: &str, host: &str) -> Result<Self, StoreError> {
        let options = options(project_id).with_firebase_api_url(format!("http://{host}"));
        let db = FirestoreDb::with_options_auth(options, Credentials::from(EmulatorToken(EntityTag::new())))
            .await
            .map_err(|e| remote(&format!("connecting to project {project_id} on the emulator at {host}"), e))?;
        Ok(Self { db, paths: Arc::default() })
    }

    /// Full resource name of a path below the documents root.
    fn full(&self, path: &str) -> String {
        format!("{}/{}", self.db.get_documents_path(), path)
    }

    fn index_parent(&self, kind: Kind) -> String {
        self.full(&format!("index/{kind}"))
    }

    /// The entity path recorded in the index, or `None` for an entity never appended.
    async fn entity_path(&self, kind: Kind, id: &str) -> Result<Option<String>, StoreError> {
        if let Some(path) = self.cached(kind, id) {
            return Ok(Some(path));
        }
        let doc = self
            .db
            .fluent()
            .select()
            .by_id_in(ENTITIES)
            .parent(self.index_parent(kind))
            .one(id)
            .await
            .map_err(|e| remote(&format!("looking up {kind} {id}"), e))?;
        let Some(doc) = doc else { return Ok(None) };
        let index: IndexDoc = decode(&doc)?;
        self.remember(kind, id, &index.path);
        Ok(Some(index.path))
    }

    fn cached(&self, kind: Kind, id: &str) -> Option<String> {
        self.paths.lock().ok()?.get(&(kind, id.to_string())).cloned()
    }

    fn remember(&self, kind: Kind, id: &str, path: &str) {
        if let Ok(mut paths) = self.paths.lock() {
            if paths.len() >= PATH_CACHE_LIMIT {
                paths.clear();
            }
            paths.insert((kind, id.to_string()), path.to_string());
        }
    }

    /// Where a new entity goes: under its parent entity's actual path when it has one (a
    /// version under its shot, a message under its conversation), else from its place.
    async fn new_entity_path(&self, entry: &Entry, earlier: &[Planned]) -> Result<String, StoreError> {
        let place = &entry.place;
        let parent = match entry.kind {
            Kind::Version => place.shot.as_ref().map(|shot| (Kind::Shot, shot)),
            Kind::Message => place.conversation.as_ref().map(|c| (Kind::Conversation, c)),
            _ => None,
        };
        if let Some((kind, id)) = parent {
            let in_batch = earlier.iter().find(|p| p.entry.kind == kind && &p.entry.id == id);
            let path = match in_batch {
                Some(p) => Some(p.path.clone()),
                None => self.entity_path(kind, id).await?,
            };
            if let Some(path) = path {
                return Ok(format!("{path}/{}/{}", collection(entry.kind), entry.id));
            }
        }
        Ok(derived_path(entry.kind, &entry.id, place))
    }

    async fn plan(&self, entries: Vec<Entry>) -> Result<Vec<Planned>, StoreError> {
        let mut planned: Vec<Planned> = Vec::with_capacity(entries.len());
        for entry in entries {
            let earlier = planned.iter().find(|p| p.entry.kind == entry.kind && p.entry.id == entry.id);
            // A first revision needs no look-up: if the entity exists, its index document does
            // too and the commit fails as it should.
            let known = match earlier {
                Some(p) => Some(p.path.clone()),
                None if entry.revision == 0 => None,
                None => self.entity_path(entry.kind, &entry.id).await?,
            };
            let (path, index) = match known {
                Some(path) => (path, None),
                None => {
                    let path = self.new_entity_path(&entry, &planned).await?;
                    let index = IndexDoc {
                        kind: entry.kind,
                        entity_id: entry.id.clone(),
                        path: path.clone(),
                        first_recorded_at: instant(entry.recorded_at)?,
                    };
                    (path, Some(index))
                }
            };
            let doc = RevisionDoc {
                kind: entry.kind,
                entity_id: entry.id.clone(),
                revision: i64::try_from(entry.revision).map_err(|_| StoreError::Remote {
                    backend: BACKEND,
                    message: format!(
                        "{} {} revision {} is beyond Firestore's integers",
                        entry.kind, entry.id, entry.revision
                    ),
                    retryable: false,
                })?,
                project: entry.place.project.clone(),
                scene: entry.place.scene.clone(),
                shot: entry.place.shot.clone(),
                conversation: entry.place.conversation.clone(),
                recorded_at: instant(entry.recorded_at)?,
                body: entry.body.to_string(),
            };
            planned.push(Planned { entry, path, index, doc });
        }
        Ok(planned)
    }

    async fn commit(&self, planned: &[Planned]) -> Result<(), FirestoreError> {
        if let [p] = planned
            && p.index.is_none()
        {
            // One document (the common case, a new revision of a known entity): a plain create,
            // one round trip instead of a transaction's two.
            let _: RevisionDoc = self
                .db
                .fluent()
                .insert()
                .into(REVISIONS)
                .document_id(revision_id(p.entry.revision))
                .parent(self.full(&p.path))
                .object(&p.doc)
                .execute()
                .await?;
            return Ok(());
        }
        let mut tx = self.db.begin_transaction().await?;
        for p in planned {
            if let Some(index) = &p.index {
                self.db
                    .fluent()
                    .update()
                    .in_col(ENTITIES)
                    .precondition(FirestoreWritePrecondition::Exists(false))
                    .document_id(&p.entry.id)
                    .parent(self.index_parent(p.entry.kind))
                    .object(index)
                    .add_to_transaction(&mut tx)?;
            }
            self.db
                .fluent()
                .update()
                .in_col(REVISIONS)
                .precondition(FirestoreWritePrecondition::Exists(false))
                .document_id(revision_id(p.entry.revision))
                .parent(self.full(&p.path))
                .object(&p.doc)
                .add_to_transaction(&mut tx)?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// After `AlreadyExists`: the conflict for the first entry whose slot is taken, or `None`
    /// when an earlier attempt's outcome was unknown and every entry is stored exactly as sent
    /// (that attempt landed).
    async fn taken(&self, planned: &[Planned], after_unknown: bool) -> Result<Option<StoreError>, StoreError> {
        let mut ours = 0;
        let mut conflict = None;
        for p in planned {
            let e = &p.entry;
            match self.read(e.kind, &e.id, At::Revision(e.revision)).await? {
                Some(stored)
                    if after_unknown && stored == Entry { recorded_at: to_micros(e.recorded_at), ..e.clone() } =>
                {
                    ours += 1
                }
                Some(_) => {
                    conflict.get_or_insert_with(|| conflict_of(e));
                }
                None => {}
            }
        }
        if after_unknown && ours == planned.len() {
            return Ok(None);
        }
        Ok(Some(conflict.unwrap_or_else(|| conflict_of(&planned[0].entry))))
    }

    async fn revision_doc(&self, path: &str, at: At) -> Result<Option<Document>, StoreError> {
        let parent = self.full(path);
        let what = || format!("reading {path}");
        match at {
            At::Revision(n) => self
                .db
                .fluent()
                .select()
                .by_id_in(REVISIONS)
                .parent(parent)
                .one(revision_id(n))
                .await
                .map_err(|e| remote(&what(), e)),
            At::Newest => {
                let docs = self
                    .db
                    .fluent()
                    .select()
                    .from(REVISIONS)
                    .parent(parent)
                    .order(|o| o.fields([o.field("revision").descending()]))
                    .limit(1)
                    .query()
                    .await
                    .map_err(|e| remote(&what(), e))?;
                Ok(docs.into_iter().next())
            }
            At::AsOf(t) => {
                // Every revision recorded by then, newest revision number wins (as on SQLite,
                // whatever order the writers' clocks gave the recorded times).
                let as_of = FirestoreTimestamp(instant(t)?);
                let docs = self
                    .db
                    .fluent()
                    .select()
                    .from(REVISIONS)
                    .parent(parent)
                    .filter(|q| q.field("recordedAt").less_than_or_equal(as_of))
                    .query()
                    .await
                    .map_err(|e| remote(&what(), e))?;
                newest(docs)
            }
        }
    }

    async fn all_entities(&self, kind: Kind, what: &str) -> Result<Vec<IndexDoc>, StoreError> {
        let docs = self
            .db
            .fluent()
            .select()
            .from(ENTITIES)
            .parent(self.index_parent(kind))
            .query()
            .await
            .map_err(|e| remote(what, e))?;
        docs.iter().map(decode).collect()
    }

    /// Every entity of `kind` with at least one revision whose own place has `field == value`
    /// (a shot that got its scene later is listed under that scene, as on SQLite): the ids from
    /// a projected collection-group query, then their index documents in one batch.
    async fn entities_with_a_revision_under(
        &self,
        kind: Kind,
        (field, value): &(&str, String),
        what: &str,
    ) -> Result<Vec<IndexDoc>, StoreError> {
        let docs = self
            .db
            .fluent()
            .select()
            .fields(["entityId"])
            .from(REVISIONS)
            .all_descendants()
            .filter(|q| q.for_all([q.field("kind").eq(kind.as_str()), q.field(*field).eq(value.clone())]))
            .query()
            .await
            .map_err(|e| remote(what, e))?;
        let ids: BTreeSet<String> =
            docs.iter().map(|doc| decode::<EntityId>(doc).map(|d| d.entity_id)).collect::<Result<_, _>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let found: Vec<(String, Option<Document>)> = self
            .db
            .fluent()
            .select()
            .by_id_in(ENTITIES)
            .parent(self.index_parent(kind))
            .batch_with_errors(ids)
            .await
            .map_err(|e| remote(what, e))?
            .try_collect()
            .await
            .map_err(|e| remote(what, e))?;
        found.into_iter().filter_map(|(_, doc)| doc).map(|doc| decode(&doc)).collect()
    }

    /// The newest revision at `at` among an entity's revisions whose own place has
    /// `field == value`.
    async fn newest_under(
        &self,
        path: &str,
        (field, value): &(&str, String),
        at: At,
    ) -> Result<Option<Entry>, StoreError> {
        let what = format!("reading {path} under {field} {value}");
        let as_of = match at {
            At::AsOf(t) => Some(FirestoreTimestamp(instant(t)?)),
            _ => None,
        };
        let query = self.db.fluent().select().from(REVISIONS).parent(self.full(path)).filter(|q| {
            q.for_all([
                q.field(*field).eq(value.clone()),
                match (at, as_of) {
                    (At::Revision(n), _) => q.field("revision").eq(n as i64),
                    (_, Some(t)) => q.field("recordedAt").less_than_or_equal(t),
                    _ => None,
                },
            ])
        });
        // A range on `recordedAt` cannot be ordered by `revision`: as of a time, every match is
        // read and the highest revision kept.
        let query = match at {
            At::Newest => query.order(|o| o.fields([o.field("revision").descending()])).limit(1),
            _ => query,
        };
        let docs = query.query().await.map_err(|e| remote(&what, e))?;
        newest(docs)?.map(|doc| entry_of(&doc)).transpose()
    }

    async fn read_at(&self, path: &str, at: At) -> Result<Option<Entry>, StoreError> {
        self.revision_doc(path, at).await?.map(|doc| entry_of(&doc)).transpose()
    }
}

impl Backend for FirestoreBackend {
    async fn append(&self, entries: Vec<Entry>) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let planned = self.plan(entries).await?;
        let mut attempt = 1;
        loop {
            match self.commit(&planned).await {
                Ok(()) => break,
                Err(e) if is_already_exists(&e) => match self.taken(&planned, attempt > 1).await? {
                    Some(conflict) => return Err(conflict),
                    None => break,
                },
                Err(e) if is_retryable(&e) && attempt < COMMIT_ATTEMPTS => {
                    tracing::warn!(error = %e, attempt, "Firestore commit outcome unknown; trying again");
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                    attempt += 1;
                }
                Err(e) => {
                    let first = &planned[0].entry;
                    let what = format!(
                        "appending {} entries ({} {} revision {} first)",
                        planned.len(),
                        first.kind,
                        first.id,
                        first.revision
                    );
                    return Err(remote(&what, e));
                }
            }
        }
        for p in &planned {
            if p.index.is_some() {
                self.remember(p.entry.kind, &p.entry.id, &p.path);
            }
        }
        Ok(())
    }

    async fn read(&self, kind: Kind, id: &str, at: At) -> Result<Option<Entry>, StoreError> {
        match self.entity_path(kind, id).await? {
            Some(path) => self.read_at(&path, at).await,
            None => Ok(None),
        }
    }

    async fn list(&self, kind: Kind, under: Under, at: At) -> Result<Vec<Entry>, StoreError> {
        let what = format!("listing {kind} under {under:?}");
        let place = match &under {
            Under::All => None,
            Under::Project(id) => Some(("project", id.clone())),
            Under::Scene(id) => Some(("scene", id.clone())),
            Under::Shot(id) => Some(("shot", id.clone())),
            Under::Conversation(id) => Some(("conversation", id.clone())),
        };
        let mut entities = match &place {
            None => self.all_entities(kind, &what).await?,
            Some(place) => self.entities_with_a_revision_under(kind, place, &what).await?,
        };
        if let At::AsOf(t) = at {
            let t = instant(t)?;
            entities.retain(|e| e.first_recorded_at <= t);
        }
        entities.sort_by(|a, b| (a.first_recorded_at, &a.entity_id).cmp(&(b.first_recorded_at, &b.entity_id)));
        let place = &place;
        let found: Vec<Option<Entry>> = stream::iter(entities)
            .map(|e| async move {
                match place {
                    None => self.read_at(&e.path, at).await,
                    Some(place) => self.newest_under(&e.path, place, at).await,
                }
            })
            .buffered(LIST_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(found.into_iter().flatten().collect())
    }

    async fn history(&self, kind: Kind, id: &str) -> Result<Vec<Entry>, StoreError> {
        let Some(path) = self.entity_path(kind, id).await? else { return Ok(Vec::new()) };
        let docs = self
            .db
            .fluent()
            .select()
            .from(REVISIONS)
            .parent(self.full(&path))
            .order(|o| o.fields([o.field("revision").ascending()]))
            .query()
            .await
            .map_err(|e| remote(&format!("reading the history of {kind} {id}"), e))?;
        docs.iter().map(entry_of).collect()
    }

    async fn feed(&self, project: &str) -> Result<BoxStream<'static, Result<Entry, StoreError>>, StoreError> {
        let what = format!("listening to project {project}");
        let params = FirestoreListenerParams::new().with_retry_delay(Duration::from_millis(500));
        let mut listener = self
            .db
            .create_listener_with_params(FirestoreMemListenStateStorage::new(), params)
            .await
            .map_err(|e| remote(&what, e))?;
        let project_id = project.to_string();
        self.db
            .fluent()
            .select()
            .from(REVISIONS)
            .all_descendants()
            .filter(|q| q.field("project").eq(project_id.clone()))
            .listen()
            .add_target(FirestoreListenerTarget::new(FEED_TARGET), &mut listener)
            .map_err(|e| remote(&what, e))?;
        let (sender, receiver) = mpsc::unbounded_channel();
        let (ready, snapshot) = oneshot::channel();
        let state = Arc::new(Mutex::new(FeedState {
            seen: HashSet::new(),
            pending: Vec::new(),
            ready: Some(ready),
            sender,
            project: project.to_string(),
        }));
        listener
            .start(move |event| {
                let outcome: Result<(), Box<dyn std::error::Error + Send + Sync>> = match state.lock() {
                    Ok(mut state) => {
                        state.on(event);
                        Ok(())
                    }
                    Err(_) => Err("the feed's state is poisoned".into()),
                };
                async move { outcome }
            })
            .await
            .map_err(|e| remote(&what, e))?;
        match tokio::time::timeout(FEED_READY, snapshot).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(refused))) => return Err(refused),
            _ => {
                return Err(StoreError::Remote {
                    backend: BACKEND,
                    message: format!("{what}: no initial snapshot within {} s", FEED_READY.as_secs()),
                    retryable: true,
                });
            }
        }
        // The listener lives as long as the stream: dropping it stops the listen.
        Ok(stream::unfold((receiver, listener), |(mut receiver, listener)| async move {
            receiver.recv().await.map(|item| (item, (receiver, listener)))
        })
        .boxed())
    }

    fn max_body_bytes(&self) -> Option<usize> {
        Some(MAX_BODY_BYTES)
    }
}

/// What a feed's listener has seen, and where it sends new entries.
struct FeedState {
    /// Names of every document delivered or present at subscription.
    seen: HashSet<String>,
    /// New documents since the last consistent point.
    pending: Vec<Document>,
    /// Fired at the end of the initial snapshot (or when Firestore refuses the listen);
    /// `None` afterwards.
    ready: Option<oneshot::Sender<Result<(), StoreError>>>,
    sender: mpsc::UnboundedSender<Result<Entry, StoreError>>,
    project: String,
}

impl FeedState {
    /// Sends fail only once the stream is dropped, which also stops the listener.
    fn on(&mut self, event: FirestoreListenEvent) {
        match event {
            FirestoreListenEvent::DocumentChange(change) => {
                if let Some(doc) = change.document
                    && self.seen.insert(doc.name.clone())
                    && self.ready.is_none()
                {
                    self.pending.push(doc);
                }
            }
            FirestoreListenEvent::TargetChange(change) => {
                if let Some(cause) = change.cause {
                    let message =
                        format!("the feed of project {} was dropped: {} ({})", self.project, cause.message, cause.code);
                    let dropped = StoreError::Remote { backend: BACKEND, message, retryable: true };
                    match self.ready.take() {
                        Some(ready) => ready.send(Err(dropped)).ok(),
                        None => self.sender.send(Err(dropped)).ok(),
                    };
                    return;
                }
                let consistent =
                    [FirestoreListenerTargetChangeType::Current, FirestoreListenerTargetChangeType::NoChange]
                        .iter()
                        .any(|t| *t as i32 == change.target_change_type);
                if consistent {
                    if let Some(ready) = self.ready.take() {
                        ready.send(Ok(())).ok();
                    }
                    self.flush();
                }
            }
            _ => {}
        }
    }

    /// Hands out the pending documents, oldest commit first (one transaction's entries share a
    /// commit time; their names break the tie).
    fn flush(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        pending.sort_by(|a, b| {
            let time = |d: &Document| d.create_time.as_ref().map(|t| (t.seconds, t.nanos));
            (time(a), &a.name).cmp(&(time(b), &b.name))
        });
        for doc in pending {
            self.sender.send(entry_of(&doc)).ok();
        }
    }
}

fn options(project_id: &str) -> FirestoreDbOptions {
    FirestoreDbOptions::new(project_id.to_string()).with_request_timeout(REQUEST_TIMEOUT)
}

/// The emulator's stub credentials: the same `Bearer owner` header on every request, so no
/// Google credentials are looked up.
#[derive(Debug)]
struct EmulatorToken(EntityTag);

impl CredentialsProvider for EmulatorToken {
    async fn headers(&self, _: Extensions) -> Result<CacheableResource<HeaderMap>, CredentialsError> {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer owner"));
        Ok(CacheableResource::New { entity_tag: self.0.clone(), data: headers })
    }

    async fn universe_domain(&self) -> Option<String> {
        None
    }
}

/// The entity path from the place alone (see the module docs).
fn derived_path(kind: Kind, id: &str, place: &Place) -> String {
    let mut segments: Vec<(&str, &str)> = Vec::new();
    if kind != Kind::Project
        && let Some(project) = &place.project
    {
        segments.push(("projects", project));
        match kind {
            Kind::Shot => segments.push(("scenes", place.scene.as_deref().unwrap_or(UNSCENED))),
            Kind::Version => {
                if let Some(shot) = &place.shot {
                    segments.push(("scenes", place.scene.as_deref().unwrap_or(UNSCENED)));
                    segments.push(("shots", shot));
                }
            }
            Kind::SceneAsset => {
                if let Some(scene) = &place.scene {
                    segments.push(("scenes", scene));
                }
            }
            Kind::Message => {
                if let Some(conversation) = &place.conversation {
                    segments.push(("conversations", conversation));
                }
            }
            _ => {}
        }
    }
    segments.push((collection(kind), id));
    segments.iter().map(|(c, id)| format!("{c}/{id}")).collect::<Vec<_>>().join("/")
}

/// The collection an entity of `kind` lives in.
fn collection(kind: Kind) -> &'static str {
    match kind {
        Kind::Project => "projects",
        Kind::AgentConfig => "agentConfigs",
        Kind::Analysis => "analyses",
        Kind::Scene => "scenes",
        Kind::SceneAsset => "assets",
        Kind::Shot => "shots",
        Kind::Version => "versions",
        Kind::Rule => "rules",
        Kind::Conversation => "conversations",
        Kind::Message => "messages",
        Kind::Render => "renders",
        Kind::ProviderRequest => "providerRequests",
        Kind::Token => "tokens",
        Kind::Ledger => "ledger",
        Kind::Script => "scripts",
        Kind::Membership => "memberships",
    }
}

/// Document id of revision `n`: zero-padded so id order is revision order.
fn revision_id(n: u64) -> String {
    format!("r{n:010}")
}

fn conflict_of(e: &Entry) -> StoreError {
    StoreError::Conflict { kind: e.kind, entity_id: e.id.clone(), revision: e.revision }
}

/// The document with the highest revision number.
fn newest(docs: Vec<Document>) -> Result<Option<Document>, StoreError> {
    let mut newest: Option<(i64, Document)> = None;
    for doc in docs {
        let revision = decode::<RevisionDoc>(&doc)?.revision;
        if newest.as_ref().is_none_or(|(n, _)| revision > *n) {
            newest = Some((revision, doc));
        }
    }
    Ok(newest.map(|(_, doc)| doc))
}

/// `t` as Firestore keeps it: whole microseconds.
fn to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

fn instant(t: DateTime<Utc>) -> Result<FirestoreInstant, StoreError> {
    FirestoreInstant::from_microsecond(t.timestamp_micros()).map_err(|e| StoreError::Remote {
        backend: BACKEND,
        message: format!("{t} cannot be stored as a Firestore time: {e}"),
        retryable: false,
    })
}

fn decode<T: for<'de> Deserialize<'de>>(doc: &Document) -> Result<T, StoreError> {
    FirestoreDb::deserialize_doc_to(doc).map_err(|e| remote(&format!("decoding {}", doc.name), e))
}

fn entry_of(doc: &Document) -> Result<Entry, StoreError> {
    let rev: RevisionDoc = decode(doc)?;
    let body = serde_json::from_str(&rev.body).map_err(|source| StoreError::Corrupt {
        kind: rev.kind,
        entity_id: rev.entity_id.clone(),
        source,
    })?;
    let recorded_at = DateTime::<Utc>::from_timestamp_micros(rev.recorded_at.as_microsecond()).unwrap_or_default();
    Ok(Entry {
        kind: rev.kind,
        id: rev.entity_id,
        revision: rev.revision as u64,
        place: Place { project: rev.project, scene: rev.scene, shot: rev.shot, conversation: rev.conversation },
        recorded_at,
        body,
    })
}

fn is_already_exists(e: &FirestoreError) -> bool {
    matches!(e, FirestoreError::DataConflictError(c) if c.public.code == "AlreadyExists")
}

/// Unavailable, aborted, cancelled, exhausted, timed out, or no connection: the request may or
/// may not have been applied, and trying again may help.
fn is_retryable(e: &FirestoreError) -> bool {
    match e {
        FirestoreError::DatabaseError(e) => e.retry_possible,
        FirestoreError::NetworkError(_) => true,
        // The crate reports a connection it could not open (refused, reset, DNS) only as text.
        FirestoreError::SystemError(e) => {
            ["transport error", "ConnectError"].iter().any(|s| e.public.code.contains(s) || e.message.contains(s))
        }
        _ => false,
    }
}

fn remote(what: &str, e: FirestoreError) -> StoreError {
    StoreError::Remote { backend: BACKEND, message: format!("{what}: {e}"), retryable: is_retryable(&e) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(project: Option<&str>, scene: Option<&str>, shot: Option<&str>, conversation: Option<&str>) -> Place {
        let s = |v: Option<&str>| v.map(str::to_string);
        Place { project: s(project), scene: s(scene), shot: s(shot), conversation: s(conversation) }
    }

    #[test]
    fn paths_follow_the_seed_hierarchy() {
        let cases = [
            (Kind::Project, "p", place(Some("p"), None, None, None), "projects/p"),
            (Kind::Scene, "s", place(Some("p"), Some("s"), None, None), "projects/p/scenes/s"),
            (Kind::Shot, "sh", place(Some("p"), Some("s"), Some("sh"), None), "projects/p/scenes/s/shots/sh"),
            (Kind::Shot, "sh", place(Some("p"), None, Some("sh"), None), "projects/p/scenes/_unscened/shots/sh"),
            (
                Kind::Version,
                "v",
                place(Some("p"), None, Some("sh"), None),
                "projects/p/scenes/_unscened/shots/sh/versions/v",
            ),
            (Kind::Message, "m", place(Some("p"), None, None, Some("c")), "projects/p/conversations/c/messages/m"),
            (Kind::Rule, "r", place(Some("p"), None, None, None), "projects/p/rules/r"),
            (Kind::SceneAsset, "a", place(Some("p"), Some("s"), None, None), "projects/p/scenes/s/assets/a"),
            (Kind::Script, "sc", place(Some("p"), None, None, Some("c")), "projects/p/scripts/sc"),
            (Kind::ProviderRequest, "q", place(Some("p"), None, Some("sh"), None), "projects/p/providerRequests/q"),
            (Kind::Token, "t", Place::default(), "tokens/t"),
            (Kind::Membership, "p:t", place(Some("p"), None, None, None), "projects/p/memberships/p:t"),
            (Kind::AgentConfig, "a", Place::default(), "agentConfigs/a"),
        ];
        for (kind, id, place, path) in cases {
            assert_eq!(derived_path(kind, id, &place), path, "{kind}");
        }
    }

    #[test]
    fn revision_ids_sort_as_numbers() {
        assert_eq!(revision_id(1), "r0000000001");
        assert!(revision_id(9) < revision_id(10));
    }
}
