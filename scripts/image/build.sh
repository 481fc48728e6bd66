#!/usr/bin/env bash
# Builds the Dockerfile, unchanged, with podman: what `docker build -t ai-visibility-tracker .` does elsewhere.
# On machines that reach the registries through a TLS-inspecting proxy, the host's certificate bundle is
# mounted into the build and npm pointed at it (AVT_BUILD_CA; default the system bundle when present).
# Docker format, so the image keeps its HEALTHCHECK. Prints the image's size.
set -euo pipefail
cd "$(dirname "$0")/../.."

image=${1:-ai-visibility-tracker:latest}
ca=${AVT_BUILD_CA:-/etc/ssl/certs/ca-certificates.crt}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

volumes=()
if [ -f "$ca" ]; then
  printf 'cafile=/usr/local/etc/avt-build-ca.crt\n' >"$work/npmrc"
  volumes+=(--volume "$ca:/usr/local/etc/avt-build-ca.crt:ro" --volume "$work/npmrc:/usr/local/etc/npmrc:ro")
fi

podman build --format docker --network host "${volumes[@]}" --tag "$image" .
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image: $image, $((size / 1024 / 1024)) MiB"
