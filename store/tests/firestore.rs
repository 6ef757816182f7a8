//! The conformance suite on the Firestore backend, against Google's Cloud Firestore emulator
//! (started once per test binary, see `support/emulator.rs`), plus what only Firestore has: the
//! document layout and exact JSON bodies.

#[path = "support/emulator.rs"]
mod emulator;
mod suite;

use chrono::Utc;
use miri_store::firestore::FirestoreBackend;
use miri_store::{At, Backend, Entry, Kind, MediaStore, Place, Store, StoreError, Under};
use serde_json::json;
use suite::Fixture;

async fn backend(test: &str) -> (FirestoreBackend, String) {
    let host = emulator::host().await;
    let project = emulator::project_id(test);
    (FirestoreBackend::connect_emulator(&project, &host).await.expect("connecting to the emulator"), project)
}

async fn make() -> Fixture<FirestoreBackend> {
    let (backend, _) = backend("suite").await;
    let dir = tempfile::tempdir().unwrap();
    let media = MediaStore::local(&dir.path().join("media")).unwrap();
    Fixture { store: Store::new(backend, media), guard: Box::new(dir) }
}

conformance_suite!(make());

fn entry(kind: Kind, id: &str, revision: u64, place: Place, body: serde_json::Value) -> Entry {
    let recorded_at = chrono::DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap();
    Entry { kind, id: id.into(), revision, place, recorded_at, body }
}

fn place(project: &str, scene: Option<&str>, shot: Option<&str>) -> Place {
    Place {
        project: Some(project.into()),
        scene: scene.map(Into::into),
        shot: shot.map(Into::into),
        conversation: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revisions_are_documents_in_the_seed_hierarchy() {
    let (store, gcp) = backend("layout").await;
    let at = place("p1", None, Some("sh1"));
    store.append(vec![entry(Kind::Project, "p1", 0, place("p1", None, None), json!({"name": "שיר"}))]).await.unwrap();
    store.append(vec![entry(Kind::Shot, "sh1", 0, at.clone(), json!({"status": "DRAFT"}))]).await.unwrap();
    // The shot gets a scene later; it and its versions stay where it started.
    let scened = place("p1", Some("s1"), Some("sh1"));
    store.append(vec![entry(Kind::Shot, "sh1", 1, scened.clone(), json!({"status": "VALIDATION"}))]).await.unwrap();
    store.append(vec![entry(Kind::Version, "v1", 0, scened, json!({"prompt": "a garden"}))]).await.unwrap();
    store.append(vec![entry(Kind::Token, "t1", 0, Place::default(), json!({"role": "owner"}))]).await.unwrap();

    // Through the emulator's REST API, which shares the gRPC port.
    let host = emulator::host().await;
    let http = reqwest::Client::new();
    let exists = |path: &'static str| {
        let url = format!("http://{host}/v1/projects/{gcp}/databases/(default)/documents/{path}");
        let request = http.get(url).bearer_auth("owner");
        async move {
            let status = request.send().await.unwrap().status();
            assert!(status.is_success() || status == reqwest::StatusCode::NOT_FOUND, "{path}: {status}");
            status.is_success()
        }
    };
    for path in [
        "projects/p1/revisions/r0000000000",
        "projects/p1/scenes/_unscened/shots/sh1/revisions/r0000000000",
        "projects/p1/scenes/_unscened/shots/sh1/revisions/r0000000001",
        "projects/p1/scenes/_unscened/shots/sh1/versions/v1/revisions/r0000000000",
        "tokens/t1/revisions/r0000000000",
        "index/shot/entities/sh1",
        "index/version/entities/v1",
    ] {
        assert!(exists(path).await, "{path} exists");
    }
    assert!(!exists("projects/p1/scenes/s1/shots/sh1/revisions/r0000000001").await, "one path per entity");
    let newest = store.read(Kind::Shot, "sh1", At::Newest).await.unwrap().unwrap();
    assert_eq!((newest.revision, newest.place.scene.as_deref()), (1, Some("s1")), "each revision keeps its own place");

    // Lists go by each revision's own place, as on SQLite.
    let listed = |kind, under, at| {
        let store = store.clone();
        async move {
            let entries = store.list(kind, under, at).await.unwrap();
            entries.into_iter().map(|e| (e.id, e.revision)).collect::<Vec<_>>()
        }
    };
    let scene = || Under::Scene("s1".into());
    assert_eq!(listed(Kind::Shot, scene(), At::Newest).await, [("sh1".to_string(), 1)]);
    assert_eq!(listed(Kind::Shot, scene(), At::Revision(0)).await, []);
    assert_eq!(listed(Kind::Version, scene(), At::Newest).await, [("v1".to_string(), 0)]);
    assert_eq!(listed(Kind::Shot, Under::Project("p1".into()), At::Revision(0)).await, [("sh1".to_string(), 0)]);
    assert_eq!(listed(Kind::Token, Under::All, At::Newest).await, [("t1".to_string(), 0)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_come_back_as_the_exact_json() {
    let (store, _) = backend("json").await;
    let body = json!({
        "": "empty key", "__reserved__": [u64::MAX, -1, 0.5, null, true], "a.b/c": {"nested": [[], {}]},
        "text": "שלום \u{200F}עולם\u{200E} 👩‍👩‍👧 🇮🇱 \u{FEFF}"
    });
    let sent = entry(Kind::Rule, "r1", 0, place("p1", None, None), body);
    store.append(vec![sent.clone()]).await.unwrap();
    assert_eq!(store.read(Kind::Rule, "r1", At::Newest).await.unwrap(), Some(sent.clone()));
    assert_eq!(store.history(Kind::Rule, "r1").await.unwrap(), [sent]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_body_limit_leaves_room_below_one_mebibyte() {
    let (store, _) = backend("limit").await;
    let max = store.max_body_bytes().unwrap();
    assert!(max < 1024 * 1024);
    // A body just at the limit is stored inline.
    let text = "א".repeat((max - 16) / 2);
    let sent = entry(Kind::Render, "big", 0, place("p1", None, None), json!({ "t": text }));
    assert!(sent.body.to_string().len() <= max);
    store.append(vec![sent.clone()]).await.unwrap();
    assert_eq!(store.read(Kind::Render, "big", At::Revision(0)).await.unwrap(), Some(sent));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_is_a_retryable_remote_error() {
    emulator::host().await;
    let host = format!("127.0.0.1:{}", emulator::free_port());
    let err = FirestoreBackend::connect_emulator("miri-nobody", &host).await.err().expect("no emulator there");
    assert!(matches!(err, StoreError::Remote { retryable: true, .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_emulator_is_a_retryable_remote_error() {
    emulator::host().await;
    let mut own = tokio::task::spawn_blocking(emulator::Emulator::start).await.unwrap();
    let store = FirestoreBackend::connect_emulator("miri-lost", &own.host).await.unwrap();
    let at = place("p1", None, None);
    store.append(vec![entry(Kind::Rule, "r1", 0, at.clone(), json!({}))]).await.unwrap();
    own.stop();
    let err = store.append(vec![entry(Kind::Rule, "r1", 1, at, json!({}))]).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Remote { retryable: true, message, .. } if message.contains("rule r1")),
        "{err}"
    );
    let err = store.read(Kind::Rule, "r2", At::Newest).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Remote { retryable: true, message, .. } if message.contains("rule r2")),
        "{err}"
    );
}
