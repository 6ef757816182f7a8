//! The SQLite store at project scale: 10,000 shots (three revisions each) × 10 versions through
//! the typed layer the services use — appends/s, newest-record reads/s, as-of reads/s, version
//! lists/s, the database's size on disk and the process's memory at rest afterwards.

use chrono::{DateTime, Utc};
use miri_core::{
    Author, GlobalSettings, MediaRef, Project, ProjectConfig, ProjectId, Shot, ShotId, ShotStatus, Timestamps,
    Version, VersionId, VersionKind,
};
use miri_store::{At, MediaStore, Records, SqliteBackend};
use serde_json::{Value, json};
use std::time::Instant;
use uuid::Uuid;

fn shot(project: ProjectId, n: u64, status: ShotStatus) -> Shot {
    Shot {
        shot_id: ShotId::from_uuid(Uuid::from_u128(0xB000_0000 + u128::from(n))),
        project_id: project,
        scene_id: None,
        timestamps: Timestamps { start_ms: n * 3000, end_ms: n * 3000 + 3000 },
        lyrics_snippet: "אבא שבשמיים".into(),
        description: format!("shot {n}: Miri on the rooftop at dawn, dress hex #1B2A4A"),
        motion: None,
        camera: None,
        status,
        reason: None,
        change_id: Some(Uuid::new_v4().to_string()),
        versions: Vec::new(),
        updated_at: Utc::now(),
    }
}

fn version(shot: ShotId, n: u64) -> Version {
    Version {
        version_id: VersionId::from_uuid(Uuid::new_v4()),
        shot_id: shot,
        kind: VersionKind::Prompt,
        parent: None,
        model_code: Some("fal-ai/flux-2/lora".into()),
        seed: Some(n),
        cost: None,
        author: Author::System,
        reason: None,
        prompt: Some(format!("[{shot}]_[v{n}]_[FLUX2] {{\"scene\": \"a quiet rooftop garden at dawn, version {n}\"}}")),
        request: None,
        media: None,
        source_url: None,
        provider_request_id: None,
        created_at: Utc::now(),
    }
}

fn rate(n: usize, started: Instant) -> f64 {
    n as f64 / started.elapsed().as_secs_f64()
}

/// Resident memory of this process in KiB (Linux).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string()))
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}

/// A pseudo-random sequence (the same every run, so runs compare).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

pub async fn run(shots: u64, versions_per_shot: u64) -> anyhow::Result<Value> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("miri.db");
    let store = Records::new(SqliteBackend::open(&db)?.into(), MediaStore::local(&dir.path().join("media"))?);
    let project = ProjectId::from_uuid(Uuid::new_v4());
    store
        .create_project(&Project {
            config: ProjectConfig {
                project_id: project,
                project_name: "bench".into(),
                global_settings: GlobalSettings::default(),
                creation_timestamp: Utc::now(),
            },
            song: MediaRef { key: "sha256/00.mp3".into(), url: String::new(), sha256: "00".repeat(32), size: 0, content_type: "audio/mpeg".into() },
            lyrics: String::new(),
            plot: String::new(),
        })
        .await?;

    let statuses = [ShotStatus::Draft, ShotStatus::Validation, ShotStatus::GeneratingImage];
    let started = Instant::now();
    let mut appends = 0usize;
    let mut checkpoints: Vec<DateTime<Utc>> = Vec::new();
    for (rev, status) in statuses.into_iter().enumerate() {
        for n in 0..shots {
            store.append_shot(&shot(project, n, status), rev as u64).await?;
            appends += 1;
        }
        checkpoints.push(Utc::now());
    }
    for n in 0..shots {
        let id = shot(project, n, ShotStatus::Draft).shot_id;
        for v in 0..versions_per_shot {
            store.append_version(&version(id, v)).await?;
            appends += 1;
        }
    }
    let appends_per_s = rate(appends, started);

    let mut rng = Lcg(42);
    let reads = 20_000usize;
    let started = Instant::now();
    for _ in 0..reads {
        let id = shot(project, rng.below(shots), ShotStatus::Draft).shot_id;
        anyhow::ensure!(store.shot(id).await?.is_some_and(|(rev, _)| rev == 2), "newest read of {id} went wrong");
    }
    let newest_per_s = rate(reads, started);

    let started = Instant::now();
    for _ in 0..reads {
        let id = shot(project, rng.below(shots), ShotStatus::Draft).shot_id;
        let at = rng.below(checkpoints.len() as u64) as usize;
        let got = store.get::<Shot>(&id.to_string(), At::AsOf(checkpoints[at])).await?;
        anyhow::ensure!(got.is_some_and(|(rev, _)| rev as usize == at), "as-of read of {id} went wrong");
    }
    let as_of_per_s = rate(reads, started);

    let lists = 2_000usize;
    let started = Instant::now();
    for _ in 0..lists {
        let id = shot(project, rng.below(shots), ShotStatus::Draft).shot_id;
        anyhow::ensure!(store.versions(id).await?.len() as u64 == versions_per_shot, "version list of {id} went wrong");
    }
    let version_lists_per_s = rate(lists, started);

    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let db_bytes = size(&db) + size(&dir.path().join("miri.db-wal"));
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    Ok(json!({
        "shots": shots,
        "shotRevisions": statuses.len(),
        "versionsPerShot": versions_per_shot,
        "records": appends + 1,
        "appendsPerSecond": appends_per_s,
        "newestReadsPerSecond": newest_per_s,
        "asOfReadsPerSecond": as_of_per_s,
        "versionListsPerSecond": version_lists_per_s,
        "databaseBytes": db_bytes,
        "bytesPerRecord": db_bytes as f64 / (appends + 1) as f64,
        "rssAtRestKiB": rss_kib(),
    }))
}
