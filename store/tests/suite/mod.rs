//! The conformance suite every backend passes. `conformance_suite!(make)` expands into one test
//! per property; `make` is an async expression giving a [`Fixture`] on a fresh, empty store.

#![allow(dead_code)] // each test binary uses the cases through the macro

use chrono::Utc;
use futures::StreamExt;
use miri_core::{
    Author, Beat, ConversationId, GlobalSettings, MediaRef, Project, ProjectConfig, ProjectId, SceneId, Script, ScriptId,
    Shot, ShotId, ShotStatus, Timestamps, Version, VersionId, VersionKind,
};
use miri_store::{At, Backend, Kind, Membership, Role, Store, StoreError, TokenRecord, Under};
use std::{any::Any, sync::Arc, time::Duration};
use uuid::Uuid;

/// A store under test and whatever keeps its backing alive (a temp dir, an emulator project).
pub struct Fixture<B: Backend> {
    pub store: Store<B>,
    pub guard: Box<dyn Any + Send>,
}

#[macro_export]
macro_rules! conformance_suite {
    ($make:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn an_overwrite_fails_and_the_original_is_intact() {
            suite::overwrite_fails(&$make.await.store).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn racing_writers_for_one_revision_exactly_one_wins() {
            suite::racing_writers(&$make.await.store).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn revisions_and_time_travel() {
            suite::time_travel(&$make.await.store).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn lists_keep_creation_order_under_each_parent() {
            suite::listing(&$make.await.store).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn the_feed_delivers_a_projects_appends_in_order() {
            suite::feed(&$make.await.store).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn two_records_appear_together_or_not_at_all() {
            suite::pair(&$make.await.store).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn hebrew_rtl_marks_and_emoji_round_trip() {
            suite::unicode(&$make.await.store).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_record_over_one_mebibyte_round_trips() {
            suite::big_record(&$make.await.store).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn unknown_ids_read_as_not_found() {
            suite::not_found(&$make.await.store).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn scripts_list_under_project_and_conversation_and_acceptance_is_a_revision() {
            suite::scripts(&$make.await.store).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn project_keys_memberships_and_revocation() {
            suite::access(&$make.await.store).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn racing_reservations_never_overspend_the_budget() {
            suite::racing_reservations(std::sync::Arc::new($make.await.store)).await;
        }
    };
}

pub fn project() -> Project {
    Project {
        config: ProjectConfig {
            project_id: ProjectId::from_uuid(Uuid::new_v4()),
            project_name: "שיר ערש".into(),
            global_settings: GlobalSettings::default(),
            creation_timestamp: Utc::now(),
        },
        song: MediaRef {
            key: "sha256/00.mp3".into(),
            url: String::new(),
            sha256: "00".repeat(32),
            size: 1,
            content_type: "audio/mpeg".into(),
        },
        lyrics: String::new(),
        plot: String::new(),
    }
}

pub fn shot(project: &Project, scene: Option<SceneId>, description: &str) -> Shot {
    Shot {
        shot_id: ShotId::from_uuid(Uuid::new_v4()),
        project_id: project.config.project_id,
        scene_id: scene,
        timestamps: Timestamps { start_ms: 0, end_ms: 3000 },
        lyrics_snippet: String::new(),
        description: description.into(),
        motion: None,
        camera: None,
        status: ShotStatus::Draft,
        reason: None,
        change_id: None,
        versions: Vec::new(),
        updated_at: Utc::now(),
    }
}

pub fn version(shot: &Shot, prompt: &str) -> Version {
    Version {
        version_id: VersionId::from_uuid(Uuid::new_v4()),
        shot_id: shot.shot_id,
        kind: VersionKind::Prompt,
        parent: None,
        model_code: Some("fal-ai/flux-2/lora".into()),
        seed: Some(7),
        cost: None,
        author: Author::System,
        reason: None,
        prompt: Some(prompt.into()),
        request: None,
        media: None,
        source_url: None,
        provider_request_id: None,
        created_at: Utc::now(),
    }
}

fn with_status(shot: &Shot, status: ShotStatus) -> Shot {
    Shot { status, updated_at: Utc::now(), ..shot.clone() }
}

async fn seeded<B: Backend>(store: &Store<B>) -> (Project, Shot) {
    let p = project();
    store.create_project(&p).await.unwrap();
    let s = shot(&p, None, "a garden");
    store.append_shot(&s, 0).await.unwrap();
    (p, s)
}

pub async fn overwrite_fails<B: Backend>(store: &Store<B>) {
    let (_, s) = seeded(store).await;
    let other = Shot { description: "overwritten".into(), ..s.clone() };
    let err = store.append_shot(&other, 0).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { kind: Kind::Shot, revision: 0, .. }),
        "expected a conflict, got {err}"
    );
    let (rev, stored) = store.shot(s.shot_id).await.unwrap().unwrap();
    assert_eq!((rev, stored), (0, s.clone()), "the original is intact");
    let v = version(&s, "first");
    store.append_version(&v).await.unwrap();
    let again = Version { prompt: Some("second".into()), ..v.clone() };
    assert!(matches!(store.append_version(&again).await, Err(StoreError::Conflict { .. })));
    assert_eq!(store.version(v.version_id).await.unwrap().unwrap(), v);
}

pub async fn racing_writers<B: Backend>(store: &Store<B>) {
    let (_, s) = seeded(store).await;
    let store = Arc::new(store.clone());
    for round in 1..=5u64 {
        let barrier = Arc::new(tokio::sync::Barrier::new(6));
        let tasks: Vec<_> = (0..6)
            .map(|w| {
                let (store, barrier) = (store.clone(), barrier.clone());
                let next = Shot { description: format!("round {round} writer {w}"), ..s.clone() };
                tokio::spawn(async move {
                    barrier.wait().await;
                    store.append_shot(&next, round).await.map(|_| next)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                Ok(won) => winners.push(won),
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => panic!("a racing writer failed with {e}"),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: exactly one writer wins");
        let (rev, stored) = store.shot(s.shot_id).await.unwrap().unwrap();
        assert_eq!((rev, stored), (round, winners.pop().unwrap()), "the winner's record is stored");
    }
}

pub async fn time_travel<B: Backend>(store: &Store<B>) {
    let before = Utc::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (_, s) = seeded(store).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let after_draft = Utc::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let validation = with_status(&s, ShotStatus::Validation);
    store.append_shot(&validation, 1).await.unwrap();
    let generating = with_status(&s, ShotStatus::GeneratingImage);
    store.append_shot(&generating, 2).await.unwrap();
    let id = s.shot_id.to_string();

    assert_eq!(store.get::<Shot>(&id, At::Newest).await.unwrap(), Some((2, generating.clone())));
    assert_eq!(store.get::<Shot>(&id, At::Revision(1)).await.unwrap(), Some((1, validation.clone())));
    assert_eq!(store.get::<Shot>(&id, At::Revision(7)).await.unwrap(), None);
    assert_eq!(store.get::<Shot>(&id, At::AsOf(after_draft)).await.unwrap(), Some((0, s.clone())));
    assert_eq!(store.get::<Shot>(&id, At::AsOf(before)).await.unwrap(), None, "it did not exist yet");
    let statuses: Vec<ShotStatus> =
        store.history::<Shot>(&id).await.unwrap().into_iter().map(|(_, s)| s.status).collect();
    assert_eq!(statuses, [ShotStatus::Draft, ShotStatus::Validation, ShotStatus::GeneratingImage]);
    let listed = store.list::<Shot>(Under::Project(s.project_id.to_string()), At::AsOf(after_draft)).await.unwrap();
    assert_eq!(listed, [(0, s.clone())], "a list as of a time shows each entity as it was");
}

pub async fn listing<B: Backend>(store: &Store<B>) {
    let p = project();
    store.create_project(&p).await.unwrap();
    let scene = SceneId::from_uuid(Uuid::new_v4());
    // Ids deliberately not in creation order.
    let mut shots = Vec::new();
    for (n, id) in [9u128, 3, 7].into_iter().enumerate() {
        let mut sh = shot(&p, (n != 1).then_some(scene), &format!("shot {n}"));
        sh.shot_id = ShotId::from_uuid(Uuid::from_u128((Uuid::new_v4().as_u128() & !0xFF) | id));
        store.append_shot(&sh, 0).await.unwrap();
        shots.push(sh);
    }
    // A later revision of the first shot does not move it.
    store.append_shot(&with_status(&shots[0], ShotStatus::Validation), 1).await.unwrap();
    let listed: Vec<ShotId> =
        store.shots(p.config.project_id).await.unwrap().into_iter().map(|(_, s)| s.shot_id).collect();
    assert_eq!(listed, shots.iter().map(|s| s.shot_id).collect::<Vec<_>>(), "creation order");
    let in_scene: Vec<ShotId> = store
        .list::<Shot>(Under::Scene(scene.to_string()), At::Newest)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, s)| s.shot_id)
        .collect();
    assert_eq!(in_scene, [shots[0].shot_id, shots[2].shot_id]);

    let versions: Vec<Version> = (0..3).map(|i| version(&shots[1], &format!("v{i}"))).collect();
    for v in &versions {
        store.append_version(v).await.unwrap();
    }
    let newest_first: Vec<Version> = versions.iter().rev().cloned().collect();
    assert_eq!(store.versions(shots[1].shot_id).await.unwrap(), newest_first);
    assert!(store.versions(shots[0].shot_id).await.unwrap().is_empty());
    let other = project();
    store.create_project(&other).await.unwrap();
    assert!(store.shots(other.config.project_id).await.unwrap().is_empty(), "nothing leaks across projects");
}

pub async fn scripts<B: Backend>(store: &Store<B>) {
    let p = project();
    store.create_project(&p).await.unwrap();
    let (conversation, other_conversation) = (ConversationId::from_uuid(Uuid::new_v4()), ConversationId::from_uuid(Uuid::new_v4()));
    let script = |conversation_id, version| Script {
        script_id: ScriptId::from_uuid(Uuid::new_v4()),
        project_id: p.config.project_id,
        conversation_id,
        version,
        title: "לילה טוב".into(),
        logline: "Miri says goodnight.".into(),
        beats: vec![Beat { summary: "She sleeps.".into(), part: Some("outro".into()), timestamps: Some(Timestamps { start_ms: 0, end_ms: 1000 }) }],
        flaws: vec![],
        created_at: Utc::now(),
        accepted_by: None,
        accepted_at: None,
    };
    let made = [script(conversation, 1), script(other_conversation, 1), script(conversation, 2)];
    for s in &made {
        store.append(s, 0).await.unwrap();
    }
    let accepted = made[2].accepted("token:test", Utc::now());
    store.append(&accepted, 1).await.unwrap();
    assert!(matches!(store.append(&made[2].accepted("token:other", Utc::now()), 1).await, Err(StoreError::Conflict { .. })));
    let in_project = store.list::<Script>(Under::Project(p.config.project_id.to_string()), At::Newest).await.unwrap();
    assert_eq!(in_project, [(0, made[0].clone()), (0, made[1].clone()), (1, accepted.clone())]);
    let in_conversation: Vec<u32> = store
        .list::<Script>(Under::Conversation(conversation.to_string()), At::Newest)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, s)| s.version)
        .collect();
    assert_eq!(in_conversation, [1, 2]);
    let history = store.history::<Script>(&made[2].script_id.to_string()).await.unwrap();
    assert_eq!(history, [(0, made[2].clone()), (1, accepted)], "the proposal stays as it was");
}

pub async fn feed<B: Backend>(store: &Store<B>) {
    let (p, s) = seeded(store).await;
    let other = project();
    store.create_project(&other).await.unwrap();
    let mut feed = store.feed(p.config.project_id).await.unwrap();
    let v = version(&s, "fed");
    store.append_shot(&with_status(&s, ShotStatus::Validation), 1).await.unwrap();
    store.append_shot(&shot(&other, None, "elsewhere"), 0).await.unwrap();
    store.append_version(&v).await.unwrap();
    store.append_shot(&with_status(&s, ShotStatus::GeneratingImage), 2).await.unwrap();
    let mut got = Vec::new();
    while got.len() < 3 {
        let next = tokio::time::timeout(Duration::from_secs(10), feed.next()).await;
        let entry = next.expect("the feed delivered within 10 s").expect("the feed is open").unwrap();
        got.push((entry.kind, entry.id, entry.revision));
    }
    let shot_id = s.shot_id.to_string();
    assert_eq!(
        got,
        [(Kind::Shot, shot_id.clone(), 1), (Kind::Version, v.version_id.to_string(), 0), (Kind::Shot, shot_id, 2)]
    );
    let extra = tokio::time::timeout(Duration::from_millis(300), feed.next()).await;
    assert!(extra.is_err(), "nothing else was delivered: {:?}", extra.ok().flatten().map(|e| e.map(|e| e.id)));
}

pub async fn pair<B: Backend>(store: &Store<B>) {
    let (_, s) = seeded(store).await;
    let v = version(&s, "paired");
    let next = with_status(&s, ShotStatus::Validation);
    store.append_both((&v, 0), (&next, 1)).await.unwrap();
    assert_eq!(store.version(v.version_id).await.unwrap(), Some(v.clone()));
    assert_eq!(store.shot(s.shot_id).await.unwrap().unwrap().0, 1);

    // The second record's slot is taken: the first must not appear either.
    let lonely = version(&s, "must not appear");
    let taken = with_status(&s, ShotStatus::Failed);
    let err = store.append_both((&lonely, 0), (&taken, 1)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { kind: Kind::Shot, .. }), "{err}");
    assert_eq!(store.version(lonely.version_id).await.unwrap(), None);
    assert_eq!(store.shot(s.shot_id).await.unwrap().unwrap().1.status, ShotStatus::Validation);
}

pub async fn unicode<B: Backend>(store: &Store<B>) {
    let (_, s) = seeded(store).await;
    let text = "מִירִי \u{200F}עומדת\u{200E} on the גג 🌙👧🏽 \u{200B}zero\u{200D}width \u{2067}בידוד\u{2069} \"quotes\" \\ \u{0000}nul";
    let v = version(&s, text);
    store.append_version(&v).await.unwrap();
    assert_eq!(store.version(v.version_id).await.unwrap().unwrap().prompt.as_deref(), Some(text));
}

pub async fn big_record<B: Backend>(store: &Store<B>) {
    let (_, s) = seeded(store).await;
    let text: String = "שלום עולם 🌍 ".repeat(110_000); // ~2.3 MB of UTF-8
    assert!(text.len() > 2 * 1024 * 1024);
    let v = version(&s, &text);
    store.append_version(&v).await.unwrap();
    assert_eq!(store.version(v.version_id).await.unwrap().unwrap(), v);
    assert_eq!(store.versions(s.shot_id).await.unwrap(), [v]);
}

pub async fn not_found<B: Backend>(store: &Store<B>) {
    let missing = ShotId::from_uuid(Uuid::new_v4());
    assert_eq!(store.shot(missing).await.unwrap(), None);
    let err = store.require::<Shot>(&missing.to_string()).await.unwrap_err();
    assert_eq!(err.to_string(), format!("shot {missing} does not exist"));
    // A version of a shot that does not exist has nowhere to go.
    let (p, _) = seeded(store).await;
    let ghost = shot(&p, None, "never stored");
    let err = store.append_version(&version(&ghost, "orphan")).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { kind: Kind::Shot, .. }), "{err}");
}

/// Ten callers race for 100 each under a cap of 500: exactly five get money, the other five are
/// recorded as waiting, and every decision is one revision of the ledger.
pub async fn racing_reservations<B: Backend + 'static>(store: Arc<Store<B>>) {
    use miri_core::budget::Decision;
    let project = ProjectId::from_uuid(Uuid::new_v4());
    let racers = (0..10).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let key = format!("v{i}");
            let (_, granted) = store
                .update_ledger(project, 500, |ledger| match ledger.reserve(&key, 100, "m", None, Utc::now()) {
                    Decision::Granted(next) => (Some(next), true),
                    Decision::Blocked(next) => (Some(next), false),
                    Decision::Unchanged { granted } => (None, granted),
                })
                .await
                .unwrap();
            granted
        })
    });
    let granted = futures::future::join_all(racers).await.into_iter().filter(|g| *g.as_ref().unwrap()).count();
    assert_eq!(granted, 5);
    let (revision, ledger) = store.ledger(project).await.unwrap().unwrap();
    assert_eq!((ledger.reserved.len(), ledger.waiting.len(), ledger.available_usd_micros()), (5, 5, 0));
    assert_eq!(revision, 10, "opened + one revision per decision");
    let history = store.history::<miri_core::budget::Ledger>(&project.to_string()).await.unwrap();
    assert_eq!(history.len(), 11);
}

fn token(sha: &str, role: Role, project: Option<ProjectId>) -> TokenRecord {
    TokenRecord {
        token_sha256: sha.into(),
        role,
        label: format!("key {sha}"),
        created_at: Utc::now(),
        project_id: project,
        created_by: None,
        revoked_at: None,
        revoked_by: None,
    }
}

/// Project keys list under their project only; a revocation is a revision and the first one
/// stands; a membership is found by project and token, and a repeated grant changes nothing.
pub async fn access<B: Backend>(store: &Store<B>) {
    let (p, q) = (project(), project());
    let (pid, qid) = (p.config.project_id, q.config.project_id);
    store.create_token(&token("studio", Role::Editor, None)).await.unwrap();
    store.create_token(&token("p-viewer", Role::Viewer, Some(pid))).await.unwrap();
    store.create_token(&token("q-editor", Role::Editor, Some(qid))).await.unwrap();
    let keys: Vec<_> = store.project_tokens(pid).await.unwrap().into_iter().map(|t| t.token_sha256).collect();
    assert_eq!(keys, ["p-viewer"]);

    let revoked = store.revoke_token("p-viewer", "token:owner").await.unwrap().unwrap();
    assert!(revoked.revoked_at.is_some());
    let again = store.revoke_token("p-viewer", "token:someone-else").await.unwrap().unwrap();
    assert_eq!(again.revoked_by.as_deref(), Some("token:owner"));
    assert_eq!(store.token("p-viewer").await.unwrap().unwrap().revoked_at, revoked.revoked_at);
    assert_eq!(store.revoke_token("nobody", "token:owner").await.unwrap(), None);
    assert_eq!(store.history::<TokenRecord>("p-viewer").await.unwrap().len(), 2);

    let grant = |project, role| Membership {
        project_id: project,
        token_sha256: "studio".into(),
        role,
        granted_by: "token:studio".into(),
        granted_at: Utc::now(),
    };
    store.grant(&grant(pid, Role::Owner)).await.unwrap();
    store.grant(&grant(pid, Role::Viewer)).await.unwrap();
    store.grant(&grant(qid, Role::Viewer)).await.unwrap();
    assert_eq!(store.membership(pid, "studio").await.unwrap().unwrap().role, Role::Owner);
    assert_eq!(store.membership(pid, "q-editor").await.unwrap(), None);
    let mut of: Vec<_> = store.memberships_of("studio").await.unwrap().into_iter().map(|m| (m.project_id, m.role)).collect();
    of.sort_by_key(|(p, _)| p.to_string());
    let mut want = vec![(pid, Role::Owner), (qid, Role::Viewer)];
    want.sort_by_key(|(p, _)| p.to_string());
    assert_eq!(of, want);
}
