//! The dashboard's numbers (issue 8): a project of `shots` shots opened cold in Debian's
//! Chromium (`web/e2e/dashboard.bench.mjs`, a fresh browser context per load) — time until every
//! row is on screen and time to interactive (the later of the rows and the last long task) —,
//! the JavaScript the page ships (raw and gzip, from `web/dist`), and the latency from a shot's
//! status being written to it showing in the open page, for shots generated while it watches.
//! The issue names no anchor: the figures stand as measured, against budgets stated beside them.

use anyhow::{Context, bail};
use miri_testkit::{Stack, StackOptions};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// What a professional tool's first load should stay under, and its live status.
const TTI_BUDGET_MS: f64 = 2000.0;
const LATENCY_BUDGET_MS: f64 = 500.0;

pub async fn run(shots: usize, loads: usize, changes: usize) -> anyhow::Result<Value> {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
    let bundle = bundle(&web.join("dist/assets"))?;
    let stack = Stack::start(StackOptions { still_latency_ms: 200, ..Default::default() }).await?;
    let project = stack.create_project("לוח").await?;
    eprintln!("dashboard: {shots} shots, {loads} cold loads, then {changes} status changes watched");
    for i in 0..shots as u64 {
        let shot = json!({"startMs": i * 1000, "endMs": i * 1000 + 1000, "lyricsSnippet": "שְׁמַע יִשְׂרָאֵל",
                          "description": format!("Miri in shot {} of a long song, dress hex #C4725A", i + 1)});
        stack.add_shot(&project, shot).await?;
    }
    let out = tokio::process::Command::new("node")
        .arg(web.join("e2e/dashboard.bench.mjs"))
        .current_dir(&web)
        .env("MIRI_URL", &stack.http)
        .env("MIRI_TOKEN", &stack.token)
        .env("MIRI_PROJECT", &project)
        .env("MIRI_SHOTS", shots.to_string())
        .env("MIRI_LOADS", loads.to_string())
        .env("MIRI_CHANGES", changes.to_string())
        .stderr(Stdio::inherit())
        .output()
        .await
        .context("running node")?;
    if !out.status.success() {
        bail!("the dashboard bench script failed: {}", String::from_utf8_lossy(&out.stdout));
    }
    let stdout = String::from_utf8(out.stdout)?;
    let measured: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default()).context("the script's JSON")?;
    let pick = |key: &str| -> Vec<f64> {
        measured["firstLoads"].as_array().into_iter().flatten().filter_map(|l| l[key].as_f64()).collect()
    };
    let latencies: Vec<f64> =
        measured["statusToScreen"].as_array().into_iter().flatten().filter_map(|l| l["ms"].as_f64()).collect();
    let (tti, rows, latency) = (stats(pick("ttiMs")), stats(pick("rowsMs")), stats(latencies));
    Ok(json!({
        "shots": shots,
        "bundle": bundle,
        "firstLoadRowsMs": rows,
        "firstLoadTtiMs": tti,
        "statusToScreenMs": latency,
        "ttiBudgetMs": TTI_BUDGET_MS,
        "latencyBudgetMs": LATENCY_BUDGET_MS,
        "ratioTtiOverBudget": tti["median"].as_f64().unwrap_or(f64::NAN) / TTI_BUDGET_MS,
        "ratioLatencyP90OverBudget": latency["p90"].as_f64().unwrap_or(f64::NAN) / LATENCY_BUDGET_MS,
        "raw": measured,
    }))
}

/// Median, p90 and max of `values` (ms).
fn stats(mut values: Vec<f64>) -> Value {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values.get(((q * values.len() as f64).ceil() as usize).clamp(1, values.len().max(1)) - 1).copied();
    json!({"n": values.len(), "median": at(0.5), "p90": at(0.9), "max": values.last()})
}

/// Every script the build ships, raw and gzip-compressed (`gzip -9`, as a server would send it).
fn bundle(assets: &Path) -> anyhow::Result<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(assets)
        .with_context(|| format!("reading {} (build the web app first)", assets.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .collect();
    files.sort();
    let (mut raw, mut gzip) = (0u64, 0u64);
    for file in &files {
        raw += std::fs::metadata(file)?.len();
        let out = std::process::Command::new("gzip").args(["-9", "-c"]).arg(file).output().context("running gzip")?;
        gzip += out.stdout.len() as u64;
    }
    Ok(json!({"files": files.len(), "jsBytes": raw, "jsGzipBytes": gzip}))
}
