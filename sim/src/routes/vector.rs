//! Vertex Vector Search: `:upsertDatapoints` and `:removeDatapoints` on an index, `:findNeighbors`
//! and `:readIndexDatapoints` on an index endpoint. The simulator has no deployments: `deployedIndexId` names the index to
//! read, and when no index has that name the only index there is serves (see
//! [`crate::vectors`]).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};

use super::google::{self, Api, GoogleError};
use crate::state::Sim;
use crate::vectors::{Datapoint, Query, UpsertError};

/// Vertex's default when a query gives no `neighborCount`.
const DEFAULT_NEIGHBOURS: usize = 10;

#[derive(Deserialize)]
struct Upsert {
    datapoints: Vec<Datapoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Remove {
    #[serde(alias = "datapoint_ids")]
    datapoint_ids: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FindNeighbors {
    #[serde(alias = "deployed_index_id")]
    deployed_index_id: String,
    queries: Vec<NeighbourQuery>,
    #[serde(default, alias = "return_full_datapoint")]
    return_full_datapoint: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadDatapoints {
    #[serde(alias = "deployed_index_id")]
    deployed_index_id: String,
    ids: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NeighbourQuery {
    datapoint: Query,
    #[serde(alias = "neighbor_count")]
    neighbor_count: Option<usize>,
}

/// `POST /v1/projects/{p}/locations/{l}/indexes/{index}:{method}`.
pub async fn index(
    State(sim): State<Sim>,
    Path((_project, _location, action)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, GoogleError> {
    google::authorize(Api::Vertex, &headers, None)?;
    let (index, method) = google::split_action(&action)?;
    let outcome = match method {
        "upsertDatapoints" => {
            let request: Upsert = google::parse(&body)?;
            sim.vectors().upsert(index, request.datapoints).await
        }
        "removeDatapoints" => {
            let request: Remove = google::parse(&body)?;
            sim.vectors().remove(index, &request.datapoint_ids).await
        }
        _ => {
            return Err(GoogleError::not_found(format!(
                "Method {method} is not served for indexes"
            )));
        }
    };
    outcome.map_err(|err| match err {
        UpsertError::Invalid(err) => GoogleError::invalid(err.to_string()),
        UpsertError::Io(_) => GoogleError::internal(err.to_string()),
    })?;
    Ok(Json(json!({})))
}

/// `POST /v1/projects/{p}/locations/{l}/indexEndpoints/{endpoint}:findNeighbors` (and
/// `:readIndexDatapoints`).
pub async fn endpoint(
    State(sim): State<Sim>,
    Path((_project, _location, action)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, GoogleError> {
    google::authorize(Api::Vertex, &headers, None)?;
    let (_endpoint, method) = google::split_action(&action)?;
    match method {
        "findNeighbors" => find_neighbours(&sim, &body).await,
        "readIndexDatapoints" => {
            let request: ReadDatapoints = google::parse(&body)?;
            let datapoints = match sim
                .vectors()
                .resolve_deployed(&request.deployed_index_id)
                .await
            {
                Some(index) => sim.vectors().read(&index, &request.ids).await,
                None => Vec::new(),
            };
            Ok(Json(json!({ "datapoints": datapoints })))
        }
        _ => Err(GoogleError::not_found(format!(
            "Method {method} is not served for index endpoints"
        ))),
    }
}

async fn find_neighbours(sim: &Sim, body: &Bytes) -> Result<Json<Value>, GoogleError> {
    let request: FindNeighbors = google::parse(body)?;
    let index = sim
        .vectors()
        .resolve_deployed(&request.deployed_index_id)
        .await;
    let mut nearest = Vec::with_capacity(request.queries.len());
    for query in &request.queries {
        let count = query.neighbor_count.unwrap_or(DEFAULT_NEIGHBOURS);
        let found = match &index {
            Some(index) => sim
                .vectors()
                .neighbours(index, &query.datapoint, count)
                .await
                .map_err(|err| GoogleError::invalid(err.to_string()))?,
            None => Vec::new(),
        };
        let neighbors: Vec<Value> = found
            .into_iter()
            .map(|n| {
                let datapoint = if request.return_full_datapoint {
                    serde_json::to_value(&n.datapoint).expect("a datapoint serialises")
                } else {
                    let mut short = json!({ "datapointId": n.datapoint.datapoint_id });
                    if let Some(tag) = n.datapoint.crowding_tag {
                        short["crowdingTag"] = tag;
                    }
                    short
                };
                json!({ "datapoint": datapoint, "distance": n.distance })
            })
            .collect();
        nearest.push(json!({
            "id": query.datapoint.datapoint_id.clone().unwrap_or_default(),
            "neighbors": neighbors,
        }));
    }
    Ok(Json(json!({ "nearestNeighbors": nearest })))
}
