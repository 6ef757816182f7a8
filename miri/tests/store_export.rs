//! `miri store export` / `import` as an operator runs them: the built binary on real data dirs.

use chrono::Utc;
use miri_core::{GlobalSettings, Project, ProjectConfig, ProjectId};
use miri_store::{MediaStore, Records, SqliteBackend};
use std::{path::Path, process::Command};
use uuid::Uuid;

fn open(dir: &Path) -> Records {
    let media = MediaStore::local(&dir.join("media")).unwrap();
    Records::new(SqliteBackend::open(&dir.join("miri.db")).unwrap().into(), media)
}

fn miri(args: &[&str], data_dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_miri")).args(args).arg("--data-dir").arg(data_dir).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[tokio::test]
async fn a_project_moves_between_data_dirs() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, backup) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("backup"));
    std::fs::create_dir_all(&a).unwrap();
    let project = {
        let store = open(&a);
        let song = store.media().put(bytes::Bytes::from_static(b"ID3 a song"), "audio/mpeg").await.unwrap();
        let p = Project {
            config: ProjectConfig {
                project_id: ProjectId::from_uuid(Uuid::new_v4()),
                project_name: "גיבוי 💾".into(),
                global_settings: GlobalSettings::default(),
                creation_timestamp: Utc::now(),
            },
            song,
            lyrics: "\u{200F}שורה".into(),
            plot: String::new(),
        };
        store.create_project(&p).await.unwrap();
        p
    };
    let id = project.config.project_id.to_string();
    let (code, out, err) = miri(&["store", "export", "--project", &id, backup.to_str().unwrap()], &a);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("exported 1 records and 1 media files"), "{out}");

    let (code, out, err) = miri(&["store", "import", backup.to_str().unwrap()], &b);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("imported 1 records and 1 media files"), "{out}");
    let store = open(&b);
    assert_eq!(store.project(project.config.project_id).await.unwrap(), Some(project.clone()));
    assert_eq!(store.media().get(&project.song.key).await.unwrap().as_ref(), b"ID3 a song");

    // Exporting over an existing export, or a project that is not there, says what is wrong.
    let (code, _, err) = miri(&["store", "export", "--project", &id, backup.to_str().unwrap()], &a);
    assert_eq!(code, 1);
    assert!(err.contains("records.jsonl") && err.contains("exists"), "{err}");
    let (code, _, err) = miri(&["store", "export", "--project", "not-an-id", tmp.path().join("x").to_str().unwrap()], &a);
    assert_eq!(code, 1);
    assert!(err.contains("--project must be a UUID"), "{err}");
}
