#!/usr/bin/env bash
# Installs what DevLoop needs on Debian 12, skipping whatever is already there.
#   scripts/deps.sh run    the app: Tauri's libraries, a Korean font, git, the UI's npm packages
#   scripts/deps.sh test   also Docker, Xvfb, WebKitWebDriver and tauri-driver
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${1:-run}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

packages=(
  # Tauri v2 on Linux
  libwebkit2gtk-4.1-dev build-essential file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config
  # Hangul glyphs for the Korean UI
  fonts-nanum
  git
)
if [ "$profile" = test ]; then
  # busybox-static: a base for test images built FROM scratch (nothing is ever pulled)
  # dbus-daemon and dbus-bin: the end-to-end tests watch the desktop notifications on a bus of their own.
  # xterm: a terminal for the app's "open a shell where the step failed" to open.
  packages+=(docker.io xvfb webkit2gtk-driver busybox-static curl dbus-daemon dbus-bin xterm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "deps: cargo is missing. Install Rust 1.90 or newer with rustup (https://rustup.rs), then run make again." >&2
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "deps: Node.js 20.19 or newer is needed for the UI build (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

if [ "$profile" = test ] && ! command -v tauri-driver >/dev/null; then
  echo "deps: installing tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi

# Exactly what the lock file says; only when the lock changed since the last install.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "deps: npm ci"
  (cd ui && npm ci --no-audit --no-fund)
fi
