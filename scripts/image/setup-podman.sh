#!/usr/bin/env bash
# Makes podman work on a machine like CI's: installs podman, runc and debootstrap from Debian's packages,
# and (when there is no containers.conf yet) the settings under which containers run here: the default
# runtime, cgroup manager and limits fail in this sandbox. Needs root.
set -euo pipefail

if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null; then
  echo "setup-podman: installing podman runc debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >/dev/null
fi

conf=/etc/containers/containers.conf
if [ ! -f "$conf" ]; then
  echo "setup-podman: writing $conf"
  mkdir -p /etc/containers
  cat >"$conf" <<'CONF'
[containers]
default_ulimits = []
pids_limit = 0

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
CONF
fi
podman --version
