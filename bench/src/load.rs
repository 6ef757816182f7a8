//! The load part: many shots waiting for approval at once on one worker, two gateway instances
//! sharing Redis, and Socket.IO clients split between them. Figures: the worker's memory while
//! every shot's workflow waits, how fast the gateways take approvals, and each approval's
//! fan-out — when every client, on either gateway, has heard the shot move on.

use crate::{Sample, summarise};
use anyhow::{Context, bail};
use futures::{StreamExt, stream};
use miri_testkit::{Api, Stack, StackOptions};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Requests in flight at once while the shots are made and approved.
const CONCURRENCY: usize = 32;

pub struct Plan {
    pub shots: usize,
    pub clients: usize,
}

/// When each client heard each shot reach GENERATING_VIDEO.
type Heard = Arc<Mutex<HashMap<String, Vec<SystemTime>>>>;

pub async fn run(plan: &Plan) -> anyhow::Result<Value> {
    let stack = Stack::start(StackOptions {
        still_latency_ms: 0,
        // The clips never finish during the run: only the approvals and their events are timed.
        clip_latency_ms: 3_600_000,
        poll_every_secs: 3600,
        env: vec![("MIRI_DEFAULT_BUDGET_USD".into(), "1000000".into())],
        ..StackOptions::default()
    })
    .await?;
    let (_second, other) = stack.extra_gateway("gateway-2").await?;
    let gateways = [stack.as_token(&stack.token), other];
    let project = stack.create_project("load").await?;

    eprintln!("load: {} shots generated, waiting for approval", plan.shots);
    let started = Instant::now();
    let ids: Vec<String> = stream::iter(0..plan.shots)
        .map(|i| {
            let api = &gateways[i % 2];
            let project = project.clone();
            async move {
                let shot = api.create_shot(&project, (i as u64 % 60) * 1000, (i as u64 % 60) * 1000 + 3000).await?;
                let (status, body) = api.post("/api/shots/generate", json!({"shotId": shot})).await?;
                if status != 202 {
                    bail!("generate answered {status}: {body}");
                }
                anyhow::Ok(shot)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let generated_s = started.elapsed().as_secs_f64();
    wait_all(&gateways[0], &project, "AWAITING_APPROVAL", ids.len(), Duration::from_secs(1200)).await?;
    let waiting_s = started.elapsed().as_secs_f64();
    let pid = stack.worker_pid().context("the worker is not running")?;
    let memory_waiting = memory(pid)?;
    eprintln!("load: {} awaiting approval after {waiting_s:.1} s; worker {memory_waiting}", ids.len());

    let heard: Heard = Arc::default();
    let mut listeners = Vec::new();
    for c in 0..plan.clients {
        let mut watch = gateways[c % 2].watch(&project).await?;
        let heard = heard.clone();
        listeners.push(tokio::spawn(async move {
            while let Some((at, event)) = watch.events.recv().await {
                if event["status"] == "GENERATING_VIDEO"
                    && let Some(shot) = event["shotId"].as_str()
                    && let Ok(mut heard) = heard.lock()
                {
                    heard.entry(shot.to_string()).or_default().push(at);
                }
            }
        }));
    }

    eprintln!("load: approving {} shots over both gateways, {} clients listening", ids.len(), plan.clients);
    let approving = Instant::now();
    let sent: Vec<(String, SystemTime)> = stream::iter(ids.iter().enumerate())
        .map(|(i, shot)| {
            let api = &gateways[i % 2];
            async move {
                let at = SystemTime::now();
                let (status, body) = api.post(&format!("/api/shots/{shot}/approve"), json!({})).await?;
                if status != 202 {
                    bail!("approve answered {status}: {body}");
                }
                anyhow::Ok((shot.clone(), at))
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let approvals_s = approving.elapsed().as_secs_f64();

    // Every client hears every shot move on, or the run says how many were missed.
    let expected = ids.len() * plan.clients;
    let deadline = Instant::now() + Duration::from_secs(300);
    let delivered = loop {
        let delivered: usize = heard.lock().map_or(0, |h| h.values().map(Vec::len).sum());
        if delivered >= expected || Instant::now() > deadline {
            break delivered;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let all_heard_s = approving.elapsed().as_secs_f64();
    let memory_after = memory(pid)?;
    listeners.iter().for_each(tokio::task::JoinHandle::abort);

    let heard = heard.lock().map_err(|_| anyhow::anyhow!("a listener panicked"))?.clone();
    let (mut last_ms, mut every_ms, mut spread_ms) = (Vec::new(), Vec::new(), Vec::new());
    for (shot, at) in &sent {
        let times = heard.get(shot).cloned().unwrap_or_default();
        let ms = |t: &SystemTime| t.duration_since(*at).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        every_ms.extend(times.iter().map(ms));
        if times.len() >= plan.clients {
            let (first, last) = times.iter().map(ms).fold((f64::MAX, 0.0_f64), |(lo, hi), t| (lo.min(t), hi.max(t)));
            last_ms.push(last);
            // The fan-out's own share: from the first client hearing the shot to the last.
            spread_ms.push(last - first);
        }
    }
    Ok(json!({
        "shots": ids.len(),
        "gateways": 2,
        "clients": plan.clients,
        "generateRequestsSeconds": generated_s,
        "allAwaitingApprovalSeconds": waiting_s,
        "workerMemoryWhileWaiting": memory_waiting,
        "workerMemoryAfterApprovals": memory_after,
        "approvalsSeconds": approvals_s,
        "approvalsPerSecond": ids.len() as f64 / approvals_s,
        "eventsExpected": expected,
        "eventsDelivered": delivered,
        "allHeardSeconds": all_heard_s,
        "approvalToEveryClientMs": quantiles(&last_ms),
        "approvalToEachClientMs": quantiles(&every_ms),
        "firstToLastClientMs": quantiles(&spread_ms),
    }))
}

/// Polls the project's shots until `n` are in `status`.
async fn wait_all(api: &Api, project: &str, status: &str, n: usize, within: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    loop {
        let (code, shots) = api.get(&format!("/api/projects/{project}/shots")).await?;
        if code != 200 {
            bail!("listing the shots answered {code}: {shots}");
        }
        let there = shots.as_array().into_iter().flatten().filter(|s| s["status"] == status).count();
        if there >= n {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("only {there} of {n} shots are {status} after {within:?}");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The process's resident memory now and at its peak, in MiB (Linux `/proc`).
fn memory(pid: u32) -> anyhow::Result<Value> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).with_context(|| format!("reading /proc/{pid}/status"))?;
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
    };
    let mib = |kb: Option<f64>| kb.map(|kb| (kb / 1024.0 * 10.0).round() / 10.0);
    Ok(json!({"rssMiB": mib(field("VmRSS:")), "peakRssMiB": mib(field("VmHWM:"))}))
}

/// p50/p90/p99/max of `ms` (the bench's one summary), or just `n: 0`.
fn quantiles(ms: &[f64]) -> Value {
    if ms.is_empty() {
        return json!({"n": 0});
    }
    let samples: Vec<Sample> = ms.iter().enumerate().map(|(index, &ms)| Sample { index, ms }).collect();
    json!(summarise(&samples))
}
