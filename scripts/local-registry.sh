#!/usr/bin/env bash
# A container registry on this machine, with nothing downloaded but Debian's package: the
# `docker-registry` binary and the C library it links, copied into an image FROM scratch, run
# on 127.0.0.1:5000 only. `stop` removes the container (its images stay pushed until then).
# See docs/registry.md.
set -euo pipefail

name=devloop-registry
image=devloop-registry:local

if [ "${1:-}" = stop ]; then
  docker rm -f "$name" >/dev/null 2>&1 || true
  echo "the registry is stopped"
  exit 0
fi

if ! docker image inspect "$image" >/dev/null 2>&1; then
  context=$(mktemp -d)
  trap 'rm -rf "$context"' EXIT
  binary=$(command -v docker-registry || true)
  if [ -z "$binary" ]; then
    # The package's files only: installing it would also start its own registry, on every
    # interface. From the Debian mirror, or a classroom's apt cache.
    (cd "$context" && apt-get download -q docker-registry >/dev/null 2>&1 && dpkg -x docker-registry_*.deb pkg) || {
      echo "could not fetch Debian's docker-registry package: apt-get download docker-registry" >&2
      exit 1
    }
    binary="$context/pkg/usr/bin/docker-registry"
  fi
  cp "$binary" "$context/registry"
  # The binary links the C library dynamically: the image carries exactly the files it loads.
  for lib in $(ldd "$binary" | grep -o '/[^ ]*'); do
    mkdir -p "$context/root$(dirname "$lib")"
    cp -L "$lib" "$context/root$lib"
  done
  cat >"$context/config.yml" <<'YAML'
version: 0.1
storage:
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: 0.0.0.0:5000
YAML
  cat >"$context/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY root/ /
COPY registry /registry
COPY config.yml /etc/registry.yml
VOLUME /var/lib/registry
EXPOSE 5000
ENTRYPOINT ["/registry", "serve", "/etc/registry.yml"]
DOCKERFILE
  docker build -q -t "$image" "$context" >/dev/null
fi

if ! docker ps -q --filter "name=^${name}$" | grep -q .; then
  docker rm -f "$name" >/dev/null 2>&1 || true
  # Loopback only: nothing outside this machine can push or pull.
  docker run -d --name "$name" --restart unless-stopped -p 127.0.0.1:5000:5000 "$image" >/dev/null
fi
for _ in $(seq 1 50); do
  if curl -fs http://127.0.0.1:5000/v2/ >/dev/null; then
    echo "a registry answers on 127.0.0.1:5000"
    exit 0
  fi
  sleep 0.2
done
echo "the registry did not start: docker logs $name" >&2
exit 1
