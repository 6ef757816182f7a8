//! `make chaos`: Miri under fire, on loopback only and bounded in time. A real stack (a Temporal
//! dev server, the simulator, the gateway and a worker, each its own process) makes a film of
//! 20 shots from the demo song (analysed by the model, shots of equal length) while the simulator answers 20 % of provider calls with a
//! 5xx, sends 10 % of webhooks twice and drops 10 %; the worker is SIGKILLed at random moments
//! (at least five times), and Temporal and the gateway are each restarted once. A director
//! drives it over REST as a person would (approving stills, pressing generate again on a failed
//! shot). The run checks that the film is made, to the frame, that no record seen during the
//! run went missing, and that no paid call was submitted twice; its last line is the tally in
//! JSON, and it exits 1 when any of that does not hold.

mod director;

use clap::Parser;
use director::{Director, Outcome};
use miri_testkit::{Stack, StackOptions};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

#[derive(Parser)]
#[command(about = "A film made while the stack is being broken; prints the tally as JSON")]
struct Args {
    /// How many shots the film has (equal lengths covering the song).
    #[arg(long, default_value_t = 20)]
    shots: u32,
    /// The fewest worker kills (SIGKILL): the render is not asked for before them.
    #[arg(long, default_value_t = 5)]
    kills: u32,
    /// Share of provider calls the simulator answers with a 5xx.
    #[arg(long, default_value_t = 0.2)]
    server_errors: f64,
    /// Share of webhooks sent twice.
    #[arg(long, default_value_t = 0.1)]
    duplicate_webhooks: f64,
    /// Share of webhooks never sent (the workflows poll for those).
    #[arg(long, default_value_t = 0.1)]
    dropped_webhooks: f64,
    /// Seeds the faults and the moments of the kills (random when absent; printed).
    #[arg(long)]
    seed: Option<u64>,
    /// The run gives up (and fails) after this many seconds.
    #[arg(long, default_value_t = 900)]
    within_secs: u64,
    /// Where the final render is written.
    #[arg(long, default_value = "chaos-film.mp4")]
    out: PathBuf,
}

/// What was broken, and how often.
#[derive(Default)]
struct Havoc {
    worker_kills: u32,
    worker_exits: u32,
    temporal_restarts: u32,
    gateway_restarts: u32,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let started = Instant::now();
    let (tally, ok) = match run(&args, started).await {
        Ok(result) => result,
        Err(e) => {
            eprintln!("chaos: {e:#}");
            (json!({"error": format!("{e:#}"), "elapsedMs": started.elapsed().as_millis() as u64}), false)
        }
    };
    println!("{tally}");
    std::process::exit(if ok { 0 } else { 1 });
}

async fn run(args: &Args, started: Instant) -> anyhow::Result<(Value, bool)> {
    let seed = args.seed.unwrap_or_else(rand::random);
    eprintln!("chaos: seed {seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    // Dropped webhooks are found by polling: poll often, so each costs seconds, not half a minute.
    let mut stack = Stack::start(StackOptions { poll_every_secs: 3, ..StackOptions::default() }).await?;
    let faults = json!({
        "serverErrorRate": args.server_errors,
        "duplicateWebhookRate": args.duplicate_webhooks,
        "dropWebhookRate": args.dropped_webhooks,
        "seed": seed,
    });
    let resp = stack.rest.post(format!("{}/_sim/faults", stack.sim)).json(&faults).send().await?;
    anyhow::ensure!(resp.status().is_success(), "the simulator refused the faults: {}", resp.text().await?);

    let reconnect = Arc::new(Notify::new());
    let kills = Arc::new(AtomicU32::new(0));
    let director = Director::new(stack.as_token(&stack.token), args.shots, args.out.clone(), reconnect.clone(), kills.clone(), args.kills);
    let deadline = started + Duration::from_secs(args.within_secs);
    let mut work = tokio::spawn(director.run(deadline));
    let mut havoc = Havoc::default();
    let outcome = loop {
        let pause = Duration::from_millis(rng.gen_range(3_000..=10_000));
        tokio::select! {
            done = &mut work => break done?,
            () = tokio::time::sleep(pause) => {
                if havoc.worker_kills >= args.kills * 3 {
                    continue;
                }
                havoc.worker_kills += 1;
                eprintln!("chaos: kill -9 the worker ({})", havoc.worker_kills);
                stack.kill_worker().await?;
                kills.store(havoc.worker_kills, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(rng.gen_range(0..=1_500))).await;
                if havoc.worker_kills == 2 {
                    eprintln!("chaos: restarting the Temporal dev server");
                    stack.restart_temporal().await?;
                    havoc.temporal_restarts += 1;
                }
                stack.start_worker()?;
                if havoc.worker_kills == 4 {
                    eprintln!("chaos: restarting the gateway");
                    stack.restart_gateway().await?;
                    havoc.gateway_restarts += 1;
                    reconnect.notify_waiters();
                }
            }
        }
        if stack.worker_exited() {
            eprintln!("chaos: the worker ended by itself; starting another\n{}", tail(&stack.log("worker")));
            havoc.worker_exits += 1;
            stack.start_worker()?;
        }
    };
    let duplicate_paid = duplicate_paid_submissions(&stack.sim_stats().await?);
    Ok(tally(args, seed, started, &havoc, &outcome?, duplicate_paid))
}

/// Paid submissions beyond the first for one thing: a shot's version (`versionId`) or a scene's
/// reference image (`assetId`), as the simulator recorded them.
fn duplicate_paid_submissions(stats: &Value) -> u64 {
    let mut per: BTreeMap<String, u64> = BTreeMap::new();
    for s in stats["submissions"].as_array().into_iter().flatten() {
        let Some(Ok(url)) = s["webhook"].as_str().map(url::Url::parse) else { continue };
        let key = url.query_pairs().find(|(k, _)| k == "versionId" || k == "assetId").map(|(_, v)| v.into_owned());
        if let Some(key) = key {
            *per.entry(key).or_default() += 1;
        }
    }
    per.values().map(|n| n.saturating_sub(1)).sum()
}

fn tally(args: &Args, seed: u64, started: Instant, havoc: &Havoc, outcome: &Outcome, duplicate_paid: u64) -> (Value, bool) {
    let ok = havoc.worker_kills >= args.kills
        && outcome.completed == outcome.shots
        && outcome.records_lost == 0
        && duplicate_paid == 0
        && outcome.film_frames_expected.is_some()
        && outcome.film_frames == outcome.film_frames_expected;
    let tally = json!({
        "shots": outcome.shots,
        "completed": outcome.completed,
        "worker_kills": havoc.worker_kills,
        "records_lost": outcome.records_lost,
        "duplicate_paid_submissions": duplicate_paid,
        "duplicate_events": outcome.duplicate_events,
        "final_render": outcome.final_render,
        "film_frames": outcome.film_frames,
        "song_frames": outcome.film_frames_expected,
        "records_seen": outcome.records_seen,
        "shots_generated_again": outcome.regenerated,
        "worker_exits": havoc.worker_exits,
        "temporal_restarts": havoc.temporal_restarts,
        "gateway_restarts": havoc.gateway_restarts,
        "seed": seed,
        "elapsedMs": started.elapsed().as_millis() as u64,
    });
    (tally, ok)
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_paid_submission_for_one_version_or_asset_is_a_duplicate() {
        let hook = |q: &str| json!({"webhook": format!("http://127.0.0.1:1/api/webhooks/fal?{q}")});
        let stats = json!({"submissions": [
            hook("shotId=s&versionId=v1"), hook("shotId=s&versionId=v2"), hook("shotId=s&versionId=v1"),
            hook("sceneId=c&assetId=a1"), hook("sceneId=c&assetId=a1"), hook("sceneId=c&assetId=a1"),
            {"webhook": null}, hook("nothing=here"),
        ]});
        assert_eq!(duplicate_paid_submissions(&stats), 3, "one for v1, two for a1");
        assert_eq!(duplicate_paid_submissions(&json!({})), 0);
    }
}
