//! Temporal plumbing for the binary: connecting (with retries while a server starts), running a
//! dev server in the data dir when none answers, registering Miri's search attributes, and
//! writing histories for replay tests.

use crate::config::Common;
use anyhow::{Context, bail};
use std::{path::Path, process::Stdio, str::FromStr, time::Duration};
use temporalio_client::{Client, ClientOptions, Connection, ConnectionOptions, Url, WorkflowFetchHistoryOptions};
use tokio::process::{Child, Command};

/// Connects to Temporal, retrying for up to `patience` while it starts.
pub async fn connect(common: &Common, patience: Duration) -> anyhow::Result<Client> {
    let url = Url::from_str(&format!("http://{}", common.temporal_address))?;
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        match Connection::connect(ConnectionOptions::new(url.clone()).identity("miri".to_string()).build()).await {
            Ok(conn) => return Ok(Client::new(conn, ClientOptions::new(common.temporal_namespace.clone()).build())?),
            Err(e) if tokio::time::Instant::now() >= deadline => {
                bail!("Temporal at {} does not answer: {e}", common.temporal_address)
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

/// Whether something accepts TCP connections at `address`.
pub async fn answers(address: &str) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(1), tokio::net::TcpStream::connect(address)).await,
        Ok(Ok(_))
    )
}

/// A Temporal dev server this process started; stopped on drop of the handle via [`DevServer::stop`].
pub struct DevServer {
    child: Child,
    pub ui_url: String,
}

impl DevServer {
    /// Starts `temporal server start-dev` with its SQLite file in `data_dir`.
    pub async fn start(bin: &Path, address: &str, data_dir: &Path) -> anyhow::Result<Self> {
        let (ip, port) = address.rsplit_once(':').context("TEMPORAL_ADDRESS must be host:port")?;
        let port: u16 = port.parse().context("TEMPORAL_ADDRESS port")?;
        let ui_port = port.checked_add(1000).context("no room for the UI port")?;
        let log = std::fs::File::create(data_dir.join("temporal.log"))?;
        let child = Command::new(bin)
            .args(["server", "start-dev", "--ip", ip, "--port", &port.to_string()])
            .args(["--ui-port", &ui_port.to_string(), "--log-level", "warn"])
            .arg("--db-filename")
            .arg(data_dir.join("temporal.db"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} (run `make up` to install it)", bin.display()))?;
        Ok(Self { child, ui_url: format!("http://{ip}:{ui_port}") })
    }

    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            // SIGTERM lets the server close its SQLite file cleanly.
            let _ = Command::new("kill").arg(pid.to_string()).status().await;
        }
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

/// Registers Miri's search attributes (an attribute already there is fine).
pub async fn register_search_attributes(bin: &Path, common: &Common) -> anyhow::Result<()> {
    for (name, kind) in miri_workflows::search::ALL {
        let out = Command::new(bin)
            .args(["operator", "search-attribute", "create", "--name", name, "--type", kind])
            .args(["--address", &common.temporal_address, "--namespace", &common.temporal_namespace])
            .output()
            .await
            .with_context(|| format!("running {}", bin.display()))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() && !stderr.contains("already") {
            bail!("registering search attribute {name}: {stderr}");
        }
    }
    Ok(())
}

pub async fn write_history(common: &Common, workflow_id: &str, out: &Path) -> anyhow::Result<()> {
    let client = connect(common, Duration::from_secs(5)).await?;
    let handle = client.get_workflow_handle::<miri_workflows::ShotWorkflow>(workflow_id);
    let json = handle.fetch_history(WorkflowFetchHistoryOptions::default()).to_json().await?;
    std::fs::write(out, json)?;
    println!("{}", out.display());
    Ok(())
}
