//! Google's Cloud Firestore emulator for the tests: one process per test binary, started on a free
//! loopback port the first time a test asks for it, and gone when the binary exits.
//!
//! Tests connect with `FirestoreBackend::connect_emulator(project, host)`, so nothing sets
//! `FIRESTORE_EMULATOR_HOST` (edition 2024 makes `set_var` unsafe, and tests run on threads); an
//! emulator already named by that variable is used instead of starting one. A missing Java or
//! emulator jar fails the tests loudly; `MIRI_SKIP_FIRESTORE=1` skips them.

use std::{
    fs,
    io::Write,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};
use tokio::sync::OnceCell;

const HOST_ENV: &str = "FIRESTORE_EMULATOR_HOST";
const SKIP_ENV: &str = "MIRI_SKIP_FIRESTORE";
const JAR_ENV: &str = "MIRI_FIRESTORE_EMULATOR_JAR";
const DEFAULT_JAR: &str = "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar";
const MAIN_CLASS: &str = "com.google.cloud.datastore.emulator.firestore.CloudFirestore";
const READY_LINE: &str = "Dev App Server is now running";
const START_TIMEOUT: Duration = Duration::from_secs(60);
const INSTALL: &str = "apt-get install google-cloud-cli-firestore-emulator openjdk-17-jre-headless \
                       (from Google's Cloud SDK apt repository), or point MIRI_FIRESTORE_EMULATOR_JAR at the jar";

/// A running emulator. The process-wide one lives in a static and is never dropped; its
/// watchdog shell (see [`Emulator::start`]) ends it when the test binary exits.
pub struct Emulator {
    pub host: String,
    watchdog: Child,
    _dir: tempfile::TempDir,
}

static EMULATOR: OnceCell<Emulator> = OnceCell::const_new();

/// The emulator's `host:port`, starting it on first use. With `MIRI_SKIP_FIRESTORE=1` this
/// prints why and ends the test binary successfully.
pub async fn host() -> String {
    if std::env::var(SKIP_ENV).as_deref() == Ok("1") {
        // Straight to the process's stderr: the harness would swallow a captured `eprintln!`.
        let notice =
            format!("\n*** Firestore tests SKIPPED: {SKIP_ENV}=1 is set. Nothing was checked against Firestore. ***\n");
        std::io::stderr().write_all(notice.as_bytes()).ok();
        std::process::exit(0);
    }
    if let Ok(host) = std::env::var(HOST_ENV) {
        return host;
    }
    let emulator = EMULATOR
        .get_or_init(|| async {
            tokio::task::spawn_blocking(Emulator::start).await.expect("the emulator start-up task")
        })
        .await;
    emulator.host.clone()
}

/// A Firestore project id of its own for one test, so tests share the emulator without sharing data.
pub fn project_id(test: &str) -> String {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    format!("miri-{}-{}", test.replace('_', "-"), &unique[..12])
}

impl Emulator {
    /// Starts `java -cp JAR CloudFirestore start` on a free loopback port (never the gcloud
    /// wrapper script, which would leave java running) and waits for it to say it is ready.
    ///
    /// Java runs under a small shell that waits for its standard input to close and then kills
    /// it: the test binary holds the other end, so however the binary ends (passing, failing,
    /// aborted), the emulator ends with it.
    pub fn start() -> Emulator {
        let jar = jar();
        let java = which("java").unwrap_or_else(|| panic!("\n*** Firestore tests need Java, which is not on PATH. Install: {INSTALL}. Or set {SKIP_ENV}=1 to skip them. ***\n"));
        let port = free_port();
        let host = format!("127.0.0.1:{port}");
        let dir = tempfile::tempdir().expect("a temp dir for the emulator log");
        let log = dir.path().join("emulator.log");
        let script = r#"
            "$0" -Duser.language=en -cp "$1" "$2" start --host=127.0.0.1 --port="$3" >"$4" 2>&1 &
            java=$!
            cat >/dev/null
            kill "$java" 2>/dev/null
            wait "$java"
        "#;
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(&java)
            .arg(&jar)
            .arg(MAIN_CLASS)
            .arg(port.to_string())
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting the Firestore emulator");
        let mut emulator = Emulator { host, watchdog, _dir: dir };
        let began = Instant::now();
        loop {
            let text = read(&log);
            if text.contains(READY_LINE) {
                eprintln!("Firestore emulator on {} after {:.1} s", emulator.host, began.elapsed().as_secs_f64());
                return emulator;
            }
            if let Ok(Some(status)) = emulator.watchdog.try_wait() {
                panic!("the Firestore emulator exited ({status}) before it was ready:\n{text}");
            }
            if began.elapsed() > START_TIMEOUT {
                emulator.stop();
                panic!("the Firestore emulator was not ready within {} s:\n{text}", START_TIMEOUT.as_secs());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Closing the watchdog's input makes it kill java; then wait for both.
    pub fn stop(&mut self) {
        drop(self.watchdog.stdin.take());
        self.watchdog.wait().ok();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

fn jar() -> PathBuf {
    let jar = std::env::var_os(JAR_ENV).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_JAR));
    if !jar.is_file() {
        panic!(
            "\n*** Firestore tests need the Cloud Firestore emulator, and {} does not exist. Install: {INSTALL}. Or set {SKIP_ENV}=1 to skip them. ***\n",
            jar.display()
        );
    }
    jar
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(program)).find(|p| p.is_file())
}

/// A loopback port nothing listens on right now (the OS picks it).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
    listener.local_addr().expect("its address").port()
}

fn read(path: &Path) -> String {
    fs::read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default()
}
