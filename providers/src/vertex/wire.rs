//! Vector Search's JSON, field for field (camelCase on the wire).

use miri_core::llm::{Datapoint, Restrict};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UpsertBody<'a> {
    pub datapoints: Vec<WireDatapoint<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireDatapoint<'a> {
    pub datapoint_id: &'a str,
    pub feature_vector: &'a [f32],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub restricts: Vec<WireRestrict<'a>>,
}

impl<'a> From<&'a Datapoint> for WireDatapoint<'a> {
    fn from(point: &'a Datapoint) -> Self {
        Self {
            datapoint_id: &point.id,
            feature_vector: &point.vector,
            restricts: point.restricts.iter().map(WireRestrict::from).collect(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireRestrict<'a> {
    pub namespace: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub allow_list: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub deny_list: &'a [String],
}

impl<'a> From<&'a Restrict> for WireRestrict<'a> {
    fn from(restrict: &'a Restrict) -> Self {
        Self {
            namespace: &restrict.namespace,
            allow_list: &restrict.allow,
            deny_list: &restrict.deny,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RemoveBody<'a> {
    pub datapoint_ids: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FindNeighborsBody<'a> {
    pub deployed_index_id: &'a str,
    pub queries: [Query<'a>; 1],
    pub return_full_datapoint: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Query<'a> {
    pub datapoint: WireDatapoint<'a>,
    pub neighbor_count: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FindNeighborsAnswer {
    #[serde(default)]
    pub nearest_neighbors: Vec<NearestNeighbors>,
}

#[derive(Deserialize)]
pub(super) struct NearestNeighbors {
    #[serde(default)]
    pub neighbors: Vec<WireNeighbor>,
}

#[derive(Deserialize)]
pub(super) struct WireNeighbor {
    pub datapoint: NeighborDatapoint,
    pub distance: f64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct NeighborDatapoint {
    pub datapoint_id: String,
}
