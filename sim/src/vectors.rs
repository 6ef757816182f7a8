//! Vertex Vector Search's stream-updated indexes: datapoints by index id, mirrored to
//! `vectors/{index}.json` in the data dir so a restarted simulator finds what was upserted.
//!
//! Neighbours are ranked by dot product, higher first (`DOT_PRODUCT_DISTANCE`); token restricts
//! filter by namespace: a datapoint passes a query namespace when one of its tokens is in the
//! query's `allowList` (if any) and none is in its `denyList`. Numeric restricts are stored and
//! returned but not used to filter.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::error::SimError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Datapoint {
    #[serde(alias = "datapoint_id")]
    pub datapoint_id: String,
    #[serde(alias = "feature_vector")]
    pub feature_vector: Vec<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restricts: Vec<Restrict>,
    #[serde(
        default,
        alias = "numeric_restricts",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub numeric_restricts: Vec<Value>,
    #[serde(
        default,
        alias = "crowding_tag",
        skip_serializing_if = "Option::is_none"
    )]
    pub crowding_tag: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Restrict {
    pub namespace: String,
    #[serde(default, alias = "allow_list", skip_serializing_if = "Vec::is_empty")]
    pub allow_list: Vec<String>,
    #[serde(default, alias = "deny_list", skip_serializing_if = "Vec::is_empty")]
    pub deny_list: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum VectorError {
    #[error("index id {0:?} may only hold letters, digits, '-' and '_'")]
    BadIndexId(String),
    #[error(
        "datapoint {id} has {got} dimensions but index {index} holds {want}-dimensional vectors"
    )]
    Dimensions {
        index: String,
        id: String,
        got: usize,
        want: usize,
    },
    #[error(
        "the query vector has {got} dimensions but index {index} holds {want}-dimensional vectors"
    )]
    QueryDimensions {
        index: String,
        got: usize,
        want: usize,
    },
    #[error("datapoint {0} is not in the index; query by featureVector instead")]
    UnknownDatapoint(String),
}

/// One neighbour found.
#[derive(Debug, Clone)]
pub struct Neighbour {
    pub datapoint: Datapoint,
    pub distance: f64,
}

pub struct VectorStore {
    dir: PathBuf,
    indexes: Mutex<HashMap<String, BTreeMap<String, Datapoint>>>,
}

impl VectorStore {
    pub async fn open(dir: PathBuf) -> Result<Self, SimError> {
        let data_dir_error = |source| SimError::DataDir {
            path: dir.clone(),
            source,
        };
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(data_dir_error)?;
        let mut indexes = HashMap::new();
        let mut entries = tokio::fs::read_dir(&dir).await.map_err(data_dir_error)?;
        while let Some(entry) = entries.next_entry().await.map_err(data_dir_error)? {
            let path = entry.path();
            let Some(index) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
            else {
                continue;
            };
            let loaded = tokio::fs::read(&path)
                .await
                .map_err(|err| err.to_string())
                .and_then(|bytes| {
                    serde_json::from_slice::<Vec<Datapoint>>(&bytes).map_err(|err| err.to_string())
                });
            match loaded {
                Ok(points) => {
                    let points = points
                        .into_iter()
                        .map(|p| (p.datapoint_id.clone(), p))
                        .collect();
                    indexes.insert(index.to_owned(), points);
                }
                Err(reason) => {
                    tracing::warn!(path = %path.display(), %reason, "skipping unreadable vector index")
                }
            }
        }
        Ok(Self {
            dir,
            indexes: Mutex::new(indexes),
        })
    }

    pub async fn upsert(&self, index: &str, points: Vec<Datapoint>) -> Result<(), UpsertError> {
        check_id(index)?;
        let mut indexes = self.indexes.lock().await;
        let stored = indexes.entry(index.to_owned()).or_default();
        let want = stored
            .values()
            .next()
            .or(points.first())
            .map(|p| p.feature_vector.len());
        if let Some(want) = want
            && let Some(bad) = points.iter().find(|p| p.feature_vector.len() != want)
        {
            return Err(VectorError::Dimensions {
                index: index.to_owned(),
                id: bad.datapoint_id.clone(),
                got: bad.feature_vector.len(),
                want,
            }
            .into());
        }
        for point in points {
            stored.insert(point.datapoint_id.clone(), point);
        }
        let snapshot: Vec<&Datapoint> = stored.values().collect();
        self.persist(index, &snapshot).await?;
        Ok(())
    }

    pub async fn remove(&self, index: &str, ids: &[String]) -> Result<(), UpsertError> {
        check_id(index)?;
        let mut indexes = self.indexes.lock().await;
        let Some(stored) = indexes.get_mut(index) else {
            return Ok(());
        };
        for id in ids {
            stored.remove(id);
        }
        let snapshot: Vec<&Datapoint> = stored.values().collect();
        self.persist(index, &snapshot).await?;
        Ok(())
    }

    /// The index a `findNeighbors` call reads: the one named `deployed_index_id`, else the only
    /// index there is; `None` when neither exists.
    pub async fn resolve_deployed(&self, deployed_index_id: &str) -> Option<String> {
        let indexes = self.indexes.lock().await;
        if indexes.contains_key(deployed_index_id) {
            return Some(deployed_index_id.to_owned());
        }
        (indexes.len() == 1)
            .then(|| indexes.keys().next().cloned())
            .flatten()
    }

    /// The datapoints of `index` among `ids`, in the order asked; unknown ids are skipped.
    pub async fn read(&self, index: &str, ids: &[String]) -> Vec<Datapoint> {
        let indexes = self.indexes.lock().await;
        let Some(stored) = indexes.get(index) else {
            return Vec::new();
        };
        ids.iter()
            .filter_map(|id| stored.get(id).cloned())
            .collect()
    }

    /// The `count` datapoints of `index` closest to `query` that pass its restricts.
    pub async fn neighbours(
        &self,
        index: &str,
        query: &Query,
        count: usize,
    ) -> Result<Vec<Neighbour>, VectorError> {
        let indexes = self.indexes.lock().await;
        let Some(stored) = indexes.get(index) else {
            return Ok(Vec::new());
        };
        let vector = match (&query.feature_vector, &query.datapoint_id) {
            (Some(v), _) if !v.is_empty() => v.clone(),
            (_, Some(id)) => stored
                .get(id)
                .map(|p| p.feature_vector.clone())
                .ok_or_else(|| VectorError::UnknownDatapoint(id.clone()))?,
            _ => Vec::new(),
        };
        if let Some(want) = stored.values().next().map(|p| p.feature_vector.len())
            && vector.len() != want
        {
            return Err(VectorError::QueryDimensions {
                index: index.to_owned(),
                got: vector.len(),
                want,
            });
        }
        let mut found: Vec<Neighbour> = stored
            .values()
            .filter(|point| passes(point, &query.restricts))
            .map(|point| Neighbour {
                distance: point
                    .feature_vector
                    .iter()
                    .zip(&vector)
                    .map(|(a, b)| a * b)
                    .sum(),
                datapoint: point.clone(),
            })
            .collect();
        found.sort_by(|a, b| {
            b.distance
                .total_cmp(&a.distance)
                .then_with(|| a.datapoint.datapoint_id.cmp(&b.datapoint.datapoint_id))
        });
        found.truncate(count);
        Ok(found)
    }

    async fn persist(&self, index: &str, points: &[&Datapoint]) -> io::Result<()> {
        let path = self.dir.join(format!("{index}.json"));
        let staging = self.dir.join(format!("{index}.json.partial"));
        tokio::fs::write(&staging, serde_json::to_vec(points)?).await?;
        tokio::fs::rename(&staging, &path).await
    }
}

/// What a query asks for.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Query {
    #[serde(default, alias = "datapoint_id")]
    pub datapoint_id: Option<String>,
    #[serde(default, alias = "feature_vector")]
    pub feature_vector: Option<Vec<f64>>,
    #[serde(default)]
    pub restricts: Vec<Restrict>,
}

#[derive(Debug, thiserror::Error)]
pub enum UpsertError {
    #[error(transparent)]
    Invalid(#[from] VectorError),
    #[error("the simulator could not save the index: {0}")]
    Io(#[from] io::Error),
}

fn check_id(index: &str) -> Result<(), VectorError> {
    let fine = !index.is_empty()
        && index
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if fine {
        Ok(())
    } else {
        Err(VectorError::BadIndexId(index.to_owned()))
    }
}

fn passes(point: &Datapoint, restricts: &[Restrict]) -> bool {
    restricts.iter().all(|wanted| {
        let tokens: Vec<&String> = point
            .restricts
            .iter()
            .filter(|r| r.namespace == wanted.namespace)
            .flat_map(|r| &r.allow_list)
            .collect();
        let allowed =
            wanted.allow_list.is_empty() || tokens.iter().any(|t| wanted.allow_list.contains(t));
        let denied = tokens.iter().any(|t| wanted.deny_list.contains(t));
        allowed && !denied
    })
}
