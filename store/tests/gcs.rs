//! Media in Google Cloud Storage, through `object_store`'s real GCS client talking to a small
//! in-memory stand-in for the GCS XML API on loopback (the client is pointed at it with a
//! service-account key's `gcs_base_url`, as for any GCS emulator): content-addressed keys,
//! create-only writes, reads back.

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
    routing::put,
};
use miri_store::MediaStore;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

type Objects = Arc<Mutex<HashMap<String, (Bytes, u64)>>>;

/// PUT honours `x-goog-if-generation-match: 0` (create only) with 412, as GCS does.
async fn put_object(State(objects): State<Objects>, Path((bucket, key)): Path<(String, String)>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let name = format!("{bucket}/{key}");
    let mut objects = objects.lock().unwrap();
    let create_only = headers.get("x-goog-if-generation-match").is_some_and(|v| v == "0");
    if create_only && objects.contains_key(&name) {
        return (StatusCode::PRECONDITION_FAILED, HeaderMap::new()).into_response();
    }
    let generation = objects.len() as u64 + 1;
    objects.insert(name, (body, generation));
    let mut h = HeaderMap::new();
    h.insert(header::ETAG, format!("\"{generation}\"").parse().unwrap());
    h.insert("x-goog-generation", generation.to_string().parse().unwrap());
    (StatusCode::OK, h).into_response()
}

async fn get_object(State(objects): State<Objects>, Path((bucket, key)): Path<(String, String)>) -> impl IntoResponse {
    match objects.lock().unwrap().get(&format!("{bucket}/{key}")) {
        None => StatusCode::NOT_FOUND.into_response(),
        Some((bytes, generation)) => {
            let mut h = HeaderMap::new();
            h.insert(header::ETAG, format!("\"{generation}\"").parse().unwrap());
            h.insert(header::LAST_MODIFIED, "Wed, 25 Nov 2026 18:00:00 GMT".parse().unwrap());
            h.insert(header::CONTENT_LENGTH, bytes.len().into());
            (StatusCode::OK, h, bytes.clone()).into_response()
        }
    }
}

#[tokio::test]
async fn media_round_trip_through_the_gcs_client() {
    let objects: Objects = Arc::default();
    let app = Router::new().route("/{bucket}/{*key}", put(put_object).get(get_object)).with_state(objects.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let key = serde_json::json!({"gcs_base_url": format!("http://{addr}"), "disable_oauth": true,
        "client_email": "", "private_key": "", "private_key_id": ""})
    .to_string();
    let media = MediaStore::gcs("miri-media", Some(&key)).unwrap();
    let stored = media.put(Bytes::from_static(b"\x89PNG still"), "image/png").await.unwrap();
    assert!(stored.key.starts_with("sha256/") && stored.key.ends_with(".png"), "{}", stored.key);
    assert_eq!(stored.url, format!("gs://miri-media/{}", stored.key));
    assert_eq!(stored.size, 10);
    assert!(objects.lock().unwrap().contains_key(&format!("miri-media/{}", stored.key)), "written to the bucket");
    assert_eq!(media.get(&stored.key).await.unwrap().as_ref(), b"\x89PNG still");

    // The same bytes again: the create-only write finds the object and leaves it as it was.
    let again = media.put(Bytes::from_static(b"\x89PNG still"), "image/png").await.unwrap();
    assert_eq!(again, stored);
    assert_eq!(objects.lock().unwrap().len(), 1);
    let missing = format!("sha256/{}.png", "0".repeat(64));
    assert!(media.get(&missing).await.unwrap_err().to_string().contains("no media under"));
}
