//! `miri`: one binary for every process — `up` (everything on one machine), `gateway`,
//! `worker`, `sim` (the offline provider stand-in) and `history` (capture a workflow history for
//! replay tests). Configuration comes from flags or the environment; secrets only from the
//! environment.

mod analyze;
mod config;
mod demo;
mod demo_song;
mod doctor;
mod prompt;
mod render;
mod services;
mod store;
mod temporal;
mod up;

use anyhow::Context;
use clap::{Parser, Subcommand};
use config::{Common, GatewayArgs, SimArgs, WorkerArgs};

#[derive(Parser)]
#[command(name = "miri", version, about = "Miri — a durable AI music-video studio")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start everything on this machine: Temporal dev server (or reuse one), gateway, worker and
    /// the provider simulator; prints the dashboard and Temporal UI URLs.
    Up(up::UpArgs),
    /// Check every dependency and configuration value, and say how to fix what is wrong.
    Doctor(doctor::DoctorArgs),
    /// Run the gateway (REST, Socket.IO, webhooks) alone.
    Gateway {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        gateway: GatewayArgs,
    },
    /// Run a worker (workflows and activities) alone.
    Worker {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        worker: WorkerArgs,
    },
    /// Run the provider simulator alone.
    Sim(SimArgs),
    /// Issue an API token and print it (shown once; stored hashed).
    Token {
        #[command(flatten)]
        common: Common,
        #[arg(long, value_enum, default_value = "editor")]
        role: config::RoleArg,
        #[arg(long, default_value = "cli")]
        label: String,
        /// Make it a key for this one project (otherwise a studio token: an owner administers
        /// every project, others reach the projects they create or join).
        #[arg(long)]
        project: Option<String>,
    },
    /// Check prompts against the rules before anything is paid for.
    Prompt {
        #[command(subcommand)]
        command: PromptCommand,
    },
    /// Analyse a song on this machine (no service needed).
    Analyze {
        #[command(subcommand)]
        command: AnalyzeCommand,
    },
    /// Write the bundled demo song: DIR/song.mp3, DIR/lyrics.txt and DIR/timing.json (its
    /// tempo, parts and every word's timing). With --json prints
    /// {"song", "lyrics", "timing", "tempoBpm", "durationMs"}.
    DemoSong {
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Back up or move a project's history (records as JSON lines, plus media).
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Render a project's film over the gateway, with a progress bar; prints the MP4's path.
    Render(render::RenderArgs),
    /// The whole pipeline on the bundled demo song, offline (simulated providers, every still
    /// approved): writes the MP4; with --json prints {"video", "audio", "fps", "shots", "elapsedMs"}.
    Demo(demo::DemoArgs),
    /// Write a workflow's history as JSON (for replay tests).
    History {
        #[command(flatten)]
        common: Common,
        workflow_id: String,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum PromptCommand {
    /// Validate a FLUX or Kling request (JSON) or an edit command (text). Prints
    /// {"valid", "violations"}; exits 0 valid, 1 invalid, 2 unreadable.
    Validate {
        file: std::path::PathBuf,
        /// What the file holds; inferred from its content when left out.
        #[arg(long, value_enum)]
        kind: Option<prompt::Kind>,
    },
}

#[derive(Subcommand)]
enum AnalyzeCommand {
    /// Tempo, beat grid and onsets of an MP3. With --json prints
    /// {"tempo_bpm", "beats_ms", "onsets_ms", "duration_ms"} (tempo 0 and no beats when none is
    /// found); exits non-zero when the file is not audio.
    Beats {
        file: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Write every revision of a project's records and its media into DIR (a new directory).
    Export {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        project: String,
        dir: std::path::PathBuf,
    },
    /// Append an export's records and media to this store (refused if any record is already here).
    Import {
        #[command(flatten)]
        common: Common,
        dir: std::path::PathBuf,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr: stdout carries what a command answers (a token, JSON).
    let format = miri_telemetry::logs::Format::from_env().map_err(anyhow::Error::msg)?;
    miri_telemetry::logs::init(format);
    match Cli::parse().command {
        Command::Up(args) => up::run(args).await,
        Command::Doctor(args) => doctor::run(args).await,
        Command::Gateway { common, gateway } => services::run_gateway(&common, &gateway, shutdown_signal()).await,
        Command::Worker { common, worker } => services::run_worker(&common, &worker).await,
        Command::Sim(args) => services::run_sim(&args, shutdown_signal()).await.map(|_| ()),
        Command::Token { common, role, label, project } => {
            let (store, _) = services::open_store(&common).await?;
            let project = project.map(|p| miri_core::ProjectId::parse("--project", &p)).transpose()?;
            if let Some(p) = project {
                store.project(p).await?.with_context(|| format!("project {p} does not exist"))?;
            }
            let new = miri_gateway::auth::NewToken { role: role.into(), label: &label, project, created_by: Some("cli".into()) };
            println!("{}", miri_gateway::auth::issue_token(&store, new).await?.0);
            Ok(())
        }
        Command::Prompt { command: PromptCommand::Validate { file, kind } } => std::process::exit(prompt::run(&file, kind)),
        Command::Analyze { command: AnalyzeCommand::Beats { file, json } } => analyze::beats(&file, json),
        Command::DemoSong { out, json } => demo_song::run(&out, json),
        Command::Store { command: StoreCommand::Export { common, project, dir } } => {
            store::export(&common, &project, &dir).await
        }
        Command::Store { command: StoreCommand::Import { common, dir } } => store::import(&common, &dir).await,
        Command::Render(args) => render::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::History { common, workflow_id, out } => temporal::write_history(&common, &workflow_id, &out).await,
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}
