//! A project's full history as files, for backup and for moving between backends: every revision
//! of every entity as JSON lines (in the order they were recorded) and every media object they
//! name. Importing appends the same entries — same ids, revisions and recorded times — so an
//! export of the import is the export.

use crate::backend::Backend;
use crate::entry::{At, Entry, Kind, Under};
use crate::{MediaStore, StoreError, media::is_media_key};
use bytes::Bytes;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::path::Path;

pub const RECORDS_FILE: &str = "records.jsonl";
pub const MEDIA_DIR: &str = "media";

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} line {line}: {message}")]
    BadLine { path: String, line: usize, message: String },
    #[error("media {key}: {message}")]
    Media { key: String, message: String },
    #[error("project {0} has no records to export")]
    Empty(String),
}

/// What an export or import moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub records: usize,
    pub media: usize,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io { path: path.display().to_string(), source }
}

/// Writes project `project`'s history into `dir` (created; an existing export there is refused
/// rather than overwritten).
pub async fn export<B: Backend>(backend: &B, media: &MediaStore, project: &str, dir: &Path) -> Result<Counts, ExportError> {
    let mut entries = Vec::new();
    for kind in Kind::ALL {
        for newest in backend.list(kind, Under::Project(project.to_string()), At::Newest).await? {
            entries.extend(backend.history(kind, &newest.id).await?);
        }
    }
    if entries.is_empty() {
        return Err(ExportError::Empty(project.to_string()));
    }
    entries.sort_by(|a, b| (a.recorded_at, a.kind.as_str(), &a.id, a.revision).cmp(&(b.recorded_at, b.kind.as_str(), &b.id, b.revision)));
    std::fs::create_dir_all(dir.join(MEDIA_DIR)).map_err(io(dir))?;
    let records = dir.join(RECORDS_FILE);
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&records).map_err(io(&records))?;
    let mut out = std::io::BufWriter::new(file);
    let mut keys = BTreeSet::new();
    for e in &entries {
        media_keys(&e.body, &mut keys);
        serde_json::to_writer(&mut out, e).map_err(|e| ExportError::BadLine { path: records.display().to_string(), line: 0, message: e.to_string() })?;
        out.write_all(b"\n").map_err(io(&records))?;
    }
    out.flush().map_err(io(&records))?;
    for key in &keys {
        let bytes = media.get(key).await.map_err(|e| ExportError::Media { key: key.clone(), message: e.to_string() })?;
        let path = dir.join(MEDIA_DIR).join(key.replace('/', "_"));
        std::fs::write(&path, &bytes).map_err(io(&path))?;
    }
    Ok(Counts { records: entries.len(), media: keys.len() })
}

/// Appends an export's records to `backend` and its media to `media`. Media are checked against
/// their hashes; a record already present (same slot) is a conflict, so importing twice fails
/// instead of doubling anything.
pub async fn import<B: Backend>(backend: &B, media: &MediaStore, dir: &Path) -> Result<Counts, ExportError> {
    let records = dir.join(RECORDS_FILE);
    let file = std::fs::File::open(&records).map_err(io(&records))?;
    let mut entries = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io(&records))?;
        if line.trim().is_empty() {
            continue;
        }
        let entry: Entry = serde_json::from_str(&line).map_err(|e| ExportError::BadLine {
            path: records.display().to_string(),
            line: n + 1,
            message: e.to_string(),
        })?;
        entries.push(entry);
    }
    let mut keys = BTreeSet::new();
    for e in &entries {
        media_keys(&e.body, &mut keys);
    }
    for key in &keys {
        let path = dir.join(MEDIA_DIR).join(key.replace('/', "_"));
        let bytes = Bytes::from(std::fs::read(&path).map_err(io(&path))?);
        let want = key.trim_start_matches("sha256/").split('.').next().unwrap_or_default();
        if hex::encode(Sha256::digest(&bytes)) != want {
            return Err(ExportError::Media { key: key.clone(), message: "its bytes do not match its hash".into() });
        }
        media.put_at(key, bytes).await.map_err(|e| ExportError::Media { key: key.clone(), message: e.to_string() })?;
    }
    for e in &entries {
        backend.append(vec![e.clone()]).await?;
    }
    Ok(Counts { records: entries.len(), media: keys.len() })
}

/// Every media key a body names: `{"key": "sha256/…", "sha256": …}` objects at any depth.
fn media_keys(body: &Value, keys: &mut BTreeSet<String>) {
    match body {
        Value::Object(map) => {
            if let (Some(Value::String(key)), Some(Value::String(_))) = (map.get("key"), map.get("sha256"))
                && is_media_key(key)
            {
                keys.insert(key.clone());
            }
            map.values().for_each(|v| media_keys(v, keys));
        }
        Value::Array(items) => items.iter().for_each(|v| media_keys(v, keys)),
        _ => {}
    }
}
