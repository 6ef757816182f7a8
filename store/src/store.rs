//! The typed face of the store: records in, records out, over any [`Backend`]. It fills in a
//! record's place from its parent, moves bodies a backend cannot hold inline to content-addressed
//! media (leaving a pointer), and offers the reads the rest of Miri uses.

use crate::backend::Backend;
use crate::entry::{At, Entry, Kind, Place, Under};
use crate::record::Record;
use crate::records::{Membership, ProviderRequest, TokenRecord};
use crate::{MediaStore, StoreError};
use bytes::Bytes;
use chrono::Utc;
use futures::stream::BoxStream;
use miri_core::budget::{Ledger, Micros};
use miri_core::{Project, ProjectId, Shot, ShotId, Version, VersionId};
use serde_json::{Value, json};

/// The key of a body moved to media: `{"$media": {"key", "sha256", "size", "contentType"}}`.
const MEDIA_POINTER: &str = "$media";

#[derive(Clone)]
pub struct Store<B> {
    backend: B,
    media: MediaStore,
}

/// A record and the revision it is.
pub type Revised<T> = (u64, T);

impl<B: Backend> Store<B> {
    pub fn new(backend: B, media: MediaStore) -> Self {
        Self { backend, media }
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    pub fn media(&self) -> &MediaStore {
        &self.media
    }

    /// Appends `record` as revision `revision` of its entity (0 creates it). A taken revision is
    /// [`StoreError::Conflict`] and the stored record is left as it was.
    pub async fn append<T: Record>(&self, record: &T, revision: u64) -> Result<(), StoreError> {
        let entry = self.entry(record, revision).await?;
        self.backend.append(vec![entry]).await
    }

    /// Appends two records together: both appear, or (on any conflict) neither.
    pub async fn append_both<T: Record, U: Record>(
        &self,
        (a, ra): (&T, u64),
        (b, rb): (&U, u64),
    ) -> Result<(), StoreError> {
        let entries = vec![self.entry(a, ra).await?, self.entry(b, rb).await?];
        self.backend.append(entries).await
    }

    /// The record at `at`, with its revision.
    pub async fn get<T: Record>(&self, id: &str, at: At) -> Result<Option<Revised<T>>, StoreError> {
        match self.backend.read(T::KIND, id, at).await? {
            Some(entry) => Ok(Some(self.decode(entry).await?)),
            None => Ok(None),
        }
    }

    /// The newest record, or [`StoreError::NotFound`] naming it.
    pub async fn require<T: Record>(&self, id: &str) -> Result<Revised<T>, StoreError> {
        self.get(id, At::Newest).await?.ok_or_else(|| StoreError::NotFound { kind: T::KIND, entity_id: id.into() })
    }

    /// Every entity of `T` under `under` as it was at `at`, in order of creation.
    pub async fn list<T: Record>(&self, under: Under, at: At) -> Result<Vec<Revised<T>>, StoreError> {
        let mut out = Vec::new();
        for entry in self.backend.list(T::KIND, under, at).await? {
            out.push(self.decode(entry).await?);
        }
        Ok(out)
    }

    /// Every revision of one entity, oldest first.
    pub async fn history<T: Record>(&self, id: &str) -> Result<Vec<Revised<T>>, StoreError> {
        let mut out = Vec::new();
        for entry in self.backend.history(T::KIND, id).await? {
            out.push(self.decode(entry).await?);
        }
        Ok(out)
    }

    /// Entries appended under `project` from now on.
    pub async fn feed(&self, project: ProjectId) -> Result<BoxStream<'static, Result<Entry, StoreError>>, StoreError> {
        self.backend.feed(&project.to_string()).await
    }

    /// Reads an entry's body as `T`, fetching it from media when it was moved there.
    pub async fn decode<T: Record>(&self, entry: Entry) -> Result<Revised<T>, StoreError> {
        let corrupt = |source| StoreError::Corrupt { kind: entry.kind, entity_id: entry.id.clone(), source };
        let body = match entry.body.get(MEDIA_POINTER) {
            Some(pointer) => {
                let key = pointer["key"].as_str().unwrap_or_default();
                let bytes = self.media.get(key).await.map_err(|e| StoreError::Offload {
                    kind: entry.kind,
                    entity_id: entry.id.clone(),
                    message: format!("its body is in media {key}, which cannot be read: {e}"),
                })?;
                serde_json::from_slice(&bytes).map_err(corrupt)?
            }
            None => entry.body.clone(),
        };
        Ok((entry.revision, serde_json::from_value(body).map_err(corrupt)?))
    }

    async fn entry<T: Record>(&self, record: &T, revision: u64) -> Result<Entry, StoreError> {
        let id = record.id();
        let corrupt = |source| StoreError::Corrupt { kind: T::KIND, entity_id: id.clone(), source };
        let mut place = record.place();
        if let Some((kind, parent)) = record.parent() {
            let Some(p) = self.backend.read(kind, &parent, At::Newest).await? else {
                return Err(StoreError::NotFound { kind, entity_id: parent });
            };
            place = Place { conversation: place.conversation.or(p.place.conversation), ..p.place };
        }
        let text = serde_json::to_vec(record).map_err(corrupt)?;
        let body = match self.backend.max_body_bytes() {
            Some(max) if text.len() > max => {
                let media = self.media.put(Bytes::from(text), "application/json").await.map_err(|e| {
                    StoreError::Offload { kind: T::KIND, entity_id: id.clone(), message: e.to_string() }
                })?;
                json!({ MEDIA_POINTER: media })
            }
            _ => serde_json::from_slice::<Value>(&text).map_err(corrupt)?,
        };
        Ok(Entry { kind: T::KIND, id, revision, place, recorded_at: now(), body })
    }
}

/// The reads and writes the services use, named for what they do.
impl<B: Backend> Store<B> {
    pub async fn create_project(&self, project: &Project) -> Result<(), StoreError> {
        self.append(project, 0).await
    }

    pub async fn project(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        Ok(self.get(&id.to_string(), At::Newest).await?.map(|(_, p)| p))
    }

    pub async fn projects(&self) -> Result<Vec<Project>, StoreError> {
        Ok(self.list(Under::All, At::Newest).await?.into_iter().map(|(_, p)| p).collect())
    }

    pub async fn append_shot(&self, shot: &Shot, revision: u64) -> Result<(), StoreError> {
        self.append(shot, revision).await
    }

    pub async fn shot(&self, id: ShotId) -> Result<Option<Revised<Shot>>, StoreError> {
        self.get(&id.to_string(), At::Newest).await
    }

    pub async fn shots(&self, project: ProjectId) -> Result<Vec<Revised<Shot>>, StoreError> {
        self.list(Under::Project(project.to_string()), At::Newest).await
    }

    pub async fn append_version(&self, version: &Version) -> Result<(), StoreError> {
        self.append(version, 0).await
    }

    pub async fn version(&self, id: VersionId) -> Result<Option<Version>, StoreError> {
        Ok(self.get(&id.to_string(), At::Newest).await?.map(|(_, v)| v))
    }

    /// Every version of a shot, newest first.
    pub async fn versions(&self, shot: ShotId) -> Result<Vec<Version>, StoreError> {
        let all = self.list::<Version>(Under::Shot(shot.to_string()), At::Newest).await?;
        Ok(all.into_iter().rev().map(|(_, v)| v).collect())
    }

    pub async fn record_provider_request(&self, req: &ProviderRequest) -> Result<(), StoreError> {
        self.append(req, 0).await
    }

    pub async fn provider_request(&self, version: VersionId) -> Result<Option<ProviderRequest>, StoreError> {
        Ok(self.get(&version.to_string(), At::Newest).await?.map(|(_, r)| r))
    }

    pub async fn create_token(&self, token: &TokenRecord) -> Result<(), StoreError> {
        self.append(token, 0).await
    }

    pub async fn token(&self, token_sha256: &str) -> Result<Option<TokenRecord>, StoreError> {
        Ok(self.get(token_sha256, At::Newest).await?.map(|(_, t)| t))
    }

    /// The keys issued for `project`, oldest first, revoked ones included.
    pub async fn project_tokens(&self, project: ProjectId) -> Result<Vec<TokenRecord>, StoreError> {
        let all = self.list::<TokenRecord>(Under::All, At::Newest).await?;
        Ok(all.into_iter().map(|(_, t)| t).filter(|t| t.project_id == Some(project)).collect())
    }

    /// Appends the revoked revision of a token; revoking twice keeps the first revocation.
    /// Answers the token as it now stands, or `None` when there is no such token.
    pub async fn revoke_token(&self, token_sha256: &str, by: &str) -> Result<Option<TokenRecord>, StoreError> {
        let Some((revision, token)) = self.get::<TokenRecord>(token_sha256, At::Newest).await? else { return Ok(None) };
        if token.revoked_at.is_some() {
            return Ok(Some(token));
        }
        let revoked = TokenRecord { revoked_at: Some(now()), revoked_by: Some(by.to_string()), ..token };
        match self.append(&revoked, revision + 1).await {
            Ok(()) => Ok(Some(revoked)),
            // Revoked by someone else meanwhile: theirs stands.
            Err(StoreError::Conflict { .. }) => Ok(self.token(token_sha256).await?),
            Err(e) => Err(e),
        }
    }

    /// Records a studio token's role in a project (the first grant stands; roles are not
    /// rewritten by a repeated grant).
    pub async fn grant(&self, membership: &Membership) -> Result<(), StoreError> {
        match self.append(membership, 0).await {
            Ok(()) | Err(StoreError::Conflict { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub async fn membership(&self, project: ProjectId, token_sha256: &str) -> Result<Option<Membership>, StoreError> {
        Ok(self.get(&Membership::id_of(project, token_sha256), At::Newest).await?.map(|(_, m)| m))
    }

    /// Every project a studio token is a member of.
    pub async fn memberships_of(&self, token_sha256: &str) -> Result<Vec<Membership>, StoreError> {
        let all = self.list::<Membership>(Under::All, At::Newest).await?;
        Ok(all.into_iter().map(|(_, m)| m).filter(|m| m.token_sha256 == token_sha256).collect())
    }

    /// The project's ledger as it stands (never opened: `None`).
    pub async fn ledger(&self, project: ProjectId) -> Result<Option<Revised<Ledger>>, StoreError> {
        self.get(&project.to_string(), At::Newest).await
    }

    /// Read, decide, append — again while another writer takes the revision first, so concurrent
    /// callers are serialised by the store's create-only revisions. `decide` sees the newest
    /// ledger (a project without one gets it opened at `default_cap` first) and answers the next
    /// revision to append, or `None` when nothing changes, beside what to return. Answers the
    /// ledger the decision produced (or saw) with its revision, and that value.
    pub async fn update_ledger<R>(
        &self,
        project: ProjectId,
        default_cap: Micros,
        decide: impl Fn(&Ledger) -> (Option<Ledger>, R),
    ) -> Result<(Revised<Ledger>, R), StoreError> {
        const ATTEMPTS: usize = 64;
        let mut last = None;
        for _ in 0..ATTEMPTS {
            let (revision, current) = match self.ledger(project).await? {
                Some(found) => found,
                None => {
                    let opened = Ledger::open(project, default_cap, now());
                    match self.append(&opened, 0).await {
                        Ok(()) | Err(StoreError::Conflict { .. }) => continue,
                        Err(e) => return Err(e),
                    }
                }
            };
            let (next, answer) = decide(&current);
            let Some(next) = next else { return Ok(((revision, current), answer)) };
            match self.append(&next, revision + 1).await {
                Ok(()) => return Ok(((revision + 1, next), answer)),
                Err(e @ StoreError::Conflict { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(StoreError::NotFound { kind: Kind::Ledger, entity_id: project.to_string() }))
    }

    pub async fn has_tokens(&self) -> Result<bool, StoreError> {
        Ok(!self.backend.list(Kind::Token, Under::All, At::Newest).await?.is_empty())
    }
}

/// Now, to the microsecond: what every backend can store and compare exactly.
fn now() -> chrono::DateTime<Utc> {
    chrono::DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap_or_default()
}
