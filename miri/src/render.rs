//! `miri render --project ID [--animatic] [--overlay]`: a client of the gateway like the dashboard. It starts a render
//! over REST, follows it by polling `GET /api/renders/{id}` (the workflow's own answer, so a
//! missed event cannot stall the bar), draws a progress bar on stderr, downloads the film and
//! prints its path on stdout.

use anyhow::{Context, bail};
use clap::Args;
use miri_core::render::RenderReport;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Clone, Debug)]
pub struct RenderArgs {
    /// The project to render.
    #[arg(long)]
    project: String,
    /// The gateway's base URL.
    #[arg(long, env = "MIRI_GATEWAY", default_value = "http://127.0.0.1:8080")]
    gateway: String,
    /// An editor's API token; by default the owner token `miri up` wrote in the data dir.
    #[arg(long, env = "MIRI_TOKEN", hide_env_values = true)]
    token: Option<String>,
    #[arg(long, env = "MIRI_DATA_DIR", default_value = ".miri")]
    data_dir: PathBuf,
    /// Where to write the film (default: `render-{renderId}.mp4` here).
    #[arg(long)]
    out: Option<PathBuf>,
    /// An animatic: every shot from what it has (clip, still, or a title card), before clips
    /// are paid for.
    #[arg(long)]
    animatic: bool,
    /// A review copy: burn in each shot's number, scene, status, id, lyric and the song's time
    /// code (off for the clean export).
    #[arg(long)]
    overlay: bool,
}

/// How long a render just started may be missing from the gateway's lookup (Temporal's
/// visibility store lags its start by a moment).
const NOT_YET_VISIBLE: Duration = Duration::from_secs(30);

pub async fn run(args: RenderArgs) -> anyhow::Result<()> {
    let token = match &args.token {
        Some(t) => t.clone(),
        None => {
            let path = args.data_dir.join("owner.token");
            std::fs::read_to_string(&path)
                .with_context(|| format!("no --token given and {} is unreadable", path.display()))?
                .trim()
                .to_string()
        }
    };
    let ask = Ask { mode: if args.animatic { "animatic" } else { "final" }, overlay: args.overlay };
    let out = film(&reqwest::Client::new(), &args.gateway, &token, &args.project, ask, args.out).await?;
    println!("{}", out.display());
    Ok(())
}

/// What render to ask for.
#[derive(Debug, Clone, Copy)]
pub struct Ask {
    /// `final` or `animatic`.
    pub mode: &'static str,
    /// A review copy with the burned-in overlay.
    pub overlay: bool,
}

/// Renders `project` as `ask` says through the gateway at `base`, drawing the bar on stderr,
/// and writes the film to `out` (default `render-{renderId}.mp4`); answers its absolute path.
pub async fn film(http: &reqwest::Client, base: &str, token: &str, project: &str, ask: Ask, out: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let base = base.trim_end_matches('/');
    let resp = http
        .post(format!("{base}/api/projects/{project}/renders"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "mode": ask.mode, "overlay": ask.overlay }))
        .send()
        .await
        .with_context(|| format!("reaching the gateway at {base}"))?;
    let (status, body) = (resp.status(), resp.json::<Value>().await.unwrap_or(Value::Null));
    if status.as_u16() != 202 {
        bail!("starting the render answered {status}: {}", message(&body));
    }
    let render_id = body["renderId"].as_str().context("the gateway answered no renderId")?.to_string();
    eprintln!("render {render_id} started");

    let started = tokio::time::Instant::now();
    let done = loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let resp = http.get(format!("{base}/api/renders/{render_id}")).bearer_auth(token).send().await?;
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        match (status, body["status"].as_str()) {
            (404, _) if started.elapsed() < NOT_YET_VISIBLE => continue,
            (200, Some("running")) => draw(&body["progress"]),
            (200, Some("completed")) => break body,
            (200, Some("failed")) => {
                eprintln!();
                bail!("the render failed: {}", body["error"].as_str().unwrap_or("no reason given"));
            }
            // The worker may be restarting; the render resumes when it is back.
            (503, _) => {}
            _ => bail!("following render {render_id} answered {status}: {}", message(&body)),
        }
    };
    draw(&serde_json::json!({"stage": "done", "done": 1, "total": 1}));
    eprintln!();
    // What a director checks before watching; an older gateway's record may have no report.
    if let Ok(report) = serde_json::from_value::<RenderReport>(done["render"]["report"].clone()) {
        for line in report.summary() {
            eprintln!("  {line}");
        }
    }

    let media_url = done["mediaUrl"].as_str().context("the finished render has no media")?;
    let film = http.get(format!("{base}{media_url}")).bearer_auth(token).send().await?.error_for_status()?;
    let out = out.unwrap_or_else(|| PathBuf::from(format!("render-{render_id}.mp4")));
    std::fs::write(&out, film.bytes().await?).with_context(|| format!("writing {}", out.display()))?;
    Ok(std::path::absolute(&out)?)
}

/// `[########------------]  3/8 conforming`, redrawn in place.
fn draw(progress: &Value) {
    const WIDTH: u64 = 30;
    let (done, total) = (
        progress["done"].as_u64().unwrap_or(0),
        progress["total"].as_u64().unwrap_or(0),
    );
    let filled = (done * WIDTH).checked_div(total).unwrap_or(0).min(WIDTH);
    let bar = format!(
        "{}{}",
        "#".repeat(filled as usize),
        "-".repeat((WIDTH - filled) as usize)
    );
    let stage = progress["stage"].as_str().unwrap_or("");
    eprint!("\r[{bar}] {done:>3}/{total:<3} {stage:<12}");
    let _ = std::io::stderr().flush();
}

pub fn message(body: &Value) -> String {
    body["error"]["message"]
        .as_str()
        .map_or_else(|| body.to_string(), str::to_string)
}
