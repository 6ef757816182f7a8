//! `miri up`: everything on one machine in one process — a Temporal dev server (started with its
//! SQLite file in the data dir, or reused when one answers), gateway, worker and, when no provider
//! key is configured, the simulator. Ctrl-C stops it all cleanly; the next `up` on the same data
//! dir resumes the workflows left running.

use crate::config::{Common, MachineArgs, SimArgs, WorkerArgs, fal_key};
use crate::{services, temporal};
use anyhow::Context;
use clap::Args;
use miri_store::Role;
use std::{io::Write, os::unix::fs::OpenOptionsExt, path::PathBuf, time::Duration};
use temporalio_sdk::Runtime;
use tokio::sync::watch;

#[derive(Args, Debug)]
pub struct UpArgs {
    #[command(flatten)]
    machine: MachineArgs,
    /// Simulator port (0 = any free port).
    #[arg(long, env = "MIRI_SIM_PORT", default_value_t = 0)]
    sim_port: u16,
}

pub async fn run(args: UpArgs) -> anyhow::Result<()> {
    let MachineArgs { common, gateway, worker, temporal_bin } = args.machine;
    std::fs::create_dir_all(&common.data_dir)?;
    let data_dir = std::fs::canonicalize(&common.data_dir)?;

    let (dev_server, ui_url) = if temporal::answers(&common.temporal_address).await {
        let guess = common.temporal_address.rsplit_once(':').and_then(|(h, p)| {
            p.parse::<u16>().ok().map(|p| format!("http://{h}:{}", p.saturating_add(1000)))
        });
        (None, guess.unwrap_or_default())
    } else {
        let server = temporal::DevServer::start(&temporal_bin, &common.temporal_address, &data_dir).await?;
        let url = server.ui_url.clone();
        (Some(server), url)
    };
    temporal::connect(&common, Duration::from_secs(60)).await?;
    temporal::register_search_attributes(&temporal_bin, &common).await?;

    let token_path = owner_token(&common).await?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };

    let mut gateway_args = gateway;
    let public_url: url::Url = format!("http://127.0.0.1:{}", gateway_args.http_port).parse()?;
    let (fal_url, sim) = if fal_key().is_some() {
        (WorkerArgs::default_fal_url(), None)
    } else {
        let sim_args = SimArgs {
            port: args.sim_port,
            data_dir: data_dir.join("sim"),
            still_latency_ms: 300,
            clip_latency_ms: 300,
            hold_webhooks: false,
            faults: Default::default(),
        };
        let (url, task) = services::start_sim(&sim_args, stopped()).await?;
        gateway_args.jwks_urls = vec![url.join("/.well-known/jwks.json")?.to_string()];
        (url, Some(task))
    };

    let (gateway, listener) = services::gateway(&common, &gateway_args).await?;
    let runtime = Runtime::from_current_tokio(Default::default())?;
    let mut worker_args = WorkerArgs { fal_url: fal_url.clone(), public_url: public_url.clone(), ..worker };
    if sim.is_some() {
        worker_args.gemini_url = fal_url.clone();
        worker_args.claude_url = fal_url.clone();
    }
    let mut worker = services::worker(&runtime, &common, &worker_args).await?;
    let stop_worker = worker.shutdown_handle();
    let mut render_worker = services::render_worker(&runtime, &common, &worker_args).await?;
    let stop_render_worker = render_worker.shutdown_handle();

    println!("Miri is up.");
    println!("  Dashboard:    {public_url}");
    println!("  Temporal UI:  {ui_url}");
    println!("  Owner token:  {}", token_path.display());
    if sim.is_some() {
        println!("  Simulator:    {fal_url} (no FAL_KEY set: providers are simulated)");
    }
    println!("Press Ctrl-C to stop.");
    let _ = std::io::stdout().flush();

    tokio::spawn(async move {
        crate::shutdown_signal().await;
        tracing::info!("stopping");
        stop_worker();
        stop_render_worker();
        let _ = stop_tx.send(true);
    });
    let (worker_done, render_done, gateway_done) =
        tokio::join!(worker.run(), render_worker.run(), gateway.serve(listener, stopped()));
    if let Some(task) = sim {
        let _ = task.await;
    }
    if let Some(server) = dev_server {
        server.stop().await;
    }
    worker_done?;
    render_done?;
    gateway_done?;
    println!("Miri stopped.");
    Ok(())
}

/// Issues the first owner token when the store has none, and writes it to `owner.token`
/// (readable by this user only).
async fn owner_token(common: &Common) -> anyhow::Result<PathBuf> {
    let path = common.data_dir.join("owner.token");
    let (store, _) = services::open_store(common).await?;
    if !store.has_tokens().await? {
        let secret = miri_gateway::auth::issue(&store, Role::Owner, "owner").await?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("writing {}", path.display()))?;
        writeln!(file, "{secret}")?;
    }
    Ok(path)
}
