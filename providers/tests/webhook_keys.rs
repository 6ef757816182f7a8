//! fal's webhook keys against a scripted JWKS server: a rotated key is picked up on the first
//! callback it signs, forged callbacks cannot make the gateway refetch more than once a minute,
//! stale keys are refreshed, and a JWKS outage leaves the cached keys in use.

use std::time::Duration;

use ed25519_dalek::SigningKey;
use miri_providers::fal::webhook::{
    HEADER_REQUEST_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_USER_ID, KeyPolicy, WebhookError, WebhookKeys, jwks_for,
    sign,
};
use reqwest::header::{HeaderMap, HeaderValue};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BODY: &[u8] = br#"{"request_id":"r1","status":"OK","payload":{}}"#;
const NOW: i64 = 1_800_000_000;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn signed_by(key: &SigningKey) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(HEADER_REQUEST_ID, HeaderValue::from_static("r1"));
    h.insert(HEADER_USER_ID, HeaderValue::from_static("u1"));
    h.insert(HEADER_TIMESTAMP, HeaderValue::from_str(&NOW.to_string()).unwrap());
    let signature = sign(key, "r1", "u1", NOW, BODY);
    h.insert(HEADER_SIGNATURE, HeaderValue::from_str(&signature).unwrap());
    h
}

async fn publish(server: &MockServer, keys: &[&SigningKey]) {
    server.reset().await;
    let keys: Vec<_> = keys.iter().map(|k| k.verifying_key()).collect();
    Mock::given(method("GET"))
        .and(path("/.well-known/jwks.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks_for(&keys)))
        .mount(server)
        .await;
}

async fn fetches(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn url(server: &MockServer) -> String {
    format!("{}/.well-known/jwks.json", server.uri())
}

#[tokio::test]
async fn a_rotated_key_is_fetched_when_it_first_signs() {
    let server = MockServer::start().await;
    publish(&server, &[&key(1)]).await;
    let policy = KeyPolicy { min_refetch: Duration::from_millis(100), ..KeyPolicy::default() };
    let keys = WebhookKeys::load(vec![url(&server)], policy).await.unwrap();
    keys.verify(&signed_by(&key(1)), BODY, NOW).await.unwrap();

    publish(&server, &[&key(2)]).await;
    // Within `min_refetch` of the last fetch the new key is not yet known: fal retries a
    // refused delivery (10 times over ~2 h), and a later attempt gets through.
    assert_eq!(keys.verify(&signed_by(&key(2)), BODY, NOW).await, Err(WebhookError::BadSignature));
    tokio::time::sleep(Duration::from_millis(150)).await;
    keys.verify(&signed_by(&key(2)), BODY, NOW).await.unwrap();
    assert_eq!(fetches(&server).await, 1, "one refetch after the unknown signature");
    // The old key is gone from fal's document, so it no longer verifies.
    assert_eq!(keys.verify(&signed_by(&key(1)), BODY, NOW).await, Err(WebhookError::BadSignature));
}

#[tokio::test]
async fn forged_callbacks_refetch_at_most_once_per_interval() {
    let server = MockServer::start().await;
    publish(&server, &[&key(1)]).await;
    let policy = KeyPolicy { min_refetch: Duration::from_millis(300), ..KeyPolicy::default() };
    let keys = WebhookKeys::load(vec![url(&server)], policy).await.unwrap();
    // Right after loading, an unknown signature does not refetch at all.
    for _ in 0..5 {
        assert_eq!(keys.verify(&signed_by(&key(9)), BODY, NOW).await, Err(WebhookError::BadSignature));
    }
    assert_eq!(fetches(&server).await, 1, "only the load");
    tokio::time::sleep(Duration::from_millis(350)).await;
    for _ in 0..5 {
        assert_eq!(keys.verify(&signed_by(&key(9)), BODY, NOW).await, Err(WebhookError::BadSignature));
    }
    assert_eq!(fetches(&server).await, 2, "one refetch per interval, however many forgeries");
    // Unsigned and stale callbacks never reach the key check.
    let mut unsigned = signed_by(&key(1));
    unsigned.remove(HEADER_SIGNATURE);
    assert_eq!(keys.verify(&unsigned, BODY, NOW).await, Err(WebhookError::MissingHeader(HEADER_SIGNATURE)));
    assert!(matches!(keys.verify(&signed_by(&key(1)), BODY, NOW + 301).await, Err(WebhookError::Stale { .. })));
}

#[tokio::test]
async fn stale_keys_are_refreshed_and_an_outage_keeps_the_cached_ones() {
    let server = MockServer::start().await;
    publish(&server, &[&key(1)]).await;
    let policy = KeyPolicy { max_age: Duration::from_millis(200), min_refetch: Duration::from_secs(60) };
    let keys = WebhookKeys::load(vec![url(&server)], policy).await.unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    keys.verify(&signed_by(&key(1)), BODY, NOW).await.unwrap();
    assert_eq!(fetches(&server).await, 2, "refreshed before use");

    server.reset().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    keys.verify(&signed_by(&key(1)), BODY, NOW).await.unwrap();
    assert_eq!(fetches(&server).await, 1, "it tried, failed, and kept the old keys");
}

#[tokio::test]
async fn keys_from_every_address_that_answers_are_trusted() {
    let (a, b) = (MockServer::start().await, MockServer::start().await);
    publish(&a, &[&key(1)]).await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(404)).mount(&b).await;
    let keys = WebhookKeys::load(vec![url(&b), url(&a)], KeyPolicy::default()).await.unwrap();
    keys.verify(&signed_by(&key(1)), BODY, NOW).await.unwrap();

    let err = WebhookKeys::load(vec![url(&b)], KeyPolicy::default()).await.err().unwrap();
    assert!(matches!(err, WebhookError::JwksUnavailable(ref m) if m.contains("404")), "{err}");
    let err = WebhookKeys::load(Vec::new(), KeyPolicy::default()).await.err().unwrap();
    assert!(err.to_string().contains("no JWKS address"), "{err}");
}
