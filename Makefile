# DevLoop: two commands on a fresh Debian 12 machine.
#   make run    installs what is missing, builds, and opens the app
#   make test   installs what is missing, starts dockerd/Xvfb if needed, runs every check and test
.DEFAULT_GOAL := run
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
APP := $(TARGET_DIR)/debug/devloop-app
CLI := $(TARGET_DIR)/debug/devloop
E2E := $(TARGET_DIR)/debug/devloop-e2e

.PHONY: run test test-all build ui lint rust-test ui-test e2e bindings screenshots bundle \
        bench bench-footprint bench-pipeline bench-deploy bench-monitor bench-refine clean

run:
	scripts/deps.sh run
	$(MAKE) build
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "No display here: starting DevLoop on a virtual one (Xvfb)."; \
	  scripts/deps.sh test >/dev/null; \
	  scripts/with-services.sh $(APP); \
	else \
	  $(APP); \
	fi

test:
	scripts/deps.sh test
	scripts/with-services.sh $(MAKE) test-all

# Everything, in the order that fails fastest. Expects dockerd and a display (see `test`).
test-all: lint build rust-test ui-test e2e

ui:
	cd ui && npm run build

# The app embeds ui/dist at compile time, so the UI is built first.
build: ui
	cargo build -p devloop-app -p devloop-cli -p devloop-e2e

lint: ui
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

rust-test: ui
	cargo test --workspace

ui-test:
	cd ui && npm run check && npm test

e2e: build
	$(E2E)

# Regenerates ui/src/lib/bindings.ts from the engine's wire types, then ui/src/lib/commands.ts
# from the shell's command functions.
bindings:
	DEVLOOP_BLESS=1 cargo test -p devloop-engine --test bindings
	DEVLOOP_BLESS=1 cargo test -p devloop-app --test commands

# The home screen, a lesson, the pipeline, a finished run, the releases, a deploy and the Monitor page, from the real app, into docs/screenshots/.
screenshots: build
	DEVLOOP_SCREENSHOTS=$(CURDIR)/docs/screenshots scripts/with-services.sh \
	  sh -c '$(E2E) switching_to_korean && $(E2E) the_code_lesson && $(E2E) one_click_runs && $(E2E) inputs_artifacts && $(E2E) a_release_from && $(E2E) a_release_deployed && $(E2E) the_monitor_page'

# A .deb with the app and the `devloop` CLI beside it (lessons run `devloop …`):
# `sudo apt install ./DevLoop_*.deb`, then run `devloop-app`. The CLI is staged at a fixed
# path because tauri.conf.json cannot name the (movable) target folder.
bundle: ui
	cargo build --release -p devloop-cli
	install -D $(TARGET_DIR)/release/devloop $(CURDIR)/target/bundle-cli/devloop
	cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb
	@ls -1 $(TARGET_DIR)/release/bundle/deb/*.deb

bench: bench-footprint bench-pipeline bench-deploy bench-monitor bench-refine

# Launch-to-first-paint and memory (RSS, PSS incl. WebKit children) of DevLoop vs a bare Tauri window.
bench-footprint: ui
	scripts/deps.sh test
	cargo build --release -p devloop-app -p bare-window -p footprint
	scripts/with-services.sh $(TARGET_DIR)/release/footprint \
	  --app $(TARGET_DIR)/release/devloop-app --bare $(TARGET_DIR)/release/bare-window

# devloop run on the demo workflow against the same commands in bash, and the cost per step.
bench-pipeline:
	cargo build --release -p devloop-cli -p pipeline-bench
	$(TARGET_DIR)/release/pipeline-bench --devloop $(TARGET_DIR)/release/devloop --pack $(CURDIR)/workshops/devops-loop


# A cached rebuild and blue-green deploy through DevLoop against the docker CLI and curl, and the
# proxy's added latency. Needs dockerd (scripts/with-services.sh starts it when missing).
bench-deploy:
	scripts/deps.sh test
	cargo build --release -p deploy-bench
	scripts/with-services.sh $(TARGET_DIR)/release/deploy-bench

# Monitor: a chart of 4 x 3600 points to SVG (criterion), the collector's CPU with 10
# containers, and the memory a day of 50 series holds.
bench-monitor:
	scripts/deps.sh test
	cargo bench -p monitor-bench --bench chart
	cargo build --release -p monitor-bench
	scripts/with-services.sh $(TARGET_DIR)/release/monitor-bench

# Refine: the page's DORA data for 8 weeks and an item's detail, on a year of history
# (criterion).
bench-refine:
	cargo bench -p refine-bench --bench refine

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules
