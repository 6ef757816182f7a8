//! `miri-bench` (`make bench`): the latency from a fal webhook POST to the `SHOT_UPDATED` event
//! at a Socket.IO client, against the Temporal dev server's own signal → result latency, both
//! measured in one run on one machine; before it, the store, render, provider-call, beats,
//! dashboard and load parts.
//! Raw figures go to `bench/results/`.

mod animatic;
mod baseline;
mod beats;
mod dashboard;
mod load;
mod provider;
mod render;
mod store;

use anyhow::{Context, bail};
use clap::Parser;
use miri_testkit::{Stack, StackOptions};
use serde::Serialize;
use serde_json::{Value, json};
use std::{
    path::PathBuf,
    str::FromStr,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use temporalio_client::{Client, ClientOptions, Connection, ConnectionOptions, Url};

#[derive(Parser)]
struct Args {
    /// Measured shots (and baseline workflows).
    #[arg(long, default_value_t = 200)]
    shots: u32,
    /// Extra runs first, not counted (caches, connections, JIT-free but cold paths).
    #[arg(long, default_value_t = 20)]
    warmup: u32,
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
    /// Shots in the store benchmark (each with 3 revisions and 10 versions); 0 skips it.
    #[arg(long, default_value_t = 10_000)]
    store_shots: u64,
    /// Shots of 5 s in the render benchmark (Miri vs one ffmpeg command vs moviepy); 0 skips it.
    #[arg(long, default_value_t = 40)]
    render_shots: usize,
    /// Measured fal submits per side in the provider benchmark (bare vs the worker's path); 0
    /// skips it.
    #[arg(long, default_value_t = 300)]
    provider_calls: usize,
    /// Discarded provider calls per side first.
    #[arg(long, default_value_t = 30)]
    provider_warmup: usize,
    /// Concurrent clients of the simulator's throughput runs.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 8, 32])]
    sim_clients: Vec<usize>,
    /// Seconds each throughput run lasts.
    #[arg(long, default_value_t = 5.0)]
    sim_seconds: f64,
    /// Recordings with human beat annotations (NAME.mp3 + NAME.beats) for the beats part; read
    /// in place, never copied into the repository; the real-music part is skipped if absent.
    #[arg(long, default_value = "../shared/data/beats")]
    beat_data: PathBuf,
    /// More songs for the beats part (e.g. the demo song); a NAME.beats beside one is its grid.
    #[arg(long, value_delimiter = ',')]
    beat_songs: Vec<PathBuf>,
    /// Timed runs per file and side in the beats part; 0 skips it.
    #[arg(long, default_value_t = 3)]
    beat_runs: usize,
    /// Shots in the dashboard's first-load benchmark (Chromium); 0 skips it.
    #[arg(long, default_value_t = 200)]
    dashboard_shots: usize,
    /// Cold loads of the dashboard, each in a fresh browser context.
    #[arg(long, default_value_t = 5)]
    dashboard_loads: usize,
    /// Shots generated while the dashboard watches, for status-to-screen latency.
    #[arg(long, default_value_t = 20)]
    dashboard_changes: usize,
    /// Shots waiting for approval at once in the load part; 0 skips it.
    #[arg(long, default_value_t = 500)]
    load_shots: usize,
    /// Socket.IO clients in the load part, split between two gateways.
    #[arg(long, default_value_t = 50)]
    load_clients: usize,
    /// Run one part only.
    #[arg(long, value_enum)]
    only: Option<Part>,
}

/// The parts of a run, in the order they run.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
enum Part {
    Store,
    Render,
    Animatic,
    Provider,
    Beats,
    Dashboard,
    Load,
    Webhook,
}

#[derive(Serialize, Clone, Copy)]
struct Sample {
    index: usize,
    ms: f64,
}

#[derive(Serialize)]
struct Summary {
    n: usize,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    mean_ms: f64,
}

fn summarise(samples: &[Sample]) -> Summary {
    let mut ms: Vec<f64> = samples.iter().map(|s| s.ms).collect();
    ms.sort_by(f64::total_cmp);
    let pick = |q: f64| ms[((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    Summary {
        n: ms.len(),
        p50_ms: pick(0.50),
        p90_ms: pick(0.90),
        p99_ms: pick(0.99),
        max_ms: *ms.last().unwrap_or(&0.0),
        mean_ms: ms.iter().sum::<f64>() / ms.len().max(1) as f64,
    }
}

/// Writes one part's `figures`, with what the run was and where, to
/// `{out}/{name}-{run_id}.json`; answers the report and its path.
fn write_report(out: &std::path::Path, name: &str, run_id: &str, benchmark: &str, figures: Value) -> anyhow::Result<(Value, PathBuf)> {
    let report = json!({
        "benchmark": benchmark,
        "date": chrono::Utc::now().to_rfc3339(),
        "machine": {"cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)},
        "build": if cfg!(debug_assertions) { "debug" } else { "release" },
        "figures": figures,
    });
    let file = out.join(format!("{name}-{run_id}.json"));
    std::fs::write(&file, serde_json::to_string_pretty(&report)?)?;
    Ok((report, file))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let run_id = format!("{}", SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs());
    std::fs::create_dir_all(&args.out)?;
    let wanted = |part: Part| args.only.is_none_or(|only| only == part);
    if wanted(Part::Store) && args.store_shots > 0 {
        eprintln!("store: {} shots x 10 versions in SQLite", args.store_shots);
        let figures = store::run(args.store_shots, 10).await?;
        let (report, file) = write_report(&args.out, "store", &run_id, "SQLite store through the typed layer: appends, newest reads, as-of reads, version lists", figures)?;
        println!("store: {}", serde_json::to_string(&report["figures"])?);
        println!("raw figures: {}", file.display());
    }
    if wanted(Part::Render) && args.render_shots > 0 {
        let figures = render::run(args.render_shots).await?;
        let (report, file) = write_report(&args.out, "render", &run_id, "final render: miri_render (plan, conform 2 at a time, concat, mux) vs one ffmpeg command vs moviepy", figures)?;
        let f = &report["figures"];
        println!(
            "render: cold miri/moviepy {} miri/ffmpeg {}; render step (clips conformed ahead) miri/moviepy {} (target <= 0.1), miri/ffmpeg {} (target <= 1.3)",
            f["ratioMiriOverMoviepy"], f["ratioMiriOverFfmpeg"], f["renderStepOverMoviepy"], f["renderStepOverFfmpeg"]
        );
        println!("raw figures: {}", file.display());
    }
    if wanted(Part::Animatic) && args.render_shots > 0 {
        let figures = animatic::run(args.render_shots).await?;
        let (report, file) = write_report(&args.out, "animatic", &run_id, "animatic of stills: the song encoded ahead (as beside its analysis, timed apart), then still_segment with a camera move into the segment cache (2 at a time), concat, mux — cold, then after one still changed", figures)?;
        let f = &report["figures"];
        println!(
            "animatic: cold {} s (target <= 30, ratio {}), after one change {} s (target <= 5, ratio {})",
            f["coldSeconds"], f["ratioColdOverTarget"], f["oneStillChangedSeconds"], f["ratioChangedOverTarget"]
        );
        println!("raw figures: {}", file.display());
    }
    if wanted(Part::Provider) && args.provider_calls > 0 {
        let plan = provider::Plan {
            calls: args.provider_calls,
            warmup: args.provider_warmup,
            clients: args.sim_clients.clone(),
            seconds: args.sim_seconds,
        };
        eprintln!("provider: {} + {} warm-up fal submits per side, then sim throughput", plan.calls, plan.warmup);
        let figures = provider::run(&plan).await?;
        let (report, file) = write_report(&args.out, "provider", &run_id, "fal submit against the simulator on loopback: bare FalClient::submit vs the submit activity's path without Temporal (SQLite reads, breaker, provider request record); simulator submissions/s per concurrent clients", figures)?;
        let f = &report["figures"];
        let (b, w) = (&f["bareSubmit"]["summary"], &f["workerPath"]["summary"]);
        let rates: Vec<String> = f["simThroughput"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| format!("{}c {:.0}/s", r["clients"], r["submissionsPerSecond"].as_f64().unwrap_or(0.0)))
            .collect();
        println!(
            "provider: bare submit p50 {:.2} ms p99 {:.2} ms; worker path p50 {:.2} ms p99 {:.2} ms; ratio of p50s {:.2}; sim {}",
            b["p50_ms"].as_f64().unwrap_or(0.0),
            b["p99_ms"].as_f64().unwrap_or(0.0),
            w["p50_ms"].as_f64().unwrap_or(0.0),
            w["p99_ms"].as_f64().unwrap_or(0.0),
            f["ratioP50WorkerOverBare"].as_f64().unwrap_or(0.0),
            rates.join(", ")
        );
        println!("raw figures: {}", file.display());
    }
    if wanted(Part::Beats) && args.beat_runs > 0 {
        let plan = beats::Plan {
            data: args.beat_data.clone(),
            songs: args.beat_songs.clone(),
            runs: args.beat_runs,
            miri_bin: std::env::var_os("MIRI_BIN").map(PathBuf::from).filter(|p| p.exists()),
        };
        let figures = beats::run(&plan)?;
        let (report, file) = write_report(&args.out, "beats", &run_id, "beat tracking: miri_audio::analyze_file vs librosa 0.11 load + beat_track, same files, same run", figures)?;
        let f = &report["figures"];
        println!(
            "beats: mean F real {} vs librosa {}, synthetic {} vs {}; best times summed miri {:.3} s, librosa {} s, librosa/miri {} (target >= 10 with F >=)",
            f["meanF"]["real"]["miri"], f["meanF"]["real"]["librosa"], f["meanF"]["synthetic"]["miri"],
            f["meanF"]["synthetic"]["librosa"], f["totalBestSeconds"]["miri"].as_f64().unwrap_or(0.0),
            f["totalBestSeconds"]["librosa"], f["speedupLibrosaOverMiri"]
        );
        println!("raw figures: {}", file.display());
    }
    if wanted(Part::Dashboard) && args.dashboard_shots > 0 {
        let figures = dashboard::run(args.dashboard_shots, args.dashboard_loads, args.dashboard_changes).await?;
        let (report, file) = write_report(&args.out, "dashboard", &run_id, "dashboard in Debian Chromium against the stack with the sim: cold first load of a project's shots (all rows on screen; time to interactive = later of rows and last long task), JS shipped, status written -> on screen", figures)?;
        let f = &report["figures"];
        println!(
            "dashboard: {} shots, first load rows {} ms, TTI median {} ms (budget {} ms, ratio {:.2}); JS {} B ({} B gzip); status -> screen median {} ms p90 {} ms (budget {} ms, ratio {:.2})",
            f["shots"], f["firstLoadRowsMs"]["median"], f["firstLoadTtiMs"]["median"], f["ttiBudgetMs"],
            f["ratioTtiOverBudget"].as_f64().unwrap_or(f64::NAN), f["bundle"]["jsBytes"], f["bundle"]["jsGzipBytes"],
            f["statusToScreenMs"]["median"], f["statusToScreenMs"]["p90"], f["latencyBudgetMs"],
            f["ratioLatencyP90OverBudget"].as_f64().unwrap_or(f64::NAN)
        );
        println!("raw figures: {}", file.display());
    }
    if wanted(Part::Load) && args.load_shots > 0 {
        let figures = load::run(&load::Plan { shots: args.load_shots, clients: args.load_clients }).await?;
        let (report, file) = write_report(&args.out, "load", &run_id, "load: shots waiting for approval at once on one worker; approvals over two gateways sharing Redis; SHOT_UPDATED fan-out to Socket.IO clients split between them", figures)?;
        let f = &report["figures"];
        println!(
            "load: {} shots waiting after {:.1} s, worker RSS {} MiB (peak {}); {:.0} approvals/s; {} of {} events to {} clients on 2 gateways, approval -> every client p50 {:.0} ms p99 {:.0} ms, first -> last client p50 {:.0} ms p99 {:.0} ms",
            f["shots"], f["allAwaitingApprovalSeconds"].as_f64().unwrap_or(0.0), f["workerMemoryWhileWaiting"]["rssMiB"],
            f["workerMemoryWhileWaiting"]["peakRssMiB"], f["approvalsPerSecond"].as_f64().unwrap_or(0.0), f["eventsDelivered"],
            f["eventsExpected"], f["clients"], f["approvalToEveryClientMs"]["p50_ms"].as_f64().unwrap_or(f64::NAN),
            f["approvalToEveryClientMs"]["p99_ms"].as_f64().unwrap_or(f64::NAN),
            f["firstToLastClientMs"]["p50_ms"].as_f64().unwrap_or(f64::NAN),
            f["firstToLastClientMs"]["p99_ms"].as_f64().unwrap_or(f64::NAN)
        );
        println!("raw figures: {}", file.display());
    }
    if args.shots == 0 || !wanted(Part::Webhook) {
        return Ok(());
    }
    let total = args.shots + args.warmup;
    let stack = Stack::start(StackOptions {
        still_latency_ms: 0,
        hold_webhooks: true,
        // Only the webhook may move a shot on: no polling fallback during the run.
        poll_every_secs: 24 * 3600,
        ..Default::default()
    })
    .await?;

    let url = Url::from_str(&format!("http://{}", stack.temporal_address))?;
    let client = Client::new(Connection::connect(ConnectionOptions::new(url).build()).await?, ClientOptions::new("default").build())?;
    let (miri, base) = baseline::with_worker(&client, async {
        eprintln!("preparing {total} shots awaiting their still's webhook and {total} parked workflows");
        let mut shots = prepare_shots(&stack, total).await?;
        let parked = baseline::park(&client, total, &run_id).await?;
        // Alternate the two, so both see the same server, load and moment.
        let (mut miri, mut base) = (Vec::new(), Vec::new());
        for index in 0..total as usize {
            base.push(Sample { index, ms: baseline::release(&parked[index]).await? });
            miri.push(Sample { index, ms: shots.release(&stack, index).await? });
        }
        anyhow::Ok((miri, base))
    })
    .await?;

    let skip = args.warmup as usize;
    let (miri, base) = (&miri[skip..], &base[skip..]);
    let (m, b) = (summarise(miri), summarise(base));
    let ratio = m.p50_ms / b.p50_ms;
    let report = json!({
        "benchmark": "webhook POST -> SHOT_UPDATED at a Socket.IO client, vs Temporal signal -> result of an empty workflow",
        "date": chrono::Utc::now().to_rfc3339(),
        "machine": {"cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)},
        "build": if cfg!(debug_assertions) { "debug" } else { "release" },
        "warmupDiscarded": args.warmup,
        "miri": {"summary": m, "samples": miri},
        "baseline": {"summary": b, "samples": base},
        "ratioP50": ratio,
        "target": "miri p50 <= 1.5 x baseline p50",
        "met": ratio <= 1.5,
    });
    let file = args.out.join(format!("webhook-latency-{run_id}.json"));
    std::fs::write(&file, serde_json::to_string_pretty(&report)?)?;
    println!("{:<34} {:>8} {:>8} {:>8} {:>8}", "", "p50 ms", "p90 ms", "p99 ms", "max ms");
    for (name, s) in [("miri: webhook -> SHOT_UPDATED", &m), ("baseline: signal -> result", &b)] {
        println!("{name:<34} {:>8.1} {:>8.1} {:>8.1} {:>8.1}", s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms);
    }
    println!("ratio of p50s: {ratio:.2} (target <= 1.5: {})", if ratio <= 1.5 { "met" } else { "NOT met" });
    println!("raw figures: {}", file.display());
    Ok(())
}

/// Shots whose stills wait in the simulator with their webhooks held, and a client watching.
struct HeldShots {
    watch: miri_testkit::Watch,
    /// (shotId, the simulator's request id) in creation order.
    shots: Vec<(String, String)>,
}

/// Creates `n` shots and generates each until its still waits in the simulator.
async fn prepare_shots(stack: &Stack, n: u32) -> anyhow::Result<HeldShots> {
    let project = stack.create_project("bench").await?;
    let watch = stack.watch(&project).await?;
    let mut shots = Vec::new();
    for i in 0..u64::from(n) {
        let shot = stack.create_shot(&project, i * 1000, i * 1000 + 3000).await?;
        let (status, body) = stack.post("/api/shots/generate", json!({"shotId": shot})).await?;
        if status != 202 {
            bail!("generate answered {status}: {body}");
        }
        shots.push(shot);
    }
    let requests = wait_for_submissions(stack, n as usize).await?;
    let shots = shots
        .into_iter()
        .map(|shot| {
            let request = requests.iter().find(|(s, _)| *s == shot).map(|(_, r)| r.clone());
            Ok((shot, request.context("a shot without a submission")?))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(HeldShots { watch, shots })
}

impl HeldShots {
    /// Releases shot `index`'s webhook and times it until its event arrives: milliseconds.
    async fn release(&mut self, stack: &Stack, index: usize) -> anyhow::Result<f64> {
        let (shot, request) = &self.shots[index];
        let sent_ns = deliver(stack, request).await?;
        let (arrived, _) = self.watch.until(shot, "AWAITING_APPROVAL", Duration::from_secs(60)).await?;
        let arrived_ns = arrived.duration_since(UNIX_EPOCH)?.as_nanos() as f64;
        if arrived_ns < sent_ns {
            bail!("shot {shot}'s event arrived before its webhook was sent: something else moved it");
        }
        Ok((arrived_ns - sent_ns) / 1e6)
    }
}

/// (shotId, requestId) of every paid submission, once there are `n`.
async fn wait_for_submissions(stack: &Stack, n: usize) -> anyhow::Result<Vec<(String, String)>> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(600);
    loop {
        let stats = stack.sim_stats().await?;
        let subs = stats["submissions"].as_array().cloned().unwrap_or_default();
        if subs.len() >= n {
            return subs
                .iter()
                .map(|s| {
                    let webhook = s["webhook"].as_str().context("webhook")?;
                    let shot = url_param(webhook, "shotId").context("shotId in webhook")?;
                    Ok((shot, s["requestId"].as_str().context("requestId")?.to_string()))
                })
                .collect();
        }
        if tokio::time::Instant::now() > deadline {
            bail!("only {} of {n} submissions after 600 s", subs.len());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn url_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=').map(str::to_string))
}

/// Asks the simulator to POST the held webhook now; returns when it was sent (Unix ns).
async fn deliver(stack: &Stack, request: &str) -> anyhow::Result<f64> {
    for _ in 0..200 {
        let resp = stack.rest.post(format!("{}/_sim/requests/{request}/deliver", stack.sim)).send().await?;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            if body["status"] != 200 {
                bail!("the gateway answered the webhook with {}", body["status"]);
            }
            return body["sentAtUnixNs"].as_f64().context("sentAtUnixNs");
        }
        if status != 409 {
            bail!("deliver answered {status}: {body}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("request {request} never finished in the simulator")
}
