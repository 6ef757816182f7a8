//! The Vector Search client: upserts and removals go to the index on the regional Vertex API,
//! queries go to the deployed index on its endpoint's own public domain. Both take a bearer token
//! from the configured `TokenSource`, added per request as a sensitive header.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use miri_core::llm::{Datapoint, Neighbor, Restrict, VectorIndex};
use reqwest::header::AUTHORIZATION;
use reqwest::redirect;
use serde::Serialize;
use url::Url;

use super::auth::TokenSource;
use super::wire::{
    FindNeighborsAnswer, FindNeighborsBody, Query, RemoveBody, UpsertBody, WireDatapoint,
    WireRestrict,
};
use crate::error::{ProviderError, decode, exchange};

/// Where the index lives. Ids come from configuration (`gcloud ai indexes list`).
#[derive(Debug, Clone)]
pub struct VectorSearchConfig {
    /// The regional Vertex API, e.g. `https://us-central1-aiplatform.googleapis.com`.
    pub api_base: Url,
    /// The index endpoint's `publicEndpointDomainName` as a URL, e.g.
    /// `https://1234.us-central1-5678.vdb.vertexai.goog`.
    pub query_base: Url,
    pub project: String,
    pub location: String,
    pub index_id: String,
    pub index_endpoint_id: String,
    pub deployed_index_id: String,
    /// Bounds each HTTP exchange as a whole.
    pub timeout: Duration,
}

/// Why a `VectorSearchClient` could not be built; all are configuration mistakes.
#[derive(Debug, thiserror::Error)]
pub enum VectorSearchConfigError {
    #[error(
        "the Vector Search URL {0} is not an http(s) URL; use the regional Vertex host or the endpoint's public domain"
    )]
    BaseUrl(Url),
    #[error("the Vector Search {0} is empty; set it in the configuration")]
    Missing(&'static str),
    #[error("could not set up the HTTP client ({0}); check the TLS setup of this machine")]
    HttpClient(String),
}

pub struct VectorSearchClient {
    http: reqwest::Client,
    config: VectorSearchConfig,
    tokens: Arc<dyn TokenSource>,
}

impl fmt::Debug for VectorSearchClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VectorSearchClient")
            .field("config", &self.config)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl VectorSearchClient {
    pub fn new(
        config: VectorSearchConfig,
        tokens: Arc<dyn TokenSource>,
    ) -> Result<Self, VectorSearchConfigError> {
        for base in [&config.api_base, &config.query_base] {
            if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
                return Err(VectorSearchConfigError::BaseUrl(base.clone()));
            }
        }
        for (name, value) in [
            ("project", &config.project),
            ("location", &config.location),
            ("index id", &config.index_id),
            ("index endpoint id", &config.index_endpoint_id),
            ("deployed index id", &config.deployed_index_id),
        ] {
            if value.is_empty() {
                return Err(VectorSearchConfigError::Missing(name));
            }
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            // Google never redirects these calls; following one could carry the token elsewhere.
            .redirect(redirect::Policy::none())
            .build()
            .map_err(|err| VectorSearchConfigError::HttpClient(err.to_string()))?;
        Ok(Self {
            http,
            config,
            tokens,
        })
    }

    /// `{base}/v1/projects/{P}/locations/{LOC}/{collection}/{id}:{method}`.
    fn url(&self, base: &Url, collection: &str, id: &str, method: &str) -> Url {
        let mut url = base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend([
                "v1",
                "projects",
                &self.config.project,
                "locations",
                &self.config.location,
                collection,
                &format!("{id}:{method}"),
            ]);
        }
        url
    }

    async fn post(
        &self,
        what: &str,
        url: Url,
        body: &impl Serialize,
    ) -> Result<bytes::Bytes, ProviderError> {
        let token = self.tokens.token().await?;
        let request = self
            .http
            .post(url)
            .header(AUTHORIZATION, token.bearer()?)
            .json(body);
        Ok(exchange(what, request).await?.body)
    }
}

impl VectorIndex for VectorSearchClient {
    type Error = ProviderError;

    async fn upsert(&self, datapoints: &[Datapoint]) -> Result<(), ProviderError> {
        let url = self.url(
            &self.config.api_base,
            "indexes",
            &self.config.index_id,
            "upsertDatapoints",
        );
        let body = UpsertBody {
            datapoints: datapoints.iter().map(WireDatapoint::from).collect(),
        };
        let answer = self.post("upsert datapoints", url, &body).await?;
        decode::<serde_json::Map<String, serde_json::Value>>("upsert datapoints", &answer)?;
        Ok(())
    }

    async fn remove(&self, ids: &[String]) -> Result<(), ProviderError> {
        let url = self.url(
            &self.config.api_base,
            "indexes",
            &self.config.index_id,
            "removeDatapoints",
        );
        let answer = self
            .post("remove datapoints", url, &RemoveBody { datapoint_ids: ids })
            .await?;
        decode::<serde_json::Map<String, serde_json::Value>>("remove datapoints", &answer)?;
        Ok(())
    }

    async fn find_neighbors(
        &self,
        vector: &[f32],
        k: u32,
        restricts: &[Restrict],
    ) -> Result<Vec<Neighbor>, ProviderError> {
        let url = self.url(
            &self.config.query_base,
            "indexEndpoints",
            &self.config.index_endpoint_id,
            "findNeighbors",
        );
        let body = FindNeighborsBody {
            deployed_index_id: &self.config.deployed_index_id,
            queries: [Query {
                datapoint: WireDatapoint {
                    datapoint_id: "query",
                    feature_vector: vector,
                    restricts: restricts.iter().map(WireRestrict::from).collect(),
                },
                neighbor_count: k,
            }],
            return_full_datapoint: false,
        };
        let answer = self.post("find neighbors", url, &body).await?;
        let answer: FindNeighborsAnswer = decode("find neighbors", &answer)?;
        Ok(answer
            .nearest_neighbors
            .into_iter()
            .flat_map(|query| query.neighbors)
            .map(|n| Neighbor {
                id: n.datapoint.datapoint_id,
                distance: n.distance,
            })
            .collect())
    }
}
