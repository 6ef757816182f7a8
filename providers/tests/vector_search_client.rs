//! The Vector Search client against two scripted HTTP servers (the regional Vertex API for
//! upserts and removals, the index endpoint's own domain for queries): paths, bearer token,
//! bodies, answers, and failure classification.

use std::sync::Arc;
use std::time::Duration;

use miri_core::llm::{Datapoint, Neighbor, Restrict, VectorIndex};
use miri_providers::error::ProviderError;
use miri_providers::vertex::{
    StaticToken, TokenFuture, TokenSource, VectorSearchClient, VectorSearchConfig,
};
use serde_json::json;
use url::Url;
use wiremock::matchers::{any, body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "ya29.vector-search-token";

fn client_for(api: &MockServer, query: &MockServer, timeout: Duration) -> VectorSearchClient {
    VectorSearchClient::new(
        VectorSearchConfig {
            api_base: Url::parse(&api.uri()).unwrap(),
            query_base: Url::parse(&query.uri()).unwrap(),
            project: "miri-prod".into(),
            location: "us-central1".into(),
            index_id: "shots-idx".into(),
            index_endpoint_id: "shots-ep".into(),
            deployed_index_id: "shots_v1".into(),
            timeout,
        },
        Arc::new(StaticToken::new(TOKEN)),
    )
    .unwrap()
}

fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

#[tokio::test]
async fn upsert_sends_datapoints_with_restricts_to_the_index() {
    let api = MockServer::start().await;
    let query = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/projects/miri-prod/locations/us-central1/indexes/shots-idx:upsertDatapoints"))
        .and(header("authorization", bearer().as_str()))
        .and(body_json(json!({"datapoints": [
            {"datapointId": "shot-0042", "featureVector": [0.5, -0.25],
             "restricts": [{"namespace": "project", "allowList": ["p-7"]}, {"namespace": "kind", "denyList": ["draft"]}]},
            {"datapointId": "shot-0043", "featureVector": [1.0, 0.0]}
        ]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&api)
        .await;

    client_for(&api, &query, Duration::from_secs(5))
        .upsert(&[
            Datapoint {
                id: "shot-0042".into(),
                vector: vec![0.5, -0.25],
                restricts: vec![
                    Restrict::allow("project", &["p-7"]),
                    Restrict {
                        namespace: "kind".into(),
                        allow: vec![],
                        deny: vec!["draft".into()],
                    },
                ],
            },
            Datapoint {
                id: "shot-0043".into(),
                vector: vec![1.0, 0.0],
                restricts: vec![],
            },
        ])
        .await
        .unwrap();
}

#[tokio::test]
async fn remove_sends_the_ids() {
    let api = MockServer::start().await;
    let query = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/v1/projects/miri-prod/locations/us-central1/indexes/shots-idx:removeDatapoints",
        ))
        .and(header("authorization", bearer().as_str()))
        .and(body_json(
            json!({"datapointIds": ["shot-0042", "shot-0043"]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&api)
        .await;

    client_for(&api, &query, Duration::from_secs(5))
        .remove(&["shot-0042".into(), "shot-0043".into()])
        .await
        .unwrap();
}

#[tokio::test]
async fn find_neighbors_queries_the_deployed_index_on_its_endpoint() {
    let api = MockServer::start().await;
    let query = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/projects/miri-prod/locations/us-central1/indexEndpoints/shots-ep:findNeighbors"))
        .and(header("authorization", bearer().as_str()))
        .and(body_json(json!({
            "deployedIndexId": "shots_v1",
            "queries": [{"datapoint": {"datapointId": "query", "featureVector": [0.5, -0.25],
                "restricts": [{"namespace": "project", "allowList": ["p-7"]}]}, "neighborCount": 2}],
            "returnFullDatapoint": false
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"nearestNeighbors": [{"id": "query", "neighbors": [
            {"datapoint": {"datapointId": "shot-0042", "crowdingTag": {"crowdingAttribute": "scene-3"}}, "distance": 0.87},
            {"datapoint": {"datapointId": "shot-0007"}, "distance": 0.5}
        ]}]})))
        .expect(1)
        .mount(&query)
        .await;

    let neighbors = client_for(&api, &query, Duration::from_secs(5))
        .find_neighbors(&[0.5, -0.25], 2, &[Restrict::allow("project", &["p-7"])])
        .await
        .unwrap();

    assert_eq!(
        neighbors,
        vec![
            Neighbor {
                id: "shot-0042".into(),
                distance: 0.87
            },
            Neighbor {
                id: "shot-0007".into(),
                distance: 0.5
            },
        ]
    );
    assert!(api.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_empty_index_answers_no_neighbors() {
    let api = MockServer::start().await;
    let query = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"nearestNeighbors": [{"id": "query"}]})),
        )
        .mount(&query)
        .await;
    let neighbors = client_for(&api, &query, Duration::from_secs(5))
        .find_neighbors(&[1.0], 5, &[])
        .await
        .unwrap();
    assert!(neighbors.is_empty());
}

/// Every operation, against both servers answering each kind of failure.
#[tokio::test]
async fn failures_are_classified_for_every_operation() {
    let google_error = |code: u16, status: &str, message: &str| {
        ResponseTemplate::new(code)
            .set_body_json(json!({"error": {"code": code, "message": message, "status": status}}))
    };
    let cases = || {
        [
            (
                google_error(404, "NOT_FOUND", "Index shots-idx is not found."),
                Duration::from_secs(5),
                Some(ProviderError::Rejected {
                    status: 404,
                    message: "Index shots-idx is not found. (NOT_FOUND)".into(),
                }),
            ),
            (
                google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.")
                    .insert_header("retry-after", "4"),
                Duration::from_secs(5),
                Some(ProviderError::RateLimited {
                    retry_after: Some(Duration::from_secs(4)),
                }),
            ),
            (
                google_error(500, "INTERNAL", "Internal error."),
                Duration::from_secs(5),
                Some(ProviderError::Unavailable {
                    status: 500,
                    message: "Internal error. (INTERNAL)".into(),
                }),
            ),
            (
                ResponseTemplate::new(200)
                    .set_body_json(json!({}))
                    .set_delay(Duration::from_secs(3)),
                Duration::from_millis(200),
                Some(ProviderError::Timeout),
            ),
            (
                ResponseTemplate::new(200).set_body_string("<html>proxy</html>"),
                Duration::from_secs(5),
                None,
            ),
        ]
    };
    for op in 0..3 {
        for (response, timeout, expected) in cases() {
            let api = MockServer::start().await;
            let query = MockServer::start().await;
            Mock::given(any())
                .respond_with(response.clone())
                .mount(&api)
                .await;
            Mock::given(any())
                .respond_with(response)
                .mount(&query)
                .await;
            let client = client_for(&api, &query, timeout);
            let err = match op {
                0 => client.upsert(&[]).await.unwrap_err(),
                1 => client.remove(&["a".into()]).await.unwrap_err(),
                _ => client.find_neighbors(&[1.0], 1, &[]).await.unwrap_err(),
            };
            match expected {
                Some(expected) => {
                    assert_eq!(err, expected, "operation {op}");
                    assert_eq!(err.is_retryable(), expected.is_retryable());
                }
                None => assert!(
                    matches!(&err, ProviderError::Malformed(m) if m.contains("<html>proxy")),
                    "operation {op}: {err:?}"
                ),
            }
            assert!(!err.to_string().contains(TOKEN));
        }
    }
}

#[tokio::test]
async fn the_token_never_shows_in_debug() {
    let api = MockServer::start().await;
    let debug = format!("{:?}", client_for(&api, &api, Duration::from_secs(5)));
    assert!(
        !debug.contains(TOKEN) && debug.contains("redacted"),
        "{debug}"
    );
}

/// A token source that cannot mint a token, as when ADC is not set up.
struct NoCredentials;

impl TokenSource for NoCredentials {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async {
            Err(ProviderError::Transport(
                "metadata server: connection refused".into(),
            ))
        })
    }
}

#[tokio::test]
async fn a_token_failure_surfaces_and_sends_nothing() {
    let server = MockServer::start().await;
    let client = VectorSearchClient::new(
        VectorSearchConfig {
            api_base: Url::parse(&server.uri()).unwrap(),
            query_base: Url::parse(&server.uri()).unwrap(),
            project: "p".into(),
            location: "l".into(),
            index_id: "i".into(),
            index_endpoint_id: "e".into(),
            deployed_index_id: "d".into(),
            timeout: Duration::from_secs(5),
        },
        Arc::new(NoCredentials),
    )
    .unwrap();
    let err = client.remove(&["a".into()]).await.unwrap_err();
    assert_eq!(
        err,
        ProviderError::Transport("metadata server: connection refused".into())
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
