//! Vertex Vector Search on the simulator over HTTP: upserts and removals, neighbours by dot
//! product with restricts honoured, and indexes that survive a restart.

mod common;

use std::time::Duration;

use common::{RunningSim, google_status};
use serde_json::{Value, json};

const INDEX: &str = "/v1/projects/p/locations/us-central1/indexes/shots_v1";
const ENDPOINT: &str = "/v1/projects/p/locations/us-central1/indexEndpoints/ep-1:findNeighbors";

fn point(id: &str, v: [f64; 3], project: &str) -> Value {
    json!({"datapointId": id, "featureVector": v,
           "restricts": [{"namespace": "project", "allowList": [project]}],
           "crowdingTag": {"crowdingAttribute": format!("scene-{id}")}})
}

fn ids(body: &Value, query: usize) -> Vec<String> {
    body["nearestNeighbors"][query]["neighbors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["datapoint"]["datapointId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn neighbours_by_dot_product_with_restricts_and_persistence() {
    let dir = tempfile::tempdir().unwrap();
    let sim = RunningSim::start_in(dir.path(), Duration::from_millis(10)).await;
    let upsert = json!({"datapoints": [
        point("a", [1.0, 0.0, 0.0], "p-7"),
        point("b", [0.8, 0.6, 0.0], "p-7"),
        point("c", [0.0, 1.0, 0.0], "p-7"),
        point("d", [0.99, 0.1, 0.0], "p-8"),
    ]});
    let (status, body) = sim
        .vertex(&format!("{INDEX}:upsertDatapoints"), &upsert)
        .await;
    assert_eq!((status, body), (200, json!({})));

    let query = json!({"deployedIndexId": "shots_v1", "queries": [
        {"datapoint": {"datapointId": "q", "featureVector": [1.0, 0.0, 0.0],
                       "restricts": [{"namespace": "project", "allowList": ["p-7"]}]}, "neighborCount": 2},
        {"datapoint": {"datapointId": "q2", "featureVector": [1.0, 0.0, 0.0]}, "neighborCount": 10},
        {"datapoint": {"datapointId": "q3", "featureVector": [1.0, 0.0, 0.0],
                       "restricts": [{"namespace": "project", "denyList": ["p-7"]}]}}
    ]});
    let (status, body) = sim.vertex(ENDPOINT, &query).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["nearestNeighbors"][0]["id"], "q");
    assert_eq!(ids(&body, 0), ["a", "b"]);
    let first = &body["nearestNeighbors"][0]["neighbors"][0];
    assert!((first["distance"].as_f64().unwrap() - 1.0).abs() < 1e-6);
    assert_eq!(
        first["datapoint"]["crowdingTag"]["crowdingAttribute"],
        "scene-a"
    );
    assert!(first["datapoint"].get("featureVector").is_none());
    assert_eq!(ids(&body, 1), ["a", "d", "b", "c"]);
    assert_eq!(ids(&body, 2), ["d"]);

    let (status, _) = sim
        .vertex(
            &format!("{INDEX}:removeDatapoints"),
            &json!({"datapointIds": ["a"]}),
        )
        .await;
    assert_eq!(status, 200);
    sim.shut_down().await;

    // A restarted simulator still has the index; an unknown deployed id falls back to the only
    // index, and full datapoints come back on request.
    let sim = RunningSim::start_in(dir.path(), Duration::from_millis(10)).await;
    let mut query = query.clone();
    query["deployedIndexId"] = json!("deployed_shots_1");
    query["returnFullDatapoint"] = json!(true);
    let (status, body) = sim.vertex(ENDPOINT, &query).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body, 0), ["b", "c"]);
    assert_eq!(
        body["nearestNeighbors"][0]["neighbors"][0]["datapoint"]["featureVector"],
        json!([0.8, 0.6, 0.0])
    );

    let read = "/v1/projects/p/locations/us-central1/indexEndpoints/ep-1:readIndexDatapoints";
    let (status, body) = sim
        .vertex(
            read,
            &json!({"deployedIndexId": "shots_v1", "ids": ["c", "a", "b"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let read_ids: Vec<&str> = body["datapoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["datapointId"].as_str().unwrap())
        .collect();
    assert_eq!(read_ids, ["c", "b"], "removed a is gone");
    assert_eq!(
        body["datapoints"][0]["restricts"][0]["allowList"],
        json!(["p-7"])
    );

    // Wrong dimensions and missing credentials are refused in Google's shape.
    let (status, body) = sim.vertex(&format!("{INDEX}:upsertDatapoints"), &json!({"datapoints": [point("e", [1.0, 0.0, 0.0], "x"), {"datapointId": "f", "featureVector": [1.0]}]})).await;
    assert_eq!(status, 400);
    assert_eq!(google_status(&body, 400), "INVALID_ARGUMENT");
    let bare = sim
        .http
        .post(sim.url(ENDPOINT))
        .json(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 401);
    assert_eq!(sim.stats().await["calls"]["vector"], 4);
    sim.shut_down().await;
}
