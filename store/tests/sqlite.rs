//! The conformance suite on the SQLite backend.

mod suite;

use miri_store::{MediaStore, SqliteBackend, Store};
use suite::Fixture;

async fn make() -> Fixture<SqliteBackend> {
    let dir = tempfile::tempdir().unwrap();
    let backend = SqliteBackend::open(&dir.path().join("miri.db")).unwrap();
    let media = MediaStore::local(&dir.path().join("media")).unwrap();
    Fixture { store: Store::new(backend, media), guard: Box::new(dir) }
}

conformance_suite!(make());

/// Export a project, import it into a fresh store, export again: the same files, and the same
/// records read back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_and_import_round_trip() {
    use miri_store::{Backend, export};
    let from = make().await;
    let song = from.store.media().put(bytes::Bytes::from_static(b"ID3 not really a song"), "audio/mpeg").await.unwrap();
    let mut p = suite::project();
    p.song = song.clone();
    from.store.create_project(&p).await.unwrap();
    let s = suite::shot(&p, None, "גג 🌙");
    from.store.append_shot(&s, 0).await.unwrap();
    from.store.append_shot(&miri_core::Shot { description: "second".into(), ..s.clone() }, 1).await.unwrap();
    let big = suite::version(&s, &"x".repeat(10)); // plus one unrelated project that must not travel
    from.store.append_version(&big).await.unwrap();
    let other = suite::project();
    from.store.create_project(&other).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let project = p.config.project_id.to_string();
    let counts = export::export(from.store.backend(), from.store.media(), &project, &dir.path().join("a")).await.unwrap();
    assert_eq!((counts.records, counts.media), (4, 1));

    let to = make().await;
    export::import(to.store.backend(), to.store.media(), &dir.path().join("a")).await.unwrap();
    assert_eq!(to.store.project(p.config.project_id).await.unwrap().unwrap(), p);
    assert_eq!(to.store.shot(s.shot_id).await.unwrap().unwrap().0, 1);
    assert_eq!(to.store.versions(s.shot_id).await.unwrap(), [big]);
    assert_eq!(to.store.media().get(&song.key).await.unwrap().as_ref(), b"ID3 not really a song");
    assert_eq!(to.store.project(other.config.project_id).await.unwrap(), None);
    let history = to.store.backend().history(miri_store::Kind::Shot, &s.shot_id.to_string()).await.unwrap();
    assert_eq!(history.len(), 2);

    export::export(to.store.backend(), to.store.media(), &project, &dir.path().join("b")).await.unwrap();
    let read = |d: &str| std::fs::read_to_string(dir.path().join(d).join(export::RECORDS_FILE)).unwrap();
    assert_eq!(read("a"), read("b"), "an export of the import is the export");

    // Importing again would double nothing: the first slot is already taken.
    let again = export::import(to.store.backend(), to.store.media(), &dir.path().join("a")).await.unwrap_err();
    assert!(again.to_string().contains("already exists"), "{again}");
    // A damaged export is refused naming the line.
    std::fs::write(dir.path().join("a").join(export::RECORDS_FILE), "{\"kind\": \"shot\"}\n").unwrap();
    let bad = export::import(make().await.store.backend(), to.store.media(), &dir.path().join("a")).await.unwrap_err();
    assert!(bad.to_string().contains("records.jsonl line 1"), "{bad}");
}
