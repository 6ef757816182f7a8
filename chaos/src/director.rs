//! The chaos run's director: drives the pipeline over REST as a person at the dashboard would —
//! upload, analyse, add the shots, approve each still, press generate again on a shot that
//! failed, render — riding out a gateway that is down for a moment, and keeps a record of every version
//! and shot revision it saw, to prove at the end that none of them went missing.

use anyhow::{Context, bail};
use miri_testkit::Api;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The frame rate of the final render.
const FPS: u64 = 24;
/// A finished render that failed is asked for again this many times.
const RENDER_TRIES: u32 = 3;

pub struct Director {
    api: Api,
    shots: u32,
    out: PathBuf,
    reconnect: Arc<Notify>,
    /// The worker kills so far, and how many must have happened before the render is asked for
    /// (a short film can be done before the monkey has had its turns).
    kills: Arc<AtomicU32>,
    min_kills: u32,
}

/// What the director saw.
pub struct Outcome {
    pub shots: usize,
    pub completed: usize,
    /// Versions and shot revisions seen during the run that the store no longer has at its end.
    pub records_lost: usize,
    pub records_seen: usize,
    /// `SHOT_UPDATED` events delivered more than once (same shot, same revision).
    pub duplicate_events: u64,
    /// Failed shots the director generated again.
    pub regenerated: u32,
    pub final_render: Option<String>,
    pub film_frames: Option<u64>,
    pub film_frames_expected: Option<u64>,
}

/// Every version id and the newest revision of every shot, as seen.
#[derive(Default)]
struct Seen {
    versions: HashMap<String, HashSet<String>>,
    revisions: HashMap<String, u64>,
}

impl Director {
    pub fn new(api: Api, shots: u32, out: PathBuf, reconnect: Arc<Notify>, kills: Arc<AtomicU32>, min_kills: u32) -> Self {
        Self { api, shots, out, reconnect, kills, min_kills }
    }

    pub async fn run(self, deadline: Instant) -> anyhow::Result<Outcome> {
        let api = &self.api;
        let song = api.demo_song()?;
        let lyrics = miri_demo::timing().timed_lyrics();
        let project = api.create_project_with("chaos", &song, &lyrics, miri_demo::PLOT).await?;
        eprintln!("director: project {project}");
        let duplicates = Arc::new(Mutex::new(Duplicates::default()));
        let events = tokio::spawn(count_events(api.as_token(&api.token), project.clone(), self.reconnect.clone(), duplicates.clone()));

        let analyses = format!("/api/projects/{project}/analyses");
        let analysis = self.step(&analyses, json!({}), "analysisId", &analyses, deadline).await?;
        anyhow::ensure!(analysis["status"] == "completed", "the analysis did not complete: {analysis}");
        eprintln!("director: analysed");
        let ids = self.add_shots(&project, deadline).await?;
        eprintln!("director: {} shots generating", ids.len());

        let mut seen = Seen::default();
        let (completed, regenerated) = self.approve_all(&ids, &mut seen, deadline).await?;
        eprintln!("director: {completed} of {} shots completed", ids.len());
        while self.kills.load(Ordering::Relaxed) < self.min_kills && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let (final_render, film_frames) = if completed == ids.len() {
            let path = self.render(&project, deadline).await?;
            let frames = count_frames(&path).await?;
            (Some(path), Some(frames))
        } else {
            (None, None)
        };
        let expected = (miri_demo::timing().duration_ms * FPS + 500) / 1000;
        let (records_lost, records_seen) = self.lost(&ids, &seen).await?;
        events.abort();
        let duplicate_events = duplicates.lock().map_or(0, |d| d.count);
        Ok(Outcome {
            shots: ids.len(),
            completed,
            records_lost,
            records_seen,
            duplicate_events,
            regenerated,
            final_render,
            film_frames,
            film_frames_expected: Some(expected),
        })
    }

    /// `shots` shots of equal length covering the song, each with the words sung in it, added
    /// and generated as a director adds them by hand.
    async fn add_shots(&self, project: &str, deadline: Instant) -> anyhow::Result<Vec<String>> {
        let timing = miri_demo::timing();
        let n = u64::from(self.shots.max(1));
        let mut ids = Vec::new();
        for i in 0..n {
            let (start, end) = (i * timing.duration_ms / n, (i + 1) * timing.duration_ms / n);
            let words: Vec<&str> =
                timing.words().filter(|w| w.start_ms >= start && w.start_ms < end).map(|w| w.text.as_str()).collect();
            let lyrics = if words.is_empty() { "(instrumental)".to_string() } else { words.join(" ") };
            let body = json!({
                "startMs": start, "endMs": end, "lyricsSnippet": lyrics,
                "description": format!("Miri at her bedroom window at night, pyjamas hex #7A9CC6, shot {} of {n}", i + 1),
            });
            let path = format!("/api/projects/{project}/shots");
            let (code, made) = patiently(deadline, || self.api.post(&path, body.clone()), true).await?;
            if code != 201 {
                bail!("adding shot {} answered {code}: {made}", i + 1);
            }
            let id = made["shotId"].as_str().with_context(|| format!("shotId in {made}"))?.to_string();
            let (code, body) = patiently(deadline, || self.api.post("/api/shots/generate", json!({"shotId": id})), true).await?;
            if code != 202 {
                bail!("generating shot {id} answered {code}: {body}");
            }
            ids.push(id);
        }
        Ok(ids)
    }

    /// Starts a long step (`POST base`, 202 with `{id_field}`) and follows `{follow}/{id}` to
    /// its end.
    async fn step(&self, base: &str, body: Value, id_field: &str, follow: &str, deadline: Instant) -> anyhow::Result<Value> {
        let (code, started) = patiently(deadline, || self.api.post(base, body.clone()), true).await?;
        if code != 202 {
            bail!("POST {base} answered {code}: {started}");
        }
        let id = started[id_field].as_str().with_context(|| format!("{id_field} in {started}"))?;
        let path = format!("{follow}/{id}");
        loop {
            let (code, body) = patiently(deadline, || self.api.get(&path), false).await?;
            if code == 200 && body["status"] != "running" {
                return Ok(body);
            }
            if Instant::now() > deadline {
                bail!("{path} still running at the deadline: {body}");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Approves each still once (by the shot's revision), generates a failed shot again, and
    /// notes every version and revision, until every shot is COMPLETED or the deadline passes.
    async fn approve_all(&self, ids: &[String], seen: &mut Seen, deadline: Instant) -> anyhow::Result<(usize, u32)> {
        let mut approved: HashMap<&str, u64> = HashMap::new();
        let mut regenerated = 0;
        loop {
            let mut completed = 0;
            for id in ids {
                let (shot_path, versions_path) = (format!("/api/shots/{id}"), format!("/api/shots/{id}/versions"));
                let (code, shot) = patiently(deadline, || self.api.get(&shot_path), false).await?;
                if code != 200 {
                    bail!("GET /api/shots/{id} answered {code}: {shot}");
                }
                let revision = shot["revision"].as_u64().unwrap_or_default();
                let newest = seen.revisions.entry(id.clone()).or_default();
                *newest = (*newest).max(revision);
                let (_, versions) = patiently(deadline, || self.api.get(&versions_path), false).await?;
                seen.versions.entry(id.clone()).or_default().extend(version_ids(&versions));
                match shot["status"].as_str().unwrap_or_default() {
                    "AWAITING_APPROVAL" if approved.get(id.as_str()) != Some(&revision) => {
                        let approve = format!("/api/shots/{id}/approve");
                        let (code, body) = patiently(deadline, || self.api.post(&approve, json!({})), true).await?;
                        // 200: the approval crossed the workflow's move on (already approved).
                        if code != 202 && code != 200 {
                            bail!("approving shot {id} answered {code}: {body}");
                        }
                        approved.insert(id, revision);
                    }
                    "FAILED" => {
                        eprintln!("director: shot {id} failed ({}); generating it again", shot["reason"]);
                        let (code, body) =
                            patiently(deadline, || self.api.post("/api/shots/generate", json!({"shotId": id})), true).await?;
                        if code != 202 {
                            bail!("generating shot {id} again answered {code}: {body}");
                        }
                        regenerated += 1;
                    }
                    "COMPLETED" => completed += 1,
                    _ => {}
                }
            }
            if completed == ids.len() || Instant::now() > deadline {
                return Ok((completed, regenerated));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// The final render, downloaded to `out`; a render that failed is asked for again.
    async fn render(&self, project: &str, deadline: Instant) -> anyhow::Result<String> {
        for attempt in 1..=RENDER_TRIES {
            let renders = format!("/api/projects/{project}/renders");
            let done = self.step(&renders, json!({"mode": "final"}), "renderId", "/api/renders", deadline).await?;
            if done["status"] == "completed" {
                let url = done["mediaUrl"].as_str().with_context(|| format!("mediaUrl in {done}"))?;
                let bytes = patiently(deadline, || self.api.download(url), false).await?;
                std::fs::write(&self.out, bytes).with_context(|| format!("writing {}", self.out.display()))?;
                return Ok(std::path::absolute(&self.out)?.display().to_string());
            }
            eprintln!("director: render attempt {attempt} ended {}", done["status"]);
        }
        bail!("the final render failed {RENDER_TRIES} times")
    }

    /// Re-reads every shot: the versions seen during the run that are gone, plus the shots
    /// whose newest revision is older than one seen.
    async fn lost(&self, ids: &[String], seen: &Seen) -> anyhow::Result<(usize, usize)> {
        let far = Instant::now() + Duration::from_secs(120);
        let (mut lost, mut total) = (0, 0);
        for id in ids {
            let (shot_path, versions_path) = (format!("/api/shots/{id}"), format!("/api/shots/{id}/versions"));
            let (_, shot) = patiently(far, || self.api.get(&shot_path), false).await?;
            let (_, versions) = patiently(far, || self.api.get(&versions_path), false).await?;
            let present = version_ids(&versions);
            let before = seen.versions.get(id).cloned().unwrap_or_default();
            lost += before.difference(&present).count();
            let newest = seen.revisions.get(id).copied().unwrap_or_default();
            if shot["revision"].as_u64().unwrap_or_default() < newest {
                lost += 1;
            }
            total += before.len() + newest as usize + 1;
        }
        Ok((lost, total))
    }
}

fn version_ids(versions: &Value) -> HashSet<String> {
    versions.as_array().into_iter().flatten().filter_map(|v| v["versionId"].as_str().map(String::from)).collect()
}

/// Calls `call` until it gets an answer, riding out a gateway being restarted; a POST is only
/// sent again when the connection was refused (the request never arrived).
async fn patiently<T, F, Fut>(deadline: Instant, call: F, post: bool) -> anyhow::Result<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    loop {
        match call().await {
            Ok(answer) => return Ok(answer),
            Err(e) => {
                let refused = e.downcast_ref::<reqwest::Error>().is_some_and(reqwest::Error::is_connect);
                if (post && !refused) || Instant::now() > deadline {
                    return Err(e);
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}

#[derive(Default)]
struct Duplicates {
    seen: BTreeMap<(String, u64), u32>,
    count: u64,
}

/// Counts `SHOT_UPDATED` events delivered twice, over a Socket.IO client that joins again when
/// told the gateway was restarted.
async fn count_events(api: Api, project: String, reconnect: Arc<Notify>, duplicates: Arc<Mutex<Duplicates>>) {
    loop {
        let mut watch = loop {
            match api.watch(&project).await {
                Ok(watch) => break watch,
                Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        };
        loop {
            tokio::select! {
                event = watch.events.recv() => {
                    let Some((_, event)) = event else { break };
                    let (Some(shot), Some(revision)) = (event["shotId"].as_str(), event["revision"].as_u64()) else { continue };
                    if let Ok(mut d) = duplicates.lock() {
                        let n = d.seen.entry((shot.to_string(), revision)).or_default();
                        *n += 1;
                        if *n > 1 {
                            d.count += 1;
                        }
                    }
                }
                () = reconnect.notified() => break,
            }
        }
    }
}

/// Frames in the film's video stream, counted by ffprobe.
async fn count_frames(path: &str) -> anyhow::Result<u64> {
    let out = tokio::process::Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .await?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim().parse().with_context(|| format!("ffprobe counted no frames in {path}: {text}"))
}
