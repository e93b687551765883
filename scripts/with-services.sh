#!/usr/bin/env bash
# Runs a command with a Docker daemon and an X display, starting each only when missing,
# and stops what it started when the command ends.
#   scripts/with-services.sh make test-all
set -euo pipefail

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
started_dockerd=""
started_xvfb=""
log_dir=${TMPDIR:-/tmp}

stop() {
  if [ -n "$started_xvfb" ]; then kill "$started_xvfb" 2>/dev/null || true; fi
  if [ -n "$started_dockerd" ]; then
    $sudo kill "$started_dockerd" 2>/dev/null || true
    # dockerd stops its containers on SIGTERM; give it the time to.
    for _ in $(seq 1 50); do $sudo kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.2; done
  fi
}
trap stop EXIT

docker_answers() { $sudo docker info >/dev/null 2>&1; }

if [ -z "${DOCKER_HOST:-}" ] && ! docker_answers; then
  command -v dockerd >/dev/null || { echo "services: dockerd is missing: run scripts/deps.sh test" >&2; exit 1; }
  echo "services: starting dockerd (log: $log_dir/devloop-dockerd.log)"
  $sudo dockerd >"$log_dir/devloop-dockerd.log" 2>&1 &
  started_dockerd=$!
  for _ in $(seq 1 150); do docker_answers && break; sleep 0.2; done
  docker_answers || { echo "services: dockerd did not come up:" >&2; tail -20 "$log_dir/devloop-dockerd.log" >&2; exit 1; }
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  n=99
  while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
  echo "services: starting Xvfb on :$n"
  Xvfb ":$n" -screen 0 1280x900x24 -nolisten tcp >"$log_dir/devloop-xvfb.log" 2>&1 &
  started_xvfb=$!
  for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
  export DISPLAY=":$n"
fi

"$@"
